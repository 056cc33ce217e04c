package wire

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"reflect"
	"slices"
)

// Legacy message sets are what Kafka wrote before record batches (magic 0 and 1, before 0.11), and
// what Produce v0–v2 and Fetch v0–v3 carry. A message set is a sequence of
//
//	offset int64, messageSize int32, crc uint32 (CRC-32 IEEE of the rest), magic int8,
//	attributes int8 (codec bits 0–2, timestamp type bit 3), timestamp int64 (magic 1 only),
//	key bytes, value bytes
//
// A compressed message is a wrapper whose value is a compressed message set of inner messages;
// with magic 1 the inner offsets are relative to the wrapper's, which is the last inner offset.

// The magic byte sits at offset 16 in both formats: after the offset and size of a legacy message,
// and after the base offset, length and leader epoch of a batch.
const offAnyMagic = 16

// legacyHeaderSize is a message's fixed part after offset and size: crc, magic, attributes.
const legacyHeaderSize = 4 + 1 + 1

// Magic returns the format version of the records at the start of src: 0 or 1 for a legacy
// message set, 2 for a record batch.
func Magic(src []byte) (int8, error) {
	if len(src) <= offAnyMagic {
		return 0, &DecodeError{Field: "magic", Offset: len(src),
			Err: fmt.Errorf("%w: records of %d bytes end before their magic byte at offset %d", ErrShortBuffer, len(src), offAnyMagic)}
	}
	return int8(src[offAnyMagic]), nil
}

// LegacyMessage is one message of a magic 0 or 1 message set, after unwrapping compression.
type LegacyMessage struct {
	Offset     int64
	Magic      int8
	Attributes int8  // codec bits 0–2 (of the wrapper, for inner messages), timestamp type bit 3
	Timestamp  int64 // NoTimestamp for magic 0
	Key        []byte
	Value      []byte
}

// ReadMessageSet decodes a legacy message set, unwrapping compressed wrappers into their inner
// messages with absolute offsets. Keys and values alias src or fresh decompression buffers. A
// partial message at the end (which brokers may send in fetches) is an error here, as in a produce.
// The wrappers of one set decompress into at most [MaxRecordsSize] bytes in all, not each.
func ReadMessageSet(src []byte) ([]LegacyMessage, error) {
	b := setBudget{left: MaxRecordsSize}
	return b.read(nil, src, 0, false)
}

// legacyMessageMemSize is the bytes a decoded [LegacyMessage] takes, beside the bytes it aliases.
var legacyMessageMemSize = int(reflect.TypeFor[LegacyMessage]().Size())

// setBudget is what reading one message set may still take: what its wrappers decompress into
// and, when perMessage is set, perMessage bytes for each message read.
type setBudget struct {
	left       int
	perMessage int
}

// read appends the messages of src, whose first byte is at offset base of the input, to msgs,
// failing before it decodes any if their count says they cannot fit in b; inner says src is a
// compressed wrapper's set, in which a compressed message is an error.
func (b *setBudget) read(msgs []LegacyMessage, src []byte, base int, inner bool) ([]LegacyMessage, error) {
	n := countMessages(src)
	if n*b.perMessage > b.left {
		return nil, &DecodeError{Field: "messages", Offset: base,
			Err: fmt.Errorf("%w: %d messages would hold %d bytes, more than the %d left", ErrDecodeLimit, n, n*b.perMessage, b.left)}
	}
	msgs = slices.Grow(msgs, n)
	var r Reader
	r.Reset(src, base)
	for i := 0; r.Remaining() > 0; i++ {
		r.SetField("offset")
		offset := r.Int64()
		r.SetField("messageSize")
		body := r.Span(r.length(int64(r.Int32()), false))
		if r.Err() != nil {
			return nil, prefixField(r.Err(), fmt.Sprintf("messages[%d].", i))
		}
		m, err := readLegacyMessage(body, r.Offset()-len(body))
		if err != nil {
			return nil, prefixField(err, fmt.Sprintf("messages[%d].", i))
		}
		m.Offset = offset
		if codec := Codec(m.Attributes & 0x07); codec != CodecNone {
			if inner {
				return nil, &DecodeError{Field: fmt.Sprintf("messages[%d].attributes", i), Offset: r.Offset() - len(body) + 5,
					Err: fmt.Errorf("%w: compressed message inside a compressed message", ErrCorrupt)}
			}
			if msgs, err = b.unwrap(msgs, &m, codec); err != nil {
				return nil, prefixField(err, fmt.Sprintf("messages[%d].value: ", i))
			}
			continue
		}
		b.left -= b.perMessage
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// countMessages is how many messages src, a message set, holds at most: it reads their sizes only.
func countMessages(src []byte) int {
	n := 0
	for off := int64(0); off+12 <= int64(len(src)); n++ {
		off += 12 + int64(binary.BigEndian.Uint32(src[off+8:]))
	}
	return n
}

// readLegacyMessage decodes one message body (after offset and size), verifying its CRC.
func readLegacyMessage(body []byte, base int) (LegacyMessage, error) {
	var m LegacyMessage
	var r Reader
	r.Reset(body, base)
	r.SetField("crc")
	crc := r.Uint32()
	r.SetField("magic")
	m.Magic = r.Int8()
	if r.Err() == nil && m.Magic != 0 && m.Magic != 1 {
		return m, r.Fail("magic", fmt.Errorf("%w: magic %d in a legacy message set", ErrCorrupt, m.Magic))
	}
	if r.Err() == nil {
		if got := crc32.ChecksumIEEE(body[4:]); got != crc {
			return m, &DecodeError{Field: "crc", Offset: base, Err: fmt.Errorf("%w: stored %#08x, computed %#08x", ErrCorrupt, crc, got)}
		}
	}
	r.SetField("attributes")
	m.Attributes = r.Int8()
	m.Timestamp = NoTimestamp
	if m.Magic == 1 {
		r.SetField("timestamp")
		m.Timestamp = r.Int64()
	}
	r.SetField("key")
	m.Key = r.NullableBytes()
	r.SetField("value")
	m.Value = r.NullableBytes()
	return m, r.Complete()
}

// unwrap appends the inner messages of compressed wrapper w, with absolute offsets, taking what
// they decompress into from b.
func (b *setBudget) unwrap(msgs []LegacyMessage, w *LegacyMessage, codec Codec) ([]LegacyMessage, error) {
	raw, err := AppendDecompress(nil, w.Value, codec, max(b.left, 0))
	if err != nil {
		return nil, &DecodeError{Offset: 0, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	b.left -= len(raw)
	start := len(msgs)
	if msgs, err = b.read(msgs, raw, 0, true); err != nil {
		return nil, fmt.Errorf("in the %s-decompressed inner message set: %w", codec, err)
	}
	inner := msgs[start:]
	if len(inner) == 0 {
		return msgs, nil
	}
	// Magic 1 inner offsets are relative, and the wrapper carries the last inner offset.
	shift := int64(0)
	if w.Magic == 1 {
		shift = w.Offset - inner[len(inner)-1].Offset
	}
	for i := range inner {
		inner[i].Offset += shift
		inner[i].Attributes = inner[i].Attributes&^0x07 | int8(codec)
		if w.Magic == 1 && w.Attributes&int8(AttrLogAppendTime) != 0 {
			inner[i].Timestamp = w.Timestamp
		}
	}
	return msgs, nil
}

// AppendMessageSet appends msgs as a legacy message set of the given magic (0 or 1). With a codec
// other than none they are wrapped in one compressed message, as the old producers did; lz4 is not
// supported with magic 0 (old clients wrote its frame checksum wrongly, KAFKA-3160). It exists to
// test what old clients send.
func AppendMessageSet(dst []byte, msgs []LegacyMessage, magic int8, codec Codec) ([]byte, error) {
	if magic != 0 && magic != 1 {
		return dst, fmt.Errorf("wire: legacy magic %d", magic)
	}
	if codec == CodecNone {
		for i := range msgs {
			dst = appendLegacyMessage(dst, &msgs[i], magic, msgs[i].Offset)
		}
		return dst, nil
	}
	if codec == CodecZstd || magic == 0 && codec == CodecLZ4 {
		return dst, fmt.Errorf("wire: %s compression with magic %d", codec, magic)
	}
	var inner []byte
	for i := range msgs {
		off := msgs[i].Offset
		if magic == 1 {
			off = int64(i) // relative
		}
		m := msgs[i]
		m.Attributes &^= 0x07
		inner = appendLegacyMessage(inner, &m, magic, off)
	}
	value, err := AppendCompress(nil, inner, codec, 0)
	if err != nil {
		return dst, err
	}
	w := LegacyMessage{Magic: magic, Attributes: int8(codec), Timestamp: NoTimestamp, Value: value}
	if len(msgs) > 0 {
		w.Timestamp = msgs[len(msgs)-1].Timestamp
	}
	last := int64(len(msgs) - 1)
	if len(msgs) > 0 {
		last = msgs[len(msgs)-1].Offset
	}
	return appendLegacyMessage(dst, &w, magic, last), nil
}

func appendLegacyMessage(dst []byte, m *LegacyMessage, magic int8, offset int64) []byte {
	dst = AppendInt64(dst, offset)
	sizeAt := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0) // size and crc, filled below
	dst = append(dst, byte(magic), byte(m.Attributes))
	if magic == 1 {
		dst = AppendInt64(dst, m.Timestamp)
	}
	dst = AppendNullableBytes(dst, m.Key)
	dst = AppendNullableBytes(dst, m.Value)
	binary.BigEndian.PutUint32(dst[sizeAt:], uint32(len(dst)-sizeAt-4))
	binary.BigEndian.PutUint32(dst[sizeAt+4:], crc32.ChecksumIEEE(dst[sizeAt+8:]))
	return dst
}

// UpconvertMessageSet converts a legacy message set to one record batch, as a broker does when a
// client produces with Produce v0–v2: the records keep their keys, values and timestamps (none for
// magic 0), take consecutive offsets, and are compressed with the codec the messages came with.
// Reading the set holds what its wrappers decompress into and a [LegacyMessage] and a [Record]
// for each message: held, at most limit (and [MaxRecordsSize]); past it, it fails with
// [ErrDecompressLimit] or [ErrDecodeLimit], a small compressed set of millions of messages before
// decoding them all.
func UpconvertMessageSet(dst, src []byte, limit int) (batch []byte, held int, err error) {
	limit = min(limit, MaxRecordsSize)
	b := setBudget{left: limit, perMessage: legacyMessageMemSize + recordMemSize}
	msgs, err := b.read(nil, src, 0, false)
	held = limit - b.left
	if err != nil {
		return dst, held, err
	}
	if len(msgs) == 0 {
		return dst, held, &DecodeError{Field: "messages", Err: fmt.Errorf("%w: empty message set", ErrCorrupt)}
	}
	rb := RecordBatch{BatchHeader: BatchHeader{PartitionLeaderEpoch: -1, ProducerID: NoProducerID,
		ProducerEpoch: NoProducerEpoch, BaseSequence: NoSequence}, Records: make([]Record, len(msgs))}
	rb.Attributes = rb.Attributes.WithCodec(Codec(msgs[0].Attributes & 0x07))
	for i, m := range msgs {
		rb.Records[i] = Record{Timestamp: m.Timestamp, Key: m.Key, Value: m.Value}
	}
	batch, err = AppendRecordBatch(dst, &rb, 0)
	return batch, held, err
}
