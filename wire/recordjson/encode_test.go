package recordjson

import (
	"errors"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// TestAppendRecords encodes with the settings and decodes the batch back.
func TestAppendRecords(t *testing.T) {
	id, epoch, seq := int64(42), int16(3), int32(100)
	b := &Batch{Compression: "lz4", Level: 12, ProducerID: &id, ProducerEpoch: &epoch, BaseSequence: &seq, Transactional: true}
	records, err := ReadLines(strings.NewReader(`{"key":"k","value":"v","headers":[{"key":"h","value":null}]}`+"\n"+`{"key":null,"value":""}`), 1700000000000)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.AppendRecords([]byte("prefix"), records)
	if err != nil {
		t.Fatal(err)
	}
	var got wire.RecordBatch
	if _, err := got.Decode(raw[len("prefix"):]); err != nil {
		t.Fatal(err)
	}
	h := got.BatchHeader
	if h.Attributes.Codec() != wire.CodecLZ4 || h.Attributes&wire.AttrTransactional == 0 || h.ProducerID != 42 ||
		h.ProducerEpoch != 3 || h.BaseSequence != 100 || h.PartitionLeaderEpoch != -1 || h.NumRecords != 2 {
		t.Errorf("header %+v", h)
	}
	if r := got.Records[1]; r.Key != nil || r.Value == nil || len(r.Value) != 0 || r.Timestamp != 1700000000000 {
		t.Errorf("second record %+v: want a null key and an empty value", r)
	}
	if got.Records[0].Headers[0].Value != nil {
		t.Error("a null header value came back not null")
	}
}

// TestAppendRecordsRefuses refuses a transactional batch without a producer id, and a bad codec
// or level, leaving dst as it was.
func TestAppendRecordsRefuses(t *testing.T) {
	records := []wire.Record{{Value: []byte("v")}}
	for _, b := range []*Batch{{Transactional: true}, {Compression: "brotli"}, {Compression: "snappy", Level: 3}} {
		dst, err := b.AppendRecords([]byte("x"), records)
		if err == nil || string(dst) != "x" {
			t.Errorf("%+v: %q, %v", b, dst, err)
		}
	}
	if _, err := (&Batch{Transactional: true}).AppendRecords(nil, records); !errors.Is(err, ErrTransactionalWithoutProducer) {
		t.Errorf("transactional without a producer: %v", err)
	}
}

// TestLineErrors names the line of a bad record, and the column when JSON says where.
func TestLineErrors(t *testing.T) {
	for _, c := range []struct {
		text       string
		line, col  int
		wantPrefix string
	}{
		{`{"value":"a"}` + "\n\n" + `  {"value": 7}`, 3, 13, "line 3, column 13: "},
		{`{"value":"a"` + "\n", 1, 0, "line 1: "},
		{`{"value":"a"} x`, 1, 0, "line 1: "},
		{`{"value":"a",,}`, 1, 14, "line 1, column 14: "},
	} {
		_, err := ReadLines(strings.NewReader(c.text), 0)
		var le *LineError
		if !errors.As(err, &le) || le.Line != c.line || le.Column != c.col || !strings.HasPrefix(err.Error(), c.wantPrefix) {
			t.Errorf("%q: %v (%+v); want line %d column %d", c.text, err, le, c.line, c.col)
		}
	}
}
