package interop

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kwire-dev/kwire/wire"
)

// This file holds the neutral views every implementation's decoding is turned into, what a case
// expects of them, and the field-by-field diffs the tests fail with.

// headerView is a record batch header as any implementation sees it, field for field in wire order.
type headerView struct {
	BaseOffset           int64
	Length               int32
	PartitionLeaderEpoch int32
	Magic                int8
	CRC                  uint32
	Attributes           int16
	LastOffsetDelta      int32
	BaseTimestamp        int64
	MaxTimestamp         int64
	ProducerID           int64
	ProducerEpoch        int16
	BaseSequence         int32
	NumRecords           int32
}

// recView is one record as any implementation sees it: the deltas as stored and the absolute
// timestamp and offset they give.
type recView struct {
	Attributes     int8
	TimestampDelta int64
	OffsetDelta    int32
	Timestamp      int64
	Offset         int64
	Key            []byte
	Value          []byte
	Headers        []hdrView
}

// hdrView is a record header. A nil Value is null, distinct from an empty one.
type hdrView struct {
	Key   string
	Value []byte
}

// castagnoli is the CRC-32C table Kafka's batch checksum uses.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// batchCRC is the CRC-32C of a batch's bytes from the attributes (offset 21) to the end, computed
// here independently of every implementation under test.
func batchCRC(batch []byte) uint32 { return crc32.Checksum(batch[21:], castagnoli) }

// rawHeader reads a batch header straight from its bytes with encoding/binary, the test's own oracle
// for what the bytes say.
func rawHeader(b []byte) headerView {
	be := binary.BigEndian
	return headerView{
		BaseOffset:           int64(be.Uint64(b[0:])),
		Length:               int32(be.Uint32(b[8:])),
		PartitionLeaderEpoch: int32(be.Uint32(b[12:])),
		Magic:                int8(b[16]),
		CRC:                  be.Uint32(b[17:]),
		Attributes:           int16(be.Uint16(b[21:])),
		LastOffsetDelta:      int32(be.Uint32(b[23:])),
		BaseTimestamp:        int64(be.Uint64(b[27:])),
		MaxTimestamp:         int64(be.Uint64(b[35:])),
		ProducerID:           int64(be.Uint64(b[43:])),
		ProducerEpoch:        int16(be.Uint16(b[51:])),
		BaseSequence:         int32(be.Uint32(b[53:])),
		NumRecords:           int32(be.Uint32(b[57:])),
	}
}

// splitBatches cuts a records blob (as a fetch response carries it) into whole batches; a partial
// trailing batch, which brokers may send, is dropped.
func splitBatches(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 12 {
		n := 12 + int(int32(binary.BigEndian.Uint32(b[8:])))
		if n < 12 || n > len(b) {
			break
		}
		out = append(out, b[:n:n])
		b = b[n:]
	}
	return out
}

// kwireHeaderView converts kwire's decoded header.
func kwireHeaderView(h wire.BatchHeader) headerView {
	return headerView{
		BaseOffset:           h.BaseOffset,
		Length:               h.Length,
		PartitionLeaderEpoch: h.PartitionLeaderEpoch,
		Magic:                h.Magic,
		CRC:                  h.CRC,
		Attributes:           int16(h.Attributes),
		LastOffsetDelta:      h.LastOffsetDelta,
		BaseTimestamp:        h.BaseTimestamp,
		MaxTimestamp:         h.MaxTimestamp,
		ProducerID:           h.ProducerID,
		ProducerEpoch:        h.ProducerEpoch,
		BaseSequence:         h.BaseSequence,
		NumRecords:           h.NumRecords,
	}
}

// kwireRecViews converts kwire's decoded records. kwire keeps absolute timestamps and offsets, so
// the deltas are worked back from the header.
func kwireRecViews(b *wire.RecordBatch) []recView {
	out := make([]recView, len(b.Records))
	for i, r := range b.Records {
		v := recView{
			Attributes:     r.Attributes,
			TimestampDelta: r.Timestamp - b.BaseTimestamp,
			OffsetDelta:    int32(r.Offset - b.BaseOffset),
			Timestamp:      r.Timestamp,
			Offset:         r.Offset,
			Key:            cloneBytes(r.Key),
			Value:          cloneBytes(r.Value),
		}
		for _, h := range r.Headers {
			v.Headers = append(v.Headers, hdrView{Key: h.Key, Value: cloneBytes(h.Value)})
		}
		out[i] = v
	}
	return out
}

// kwireDecode decodes one batch with kwire and returns its views; the batch must be all of raw.
func kwireDecode(raw []byte) (headerView, []recView, error) {
	var b wire.RecordBatch
	rest, err := b.Decode(raw)
	if err != nil {
		return headerView{}, nil, err
	}
	if len(rest) != 0 {
		return headerView{}, nil, fmt.Errorf("kwire left %d of %d bytes after the batch", len(rest), len(raw))
	}
	return kwireHeaderView(b.BatchHeader), kwireRecViews(&b), nil
}

// cloneBytes copies b, keeping nil as nil and empty as empty, so views outlive decode buffers.
func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// expectedRecords is what every decoder must find for recs encoded at baseOffset: offsets counting
// up from it and timestamps relative to the first record's, as the Java client writes them.
func expectedRecords(recs []wire.Record, baseOffset int64) []recView {
	out := make([]recView, len(recs))
	var base int64
	if len(recs) > 0 {
		base = recs[0].Timestamp
	}
	for i, r := range recs {
		v := recView{
			TimestampDelta: r.Timestamp - base,
			OffsetDelta:    int32(i),
			Timestamp:      r.Timestamp,
			Offset:         baseOffset + int64(i),
			Key:            r.Key,
			Value:          r.Value,
		}
		for _, h := range r.Headers {
			v.Headers = append(v.Headers, hdrView{Key: h.Key, Value: h.Value})
		}
		out[i] = v
	}
	return out
}

// maxTimestamp is the largest timestamp of recs.
func maxTimestamp(recs []wire.Record) int64 {
	m := recs[0].Timestamp
	for _, r := range recs {
		m = max(m, r.Timestamp)
	}
	return m
}

// maxDiffs bounds how many mismatches one failure lists.
const maxDiffs = 25

// diffHeader lists the fields where got and want differ, named with prefix.
func diffHeader(prefix string, got, want headerView) []string {
	var out []string
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if g != w {
			name := gv.Type().Field(i).Name
			if name == "CRC" || name == "Attributes" {
				out = append(out, fmt.Sprintf("%s%s: got %#x, want %#x", prefix, name, g, w))
			} else {
				out = append(out, fmt.Sprintf("%s%s: got %v, want %v", prefix, name, g, w))
			}
		}
	}
	return out
}

// diffRecords lists where got and want differ, record by record and field by field, with nil
// (null) and empty told apart. A record has no null header array, so zero headers compare equal
// however a decoder represents them.
func diffRecords(prefix string, got, want []recView) []string {
	var out []string
	if len(got) != len(want) {
		out = append(out, fmt.Sprintf("%slen(records): got %d, want %d", prefix, len(got), len(want)))
	}
	for i := range min(len(got), len(want)) {
		g, w := &got[i], &want[i]
		p := fmt.Sprintf("%srecords[%d].", prefix, i)
		eq := func(field string, gv, wv any) {
			if gv != wv {
				out = append(out, fmt.Sprintf("%s%s: got %v, want %v", p, field, gv, wv))
			}
		}
		eq("Attributes", g.Attributes, w.Attributes)
		eq("TimestampDelta", g.TimestampDelta, w.TimestampDelta)
		eq("OffsetDelta", g.OffsetDelta, w.OffsetDelta)
		eq("Timestamp", g.Timestamp, w.Timestamp)
		eq("Offset", g.Offset, w.Offset)
		out = append(out, diffBytes(p+"Key", g.Key, w.Key)...)
		out = append(out, diffBytes(p+"Value", g.Value, w.Value)...)
		if len(g.Headers) != len(w.Headers) {
			out = append(out, fmt.Sprintf("%slen(Headers): got %d, want %d", p, len(g.Headers), len(w.Headers)))
		}
		for j := range min(len(g.Headers), len(w.Headers)) {
			gh, wh := g.Headers[j], w.Headers[j]
			if gh.Key != wh.Key {
				out = append(out, fmt.Sprintf("%sHeaders[%d].Key: got %q, want %q", p, j, gh.Key, wh.Key))
			}
			out = append(out, diffBytes(fmt.Sprintf("%sHeaders[%d].Value", p, j), gh.Value, wh.Value)...)
		}
		if len(out) > maxDiffs {
			break
		}
	}
	return out
}

// diffBytes reports a difference between two byte fields, where null and empty differ.
func diffBytes(field string, got, want []byte) []string {
	if (got == nil) != (want == nil) || string(got) != string(want) {
		return []string{fmt.Sprintf("%s: got %s, want %s", field, fmtBytes(got), fmtBytes(want))}
	}
	return nil
}

// fmtBytes shows a byte field: null, or its length and (a prefix of) its content.
func fmtBytes(b []byte) string {
	switch {
	case b == nil:
		return "null"
	case len(b) == 0:
		return "empty (non-null, 0 bytes)"
	}
	show := b
	if len(show) > 40 {
		show = show[:40]
	}
	s := fmt.Sprintf("%q", show)
	if !utf8.Valid(show) {
		s = hex.EncodeToString(show)
	}
	if len(show) < len(b) {
		s += "…"
	}
	return fmt.Sprintf("%d bytes %s", len(b), s)
}

// failDiffs fails t with every mismatch (up to maxDiffs) and a hex dump of the batch's header and
// the start of its records section, so a disagreement can be read off the bytes.
func failDiffs(t *testing.T, what string, diffs []string, batch []byte) {
	t.Helper()
	if len(diffs) == 0 {
		return
	}
	n := len(diffs)
	if n > maxDiffs {
		diffs = diffs[:maxDiffs]
	}
	msg := fmt.Sprintf("%s: %d mismatches:\n\t%s", what, n, strings.Join(diffs, "\n\t"))
	if batch != nil {
		msg += "\n" + dumpBatch(batch)
	}
	t.Error(msg)
}

// dumpBatch is a hex dump of the first bytes of a batch: its 61-byte header and the start of the
// records section.
func dumpBatch(batch []byte) string {
	end := min(len(batch), 61+48)
	return fmt.Sprintf("batch (%d bytes), first %d:\n%s", len(batch), end, hex.Dump(batch[:end]))
}

// checkBatchAgainstCase compares a decoded batch with what case c must give, where got was decoded
// from the bytes raw by some implementation (decoder names it).
func checkBatchAgainstCase(t *testing.T, decoder string, c batchCase, raw []byte, gotH headerView, gotR []recView) {
	t.Helper()
	failDiffs(t, decoder+" header", diffHeader("", gotH, c.expectHeader(raw)), raw)
	failDiffs(t, decoder+" records", diffRecords("", gotR, expectedRecords(c.recs, c.hdr.BaseOffset)), raw)
}
