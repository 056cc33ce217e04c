package interop

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"testing"
)

// This file reads the fault runs' topics back with the Java consumer (Consume.java). It parses
// Consume's lines itself, and only the fields the counts need: encoding/json, as javaConsume
// uses it, takes some 90 µs a record under -race here, 45 s for 500,000 records, and the fault
// tests read millions.

// readRecord is a record as Consume printed it, with the fields the counts need.
type readRecord struct {
	Topic        string
	Partition    int32
	Offset       int64
	Key, Value   []byte
	KeyPartition int32 // the Java partitioner's choice for Key; -1 without a key
}

// consumeRecords reads topics from the beginning to their end with the Java KafkaConsumer.
func consumeRecords(ctx context.Context, t *testing.T, bootstrap string, topics []string) ([]readRecord, error) {
	t.Helper()
	args := []string{"--bootstrap", bootstrap}
	for _, topic := range topics {
		args = append(args, "--topic", topic)
	}
	out, err := kafkaJava(ctx, t, "dev.kwire.interop.Consume", args...)
	if err != nil {
		return nil, err
	}
	var records []readRecord
	for line := 1; len(out) > 0; line++ {
		text, rest, _ := bytes.Cut(out, []byte("\n"))
		r, err := parseConsumeLine(text)
		if err != nil {
			return nil, fmt.Errorf("Consume's line %d, %q: %w", line, text, err)
		}
		records = append(records, r)
		out = rest
	}
	return records, nil
}

// parseConsumeLine reads one of Consume's lines, whose fields come in the order Consume writes
// them: {"t":…,"p":…,"o":…,"ts":…,"tt":…,"k":…,"v":…,"h":[…],"kp":…}.
func parseConsumeLine(line []byte) (readRecord, error) {
	s := lineScanner{rest: line}
	var r readRecord
	s.expect(`{"t":`)
	r.Topic = string(s.plainString())
	s.expect(`,"p":`)
	r.Partition = int32(s.integer(32))
	s.expect(`,"o":`)
	r.Offset = s.integer(64)
	s.expect(`,"ts":`)
	s.integer(64)
	s.expect(`,"tt":`)
	s.plainString()
	s.expect(`,"k":`)
	r.Key = s.base64OrNull()
	s.expect(`,"v":`)
	r.Value = s.base64OrNull()
	s.expect(`,"h":[`)
	s.skipTo(`],"kp":`)
	r.KeyPartition = -1
	if !s.null() {
		r.KeyPartition = int32(s.integer(32))
	}
	s.expect(`}`)
	if s.err == nil && len(s.rest) > 0 {
		s.fail("trailing bytes")
	}
	return r, s.err
}

// lineScanner reads a line from the front and keeps its first error; once it has one, every
// read returns a zero value.
type lineScanner struct {
	rest []byte
	err  error
}

func (s *lineScanner) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf("at byte %d from the end: %s", len(s.rest), fmt.Sprintf(format, args...))
	}
	s.rest = nil
}

func (s *lineScanner) expect(prefix string) {
	if rest, ok := bytes.CutPrefix(s.rest, []byte(prefix)); ok {
		s.rest = rest
		return
	}
	s.fail("want %s", prefix)
}

// plainString reads a JSON string without escapes.
func (s *lineScanner) plainString() []byte {
	s.expect(`"`)
	str, rest, ok := bytes.Cut(s.rest, []byte(`"`))
	if !ok || bytes.IndexByte(str, '\\') >= 0 {
		s.fail("want a string without escapes")
		return nil
	}
	s.rest = rest
	return str
}

// integer reads a decimal integer of bits bits.
func (s *lineScanner) integer(bits int) int64 {
	end := 0
	for end < len(s.rest) && (s.rest[end] == '-' || s.rest[end] >= '0' && s.rest[end] <= '9') {
		end++
	}
	n, err := strconv.ParseInt(string(s.rest[:end]), 10, bits)
	if err != nil {
		s.fail("want an integer: %v", err)
		return 0
	}
	s.rest = s.rest[end:]
	return n
}

// null reads null if it comes next.
func (s *lineScanner) null() bool {
	rest, ok := bytes.CutPrefix(s.rest, []byte("null"))
	if ok {
		s.rest = rest
	}
	return ok
}

// base64OrNull reads a base64 string, or null (nil).
func (s *lineScanner) base64OrNull() []byte {
	if s.null() {
		return nil
	}
	b, err := base64.StdEncoding.AppendDecode([]byte{}, s.plainString())
	if err != nil {
		s.fail("want base64: %v", err)
		return nil
	}
	return b
}

// skipTo reads up to and past the last occurrence of marker.
func (s *lineScanner) skipTo(marker string) {
	i := bytes.LastIndex(s.rest, []byte(marker))
	if i < 0 {
		s.fail("want %s", marker)
		return
	}
	s.rest = s.rest[i+len(marker):]
}

// TestParseConsumeLine: Consume's lines as it prints them, and lines it does not print.
func TestParseConsumeLine(t *testing.T) {
	for _, c := range []struct {
		line string
		want readRecord
	}{
		{`{"t":"orders","p":0,"o":12,"ts":1700000000000,"tt":"CreateTime","k":"a2V5","v":null,"h":[["trace","YWJj"],["none",null]],"kp":3}`,
			readRecord{Topic: "orders", Partition: 0, Offset: 12, Key: []byte("key"), KeyPartition: 3}},
		{`{"t":"t","p":7,"o":0,"ts":-1,"tt":"LogAppendTime","k":null,"v":"MDAwMDAwMDAwMQ==","h":[],"kp":null}`,
			readRecord{Topic: "t", Partition: 7, Value: []byte("0000000001"), KeyPartition: -1}},
		{`{"t":"t","p":1,"o":9,"ts":5,"tt":"CreateTime","k":"","v":"","h":[],"kp":1}`,
			readRecord{Topic: "t", Partition: 1, Offset: 9, Key: []byte{}, Value: []byte{}, KeyPartition: 1}},
	} {
		got, err := parseConsumeLine([]byte(c.line))
		if err != nil || got.Topic != c.want.Topic || got.Partition != c.want.Partition || got.Offset != c.want.Offset ||
			!bytes.Equal(got.Key, c.want.Key) || (got.Key == nil) != (c.want.Key == nil) ||
			!bytes.Equal(got.Value, c.want.Value) || (got.Value == nil) != (c.want.Value == nil) || got.KeyPartition != c.want.KeyPartition {
			t.Errorf("%s:\ngot  %+v, %v\nwant %+v", c.line, got, err, c.want)
		}
	}
	for _, line := range []string{
		``,
		`{"t":"t","p":0,"o":1`,
		`{"t":"t","p":0,"ts":1,"tt":"CreateTime","k":null,"v":null,"h":[],"kp":null}`,
		`{"t":"t","p":99999999999,"o":1,"ts":1,"tt":"CreateTime","k":null,"v":null,"h":[],"kp":null}`,
		`{"t":"t","p":0,"o":1,"ts":1,"tt":"CreateTime","k":"%%%","v":null,"h":[],"kp":null}`,
		`{"t":"a\"b","p":0,"o":1,"ts":1,"tt":"CreateTime","k":null,"v":null,"h":[],"kp":null}`,
		`{"t":"t","p":0,"o":1,"ts":1,"tt":"CreateTime","k":null,"v":null,"h":[],"kp":null}x`,
	} {
		if r, err := parseConsumeLine([]byte(line)); err == nil {
			t.Errorf("%q: read %+v, want an error", line, r)
		}
	}
}
