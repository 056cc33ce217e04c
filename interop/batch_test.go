package interop

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwire-dev/kwire/wire"
)

// t0 is the timestamp the cases count from: 2024-05-31T16:08:37.000Z in milliseconds.
const t0 int64 = 1_717_171_717_000

// batchCase is one record batch every test encodes and decodes: header fields a producer chooses,
// records, and the codec and level to compress with. What the records determine (length, CRC,
// lastOffsetDelta, record count, base and max timestamp) is derived by the encoder under test.
type batchCase struct {
	name  string
	hdr   wire.BatchHeader // BaseOffset, PartitionLeaderEpoch, Attributes (codec bits ignored), producer fields
	recs  []wire.Record
	codec wire.Codec
	level int
}

// plainHeader is what a non-idempotent producer writes: no producer id, epoch or sequence.
var plainHeader = wire.BatchHeader{
	PartitionLeaderEpoch: -1,
	ProducerID:           wire.NoProducerID,
	ProducerEpoch:        wire.NoProducerEpoch,
	BaseSequence:         wire.NoSequence,
}

// attrs is the batch's attribute bits with the case's codec.
func (c batchCase) attrs() wire.Attributes { return c.hdr.Attributes.WithCodec(c.codec) }

// recordBatch is the case as a kwire batch to encode.
func (c batchCase) recordBatch() *wire.RecordBatch {
	h := c.hdr
	h.Attributes = c.attrs()
	return &wire.RecordBatch{BatchHeader: h, Records: c.recs}
}

// encode encodes the case with kwire.
func (c batchCase) encode(t testing.TB) []byte {
	t.Helper()
	raw, err := wire.AppendRecordBatch(nil, c.recordBatch(), c.level)
	if err != nil {
		t.Fatalf("kwire AppendRecordBatch(%s, level %d): %v", c.codec, c.level, err)
	}
	return raw
}

// withBaseOffset is the case with another base offset (a broker accepts only 0 in a produce).
func (c batchCase) withBaseOffset(off int64) batchCase {
	c.hdr.BaseOffset = off
	return c
}

// expectHeader is the header every decoder must read from raw, the case's encoding: the length of
// the bytes, their CRC-32C recomputed here, and the fields the records determine.
func (c batchCase) expectHeader(raw []byte) headerView {
	n := int32(len(c.recs))
	return headerView{
		BaseOffset:           c.hdr.BaseOffset,
		Length:               int32(len(raw) - 12),
		PartitionLeaderEpoch: c.hdr.PartitionLeaderEpoch,
		Magic:                2,
		CRC:                  batchCRC(raw),
		Attributes:           int16(c.attrs()),
		LastOffsetDelta:      n - 1,
		BaseTimestamp:        c.recs[0].Timestamp,
		MaxTimestamp:         maxTimestamp(c.recs),
		ProducerID:           c.hdr.ProducerID,
		ProducerEpoch:        c.hdr.ProducerEpoch,
		BaseSequence:         c.hdr.BaseSequence,
		NumRecords:           n,
	}
}

// transactional reports whether the case is a transactional batch, which a broker accepts only
// inside a transaction.
func (c batchCase) transactional() bool { return c.hdr.Attributes&wire.AttrTransactional != 0 }

// codecLevels are the levels each codec's cases are encoded at; 0 is the default everywhere.
var codecLevels = map[wire.Codec][]int{
	wire.CodecNone:   {0},
	wire.CodecGzip:   {0, 1, 6, 9},
	wire.CodecSnappy: {0},
	wire.CodecLZ4:    {0, 1, 9, 10, 17},
	wire.CodecZstd:   {-5, 0, 1, 3, 9, 22},
}

// batchCases is the table every direction runs over.
func batchCases() []batchCase {
	cases := []batchCase{
		{name: "plain-3", hdr: plainHeader, recs: []wire.Record{
			{Timestamp: t0, Key: []byte("k0"), Value: []byte("v0")},
			{Timestamp: t0 + 1, Key: []byte("k1"), Value: []byte("v1")},
			{Timestamp: t0 + 2, Key: []byte("k2"), Value: []byte("v2")},
		}},
		{name: "null-vs-empty", hdr: plainHeader, recs: nullEmptyRecords()},
		{name: "headers", hdr: plainHeader, recs: headerRecords()},
		{name: "unicode", hdr: plainHeader, recs: unicodeRecords()},
		{name: "idempotent", hdr: wire.BatchHeader{
			BaseOffset:           987_654_321,
			PartitionLeaderEpoch: 17,
			ProducerID:           123_456_789,
			ProducerEpoch:        7,
			BaseSequence:         2_147_483_000,
		}, recs: sequenceRecords(50)},
		{name: "idempotent-seq-to-max", hdr: wire.BatchHeader{
			BaseOffset:           1 << 40,
			PartitionLeaderEpoch: math.MaxInt32,
			ProducerID:           math.MaxInt64 - 1,
			ProducerEpoch:        math.MaxInt16 - 1,
			BaseSequence:         math.MaxInt32 - 4, // the 5 records take sequences up to MaxInt32
		}, recs: sequenceRecords(5)},
		{name: "transactional", hdr: wire.BatchHeader{
			BaseOffset:           42,
			PartitionLeaderEpoch: 3,
			Attributes:           wire.AttrTransactional,
			ProducerID:           4242,
			ProducerEpoch:        3,
			BaseSequence:         0,
		}, recs: sequenceRecords(5)},
		{name: "many-5000-nonmonotonic", hdr: wire.BatchHeader{
			BaseOffset:           1_000_000,
			PartitionLeaderEpoch: 2,
			ProducerID:           77,
			ProducerEpoch:        0,
			BaseSequence:         10_000,
		}, recs: manyRecords(5000)},
		{name: "large-values", hdr: plainHeader, recs: largeRecords()},
	}
	for _, codec := range wire.Codecs {
		for _, level := range codecLevels[codec] {
			cases = append(cases, batchCase{
				name:  fmt.Sprintf("codec-%s-level%d", codec, level),
				hdr:   wire.BatchHeader{BaseOffset: 5000, PartitionLeaderEpoch: 9, ProducerID: 31337, ProducerEpoch: 2, BaseSequence: 100},
				recs:  compressibleRecords(200),
				codec: codec,
				level: level,
			})
		}
	}
	// Large and multi-block sections through every codec: xerial chunks are 32 KiB, Kafka's lz4
	// blocks 64 KiB; the 5,000 records take far more.
	for _, codec := range wire.Codecs[1:] {
		cases = append(cases,
			batchCase{name: fmt.Sprintf("large-values-%s", codec), hdr: plainHeader, recs: largeRecords(), codec: codec},
			batchCase{name: fmt.Sprintf("many-5000-%s", codec), hdr: plainHeader, recs: manyRecords(5000), codec: codec},
		)
	}
	return cases
}

// headerRecords exercise record headers: null and empty values, an empty key, repeated keys, many
// headers, binary values and records without headers between ones with them.
func headerRecords() []wire.Record {
	many := make([]wire.Header, 40)
	for i := range many {
		var v []byte
		switch i % 3 {
		case 0:
			v = nil
		case 1:
			v = []byte{}
		case 2:
			v = []byte(strings.Repeat("x", i))
		}
		many[i] = wire.Header{Key: fmt.Sprintf("h%02d", i), Value: v}
	}
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	return []wire.Record{
		{Timestamp: t0, Key: []byte("a"), Value: []byte("1"), Headers: []wire.Header{
			{Key: "content-type", Value: []byte("application/json")},
			{Key: "null-value", Value: nil},
			{Key: "empty-value", Value: []byte{}},
			{Key: "", Value: []byte("empty key")},
			{Key: "dup", Value: []byte("first")},
			{Key: "dup", Value: []byte("second")},
		}},
		{Timestamp: t0 + 5, Key: []byte("b"), Value: []byte("2")},
		{Timestamp: t0 + 10, Key: nil, Value: nil, Headers: many},
		{Timestamp: t0 + 15, Key: []byte("d"), Value: []byte{}, Headers: []wire.Header{{Key: "binary", Value: binary}}},
		{Timestamp: t0 + 20, Key: []byte("e"), Value: []byte("5"), Headers: []wire.Header{{Key: "only-null", Value: nil}}},
	}
}

// unicodeRecords carry multi-byte UTF-8 in keys, values and header keys, and bytes that are not
// UTF-8 at all, which Kafka passes through untouched.
func unicodeRecords() []wire.Record {
	return []wire.Record{
		{Timestamp: t0, Key: []byte("ключ"), Value: []byte("значение"), Headers: []wire.Header{{Key: "ヘッダー", Value: []byte("値")}}},
		{Timestamp: t0 + 1, Key: []byte("鍵🔑"), Value: []byte("🙂🚀 emoji and e\u0301 combining"), Headers: []wire.Header{{Key: "emoji-🚀", Value: []byte("✓")}}},
		{Timestamp: t0 + 2, Key: []byte("nul\x00inside"), Value: []byte{0xff, 0xfe, 0x00, 0xc3, 0x28}, Headers: []wire.Header{{Key: "bad-utf8", Value: []byte{0xed, 0xa0, 0x80}}}},
		{Timestamp: t0 + 3, Key: []byte(strings.Repeat("ü", 100)), Value: []byte(strings.Repeat("日本語", 50))},
	}
}

// sequenceRecords are n small records a millisecond apart.
func sequenceRecords(n int) []wire.Record {
	recs := make([]wire.Record, n)
	for i := range recs {
		recs[i] = wire.Record{
			Timestamp: t0 + int64(i),
			Key:       fmt.Appendf(nil, "key-%d", i),
			Value:     fmt.Appendf(nil, "value-%d", i),
		}
	}
	return recs
}

// manyRecords are n records whose timestamps go back and forth: mostly a scatter around t0, with
// jumps a day back and an hour forward, so timestamp deltas are negative and positive and the first
// record's timestamp is neither the smallest nor the largest. Keys and values vary in length, some
// null or empty, and some records have headers.
func manyRecords(n int) []wire.Record {
	recs := make([]wire.Record, n)
	for i := range recs {
		ts := t0 + int64(i*7919%10007) - 5000
		switch {
		case i%1000 == 999:
			ts = t0 - 86_400_000
		case i%1000 == 500:
			ts = t0 + 3_600_000
		}
		r := wire.Record{Timestamp: ts}
		switch {
		case i%7 == 0:
			r.Key = nil
		case i%11 == 0:
			r.Key = []byte{}
		default:
			r.Key = fmt.Appendf(nil, "k%d", i)
		}
		if i%13 != 0 {
			r.Value = bytes.Repeat([]byte{byte('a' + i%26)}, i%300)
		}
		if i%5 == 0 {
			r.Headers = []wire.Header{{Key: "i", Value: fmt.Appendf(nil, "%d", i)}, {Key: "null", Value: nil}}
		}
		recs[i] = r
	}
	return recs
}

// compressibleRecords are n records of repetitive text, about 400 bytes each, so each codec has
// something to compress and the section spans several 32 KiB xerial chunks and 64 KiB lz4 blocks.
func compressibleRecords(n int) []wire.Record {
	recs := make([]wire.Record, n)
	for i := range recs {
		r := wire.Record{
			Timestamp: t0 + int64((i*37)%101) - 50,
			Key:       fmt.Appendf(nil, "user-%04d", i%50),
			Value: fmt.Appendf(nil, `{"id":%d,"name":"record %d","tags":["alpha","beta","gamma"],"text":%q}`,
				i, i, strings.Repeat("the quick brown fox jumps over the lazy dog ", 7+i%3)),
		}
		if i%4 == 0 {
			r.Headers = []wire.Header{{Key: "trace-id", Value: fmt.Appendf(nil, "%016x", i*2654435761)}, {Key: "null", Value: nil}}
		}
		if i%17 == 0 {
			r.Key = nil
		}
		recs[i] = r
	}
	return recs
}

// largeRecords have values whose lengths take three-byte varints, one of them incompressible, so
// compressed sections cross many codec blocks and a stored (uncompressible) block comes up.
func largeRecords() []wire.Record {
	noise := make([]byte, 150_000)
	var x uint64 = 0x9e3779b97f4a7c15
	for i := range noise {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		noise[i] = byte(x)
	}
	return []wire.Record{
		{Timestamp: t0, Key: []byte("text"), Value: bytes.Repeat([]byte("0123456789abcdef"), 20_000)},
		{Timestamp: t0 + 1, Key: []byte("empty"), Value: []byte{}},
		{Timestamp: t0 - 1, Key: []byte("noise"), Value: noise, Headers: []wire.Header{{Key: "big", Value: noise[:70_000]}}},
	}
}

// TestKwireRoundTrip checks kwire against itself and against the bytes: every header field read
// straight from the encoding with encoding/binary, and kwire's decoder on its own output. A failure
// here is kwire's alone; the other tests then show whether the other implementations agree.
func TestKwireRoundTrip(t *testing.T) {
	for _, c := range batchCases() {
		t.Run(c.name, func(t *testing.T) {
			raw := c.encode(t)
			failDiffs(t, "kwire encoding (bytes)", diffHeader("", rawHeader(raw), c.expectHeader(raw)), raw)
			h, recs, err := kwireDecode(raw)
			if err != nil {
				t.Fatalf("kwire Decode of its own batch: %v\n%s", err, dumpBatch(raw))
			}
			checkBatchAgainstCase(t, "kwire", c, raw, h, recs)
			if c.codec == wire.CodecSnappy || c.codec == wire.CodecLZ4 {
				t.Logf("kwire wrote %s", describeSection(c.codec, raw[wire.BatchHeaderSize:]))
			}

			// Two batches back to back decode one at a time.
			var b wire.RecordBatch
			rest, err := b.Decode(append(append([]byte{}, raw...), raw...))
			if err != nil || len(rest) != len(raw) {
				t.Fatalf("kwire Decode of two batches: err %v, %d bytes left, want %d", err, len(rest), len(raw))
			}
		})
	}
}

// TestEmptyBatchFromCompaction decodes the empty batch a broker's log cleaner leaves when it
// removes every record of a batch whose producer state must be kept (Kafka's
// DefaultRecordBatch.writeEmptyHeader): no records, no compression, a lastOffsetDelta that still
// spans the removed offsets, and both timestamps the batch's max. franz-go's kmsg builds it; kwire,
// kmsg and sarama's fetch decoder read it.
func TestEmptyBatchFromCompaction(t *testing.T) {
	want := headerView{
		BaseOffset:           700,
		Length:               49,
		PartitionLeaderEpoch: 5,
		Magic:                2,
		Attributes:           int16(wire.AttrTransactional),
		LastOffsetDelta:      9,
		BaseTimestamp:        t0 + 77,
		MaxTimestamp:         t0 + 77,
		ProducerID:           555,
		ProducerEpoch:        1,
		BaseSequence:         40,
		NumRecords:           0,
	}
	kb := kmsg.RecordBatch{
		FirstOffset:          want.BaseOffset,
		Length:               want.Length,
		PartitionLeaderEpoch: want.PartitionLeaderEpoch,
		Magic:                want.Magic,
		Attributes:           want.Attributes,
		LastOffsetDelta:      want.LastOffsetDelta,
		FirstTimestamp:       want.BaseTimestamp,
		MaxTimestamp:         want.MaxTimestamp,
		ProducerID:           want.ProducerID,
		ProducerEpoch:        want.ProducerEpoch,
		FirstSequence:        want.BaseSequence,
	}
	raw := kb.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[17:], batchCRC(raw))
	want.CRC = batchCRC(raw)

	h, recs, err := kwireDecode(raw)
	if err != nil {
		t.Fatalf("kwire cannot decode an empty batch: %v\n%s", err, dumpBatch(raw))
	}
	failDiffs(t, "kwire header", diffHeader("", h, want), raw)
	if len(recs) != 0 {
		t.Errorf("kwire decoded %d records from an empty batch", len(recs))
	}
	fh, frecs, err := franzDecode(raw)
	if err != nil || len(frecs) != 0 {
		t.Fatalf("franz-go: %d records, %v", len(frecs), err)
	}
	failDiffs(t, "franz-go header", diffHeader("", fh, want), raw)

	const topic = "empty"
	cl := newCluster(t, topic)
	cl.serveFetch(t, topic, raw)
	// sarama decodes the batch (checking its CRC) and then drops it from the response because it
	// holds no records: a clean decode with no record sets is its success.
	block, err := saramaFetch(saramaBroker(t, cl), topic, want.BaseOffset)
	if err != nil {
		t.Fatalf("sarama cannot decode the empty batch: %v", err)
	}
	if block.Partial || len(block.RecordsSet) != 0 {
		t.Errorf("sarama: partial %v, %d record sets; want an empty batch decoded and dropped", block.Partial, len(block.RecordsSet))
	}
}
