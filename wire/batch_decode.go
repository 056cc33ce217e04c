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
	var section []byte
	var base int
	if section, base, b.raw, err = recordsSection(src, &b.BatchHeader, b.raw, MaxRecordsSize); err != nil {
		return src, err
	}
	if err := b.decodeRecords(section, base); err != nil {
		return src, inSection(&h, err)
	}
	return src[h.Size():], nil
}

// recordsSection returns the records section of the batch at the start of src, whose header is h:
// the bytes themselves, base BatchHeaderSize into src, or their decompression (of at most limit
// bytes) into buf, reused, at base 0.
func recordsSection(src []byte, h *BatchHeader, buf []byte, limit int) (section []byte, base int, _ []byte, err error) {
	section = src[BatchHeaderSize:h.Size()]
	codec := h.Attributes.Codec()
	if codec == CodecNone {
		return section, BatchHeaderSize, buf, nil
	}
	if buf, err = AppendDecompress(buf[:0], section, codec, limit); err != nil {
		return nil, 0, buf, &DecodeError{Field: "records", Offset: BatchHeaderSize, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	return buf, 0, buf, nil
}

// inSection says, of an error met in a compressed batch's records, that its offset is into the
// decompressed records section. A nil error stays nil.
func inSection(h *BatchHeader, err error) error {
	if codec := h.Attributes.Codec(); err != nil && codec != CodecNone {
		return fmt.Errorf("wire: in the %s-decompressed records section at batch offset %d: %w", codec, BatchHeaderSize, err)
	}
	return err
}

// decodeRecords decodes b.NumRecords records from section, whose first byte is at offset base of
// the input that errors speak of.
func (b *RecordBatch) decodeRecords(section []byte, base int) error {
	var rr recordReader
	if err := rr.reset(&b.BatchHeader, section, base); err != nil {
		return err
	}
	n := int(b.NumRecords)
	b.Records = slices.Grow(b.Records[:0], n)[:n]
	b.headers = b.headers[:0]
	for i := range b.Records {
		if err := rr.next(&b.Records[i], &b.headers); err != nil {
			return err
		}
	}
	return rr.end()
}

// recordReader reads a batch's records one after another from its (decompressed) records
// section, checking each: [RecordBatch.Decode] keeps them, [RecordScanner] does not.
type recordReader struct {
	h       *BatchHeader
	r       Reader
	read    int      // records read
	headers int      // headers read, kept or not
	prev    []Header // the kept headers of the last record that had any, to share their key strings
	held    int      // what decoding the records read holds: a Record each, a Header each, and what the caller adds
	limit   int      // what held may reach before reading fails with ErrDecodeLimit; 0 for no limit
}

// reset starts reading section, whose first byte is at offset base of the input that errors speak
// of, after checking that the records h counts can fit in it.
func (rr *recordReader) reset(h *BatchHeader, section []byte, base int) error {
	*rr = recordReader{h: h}
	rr.r.Reset(section, base)
	if n := int(h.NumRecords); n > len(section)/minRecordSize {
		return &DecodeError{Field: "recordCount", Offset: offRecordCount,
			Err: fmt.Errorf("%w: %d records cannot fit in %d bytes", ErrCorrupt, n, len(section))}
	}
	return nil
}

// next reads the next record into rec. Its headers are appended to *store, or only checked and
// counted if store is nil.
func (rr *recordReader) next(rec *Record, store *[]Header) error {
	i := rr.read
	rr.read++
	if rr.hold(recordMemSize) {
		return &DecodeError{Field: fmt.Sprintf("records[%d]", i), Offset: rr.r.Offset(), Err: rr.overLimit()}
	}
	if n := rr.h.readRecordFast(rr.r.Rest(), rec); n > 0 {
		rr.r.Span(n)
		return nil
	}
	if err := rr.readRecord(rec, store); err != nil {
		return prefixField(err, fmt.Sprintf("records[%d].", i))
	}
	return nil
}

// hold adds n bytes to what decoding holds and reports whether that passes the limit.
func (rr *recordReader) hold(n int) bool {
	rr.held += n
	return rr.limit > 0 && rr.held > rr.limit
}

func (rr *recordReader) overLimit() error {
	return fmt.Errorf("%w: decoding the records so far would hold %d bytes, more than %d", ErrDecodeLimit, rr.held, rr.limit)
}

// end checks that nothing follows the last record.
func (rr *recordReader) end() error {
	if rr.r.Remaining() != 0 {
		return &DecodeError{Field: "records", Offset: rr.r.Offset(),
			Err: fmt.Errorf("%w: %d bytes follow the last of %d records", ErrCorrupt, rr.r.Remaining(), rr.h.NumRecords)}
	}
	return nil
}

// readRecord decodes the next record into rec, with the field bookkeeping that errors need.
func (rr *recordReader) readRecord(rec *Record, store *[]Header) error {
	r := &rr.r
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
	rec.Timestamp = rr.h.BaseTimestamp + br.Varlong()
	if rr.h.Attributes&AttrLogAppendTime != 0 {
		rec.Timestamp = rr.h.MaxTimestamp
	}
	br.SetField("offsetDelta")
	rec.Offset = rr.h.BaseOffset + int64(br.Varint())
	br.SetField("key")
	rec.Key = br.VarintBytes()
	br.SetField("value")
	rec.Value = br.VarintBytes()
	rec.Headers = rr.readHeaders(&br, store)
	if br.err == nil && br.Remaining() != 0 {
		return &DecodeError{Field: "length", Offset: lengthAt,
			Err: fmt.Errorf("%w: record length %d, but its fields take %d bytes", ErrCorrupt, length, len(body)-br.Remaining())}
	}
	return br.err
}

// readHeaders decodes a record's headers, appending them to *store, or only checks and counts
// them if store is nil. Header keys repeat from record to record, so a key equal to the last kept
// headers' key at the same position reuses its string.
func (rr *recordReader) readHeaders(r *Reader, store *[]Header) []Header {
	r.SetField("headerCount")
	n := r.arrayLen(int64(r.Varint()), 2)
	if n <= 0 {
		return nil
	}
	rr.headers += n
	if rr.hold(n * headerMemSize) {
		r.Fail("", rr.overLimit())
		return nil
	}
	start := 0
	if store != nil {
		start = len(*store)
	}
	for j := range n {
		kb, value := readHeader(r)
		if r.err != nil {
			prefixField(r.err, fmt.Sprintf("headers[%d].", j))
			return nil
		}
		if store != nil {
			*store = append(*store, Header{Key: rr.sharedKey(j, kb), Value: value})
		}
	}
	if store == nil {
		return nil
	}
	rr.prev = (*store)[start:len(*store):len(*store)]
	return rr.prev
}

// readHeader reads a header's key and value.
func readHeader(r *Reader) (key, value []byte) {
	r.SetField("key")
	key = r.lengthPrefixed(int64(r.Varint()), false)
	r.SetField("value")
	return key, r.VarintBytes()
}

// sharedKey is kb as a string: the last kept headers' key at position j if equal, else a new one.
func (rr *recordReader) sharedKey(j int, kb []byte) string {
	if j < len(rr.prev) && rr.prev[j].Key == string(kb) {
		return rr.prev[j].Key
	}
	return string(kb)
}

// prefixField prepends prefix to the field a *DecodeError names; other errors pass unchanged.
func prefixField(err error, prefix string) error {
	var de *DecodeError
	if errors.As(err, &de) {
		de.Field = prefix + de.Field
	}
	return err
}
