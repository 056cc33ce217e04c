// Package bomb builds decompression bombs for tests: small zstd record batches that decode into
// millions of records or headers, written without ever holding their decompressed records.
package bomb

import (
	"encoding/binary"
	"io"
	"runtime"

	"github.com/klauspost/compress/zstd"

	"github.com/kwire-dev/kwire/wire"
)

// Spec says what a bomb's records section holds.
type Spec struct {
	Records    int  // records, each with a null key and value
	Sequential bool // offset deltas 0, 1, 2, … as Kafka requires; else all 0, which compresses best
	Timestamps bool // timestamp deltas 0, 1, 2, …; else all 0
	Headers    int  // headers of the first record, each an empty key with a null value
}

// Batch returns a zstd-compressed record batch (magic 2, no producer id, timestamps 0) of s.
func Batch(s Spec) ([]byte, error) {
	var section appendWriter
	enc, err := zstd.NewWriter(&section, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	w := chunkWriter{w: enc}
	for i := range s.Records {
		var r record
		if s.Sequential {
			r.offsetDelta = int32(i)
		}
		if s.Timestamps {
			r.timestampDelta = int64(i)
		}
		if i == 0 {
			r.headers = s.Headers
		}
		w.record(r)
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return frame(section.b, s), nil
}

// chunkWriter collects bytes and writes them to w 64 KiB at a time, keeping the first error.
type chunkWriter struct {
	w   io.Writer
	buf []byte
	err error
}

// record is what varies from one record of a bomb to the next.
type record struct {
	offsetDelta    int32
	timestampDelta int64
	headers        int
}

// record appends r, with a null key and value.
func (c *chunkWriter) record(r record) {
	body := 1 + wire.VarlongLen(r.timestampDelta) + wire.VarintLen(r.offsetDelta) + 2 + wire.VarintLen(int32(r.headers)) + 2*r.headers
	c.buf = wire.AppendVarint(c.buf, int32(body))
	c.buf = append(c.buf, 0) // attributes
	c.buf = wire.AppendVarlong(c.buf, r.timestampDelta)
	c.buf = wire.AppendVarint(c.buf, r.offsetDelta)
	c.buf = wire.AppendVarint(c.buf, -1) // key
	c.buf = wire.AppendVarint(c.buf, -1) // value
	c.buf = wire.AppendVarint(c.buf, int32(r.headers))
	for range r.headers {
		c.buf = append(c.buf, 0, 1) // an empty key, a null value
		c.maybeFlush()
	}
	c.maybeFlush()
}

func (c *chunkWriter) maybeFlush() {
	if len(c.buf) >= 64<<10 {
		c.flush()
	}
}

func (c *chunkWriter) flush() error {
	if c.err == nil {
		_, c.err = c.w.Write(c.buf)
	}
	c.buf = c.buf[:0]
	return c.err
}

// frame puts the batch header of s before its compressed records section.
func frame(section []byte, s Spec) []byte {
	n := s.Records
	b := make([]byte, wire.BatchHeaderSize, wire.BatchHeaderSize+len(section))
	be := binary.BigEndian
	be.PutUint32(b[8:], uint32(wire.BatchHeaderSize-12+len(section))) // batchLength
	be.PutUint32(b[12:], 0xffffffff)                                  // partitionLeaderEpoch -1
	b[16] = wire.MagicV2
	be.PutUint16(b[21:], uint16(wire.CodecZstd))
	be.PutUint32(b[23:], uint32(n-1)) // lastOffsetDelta
	if s.Timestamps {
		be.PutUint64(b[35:], uint64(n-1)) // maxTimestamp
	}
	be.PutUint64(b[43:], 0xffffffffffffffff) // producerId -1
	be.PutUint16(b[51:], 0xffff)             // producerEpoch -1
	be.PutUint32(b[53:], 0xffffffff)         // baseSequence -1
	be.PutUint32(b[57:], uint32(n))          // recordCount
	b = append(b, section...)
	be.PutUint32(b[17:], wire.BatchCRC(b))
	return b
}

// appendWriter is an io.Writer that appends to b.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// Allocated is how many bytes the process allocates while f runs: what handling a bomb cost.
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
