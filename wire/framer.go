package wire

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Framer reads and writes the frames of Kafka's protocol on one connection: an int32 size, then
// that many bytes. It owns the connection's read buffer, the largest frame a read may return and a
// write buffer reused frame after frame, so that every request, response and bare SASL token kwire
// reads gets the same bounds and the same handling of sizes that lie.
//
// One goroutine may read while another writes; neither side may be used by two at once.
type Framer struct {
	r       *bufio.Reader
	maxRead int32
	size    [4]byte // the size prefix being read, here rather than on the heap at every read
	w       io.Writer
	wbuf    []byte
}

const (
	// readBufferSize is the size of a Framer's read buffer: a stream of small frames, pipelined,
	// arrives in few reads.
	readBufferSize = 64 << 10
	// defaultMaxReadFrameSize is the largest frame a new Framer reads: Kafka's default
	// message.max.bytes, the largest batch a broker takes, rounded down to 1 MiB.
	defaultMaxReadFrameSize = 1 << 20
	// frameStep is how much of a frame a Framer allocates at a time until the rest of it is no
	// larger, so that a size that lies costs about the bytes that really arrive.
	frameStep = 1 << 20
)

// NewFramer returns a Framer that writes to w and reads from r through a read buffer of 64 KiB,
// frames of at most 1 MiB until [Framer.SetMaxReadFrameSize] says otherwise.
func NewFramer(w io.Writer, r io.Reader) *Framer {
	return &Framer{r: bufio.NewReaderSize(r, readBufferSize), maxRead: defaultMaxReadFrameSize, w: w}
}

// FrameSizeError is a frame's size prefix outside 0..Max, the largest frame its reader allowed.
type FrameSizeError struct {
	Size, Max int32
}

func (e *FrameSizeError) Error() string {
	return fmt.Sprintf("frame size %d outside 0..%d", e.Size, e.Max)
}

// SetMaxReadFrameSize sets the largest frame, size prefix excluded, that [Framer.ReadFrame] reads.
func (f *Framer) SetMaxReadFrameSize(n int32) { f.maxRead = n }

// AwaitFrame returns once the first byte of the next frame has arrived, or with the error that
// ended the wait; it reads nothing. A caller may so give the wait between frames a deadline of its
// own, apart from the time a frame takes to arrive once begun.
func (f *Framer) AwaitFrame() error {
	_, err := f.r.Peek(1)
	return err
}

// ReadFrame reads the next frame and returns it whole, size prefix included. A size outside
// 0..the maximum read size is a *[FrameSizeError], refused before anything is allocated for it.
// A frame larger than 1 MiB is read in steps of 1 MiB and put together once all but its last step
// has arrived, so a size that lies costs at most twice the bytes that do arrive, and a step. A
// frame that ends early is an error wrapping [io.ErrUnexpectedEOF], or the read's own error.
//
// The frame returned is the caller's: the Framer never reads into it again, so it may be kept
// (the mock broker keeps requests, and what it decodes from them points into them).
func (f *Framer) ReadFrame() ([]byte, error) {
	if _, err := io.ReadFull(f.r, f.size[:]); err != nil {
		return nil, err
	}
	size := int32(binary.BigEndian.Uint32(f.size[:]))
	if size < 0 || size > f.maxRead {
		return nil, &FrameSizeError{Size: size, Max: f.maxRead}
	}
	var steps [][]byte // grown as steps arrive: nothing is allocated for bytes that do not
	for rest := int(size); rest > frameStep; rest -= frameStep {
		step := make([]byte, frameStep)
		if _, err := io.ReadFull(f.r, step); err != nil {
			return nil, cutShort(size, err)
		}
		steps = append(steps, step)
	}
	frame := make([]byte, 4+int(size))
	n := copy(frame, f.size[:])
	for _, step := range steps {
		n += copy(frame[n:], step)
	}
	if _, err := io.ReadFull(f.r, frame[n:]); err != nil {
		return nil, cutShort(size, err)
	}
	return frame, nil
}

// cutShort is the error of a frame of size bytes whose reading failed with err, once begun: an
// end of the input there is unexpected.
func cutShort(size int32, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("frame of %d bytes cut short: %w", size, err)
}

// WriteBuffer returns the Framer's write buffer, empty, to append the next frame to and hand to
// [Framer.WriteFrame]: its storage is that of the frames written before, so appending to it
// allocates only when a frame is larger than they were.
func (f *Framer) WriteBuffer() []byte { return f.wbuf[:0] }

// WriteFrame writes frame, its size prefix first, in one Write. From then on frame is the
// Framer's: its storage becomes the write buffer, so the caller must not keep frame. A frame whose
// size prefix does not match its length is refused, and nothing written.
func (f *Framer) WriteFrame(frame []byte) error {
	if len(frame) < 4 {
		return fmt.Errorf("wire: a frame of %d bytes has no room for its size", len(frame))
	}
	if size := binary.BigEndian.Uint32(frame); int64(size) != int64(len(frame)-4) {
		return fmt.Errorf("wire: a frame of size %d has %d bytes after its size", size, len(frame)-4)
	}
	f.wbuf = frame[:0]
	_, err := f.w.Write(frame)
	return err
}
