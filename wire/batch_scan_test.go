package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// Scanning a batch yields the records decoding it does, without their headers, and counts the
// memory decoding it holds.
func TestRecordScannerMatchesDecode(t *testing.T) {
	for _, codec := range Codecs {
		batch := testBatch(200, 20)
		batch.Attributes = batch.Attributes.WithCodec(codec)
		data, err := AppendRecordBatch(nil, batch, 0)
		if err != nil {
			t.Fatal(err)
		}
		var b RecordBatch
		if _, err := b.Decode(data); err != nil {
			t.Fatal(err)
		}
		var s RecordScanner
		rest, err := s.Reset(append(data, 9), MaxRecordsSize)
		if err != nil || !bytes.Equal(rest, []byte{9}) {
			t.Fatalf("%s: Reset: %v, rest %v", codec, err, rest)
		}
		i := 0
		for ; s.Scan(); i++ {
			got, want := *s.Record(), b.Records[i]
			want.Headers = nil
			if got.Offset != want.Offset || got.Timestamp != want.Timestamp || !bytes.Equal(got.Key, want.Key) ||
				(got.Key == nil) != (want.Key == nil) || !bytes.Equal(got.Value, want.Value) || got.Headers != nil {
				t.Fatalf("%s: record %d scanned as %+v, decoded as %+v", codec, i, got, want)
			}
		}
		if err := s.Err(); err != nil || i != len(b.Records) {
			t.Fatalf("%s: %d records scanned, then %v", codec, i, err)
		}
		headers := 2 * 50 // testBatch gives every fourth record two headers
		want := len(b.Records)*recordMemSize + headers*headerMemSize
		if codec != CodecNone {
			want += len(b.raw)
		}
		if got := s.DecodedSize(); got != want {
			t.Errorf("%s: decoded size %d, want %d", codec, got, want)
		}
	}
}

// Reset refuses what is wrong with a batch as a whole; Err says what is wrong with its records.
func TestRecordScannerErrors(t *testing.T) {
	good, _ := AppendRecordBatch(nil, &RecordBatch{Records: []Record{{Value: []byte("aaaa")}, {Value: []byte("bbbb")}}}, 0)
	count := func(n uint32) []byte {
		b := bytes.Clone(good)
		binary.BigEndian.PutUint32(b[offRecordCount:], n)
		return recrc(b)
	}
	zstdGarbage := bytes.Clone(good)
	zstdGarbage[offAttributes+1] = byte(CodecZstd)
	for _, tt := range []struct {
		name     string
		src      []byte
		resetErr bool
		scanned  int
		want     error
	}{
		{"good", good, false, 2, nil},
		{"short header", good[:40], true, 0, ErrShortBuffer},
		{"garbage compressed", recrc(zstdGarbage), true, 0, ErrCorrupt},
		{"more records said", count(3), false, 2, ErrShortBuffer},
		{"fewer records said", count(1), false, 1, ErrCorrupt},
		{"more than fit", count(1 << 20), false, 0, ErrCorrupt},
	} {
		var s RecordScanner
		_, err := s.Reset(tt.src, MaxRecordsSize)
		if (err != nil) != tt.resetErr {
			t.Errorf("%s: Reset: %v", tt.name, err)
			continue
		}
		n := 0
		for s.Scan() {
			n++
		}
		if n != tt.scanned || !errors.Is(s.Err(), tt.want) {
			t.Errorf("%s: %d records, then %v; want %d, then %v", tt.name, n, s.Err(), tt.scanned, tt.want)
		}
	}
}

// A scanner reused for batch after batch allocates nothing.
func TestRecordScannerWarmAllocs(t *testing.T) {
	batch := testBatch(1000, 100)
	batch.Attributes = batch.Attributes.WithCodec(CodecLZ4)
	data, _ := AppendRecordBatch(nil, batch, 0)
	var s RecordScanner
	scan := func() {
		s.Reset(data, MaxRecordsSize)
		for s.Scan() {
		}
	}
	scan()
	if n := testing.AllocsPerRun(20, scan); n != 0 || s.Err() != nil {
		t.Fatalf("warm scan of 1000 records allocates %.1f times (%v), want 0", n, s.Err())
	}
}

// Scanning fails with ErrDecodeLimit as soon as decoding would hold more than the limit: at the
// record, or at the header count, that passes it.
func TestRecordScannerLimit(t *testing.T) {
	b := &RecordBatch{Records: []Record{{Value: []byte("a")}, {Value: []byte("b"), Headers: make([]Header, 1000)}}}
	data, _ := AppendRecordBatch(nil, b, 0)
	for _, tt := range []struct {
		limit   int
		scanned int
		field   string
	}{
		{2*recordMemSize + 1000*headerMemSize, 2, ""},
		{2*recordMemSize + 999*headerMemSize, 1, "records[1].headerCount"},
		{recordMemSize, 1, "records[1]"},
	} {
		var s RecordScanner
		s.Reset(data, tt.limit)
		n := 0
		for s.Scan() {
			n++
		}
		var de *DecodeError
		if n != tt.scanned || (tt.field == "") != (s.Err() == nil) || tt.field != "" && (!errors.Is(s.Err(), ErrDecodeLimit) || !errors.As(s.Err(), &de) || de.Field != tt.field) {
			t.Errorf("limit %d: %d records, then %v; want %d, then a limit error at %q", tt.limit, n, s.Err(), tt.scanned, tt.field)
		}
	}
}
