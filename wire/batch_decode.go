package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// MaxRecordsSize bounds the decompressed records section of one batch. A batch that would inflate
// past it is refused as a decompression bomb; real batches stay far below it (Kafka's default
// message.max.bytes is 1 MiB).
const MaxRecordsSize = 128 << 20

// ReadBatchHeader decodes the fixed header of the record batch at the start of src and checks that
// the whole batch is there. It checks neither the CRC nor the records; see [VerifyBatchCRC] and
// [RecordBatch.Decode].
func ReadBatchHeader(src []byte) (BatchHeader, error) {
	var h BatchHeader
	if len(src) < BatchHeaderSize {
		return h, &DecodeError{Field: "batch header", Offset: len(src),
			Err: fmt.Errorf("%w: a batch header takes %d bytes, %d remain", ErrShortBuffer, BatchHeaderSize, len(src))}
	}
	be := binary.BigEndian
	h = BatchHeader{
		BaseOffset:           int64(be.Uint64(src[offBaseOffset:])),
		Length:               int32(be.Uint32(src[offBatchLength:])),
		PartitionLeaderEpoch: int32(be.Uint32(src[offPartitionLeaderEpoch:])),
		Magic:                int8(src[offMagic]),
		CRC:                  be.Uint32(src[offCRC:]),
		Attributes:           Attributes(be.Uint16(src[offAttributes:])),
		LastOffsetDelta:      int32(be.Uint32(src[offLastOffsetDelta:])),
		BaseTimestamp:        int64(be.Uint64(src[offBaseTimestamp:])),
		MaxTimestamp:         int64(be.Uint64(src[offMaxTimestamp:])),
		ProducerID:           int64(be.Uint64(src[offProducerID:])),
		ProducerEpoch:        int16(be.Uint16(src[offProducerEpoch:])),
		BaseSequence:         int32(be.Uint32(src[offBaseSequence:])),
		NumRecords:           int32(be.Uint32(src[offRecordCount:])),
	}
	return h, h.check(len(src))
}

// check validates the header fields that decide how the rest is read; avail is the bytes from the
// batch start to the end of the input.
func (h *BatchHeader) check(avail int) error {
	switch {
	case h.Magic != MagicV2:
		return &DecodeError{Field: "magic", Offset: offMagic,
			Err: fmt.Errorf("%w: magic %d, want %d", ErrCorrupt, h.Magic, MagicV2)}
	case h.Length < BatchHeaderSize-batchLengthOverhead:
		return &DecodeError{Field: "batchLength", Offset: offBatchLength,
			Err: fmt.Errorf("%w: %d is less than the %d bytes of the header", ErrInvalidLength, h.Length, BatchHeaderSize-batchLengthOverhead)}
	case int64(h.Length) > int64(avail-batchLengthOverhead):
		return &DecodeError{Field: "batchLength", Offset: offBatchLength,
			Err: fmt.Errorf("%w: batch of %d bytes, %d remain", ErrShortBuffer, h.Length, avail-batchLengthOverhead)}
	case h.Attributes.Codec() > CodecZstd:
		return &DecodeError{Field: "attributes", Offset: offAttributes,
			Err: fmt.Errorf("%w: unknown compression codec %d", ErrCorrupt, h.Attributes.Codec())}
	case h.NumRecords < 0:
		return &DecodeError{Field: "recordCount", Offset: offRecordCount,
			Err: fmt.Errorf("%w: %d records", ErrInvalidLength, h.NumRecords)}
	}
	return nil
}

// Size is the number of bytes the whole batch takes.
func (h *BatchHeader) Size() int { return batchLengthOverhead + int(h.Length) }

// VerifyBatchCRC checks the CRC32C of the batch at the start of src, whose header h has already been
// read with [ReadBatchHeader].
func VerifyBatchCRC(src []byte, h *BatchHeader) error {
	if crc := BatchCRC(src[:h.Size()]); crc != h.CRC {
		return &DecodeError{Field: "crc", Offset: offCRC,
			Err: fmt.Errorf("%w: stored %#08x, computed %#08x", ErrCorrupt, h.CRC, crc)}
	}
	return nil
}

// Decode decodes the record batch at the start of src into b, verifying its length, CRC and records,
// and returns the bytes after it.
//
// Decode reuses b's Records and internal buffers. Keys, values and header values alias src or, for a
// compressed batch, a buffer of b's: they stay valid until src changes or b decodes again.
func (b *RecordBatch) Decode(src []byte) (rest []byte, err error) {
	h, err := ReadBatchHeader(src)
	if err != nil {
		return src, err
	}
	if err := VerifyBatchCRC(src, &h); err != nil {
		return src, err
	}
	b.BatchHeader = h
	section := src[BatchHeaderSize:h.Size()]
	if codec := h.Attributes.Codec(); codec != CodecNone {
		if b.raw, err = AppendDecompress(b.raw[:0], section, codec, MaxRecordsSize); err != nil {
			return src, &DecodeError{Field: "records", Offset: BatchHeaderSize, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
		}
		if err := b.decodeRecords(b.raw, 0); err != nil {
			return src, fmt.Errorf("wire: in the %s-decompressed records section at batch offset %d: %w", codec, BatchHeaderSize, err)
		}
		return src[h.Size():], nil
	}
	if err := b.decodeRecords(section, BatchHeaderSize); err != nil {
		return src, err
	}
	return src[h.Size():], nil
}

// decodeRecords decodes b.NumRecords records from section, whose first byte is at offset base of
// the input that errors speak of.
func (b *RecordBatch) decodeRecords(section []byte, base int) error {
	n := int(b.NumRecords)
	if n > len(section)/minRecordSize {
		return &DecodeError{Field: "recordCount", Offset: offRecordCount,
			Err: fmt.Errorf("%w: %d records cannot fit in %d bytes", ErrCorrupt, n, len(section))}
	}
	b.Records = slices.Grow(b.Records[:0], n)[:n]
	b.headers = b.headers[:0]
	var r Reader
	r.Reset(section, base)
	var prevHeaders []Header // of the last record that had any, to share their key strings
	for i := range b.Records {
		if n := b.readRecordFast(r.Rest(), &b.Records[i]); n > 0 {
			r.Span(n)
			continue
		}
		if err := b.readRecord(&r, &b.Records[i], prevHeaders); err != nil {
			return prefixField(err, fmt.Sprintf("records[%d].", i))
		}
		if len(b.Records[i].Headers) > 0 {
			prevHeaders = b.Records[i].Headers
		}
	}
	if r.Remaining() != 0 {
		return &DecodeError{Field: "records", Offset: r.Offset(),
			Err: fmt.Errorf("%w: %d bytes follow the last of %d records", ErrCorrupt, r.Remaining(), n)}
	}
	return nil
}

// readRecord decodes the next record from r into rec; prevHeaders are the last headers decoded.
func (b *RecordBatch) readRecord(r *Reader, rec *Record, prevHeaders []Header) error {
	lengthAt := r.Offset()
	r.SetField("length")
	length := r.Varint()
	body := r.Span(r.length(int64(length), false))
	if r.err != nil {
		return r.err
	}
	var br Reader
	br.Reset(body, r.Offset()-len(body))
	br.SetField("attributes")
	rec.Attributes = br.Int8()
	br.SetField("timestampDelta")
	rec.Timestamp = b.BaseTimestamp + br.Varlong()
	if b.Attributes&AttrLogAppendTime != 0 {
		rec.Timestamp = b.MaxTimestamp
	}
	br.SetField("offsetDelta")
	rec.Offset = b.BaseOffset + int64(br.Varint())
	br.SetField("key")
	rec.Key = br.VarintBytes()
	br.SetField("value")
	rec.Value = br.VarintBytes()
	rec.Headers = b.readHeaders(&br, prevHeaders)
	if br.err == nil && br.Remaining() != 0 {
		return &DecodeError{Field: "length", Offset: lengthAt,
			Err: fmt.Errorf("%w: record length %d, but its fields take %d bytes", ErrCorrupt, length, len(body)-br.Remaining())}
	}
	return br.err
}

// readHeaders decodes a record's headers into b's shared header store. Header keys repeat from record
// to record, so a key equal to prev's key at the same position reuses its string.
func (b *RecordBatch) readHeaders(r *Reader, prev []Header) []Header {
	r.SetField("headerCount")
	n := r.arrayLen(int64(r.Varint()), 2)
	if n <= 0 {
		return nil
	}
	start := len(b.headers)
	for j := range n {
		r.SetField("key")
		kb := r.lengthPrefixed(int64(r.Varint()), false)
		var key string
		if j < len(prev) && prev[j].Key == string(kb) {
			key = prev[j].Key
		} else {
			key = string(kb)
		}
		r.SetField("value")
		value := r.VarintBytes()
		if r.err != nil {
			prefixField(r.err, fmt.Sprintf("headers[%d].", j))
			return nil
		}
		b.headers = append(b.headers, Header{Key: key, Value: value})
	}
	return b.headers[start:len(b.headers):len(b.headers)]
}

// prefixField prepends prefix to the field a *DecodeError names; other errors pass unchanged.
func prefixField(err error, prefix string) error {
	var de *DecodeError
	if errors.As(err, &de) {
		de.Field = prefix + de.Field
	}
	return err
}
