package wire

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
)

// The fixed layout of a record batch header (magic 2): every field's offset from the batch start.
// The encoder, the decoder and the dissector all read these.
const (
	offBaseOffset           = 0
	offBatchLength          = 8
	offPartitionLeaderEpoch = 12
	offMagic                = 16
	offCRC                  = 17
	offAttributes           = 21
	offLastOffsetDelta      = 23
	offBaseTimestamp        = 27
	offMaxTimestamp         = 35
	offProducerID           = 43
	offProducerEpoch        = 51
	offBaseSequence         = 53
	offRecordCount          = 57

	// BatchHeaderSize is the size of a record batch header, up to and including the record count.
	BatchHeaderSize = 61
	// batchLengthOverhead is what batchLength does not count: the baseOffset and batchLength fields.
	batchLengthOverhead = offPartitionLeaderEpoch
	// minRecordSize is the smallest encoded record: length, attributes, two deltas, null key and
	// value, no headers, one byte each.
	minRecordSize = 7
)

// MagicV2 is the magic byte of the record batch format Kafka has written since 0.11.
const MagicV2 = 2

// NoTimestamp, NoProducerID, NoProducerEpoch and NoSequence are what a batch carries when there is
// no timestamp or the producer is not idempotent.
const (
	NoTimestamp     int64 = -1
	NoProducerID    int64 = -1
	NoProducerEpoch int16 = -1
	NoSequence      int32 = -1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// BatchCRCStart is the offset in a record batch (magic 2) where the bytes its CRC-32C covers
// begin: the attributes, to the end of the batch.
const BatchCRCStart = offAttributes

// BatchCRC is the CRC-32C that batch, a whole record batch (magic 2) and nothing after it, should
// store: over its bytes from [BatchCRCStart] on.
func BatchCRC(batch []byte) uint32 { return crc32.Checksum(batch[BatchCRCStart:], castagnoli) }

// Attributes are a record batch's attribute bits.
type Attributes int16

// The attribute bits beside the codec (bits 0–2).
const (
	AttrLogAppendTime Attributes = 1 << 3 // timestamps were set by the broker
	AttrTransactional Attributes = 1 << 4 // the batch belongs to a transaction
	AttrControl       Attributes = 1 << 5 // the batch holds a control record (commit/abort marker)
	AttrDeleteHorizon Attributes = 1 << 6 // baseTimestamp is the delete horizon (compaction, KIP-534)

	attrCodecMask Attributes = 0x07
)

// Codec is the compression codec in bits 0–2.
func (a Attributes) Codec() Codec { return Codec(a & attrCodecMask) }

// WithCodec returns a with its codec bits set to c.
func (a Attributes) WithCodec(c Codec) Attributes {
	return a&^attrCodecMask | Attributes(c)&attrCodecMask
}

// String lists the codec and the bits that are set, e.g. "lz4|transactional".
func (a Attributes) String() string {
	parts := []string{a.Codec().String()}
	for _, f := range [...]struct {
		bit  Attributes
		name string
	}{
		{AttrLogAppendTime, "logAppendTime"},
		{AttrTransactional, "transactional"},
		{AttrControl, "control"},
		{AttrDeleteHorizon, "deleteHorizon"},
	} {
		if a&f.bit != 0 {
			parts = append(parts, f.name)
		}
	}
	if rest := a &^ (attrCodecMask | AttrLogAppendTime | AttrTransactional | AttrControl | AttrDeleteHorizon); rest != 0 {
		parts = append(parts, fmt.Sprintf("unknown(%#x)", uint16(rest)))
	}
	return strings.Join(parts, "|")
}

// Header is a record header. A nil Value is a null value, distinct from an empty one.
type Header struct {
	Key   string
	Value []byte
}

// Record is one record of a batch, with its timestamp and offset made absolute.
// A nil Key or Value is null, distinct from an empty one.
type Record struct {
	Attributes int8  // unused by Kafka: always 0
	Timestamp  int64 // milliseconds since the epoch
	Offset     int64 // the batch's base offset plus the record's offset delta
	Key        []byte
	Value      []byte
	Headers    []Header
}

// BatchHeader is the fixed part of a record batch.
type BatchHeader struct {
	BaseOffset           int64
	Length               int32 // batchLength: the bytes after this field
	PartitionLeaderEpoch int32 // producers write -1
	Magic                int8
	CRC                  uint32 // CRC32C of everything from Attributes to the end
	Attributes           Attributes
	LastOffsetDelta      int32
	BaseTimestamp        int64 // the first record's timestamp
	MaxTimestamp         int64 // the largest timestamp, or the broker's with AttrLogAppendTime
	ProducerID           int64 // -1 unless idempotent
	ProducerEpoch        int16 // -1 unless idempotent
	BaseSequence         int32 // -1 unless idempotent
	NumRecords           int32
}

// RecordBatch is a record batch: its header and its records.
type RecordBatch struct {
	BatchHeader
	Records []Record

	raw     []byte   // decompressed records section, reused across Decode calls
	headers []Header // backing store for the records' headers, reused across Decode calls
}

// AppendRecordBatch appends b encoded as a magic-2 record batch to dst, its records compressed with
// b.Attributes.Codec() at level (0 is the codec's default).
//
// The encoder derives what the records determine: Length, Magic, CRC, LastOffsetDelta, NumRecords,
// BaseTimestamp (the first record's timestamp, as the Java client writes it) and MaxTimestamp (the
// largest; kept as given when AttrLogAppendTime is set). The records take consecutive offsets from
// BaseOffset; their Offset fields are not read. On error dst is returned unchanged.
func AppendRecordBatch(dst []byte, b *RecordBatch, level int) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, BatchHeaderSize)...)
	h := b.BatchHeader
	h.Magic = MagicV2
	h.NumRecords = int32(len(b.Records))
	h.LastOffsetDelta = h.NumRecords - 1
	h.BaseTimestamp, h.MaxTimestamp = timestampRange(b.Records, h.MaxTimestamp, h.Attributes)

	var err error
	if codec := h.Attributes.Codec(); codec == CodecNone {
		dst = appendRecords(dst, b.Records, h.BaseTimestamp)
	} else {
		dst, err = appendCompressedRecords(dst, b.Records, h.BaseTimestamp, codec, level)
		if err != nil {
			return dst[:start], err
		}
	}
	h.Length = int32(len(dst) - start - batchLengthOverhead)
	putBatchHeader(dst[start:], &h)
	return dst, nil
}

// timestampRange is the batch's base and max timestamps for records: the first record's and the
// largest, or NoTimestamp for an empty batch. With log-append time the given max is kept.
func timestampRange(records []Record, givenMax int64, attrs Attributes) (base, maxTS int64) {
	if len(records) == 0 {
		return NoTimestamp, NoTimestamp
	}
	base, maxTS = records[0].Timestamp, records[0].Timestamp
	for i := range records {
		maxTS = max(maxTS, records[i].Timestamp)
	}
	if attrs&AttrLogAppendTime != 0 {
		maxTS = givenMax
	}
	return base, maxTS
}

func appendCompressedRecords(dst []byte, records []Record, baseTS int64, codec Codec, level int) ([]byte, error) {
	scratch := getBuffer()
	defer putBuffer(scratch)
	*scratch = appendRecords((*scratch)[:0], records, baseTS)
	return AppendCompress(dst, *scratch, codec, level)
}

// putBatchHeader writes h into the first BatchHeaderSize bytes of batch, which must hold the whole
// batch, and computes the CRC over the rest.
func putBatchHeader(batch []byte, h *BatchHeader) {
	be := binary.BigEndian
	be.PutUint64(batch[offBaseOffset:], uint64(h.BaseOffset))
	be.PutUint32(batch[offBatchLength:], uint32(h.Length))
	be.PutUint32(batch[offPartitionLeaderEpoch:], uint32(h.PartitionLeaderEpoch))
	batch[offMagic] = byte(h.Magic)
	be.PutUint16(batch[offAttributes:], uint16(h.Attributes))
	be.PutUint32(batch[offLastOffsetDelta:], uint32(h.LastOffsetDelta))
	be.PutUint64(batch[offBaseTimestamp:], uint64(h.BaseTimestamp))
	be.PutUint64(batch[offMaxTimestamp:], uint64(h.MaxTimestamp))
	be.PutUint64(batch[offProducerID:], uint64(h.ProducerID))
	be.PutUint16(batch[offProducerEpoch:], uint16(h.ProducerEpoch))
	be.PutUint32(batch[offBaseSequence:], uint32(h.BaseSequence))
	be.PutUint32(batch[offRecordCount:], uint32(h.NumRecords))
	h.CRC = BatchCRC(batch)
	be.PutUint32(batch[offCRC:], h.CRC)
}

// appendRecords appends each record with its deltas from baseTS and from offset 0.
func appendRecords(dst []byte, records []Record, baseTS int64) []byte {
	for i := range records {
		dst = appendRecord(dst, &records[i], int32(i), records[i].Timestamp-baseTS)
	}
	return dst
}

// appendRecord appends one record: its body length as a varint, then the body.
func appendRecord(dst []byte, r *Record, offsetDelta int32, tsDelta int64) []byte {
	dst = AppendVarint(dst, int32(recordBodyLen(r, offsetDelta, tsDelta)))
	dst = append(dst, byte(r.Attributes))
	dst = AppendVarlong(dst, tsDelta)
	dst = AppendVarint(dst, offsetDelta)
	dst = AppendVarintBytes(dst, r.Key)
	dst = AppendVarintBytes(dst, r.Value)
	dst = AppendVarint(dst, int32(len(r.Headers)))
	for _, h := range r.Headers {
		dst = AppendVarintString(dst, h.Key)
		dst = AppendVarintBytes(dst, h.Value)
	}
	return dst
}

func recordBodyLen(r *Record, offsetDelta int32, tsDelta int64) int {
	n := 1 + VarlongLen(tsDelta) + VarintLen(offsetDelta) +
		VarintBytesLen(r.Key) + VarintBytesLen(r.Value) + VarintLen(int32(len(r.Headers)))
	for _, h := range r.Headers {
		n += VarintLen(int32(len(h.Key))) + len(h.Key) + VarintBytesLen(h.Value)
	}
	return n
}

// RecordSize is the number of bytes r takes in a batch's uncompressed records section at the given
// offset and timestamp deltas. Producers use it to decide when a batch is full.
func RecordSize(r *Record, offsetDelta int32, tsDelta int64) int {
	n := recordBodyLen(r, offsetDelta, tsDelta)
	return VarintLen(int32(n)) + n
}

// SetBaseOffset writes offset into the batch at the start of batch, as a broker does when it
// appends the batch to a log. The CRC does not cover the base offset, so it stays valid.
func SetBaseOffset(batch []byte, offset int64) {
	binary.BigEndian.PutUint64(batch[offBaseOffset:], uint64(offset))
}

// SetPartitionLeaderEpoch writes epoch into the batch at the start of batch, as a broker does when
// its leader appends the batch to a log. The CRC does not cover the epoch, so it stays valid.
func SetPartitionLeaderEpoch(batch []byte, epoch int32) {
	binary.BigEndian.PutUint32(batch[offPartitionLeaderEpoch:], uint32(epoch))
}

// SetLogAppendTime marks the batch at the start of batch as timestamped by the broker at ts, as
// a broker does for topics with message.timestamp.type=LogAppendTime, and recomputes its CRC.
// batch must hold the whole batch and nothing after it.
func SetLogAppendTime(batch []byte, ts int64) {
	be := binary.BigEndian
	attrs := Attributes(be.Uint16(batch[offAttributes:])) | AttrLogAppendTime
	be.PutUint16(batch[offAttributes:], uint16(attrs))
	be.PutUint64(batch[offMaxTimestamp:], uint64(ts))
	be.PutUint32(batch[offCRC:], BatchCRC(batch))
}
