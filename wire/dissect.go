package wire

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"time"
	"unicode/utf8"
)

// Field is one named span of bytes in a dissection: where it is, what it decodes to, and its parts.
// A field whose decoding failed carries Err, and nothing after it is dissected.
type Field struct {
	Name     string  `json:"name"`
	Offset   int     `json:"offset"`          // from the start of the input, or of the Buffer of this field or its nearest ancestor with one
	Length   int     `json:"length"`          // bytes the field takes
	Value    string  `json:"value,omitempty"` // the decoded value, as text
	Err      string  `json:"error,omitempty"` // why decoding stopped here
	Children []Field `json:"children,omitempty"`
	// Buffer holds other bytes than the input's, which this field's offset and its descendants'
	// refer to: the decompressed records section of a compressed batch, or, if the dissection
	// truncated the records, as much of it as the records shown take.
	Buffer []byte `json:"buffer,omitempty"`
}

// Failed reports whether f or any field below it stopped decoding.
func (f *Field) Failed() bool {
	if f.Err != "" {
		return true
	}
	for i := range f.Children {
		if f.Children[i].Failed() {
			return true
		}
	}
	return false
}

// DissectRecordBatches dissects src as a sequence of record batches, or legacy (magic 0 and 1)
// messages, as a Fetch response or a Produce request carries them, within
// [DefaultDissectLimits]. It never fails: where the bytes stop making sense it marks the field
// with Err and stops.
func DissectRecordBatches(src []byte) Field {
	return NewDissectBudget(DefaultDissectLimits).DissectRecordBatches(src)
}

// DissectRecordBatches dissects src as the function [DissectRecordBatches] does, within what b has
// left, and takes what it shows and decompresses from b.
func (b *DissectBudget) DissectRecordBatches(src []byte) Field {
	root := Field{Name: "recordBatches", Length: len(src)}
	shown := 0
	for off := 0; off < len(src); shown++ {
		if b.full(shown) {
			root.Children = append(root.Children, Field{Name: "truncated", Offset: off, Length: len(src) - off,
				Value: fmt.Sprintf("truncated after %d entries: %d bytes not shown", shown, len(src)-off)})
			break
		}
		var batch Field
		if m, err := Magic(src[off:]); err == nil && (m == 0 || m == 1) {
			batch = b.dissectLegacyMessage(src[off:], off, fmt.Sprintf("message[%d]", shown))
		} else {
			batch = b.dissectBatch(src[off:], off, fmt.Sprintf("batch[%d]", shown))
		}
		root.Children = append(root.Children, batch)
		if batch.Err != "" || batch.Failed() || batch.Length == 0 {
			shown++
			break
		}
		off += batch.Length
	}
	root.Value = fmt.Sprintf("%d entries", shown)
	return root
}

// dissectBatch dissects the batch at the start of src, which starts at offset base of the input.
func (b *DissectBudget) dissectBatch(src []byte, base int, name string) Field {
	d := newDissector(src, base, b)
	batch := Field{Name: name, Offset: base}
	h, herr := ReadBatchHeader(src)
	d.int64(&batch, "baseOffset")
	length := d.int32(&batch, "batchLength")
	d.int32(&batch, "partitionLeaderEpoch")
	d.int8(&batch, "magic")
	crc := d.crc(&batch, src, h)
	attrs := Attributes(d.int16(&batch, "attributes"))
	if d.ok() {
		last(&batch).Value = fmt.Sprintf("%d (%s)", int16(attrs), attrs)
	}
	d.int32(&batch, "lastOffsetDelta")
	d.timestamp(&batch, "baseTimestamp")
	d.timestamp(&batch, "maxTimestamp")
	d.int64(&batch, "producerId")
	d.int16(&batch, "producerEpoch")
	d.int32(&batch, "baseSequence")
	d.int32(&batch, "recordCount")
	batch.Length = min(len(src), batchLengthOverhead+max(int(length), 0))
	if herr != nil {
		batch.Err = herr.Error()
		return batch
	}
	batch.Value = fmt.Sprintf("%d records, %s, crc %s", h.NumRecords, attrs, crc)
	section := src[BatchHeaderSize:h.Size()]
	batch.Children = append(batch.Children, b.dissectRecordsSection(section, base+BatchHeaderSize, &h))
	return batch
}

// dissectRecordsSection dissects a batch's records, decompressing them first if need be.
func (b *DissectBudget) dissectRecordsSection(section []byte, base int, h *BatchHeader) Field {
	codec := h.Attributes.Codec()
	if codec == CodecNone {
		f, _ := b.dissectRecords(section, base, h)
		return f
	}
	blob := Field{Name: "records", Offset: base, Length: len(section),
		Value: fmt.Sprintf("%d bytes compressed with %s", len(section), codec)}
	raw, err := b.decompress(section, codec)
	switch {
	case errors.Is(err, errDecompressBudget):
		blob.Value += "; not decompressed: " + err.Error()
		return blob
	case err != nil:
		blob.Err = fmt.Sprintf("decompressing with %s: %v", codec, err)
		return blob
	}
	blob.Value += fmt.Sprintf(", %d decompressed (ratio %.2f)", len(raw), ratio(len(raw), len(section)))
	inner, shownEnd := b.dissectRecords(raw, 0, h)
	inner.Name = "records (decompressed)"
	inner.Buffer = raw
	if shownEnd < len(raw) { // keep the bytes of the records shown, not a section that may be 128 MiB
		inner.Buffer, inner.Length = bytes.Clone(raw[:shownEnd]), shownEnd
		last(&inner).Length = 0
	}
	blob.Children = []Field{inner}
	return blob
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// dissectRecords dissects h.NumRecords records from section, whose first byte is at base, and
// returns where in section those it shows end.
func (b *DissectBudget) dissectRecords(section []byte, base int, h *BatchHeader) (f Field, shownEnd int) {
	f = Field{Name: "records", Offset: base, Length: len(section), Value: fmt.Sprintf("%d records", h.NumRecords)}
	d := newDissector(section, base, b)
	for i := 0; i < int(h.NumRecords) && d.ok(); i++ {
		if b.full(i) {
			shownEnd = d.r.Offset() - base
			f.Children = append(f.Children, d.truncateRecords(h, i))
			return f, shownEnd
		}
		f.Children = append(f.Children, d.record(i, h))
	}
	if d.ok() && d.r.Remaining() > 0 {
		f.Children = append(f.Children, Field{Name: "trailing", Offset: d.r.Offset(), Length: d.r.Remaining(),
			Err: fmt.Sprintf("%d bytes follow the last of %d records", d.r.Remaining(), h.NumRecords)})
	}
	return f, len(section)
}

// dissector reads fields off a Reader and records each as a Field, up to and including the first
// that fails, taking each from its budget.
type dissector struct {
	r      Reader
	budget *DissectBudget
	failed bool // the failing field is recorded; later ones are not
}

func newDissector(src []byte, base int, budget *DissectBudget) *dissector {
	d := &dissector{budget: budget}
	d.r.Reset(src, base)
	return d
}

func (d *dissector) ok() bool { return d.r.Err() == nil }

// add appends a field that started at off and ended where the reader is now, or marks where it
// failed. After a failure it records nothing more, and returns a field that belongs to no tree.
func (d *dissector) add(parent *Field, name string, off int, value string) *Field {
	if d.failed {
		return &Field{}
	}
	d.budget.fields--
	f := Field{Name: name, Offset: off, Length: d.r.Offset() - off, Value: value}
	if err := d.r.Err(); err != nil {
		d.failed = true
		f.Length, f.Value, f.Err = max(d.r.Remaining(), 0), "", FieldErr(err)
	}
	parent.Children = append(parent.Children, f)
	return last(parent)
}

func last(f *Field) *Field { return &f.Children[len(f.Children)-1] }

// FieldErr is the text of a dissected [Field] that failed with err: err without the field and
// offset a [*DecodeError] names, which the field itself shows.
func FieldErr(err error) string {
	if de, ok := errors.AsType[*DecodeError](err); ok {
		return de.Err.Error()
	}
	return err.Error()
}

func (d *dissector) int8(p *Field, name string) int8 {
	off, v := d.r.Offset(), d.r.Int8()
	d.addIf(p, name, off, func() string { return strconv.Itoa(int(v)) })
	return v
}

func (d *dissector) int16(p *Field, name string) int16 {
	off, v := d.r.Offset(), d.r.Int16()
	d.addIf(p, name, off, func() string { return strconv.Itoa(int(v)) })
	return v
}

func (d *dissector) int32(p *Field, name string) int32 {
	off, v := d.r.Offset(), d.r.Int32()
	d.addIf(p, name, off, func() string { return strconv.Itoa(int(v)) })
	return v
}

func (d *dissector) int64(p *Field, name string) int64 {
	off, v := d.r.Offset(), d.r.Int64()
	d.addIf(p, name, off, func() string { return strconv.FormatInt(v, 10) })
	return v
}

func (d *dissector) timestamp(p *Field, name string) int64 {
	off, v := d.r.Offset(), d.r.Int64()
	d.addIf(p, name, off, func() string { return formatTimestamp(v) })
	return v
}

// crc reads the stored CRC and says whether it matches the bytes it covers.
func (d *dissector) crc(p *Field, src []byte, h BatchHeader) string {
	off, v := d.r.Offset(), d.r.Uint32()
	verdict := fmt.Sprintf("%#08x", v)
	d.addIf(p, "crc", off, func() string {
		if h.Magic != MagicV2 || h.Size() > len(src) || h.Size() < BatchHeaderSize {
			return verdict + " (not verified)"
		}
		if err := VerifyBatchCRC(src, &h); err != nil {
			last(p).Err = FieldErr(err)
			return verdict + " (mismatch)"
		}
		return verdict + " (valid)"
	})
	return verdict
}

// addIf adds a field whose value is formatted only if the read succeeded.
func (d *dissector) addIf(p *Field, name string, off int, value func() string) {
	if !d.ok() {
		d.add(p, name, off, "")
		return
	}
	f := d.add(p, name, off, "")
	f.Value = value()
}

// record dissects record i of a batch with header h.
func (d *dissector) record(i int, h *BatchHeader) Field {
	rec := Field{Name: fmt.Sprintf("record[%d]", i), Offset: d.r.Offset()}
	start := d.r.Offset()
	length := d.varint(&rec, "length")
	if d.ok() && (length < 0 || int(length) > d.r.Remaining()) {
		last(&rec).Err = fmt.Sprintf("record length %d, %d bytes remain", length, d.r.Remaining())
		d.r.Fail("length", ErrInvalidLength)
		rec.Length = d.r.Offset() - start
		return rec
	}
	end := d.r.Offset() + int(length)
	d.int8(&rec, "attributes")
	tsDelta := d.varlong(&rec, "timestampDelta")
	if d.ok() {
		last(&rec).Value = fmt.Sprintf("%d (%s)", tsDelta, formatTimestamp(h.BaseTimestamp+tsDelta))
	}
	offDelta := d.varint(&rec, "offsetDelta")
	if d.ok() {
		last(&rec).Value = fmt.Sprintf("%d (offset %d)", offDelta, h.BaseOffset+int64(offDelta))
	}
	d.varbytes(&rec, "key", true)
	d.varbytes(&rec, "value", true)
	d.headers(&rec)
	if d.ok() && d.r.Offset() != end {
		rec.Err = fmt.Sprintf("record length %d, but its fields take %d bytes", length, d.r.Offset()-end+int(length))
		d.r.Fail("length", ErrCorrupt)
	}
	rec.Length = d.r.Offset() - rec.Offset
	rec.Value = fmt.Sprintf("%d bytes", rec.Length)
	return rec
}

func (d *dissector) headers(rec *Field) {
	n := d.varint(rec, "headerCount")
	if !d.ok() || n <= 0 {
		return
	}
	hs := Field{Name: "headers", Offset: d.r.Offset(), Value: fmt.Sprintf("%d headers", n)}
	for j := 0; j < int(n) && d.ok(); j++ {
		if d.budget.full(j) {
			hs.Children = append(hs.Children, d.truncateHeaders(j, int(n)))
			break
		}
		h := Field{Name: fmt.Sprintf("header[%d]", j), Offset: d.r.Offset()}
		key := d.varbytes(&h, "key", false)
		d.varbytes(&h, "value", true)
		h.Length = d.r.Offset() - h.Offset
		h.Value = strconv.Quote(string(key))
		hs.Children = append(hs.Children, h)
	}
	hs.Length = d.r.Offset() - hs.Offset
	rec.Children = append(rec.Children, hs)
}

func (d *dissector) varint(p *Field, name string) int32 {
	off, v := d.r.Offset(), d.r.Varint()
	d.addIf(p, name, off, func() string { return strconv.Itoa(int(v)) })
	return v
}

func (d *dissector) varlong(p *Field, name string) int64 {
	off, v := d.r.Offset(), d.r.Varlong()
	d.addIf(p, name, off, func() string { return strconv.FormatInt(v, 10) })
	return v
}

// varbytes dissects a varint-length byte string as a parent field with its length and data;
// length -1 is null where nullable.
func (d *dissector) varbytes(p *Field, name string, nullable bool) []byte {
	f := Field{Name: name, Offset: d.r.Offset()}
	n := d.varint(&f, "length")
	var b []byte
	if d.ok() && n >= 0 {
		off := d.r.Offset()
		b = d.r.Span(int(n))
		d.add(&f, "data", off, "")
	}
	f.Length = d.r.Offset() - f.Offset
	switch {
	case !d.ok():
		f.Err = "truncated"
	case n == -1 && nullable:
		f.Value = "null"
	case n < 0:
		f.Err = fmt.Sprintf("invalid length %d", n)
		d.r.Fail(name, ErrInvalidLength)
	default:
		f.Value = formatBytes(b)
	}
	p.Children = append(p.Children, f)
	return b
}

// formatBytes shows b as a quoted string when it is text, else as hex, shortened past 64 bytes.
func formatBytes(b []byte) string {
	const maxShown = 64
	shown := b[:min(len(b), maxShown)]
	var s string
	if utf8.Valid(b) {
		s = strconv.Quote(string(shown))
	} else {
		s = fmt.Sprintf("0x%x", shown)
	}
	if len(b) > maxShown {
		s += fmt.Sprintf("… (%d bytes)", len(b))
	}
	return s
}

// formatTimestamp shows a millisecond timestamp with its UTC time, or says it is absent.
func formatTimestamp(ms int64) string {
	if ms == NoTimestamp {
		return "-1 (none)"
	}
	return fmt.Sprintf("%d (%s)", ms, time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z"))
}

// dissectLegacyMessage dissects the magic 0 or 1 message at the start of src, which starts at base;
// a compressed message's value is shown decompressed as the inner message set.
func (b *DissectBudget) dissectLegacyMessage(src []byte, base int, name string) Field {
	d := newDissector(src, base, b)
	msg := Field{Name: name, Offset: base}
	d.int64(&msg, "offset")
	size := d.int32(&msg, "messageSize")
	if d.ok() && (size < legacyHeaderSize || int(size) > d.r.Remaining()) {
		last(&msg).Err = fmt.Sprintf("message size %d, %d bytes remain", size, d.r.Remaining())
		msg.Length = d.r.Offset() - base
		return msg
	}
	d.crcIEEE(&msg, src[12:12+max(int(size), 0)])
	magic := d.int8(&msg, "magic")
	attrs := d.int8(&msg, "attributes")
	if d.ok() {
		last(&msg).Value = fmt.Sprintf("%d (%s)", attrs, Attributes(attrs))
	}
	if magic == 1 {
		d.timestamp(&msg, "timestamp")
	}
	d.bytes32(&msg, "key")
	value := d.bytes32(&msg, "value")
	msg.Length = d.r.Offset() - base
	msg.Value = fmt.Sprintf("magic %d, %s", magic, Codec(attrs&0x07))
	if codec := Codec(attrs & 0x07); d.ok() && codec != CodecNone && value != nil {
		v := last(&msg)
		raw, err := b.decompress(value, codec)
		switch {
		case errors.Is(err, errDecompressBudget):
			v.Value += "; not decompressed: " + err.Error()
			return msg
		case err != nil:
			v.Err = fmt.Sprintf("decompressing with %s: %v", codec, err)
			return msg
		}
		inner := b.DissectRecordBatches(raw)
		inner.Name, inner.Buffer = "messages (decompressed)", raw
		v.Children = append(v.Children, inner)
	}
	return msg
}

// crcIEEE reads a legacy message's CRC-32 and says whether it matches covered.
func (d *dissector) crcIEEE(p *Field, covered []byte) {
	off, v := d.r.Offset(), d.r.Uint32()
	d.addIf(p, "crc", off, func() string {
		if len(covered) < 4 || crc32.ChecksumIEEE(covered[4:]) != v {
			last(p).Err = "crc mismatch"
			return fmt.Sprintf("%#08x (mismatch)", v)
		}
		return fmt.Sprintf("%#08x (valid)", v)
	})
}

// bytes32 dissects an int32-length byte string (legacy keys and values); -1 is null.
func (d *dissector) bytes32(p *Field, name string) []byte {
	f := Field{Name: name, Offset: d.r.Offset()}
	n := d.int32(&f, "length")
	var b []byte
	switch {
	case !d.ok():
		f.Err = "truncated"
	case n == -1:
		f.Value = "null"
	case n < 0 || int(n) > d.r.Remaining():
		f.Err = fmt.Sprintf("invalid length %d", n)
		d.r.Fail(name, ErrInvalidLength)
	default:
		off := d.r.Offset()
		b = d.r.Span(int(n))
		d.add(&f, "data", off, "")
		f.Value = formatBytes(b)
	}
	f.Length = d.r.Offset() - f.Offset
	p.Children = append(p.Children, f)
	return b
}
