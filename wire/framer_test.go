package wire_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire"
)

// frame is a frame of n bytes, its size first.
func frame(n int) []byte {
	f := binary.BigEndian.AppendUint32(nil, uint32(n))
	return append(f, bytes.Repeat([]byte{7}, n)...)
}

// readFrame reads one frame of at most most bytes from in.
func readFrame(in []byte, most int32) ([]byte, error) {
	f := wire.NewFramer(io.Discard, bytes.NewReader(in))
	f.SetMaxReadFrameSize(most)
	return f.ReadFrame()
}

func TestFramerReadFrame(t *testing.T) {
	const most = 5 << 20
	for _, tc := range []struct {
		name    string
		in      []byte
		want    []byte
		wantErr error  // matched with errors.Is, or compared as a *FrameSizeError
		errText string // in the error's text
	}{
		{"empty", frame(0), frame(0), nil, ""},
		{"one byte", frame(1), frame(1), nil, ""},
		{"one step", frame(1 << 20), frame(1 << 20), nil, ""},
		{"a step and a byte", frame(1<<20 + 1), frame(1<<20 + 1), nil, ""},
		{"several steps", frame(3<<20 + 7), frame(3<<20 + 7), nil, ""},
		{"at the most", frame(most), frame(most), nil, ""},
		{"followed by the next", append(frame(9), frame(2)...), frame(9), nil, ""},
		{"one over the most", frame(most + 1)[:4], nil, &wire.FrameSizeError{Size: most + 1, Max: most}, "frame size 5242881 outside 0..5242880"},
		{"negative size", []byte{0xff, 0xff, 0xff, 0xfe}, nil, &wire.FrameSizeError{Size: -2, Max: most}, "frame size -2 outside 0..5242880"},
		{"cut short in the first step", frame(100)[:50], nil, io.ErrUnexpectedEOF, "frame of 100 bytes cut short"},
		{"cut short after its size", frame(100)[:4], nil, io.ErrUnexpectedEOF, "frame of 100 bytes cut short"},
		{"cut short between steps", frame(2 << 20)[:4+1<<20], nil, io.ErrUnexpectedEOF, "frame of 2097152 bytes cut short"},
		{"cut short in a later step", frame(2 << 20)[:1<<20+100], nil, io.ErrUnexpectedEOF, "frame of 2097152 bytes cut short"},
		{"cut short in its size", []byte{0, 0}, nil, io.ErrUnexpectedEOF, ""},
		{"nothing", nil, nil, io.EOF, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readFrame(tc.in, most)
			var bad *wire.FrameSizeError
			switch want, ok := tc.wantErr.(*wire.FrameSizeError); {
			case ok && (!errors.As(err, &bad) || *bad != *want):
				t.Fatalf("error %v, want %v", err, want)
			case !ok && !errors.Is(err, tc.wantErr):
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			case err != nil && !strings.Contains(err.Error(), tc.errText):
				t.Fatalf("error %q, want it to say %q", err, tc.errText)
			case !bytes.Equal(got, tc.want):
				t.Fatalf("read %d bytes, want %d", len(got), len(tc.want))
			}
		})
	}
}

// The maximum read size holds from the read after it is set: a caller can bound each frame by
// what it expects next.
func TestFramerMaxReadFrameSizePerRead(t *testing.T) {
	in := append(append(frame(10), frame(20)...), frame(30)...)
	f := wire.NewFramer(io.Discard, bytes.NewReader(in))
	for i, tc := range []struct {
		most int32
		want []byte
	}{{10, frame(10)}, {20, frame(20)}, {29, nil}} {
		f.SetMaxReadFrameSize(tc.most)
		got, err := f.ReadFrame()
		if !bytes.Equal(got, tc.want) || (tc.want == nil) != (err != nil) {
			t.Fatalf("read %d, at most %d: %d bytes, %v; want %d bytes", i, tc.most, len(got), err, len(tc.want))
		}
	}
}

// Frames returned are the caller's: reading the next one leaves them as they were.
func TestFramerFramesStayTheCallers(t *testing.T) {
	next := frame(5)
	for i := 4; i < len(next); i++ {
		next[i] = 9
	}
	f := wire.NewFramer(io.Discard, bytes.NewReader(append(frame(5), next...)))
	first, err := f.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, frame(5)) {
		t.Fatalf("the first frame is %v after the second was read", first)
	}
}

// A size prefix that lies costs the bytes that arrive behind it, twice at most, and a step of
// 1 MiB; a frame that arrives whole costs its size, and twice that from 1 MiB up.
func TestFramerReadAllocations(t *testing.T) {
	const claimed = 100 << 20
	lying := func(arrived int) []byte {
		return append(binary.BigEndian.AppendUint32(nil, claimed), make([]byte, arrived)...)
	}
	for _, tc := range []struct {
		name string
		in   []byte
		most uint64 // bytes allocated at most
	}{
		{"10 bytes of 100 MiB", lying(10), 1<<20 + 1<<10},
		{"3 MiB of 100 MiB", lying(3<<20 + 10), 4<<20 + 1<<10},
		{"1.5 MiB of 2 MiB", append(binary.BigEndian.AppendUint32(nil, 2<<20), make([]byte, 3<<19)...), 2*(3<<19) + 1<<20 + 1<<10},
		{"a whole frame of 100 bytes", frame(100), 104 + 1<<10},
		{"a whole frame of 4 MiB", frame(4 << 20), 2*(4<<20) + 1<<10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := wire.NewFramer(io.Discard, bytes.NewReader(tc.in))
			f.SetMaxReadFrameSize(claimed)
			var err error
			n := bomb.Allocated(func() { _, err = f.ReadFrame() })
			if n > tc.most {
				t.Fatalf("%d bytes allocated, want at most %d (%v)", n, tc.most, err)
			}
		})
	}
}

// Reading a frame of up to 1 MiB allocates the frame and nothing else.
func TestFramerReadAllocsPerFrame(t *testing.T) {
	in := bytes.Repeat(frame(100), 200)
	f := wire.NewFramer(io.Discard, bytes.NewReader(in))
	if allocs := testing.AllocsPerRun(100, func() { f.ReadFrame() }); allocs != 1 {
		t.Fatalf("%v allocations a frame, want 1", allocs)
	}
}

// AwaitFrame waits for a frame's first byte and takes nothing from the frame.
func TestFramerAwaitFrame(t *testing.T) {
	f := wire.NewFramer(io.Discard, bytes.NewReader(frame(3)))
	if err := f.AwaitFrame(); err != nil {
		t.Fatal(err)
	}
	if got, err := f.ReadFrame(); err != nil || !bytes.Equal(got, frame(3)) {
		t.Fatalf("after AwaitFrame: %v, %v", got, err)
	}
	if err := f.AwaitFrame(); err != io.EOF {
		t.Fatalf("AwaitFrame at the end: %v, want EOF", err)
	}
}

// WriteFrame writes each frame whole, and the write buffer is reused: once it has held the largest
// frame, writing allocates nothing.
func TestFramerWriteFrame(t *testing.T) {
	var out bytes.Buffer
	f := wire.NewFramer(&out, bytes.NewReader(nil))
	write := func(body []byte) {
		fr := binary.BigEndian.AppendUint32(f.WriteBuffer(), uint32(len(body)))
		if err := f.WriteFrame(append(fr, body...)); err != nil {
			t.Fatal(err)
		}
	}
	var want []byte
	for _, n := range []int{300, 10, 0, 300} {
		body := bytes.Repeat([]byte{byte(n)}, n)
		write(body)
		want = append(append(want, binary.BigEndian.AppendUint32(nil, uint32(n))...), body...)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("wrote %d bytes, want %d", out.Len(), len(want))
	}
	body := make([]byte, 200)
	out.Grow(1 << 20)
	if allocs := testing.AllocsPerRun(100, func() { write(body) }); allocs != 0 {
		t.Fatalf("%v allocations a write, want 0", allocs)
	}
}

// A frame whose size prefix does not match it is refused, and nothing written.
func TestFramerWriteFrameRefused(t *testing.T) {
	for _, tc := range []struct {
		frame []byte
		want  string
	}{
		{[]byte{0, 0, 1}, "a frame of 3 bytes has no room for its size"},
		{append(frame(5), 0), "a frame of size 5 has 6 bytes after its size"},
		{frame(5)[:8], "a frame of size 5 has 4 bytes after its size"},
	} {
		t.Run(fmt.Sprint(len(tc.frame)), func(t *testing.T) {
			var out bytes.Buffer
			err := wire.NewFramer(&out, bytes.NewReader(nil)).WriteFrame(tc.frame)
			if err == nil || !strings.Contains(err.Error(), tc.want) || out.Len() != 0 {
				t.Fatalf("%v, %d bytes written; want %q and none", err, out.Len(), tc.want)
			}
		})
	}
}
