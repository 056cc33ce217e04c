package wire

import (
	"encoding/binary"
)

// BatchBuilder builds a record batch a record at a time, as a producer's accumulator does: each
// record is encoded once, straight into the builder's buffer, behind room reserved for the batch
// header. [BatchBuilder.Finish] then writes the header (and compresses the records) without
// copying them again when there is no compression.
//
// The zero value is ready to use; [BatchBuilder.Reset] reuses a buffer.
type BatchBuilder struct {
	buf           []byte // BatchHeaderSize reserved bytes, then the uncompressed records
	n             int32
	baseTS, maxTS int64
}

// Reset empties the builder, taking buf (whose contents are discarded) as its buffer.
func (b *BatchBuilder) Reset(buf []byte) {
	b.buf = append(buf[:0], make([]byte, BatchHeaderSize)...)
	b.n, b.baseTS, b.maxTS = 0, 0, 0
}

// NumRecords is how many records were appended.
func (b *BatchBuilder) NumRecords() int32 { return b.n }

// Size is the size of the uncompressed batch so far, header included.
func (b *BatchBuilder) Size() int {
	if b.buf == nil {
		return BatchHeaderSize
	}
	return len(b.buf)
}

// SizeWith is the size the uncompressed batch would have with r appended.
func (b *BatchBuilder) SizeWith(r *Record) int {
	return b.Size() + RecordSize(r, b.n, b.tsDelta(r.Timestamp))
}

// Append adds r at the next offset; r.Offset is not read. The builder copies what it needs.
func (b *BatchBuilder) Append(r *Record) {
	if b.buf == nil {
		b.Reset(nil)
	}
	if b.n == 0 {
		b.baseTS, b.maxTS = r.Timestamp, r.Timestamp
	}
	b.buf = appendRecord(b.buf, r, b.n, b.tsDelta(r.Timestamp))
	b.maxTS = max(b.maxTS, r.Timestamp)
	b.n++
}

func (b *BatchBuilder) tsDelta(ts int64) int64 {
	if b.n == 0 {
		return 0
	}
	return ts - b.baseTS
}

// Finish completes the batch with h's base offset, leader epoch, attributes and producer fields
// (the rest comes from the records) and returns it, its records compressed with the codec in
// h.Attributes at level. Without compression the batch is the builder's own buffer, finished in
// place; with compression it is appended to dst. Either way the builder is empty afterwards, and
// its buffer must not be reused while the batch is in use.
func (b *BatchBuilder) Finish(dst []byte, h BatchHeader, level int) ([]byte, error) {
	if b.buf == nil {
		b.Reset(nil)
	}
	h.Magic = MagicV2
	h.NumRecords = b.n
	h.LastOffsetDelta = b.n - 1
	h.BaseTimestamp, h.MaxTimestamp = b.baseTS, b.maxTS
	if b.n == 0 {
		h.BaseTimestamp, h.MaxTimestamp = NoTimestamp, NoTimestamp
	}
	batch := b.buf
	if codec := h.Attributes.Codec(); codec != CodecNone {
		start := len(dst)
		dst = append(dst, make([]byte, BatchHeaderSize)...)
		var err error
		if dst, err = AppendCompress(dst, b.buf[BatchHeaderSize:], codec, level); err != nil {
			return dst[:start], err
		}
		batch = dst[start:]
	}
	h.Length = int32(len(batch) - batchLengthOverhead)
	putBatchHeader(batch, &h)
	b.buf, b.n = nil, 0
	return batch, nil
}

// SetProducerState rewrites the producer id, epoch and base sequence of the batch at the start of
// batch and recomputes its CRC, as an idempotent producer does when it must resend a batch under
// a new epoch. batch must hold the whole batch and nothing after it.
func SetProducerState(batch []byte, producerID int64, epoch int16, baseSequence int32) {
	be := binary.BigEndian
	be.PutUint64(batch[offProducerID:], uint64(producerID))
	be.PutUint16(batch[offProducerEpoch:], uint16(epoch))
	be.PutUint32(batch[offBaseSequence:], uint32(baseSequence))
	be.PutUint32(batch[offCRC:], BatchCRC(batch))
}
