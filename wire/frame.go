package wire

import (
	"encoding/binary"
	"fmt"
	"io"
)

// frameStep is how much of a frame ReadFrame allocates at a time: a size prefix that lies costs
// no more memory than the bytes that really arrive, and at most this much more.
const frameStep = 1 << 20

// FrameSizeError is a frame's size prefix outside the bounds its reader allows.
type FrameSizeError struct {
	Size, Min, Max int32
}

func (e *FrameSizeError) Error() string {
	return fmt.Sprintf("frame size %d outside %d..%d", e.Size, e.Min, e.Max)
}

// ReadFrame reads one frame of Kafka's protocol, an int32 size and that many bytes, from r and
// returns it whole, size included. A size outside least..most is a *FrameSizeError, refused before
// anything is allocated for it; the frame is then read in steps of 1 MiB. Every request and
// response kwire reads, and every raw SASL token, goes through it.
func ReadFrame(r io.Reader, least, most int32) ([]byte, error) {
	var prefix [4]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		return nil, err
	}
	size := int32(binary.BigEndian.Uint32(prefix[:]))
	if size < least || size > most {
		return nil, &FrameSizeError{Size: size, Min: least, Max: most}
	}
	frame := make([]byte, 4+min(int(size), frameStep))
	copy(frame, prefix[:])
	for read := 4; ; {
		if _, err := io.ReadFull(r, frame[read:]); err != nil {
			return nil, fmt.Errorf("frame of %d bytes cut short: %w", size, err)
		}
		if len(frame) == 4+int(size) {
			return frame, nil
		}
		read = len(frame)
		frame = append(frame, make([]byte, min(4+int(size)-len(frame), frameStep))...)
	}
}
