package main

import "testing"

func TestByteSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		str  string
		bad  bool
	}{
		{in: "1048576", want: 1 << 20, str: "1MiB"},
		{in: "64MiB", want: 64 << 20, str: "64MiB"},
		{in: "1GiB", want: 1 << 30, str: "1GiB"},
		{in: "3KiB", want: 3 << 10, str: "3KiB"},
		{in: "2TiB", want: 2 << 40, str: "2TiB"},
		{in: "1000", want: 1000, str: "1000"},
		{in: "-1", want: -1, str: "-1"},
		{in: "0", want: 0, str: "0"},
		{in: "1.5GiB", bad: true},
		{in: "1GB", bad: true},
		{in: "MiB", bad: true},
		{in: "", bad: true},
		{in: "8388608TiB", bad: true}, // 2^63 bytes
	} {
		var b byteSize
		err := b.Set(tt.in)
		switch {
		case tt.bad && err == nil:
			t.Errorf("%q: %d, want an error", tt.in, b)
		case !tt.bad && (err != nil || int64(b) != tt.want || b.String() != tt.str):
			t.Errorf("%q: %d (%s), %v; want %d (%s)", tt.in, b, b.String(), err, tt.want, tt.str)
		}
	}
}
