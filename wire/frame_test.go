package wire_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire"
)

// frame is a frame of n bytes, its size first.
func frame(n int) []byte {
	f := binary.BigEndian.AppendUint32(nil, uint32(n))
	return append(f, bytes.Repeat([]byte{7}, n)...)
}

func TestReadFrame(t *testing.T) {
	const most = 5 << 20
	for _, tc := range []struct {
		name    string
		in      []byte
		want    []byte
		wantErr error
	}{
		{"empty", frame(0), frame(0), nil},
		{"one byte", frame(1), frame(1), nil},
		{"several steps", frame(3<<20 + 7), frame(3<<20 + 7), nil},
		{"followed by the next", append(frame(9), frame(2)...), frame(9), nil},
		{"negative size", []byte{0xff, 0xff, 0xff, 0xfe}, nil, &wire.FrameSizeError{Size: -2, Min: 0, Max: most}},
		{"above the most", frame(most + 1)[:4], nil, &wire.FrameSizeError{Size: most + 1, Min: 0, Max: most}},
		{"cut short in a later step", frame(2 << 20)[:1<<20+100], nil, io.ErrUnexpectedEOF},
		{"no size", []byte{0, 0}, nil, io.ErrUnexpectedEOF},
		{"nothing", nil, nil, io.EOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := wire.ReadFrame(bytes.NewReader(tc.in), 0, most)
			var bad *wire.FrameSizeError
			switch want, ok := tc.wantErr.(*wire.FrameSizeError); {
			case ok && (!errors.As(err, &bad) || *bad != *want):
				t.Fatalf("error %v, want %v", err, want)
			case !ok && !errors.Is(err, tc.wantErr):
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			case !bytes.Equal(got, tc.want):
				t.Fatalf("read %d bytes, want %d", len(got), len(tc.want))
			}
		})
	}
}

// A size prefix that claims 100 MiB costs only the bytes that arrive behind it, and a step.
func TestReadFrameLyingSize(t *testing.T) {
	in := append(binary.BigEndian.AppendUint32(nil, 100<<20), make([]byte, 10)...)
	var err error
	n := bomb.Allocated(func() { _, err = wire.ReadFrame(bytes.NewReader(in), 4, 100<<20) })
	if !errors.Is(err, io.ErrUnexpectedEOF) || n > 2<<20 {
		t.Fatalf("%v; %d bytes allocated for a 14-byte input claiming 100 MiB, want under 2 MiB", err, n)
	}
}
