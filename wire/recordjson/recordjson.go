// Package recordjson is the JSON form of records and batch settings that kwire's tools share:
// `kwire batch --jsonl` input, `kwire batch -o json` output, the golden files' inputs and the
// playground's state. Keys and values are strings; JSON null (or an absent field) is Kafka's null.
package recordjson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kwire-dev/kwire/wire"
)

// Header is a record header; a nil Value is null.
type Header struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

// Record is one record. Timestamp is milliseconds since the epoch; nil means "use the default".
type Record struct {
	Key       *string  `json:"key"`
	Value     *string  `json:"value"`
	Headers   []Header `json:"headers,omitempty"`
	Timestamp *int64   `json:"timestamp,omitempty"`
}

// Wire converts r to a wire.Record, taking defaultTS when r has no timestamp.
func (r *Record) Wire(defaultTS int64) wire.Record {
	w := wire.Record{Timestamp: defaultTS, Key: bytesOf(r.Key), Value: bytesOf(r.Value)}
	if r.Timestamp != nil {
		w.Timestamp = *r.Timestamp
	}
	for _, h := range r.Headers {
		w.Headers = append(w.Headers, wire.Header{Key: h.Key, Value: bytesOf(h.Value)})
	}
	return w
}

// FromWire converts a decoded record to its JSON form, timestamp included.
func FromWire(w *wire.Record) Record {
	ts := w.Timestamp
	r := Record{Key: stringOf(w.Key), Value: stringOf(w.Value), Timestamp: &ts}
	for _, h := range w.Headers {
		r.Headers = append(r.Headers, Header{Key: h.Key, Value: stringOf(h.Value)})
	}
	return r
}

func bytesOf(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

func stringOf(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// ReadLines reads one JSON record a line from r (blank lines are skipped) and converts each with
// defaultTS. An error names the line.
func ReadLines(r io.Reader, defaultTS int64) ([]wire.Record, error) {
	lines, err := ReadRecords(r)
	if err != nil {
		return nil, err
	}
	records := make([]wire.Record, len(lines))
	for i := range lines {
		records[i] = lines[i].Wire(defaultTS)
	}
	return records, nil
}

// ReadRecords reads one JSON record a line from r, as [ReadLines] does, but keeps them in their
// JSON form: a record without a timestamp keeps a nil Timestamp. A *[LineError] names the line.
func ReadRecords(r io.Reader) ([]Record, error) {
	var records []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	for line := 1; sc.Scan(); line++ {
		raw := sc.Bytes()
		text := bytes.TrimLeft(raw, " \t\r")
		indent := len(raw) - len(text)
		text = bytes.TrimSpace(text)
		if len(text) == 0 {
			continue
		}
		var rec Record
		if err := decodeStrict(text, &rec); err != nil {
			return nil, newLineError(line, indent, err)
		}
		records = append(records, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading records: %w", err)
	}
	return records, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and anything after the value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// Batch is the settings of a record batch and its records: what a golden file's input holds and
// what `kwire batch` and the playground take.
type Batch struct {
	Compression   string   `json:"compression,omitempty"` // none, gzip, snappy, lz4, zstd; empty is none
	Level         int      `json:"level,omitempty"`       // 0 is the codec's default
	ProducerID    *int64   `json:"producerId,omitempty"`  // nil: not idempotent (-1)
	ProducerEpoch *int16   `json:"producerEpoch,omitempty"`
	BaseSequence  *int32   `json:"baseSequence,omitempty"`
	Transactional bool     `json:"transactional,omitempty"`
	Timestamp     int64    `json:"timestamp,omitempty"` // for records without one
	Records       []Record `json:"records"`
}

// ParseBatch decodes a Batch from JSON, refusing unknown fields.
func ParseBatch(data []byte) (*Batch, error) {
	var b Batch
	if err := decodeStrict(data, &b); err != nil {
		return nil, fmt.Errorf("batch settings: %w", err)
	}
	return &b, nil
}

// Wire converts b to a wire.RecordBatch ready for [wire.AppendRecordBatch], and returns the level.
func (b *Batch) Wire() (*wire.RecordBatch, int, error) {
	wb, level, err := b.header()
	if err != nil {
		return nil, 0, err
	}
	wb.Records = make([]wire.Record, len(b.Records))
	for i := range b.Records {
		wb.Records[i] = b.Records[i].Wire(b.Timestamp)
	}
	return wb, level, nil
}

// header converts b's settings, without its records, to a wire.RecordBatch, and returns the level.
func (b *Batch) header() (*wire.RecordBatch, int, error) {
	codec := wire.CodecNone
	if b.Compression != "" {
		c, err := wire.ParseCodec(b.Compression)
		if err != nil {
			return nil, 0, err
		}
		codec = c
	}
	if err := codec.CheckLevel(b.Level); err != nil {
		return nil, 0, err
	}
	wb := &wire.RecordBatch{BatchHeader: wire.BatchHeader{
		PartitionLeaderEpoch: -1,
		Attributes:           wire.Attributes(0).WithCodec(codec),
		ProducerID:           valueOr(b.ProducerID, wire.NoProducerID),
		ProducerEpoch:        valueOr(b.ProducerEpoch, wire.NoProducerEpoch),
		BaseSequence:         valueOr(b.BaseSequence, wire.NoSequence),
	}}
	if b.Transactional {
		wb.Attributes |= wire.AttrTransactional
	}
	return wb, b.Level, nil
}

func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
