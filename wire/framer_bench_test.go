package wire_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// cycle reads data over and over.
type cycle struct {
	data []byte
	off  int
}

func (c *cycle) Read(p []byte) (int, error) {
	n := copy(p, c.data[c.off:])
	c.off = (c.off + n) % len(c.data)
	return n, nil
}

// benchSizes are frames as the producer and the broker see them: a Produce response, a batch of
// the default batch.size, a request of the default max.request.size, and a large Fetch answer.
var benchSizes = []int{100, 16 << 10, 1 << 20, 4 << 20}

func BenchmarkFramerRead(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			f := wire.NewFramer(io.Discard, &cycle{data: frame(size)})
			f.SetMaxReadFrameSize(8 << 20)
			b.SetBytes(int64(4 + size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.ReadFrame(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFramerWrite(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			f := wire.NewFramer(io.Discard, bytes.NewReader(nil))
			body := bytes.Repeat([]byte{7}, size)
			b.SetBytes(int64(4 + size))
			b.ReportAllocs()
			for b.Loop() {
				fr := append(binary.BigEndian.AppendUint32(f.WriteBuffer(), uint32(size)), body...)
				if err := f.WriteFrame(fr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
