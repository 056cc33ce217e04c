package main

import (
	"slices"
	"testing"
)

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

// TestAttachedShortOptions: kcat's -K: and -p0 are -K : and -p 0 for the one-letter flags that
// take a value; whole flag names, flags' values and what follows -- are left alone.
func TestAttachedShortOptions(t *testing.T) {
	c := newCmdFlags("test", "", "", "")
	var topic, delim string
	var partition int
	var verbose bool
	c.fs.StringVar(&topic, "topic", "", "")
	c.doc("topic", "t", "TOPIC", "")
	c.fs.StringVar(&delim, "key-delimiter", "", "")
	c.doc("key-delimiter", "K", "SEP", "")
	c.fs.IntVar(&partition, "partition", -1, "")
	c.doc("partition", "p", "N", "")
	c.fs.BoolVar(&verbose, "verbose", false, "")
	c.doc("verbose", "v", "", "")
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"-K:", "-p0", "-torders"}, []string{"-K", ":", "-p", "0", "-t", "orders"}},
		{[]string{"-p-1", "-Kabc"}, []string{"-p", "-1", "-K", "abc"}},
		{[]string{"-K", "-tx", "-v"}, []string{"-K", "-tx", "-v"}},
		{[]string{"--topic", "-K:", "-verbose"}, []string{"--topic", "-K:", "-verbose"}},
		{[]string{"-t=orders", "--topic=x", "-K=:"}, []string{"-t=orders", "--topic=x", "-K=:"}},
		{[]string{"file", "topic", "-Kx", "--", "-p0"}, []string{"file", "topic", "-K", "x", "--", "-p0"}},
		{[]string{"-vx", "-", "-"}, []string{"-vx", "-", "-"}},
	} {
		if got := c.splitAttached(tt.args); !slices.Equal(got, tt.want) {
			t.Errorf("%q: %q, want %q", tt.args, got, tt.want)
		}
	}
	pos, err := c.parse([]string{"-K:", "-p2", "-torders", "in.txt"})
	if err != nil || delim != ":" || partition != 2 || topic != "orders" || !slices.Equal(pos, []string{"in.txt"}) {
		t.Errorf("parse: %v; -K %q, -p %d, -t %q, arguments %q", err, delim, partition, topic, pos)
	}
}
