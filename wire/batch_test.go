package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// crc32cBitwise is an independent CRC32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit,
// to check the table-driven one the encoder uses.
func crc32cBitwise(b []byte) uint32 {
	crc := ^uint32(0)
	for _, c := range b {
		crc ^= uint32(c)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0x82f63b78
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

// TestEncodeLayout checks a one-record batch against bytes written out by hand from the protocol
// documentation, field by field.
func TestEncodeLayout(t *testing.T) {
	const ts = 0x0102030405
	b := &RecordBatch{
		BatchHeader: BatchHeader{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1},
		Records:     []Record{{Timestamp: ts, Value: []byte("a")}},
	}
	got, err := AppendRecordBatch(nil, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	record := []byte{0x0e, 0x00, 0x00, 0x00, 0x01, 0x02, 'a', 0x00} // length 7, attrs, tsΔ, offΔ, null key, "a", 0 headers
	var want []byte
	want = AppendInt64(want, 0)                     // baseOffset
	want = AppendInt32(want, int32(49+len(record))) // batchLength
	want = AppendInt32(want, -1)                    // partitionLeaderEpoch
	want = append(want, 2)                          // magic
	want = append(want, 0, 0, 0, 0)                 // crc, filled below
	want = AppendInt16(want, 0)                     // attributes
	want = AppendInt32(want, 0)                     // lastOffsetDelta
	want = AppendInt64(want, ts)                    // baseTimestamp
	want = AppendInt64(want, ts)                    // maxTimestamp
	want = AppendInt64(want, -1)                    // producerId
	want = AppendInt16(want, -1)                    // producerEpoch
	want = AppendInt32(want, -1)                    // baseSequence
	want = AppendInt32(want, 1)                     // recordCount
	want = append(want, record...)
	binary.BigEndian.PutUint32(want[17:], crc32cBitwise(want[21:]))
	if !bytes.Equal(got, want) {
		t.Fatalf("got\n% x\nwant\n% x", got, want)
	}
}

func TestEncodeAppendsAfterExistingBytes(t *testing.T) {
	b := testBatch(3, 10)
	alone, _ := AppendRecordBatch(nil, b, 0)
	prefix := []byte("prefix")
	got, err := AppendRecordBatch(bytes.Clone(prefix), b, 0)
	if err != nil || !bytes.Equal(got, append(prefix, alone...)) {
		t.Fatalf("append onto a prefix changed the batch (err %v)", err)
	}
}

func TestTimestampsNonMonotonic(t *testing.T) {
	b := &RecordBatch{Records: []Record{{Timestamp: 50}, {Timestamp: 10}, {Timestamp: 90}, {Timestamp: 20}}}
	data, _ := AppendRecordBatch(nil, b, 0)
	var got RecordBatch
	if _, err := got.Decode(data); err != nil {
		t.Fatal(err)
	}
	if got.BaseTimestamp != 50 || got.MaxTimestamp != 90 {
		t.Fatalf("base %d max %d, want the first (50) and the largest (90)", got.BaseTimestamp, got.MaxTimestamp)
	}
	for i, want := range []int64{50, 10, 90, 20} {
		if got.Records[i].Timestamp != want {
			t.Errorf("record %d timestamp %d, want %d", i, got.Records[i].Timestamp, want)
		}
	}
}

func TestLogAppendTimeRecordsTakeMaxTimestamp(t *testing.T) {
	b := &RecordBatch{BatchHeader: BatchHeader{Attributes: AttrLogAppendTime, MaxTimestamp: 777},
		Records: []Record{{Timestamp: 1}, {Timestamp: 2}}}
	data, _ := AppendRecordBatch(nil, b, 0)
	var got RecordBatch
	if _, err := got.Decode(data); err != nil {
		t.Fatal(err)
	}
	if got.MaxTimestamp != 777 || got.Records[0].Timestamp != 777 || got.Records[1].Timestamp != 777 {
		t.Fatalf("log-append-time batch: max %d, records %d %d; want 777 everywhere",
			got.MaxTimestamp, got.Records[0].Timestamp, got.Records[1].Timestamp)
	}
}

func TestRoundTripEveryCodec(t *testing.T) {
	for _, codec := range Codecs {
		t.Run(codec.String(), func(t *testing.T) {
			b := testBatch(200, 80)
			b.Attributes = b.Attributes.WithCodec(codec)
			data, err := AppendRecordBatch(nil, b, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got RecordBatch
			rest, err := got.Decode(append(data, 0xAA))
			if err != nil || !bytes.Equal(rest, []byte{0xAA}) {
				t.Fatalf("decode: %v, rest % x", err, rest)
			}
			if got.Attributes.Codec() != codec {
				t.Fatalf("codec %v, want %v", got.Attributes.Codec(), codec)
			}
			for i := range b.Records {
				want := b.Records[i]
				want.Offset = int64(i)
				if g := got.Records[i]; g.Timestamp != want.Timestamp || g.Offset != want.Offset ||
					!sameBytes(g.Key, want.Key) || !sameBytes(g.Value, want.Value) || len(g.Headers) != len(want.Headers) {
					t.Fatalf("record %d: got %+v, want %+v", i, g, want)
				}
			}
		})
	}
}

func sameBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

// testBatch makes n records of about size bytes, some with null keys, empty values and headers.
func testBatch(n, size int) *RecordBatch {
	rng := rand.New(rand.NewPCG(1, 2))
	b := &RecordBatch{BatchHeader: BatchHeader{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}}
	for i := range n {
		r := Record{Timestamp: 1_700_000_000_000 + int64(rng.IntN(1000)), Value: bytes.Repeat([]byte{byte('a' + i%26)}, size)}
		switch i % 4 {
		case 1:
			r.Key = []byte(fmt.Sprintf("key-%d", i))
		case 2:
			r.Key, r.Value = []byte{}, []byte{}
		case 3:
			r.Headers = []Header{{Key: "h", Value: []byte("v")}, {Key: "null"}}
		}
		b.Records = append(b.Records, r)
	}
	return b
}

// recrc recomputes the CRC of a batch after a test has changed its bytes.
func recrc(b []byte) []byte {
	binary.BigEndian.PutUint32(b[offCRC:], crc32.Checksum(b[offAttributes:], castagnoli))
	return b
}

func TestDecodeErrors(t *testing.T) {
	good, _ := AppendRecordBatch(nil, &RecordBatch{Records: []Record{{Key: []byte("k"), Value: []byte("value")}}}, 0)
	firstRecord := BatchHeaderSize
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name  string
		src   []byte
		field string
		want  error
	}{
		{"empty", nil, "batch header", ErrShortBuffer},
		{"short header", good[:40], "batch header", ErrShortBuffer},
		{"truncated records", good[:len(good)-1], "batchLength", ErrShortBuffer},
		{"bad magic", mutate(func(b []byte) []byte { b[offMagic] = 1; return b }), "magic", ErrCorrupt},
		{"length below header", mutate(func(b []byte) []byte { binary.BigEndian.PutUint32(b[offBatchLength:], 10); return b }), "batchLength", ErrInvalidLength},
		{"bad crc", mutate(func(b []byte) []byte { b[len(b)-2] ^= 0xff; return b }), "crc", ErrCorrupt},
		{"unknown codec", mutate(func(b []byte) []byte { b[offAttributes+1] = 7; return recrc(b) }), "attributes", ErrCorrupt},
		{"negative count", mutate(func(b []byte) []byte { binary.BigEndian.PutUint32(b[offRecordCount:], 0xffffffff); return recrc(b) }), "recordCount", ErrInvalidLength},
		{"count too large", mutate(func(b []byte) []byte { binary.BigEndian.PutUint32(b[offRecordCount:], 1<<30); return recrc(b) }), "recordCount", ErrCorrupt},
		{"record length too long", mutate(func(b []byte) []byte { b[firstRecord] = 0x7e; return recrc(b) }), "records[0].length", ErrInvalidLength},
		{"record length too short", mutate(func(b []byte) []byte {
			b[firstRecord] -= 2
			return recrc(b)
		}), "records[0].headerCount", ErrShortBuffer},
		{"negative key length", mutate(func(b []byte) []byte { b[firstRecord+4] = 0x05; return recrc(b) }), "records[0].key", ErrInvalidLength},
		{"trailing bytes in records", recrc(func() []byte {
			b := append(bytes.Clone(good), 0, 0, 0, 0, 0, 0, 0)
			binary.BigEndian.PutUint32(b[offBatchLength:], uint32(len(b)-12))
			return b
		}()), "records", ErrCorrupt},
		{"garbage compressed", recrc(func() []byte {
			b := bytes.Clone(good)
			b[offAttributes+1] = byte(CodecZstd)
			return b
		}()), "records", ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b RecordBatch
			_, err := b.Decode(tt.src)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Field != tt.field {
				t.Fatalf("error %v names field %q, want %q", err, fieldOf(de), tt.field)
			}
		})
	}
}

func fieldOf(de *DecodeError) string {
	if de == nil {
		return "<no DecodeError>"
	}
	return de.Field
}

// TestDecodeWarmAllocs: once a RecordBatch has decoded a batch of the same shape, decoding again
// allocates nothing per record. Header keys are strings: the first record with headers allocates
// its keys, and later records with the same keys share them (here: two keys, one allocation each).
func TestDecodeWarmAllocs(t *testing.T) {
	data, _ := AppendRecordBatch(nil, testBatch(1000, 100), 0)
	var b RecordBatch
	if _, err := b.Decode(data); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { b.Decode(data) }); n > 2 {
		t.Fatalf("warm decode of 1000 records allocates %.1f times, want at most 2", n)
	}
}

func TestEncodeWarmAllocs(t *testing.T) {
	batch := testBatch(1000, 100)
	buf, _ := AppendRecordBatch(nil, batch, 0)
	if n := testing.AllocsPerRun(20, func() { buf, _ = AppendRecordBatch(buf[:0], batch, 0) }); n != 0 {
		t.Fatalf("warm uncompressed encode allocates %.1f times, want 0", n)
	}
}

func TestRecordSizeMatchesEncoding(t *testing.T) {
	b := testBatch(50, 30)
	var section []byte
	for i := range b.Records {
		before := len(section)
		tsDelta := b.Records[i].Timestamp - b.Records[0].Timestamp
		section = appendRecord(section, &b.Records[i], int32(i), tsDelta)
		if got := RecordSize(&b.Records[i], int32(i), tsDelta); got != len(section)-before {
			t.Fatalf("record %d: RecordSize %d, encoded %d", i, got, len(section)-before)
		}
	}
}

func TestAttributesString(t *testing.T) {
	for a, want := range map[Attributes]string{
		0: "none",
		Attributes(0).WithCodec(CodecZstd) | AttrTransactional:      "zstd|transactional",
		AttrLogAppendTime | AttrControl | AttrDeleteHorizon | 0x100: "none|logAppendTime|control|deleteHorizon|unknown(0x100)",
	} {
		if got := a.String(); got != want {
			t.Errorf("%#x: %q, want %q", int16(a), got, want)
		}
	}
}

func TestBrokerRewrites(t *testing.T) {
	data, _ := AppendRecordBatch(nil, testBatch(3, 5), 0)
	SetBaseOffset(data, 1000)
	SetPartitionLeaderEpoch(data, 7)
	SetLogAppendTime(data, 4242)
	var b RecordBatch
	if _, err := b.Decode(data); err != nil {
		t.Fatal(err)
	}
	if b.BaseOffset != 1000 || b.PartitionLeaderEpoch != 7 || b.Records[2].Offset != 1002 || b.Attributes&AttrLogAppendTime == 0 ||
		b.MaxTimestamp != 4242 || b.Records[0].Timestamp != 4242 {
		t.Fatalf("after rewriting: %+v", b.BatchHeader)
	}
}
