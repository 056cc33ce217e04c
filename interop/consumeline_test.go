package interop

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
)

// This file reads the lines Consume.java prints. It parses them itself, field by field in the
// order Consume writes them: encoding/json takes some 90 µs a record under -race here (45 s for
// the 500,000 records of a fault run), this a few µs.

// parseConsumeLine reads one of Consume's lines:
// {"t":…,"p":…,"o":…,"ts":…,"tt":…,"le":…,"k":…,"v":…,"h":[[…,…],…],"kp":…}.
func parseConsumeLine(line []byte) (javaRecord, error) {
	s := lineScanner{rest: line}
	var r javaRecord
	s.expect(`{"t":`)
	r.Topic = s.str()
	s.expect(`,"p":`)
	r.Partition = int32(s.integer(32))
	s.expect(`,"o":`)
	r.Offset = s.integer(64)
	s.expect(`,"ts":`)
	r.Timestamp = s.integer(64)
	s.expect(`,"tt":`)
	r.TimestampType = s.str()
	s.expect(`,"le":`)
	r.LeaderEpoch = s.int32OrNull()
	s.expect(`,"k":`)
	r.Key = s.base64OrNull()
	s.expect(`,"v":`)
	r.Value = s.base64OrNull()
	s.expect(`,"h":[`)
	for s.err == nil && !bytes.HasPrefix(s.rest, []byte("]")) {
		if len(r.Headers) > 0 {
			s.expect(",")
		}
		s.expect("[")
		h := javaHeader{Key: s.str()}
		s.expect(",")
		h.Value = s.base64OrNull()
		s.expect("]")
		r.Headers = append(r.Headers, h)
	}
	s.expect(`],"kp":`)
	r.KeyPartition = s.int32OrNull()
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

// str reads a JSON string: at once when it has no escapes, through encoding/json when it has.
func (s *lineScanner) str() string {
	if !bytes.HasPrefix(s.rest, []byte(`"`)) {
		s.fail(`want "`)
		return ""
	}
	end := 1
	for end < len(s.rest) && s.rest[end] != '"' {
		if s.rest[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(s.rest) {
		s.fail("an unterminated string")
		return ""
	}
	lit := s.rest[:end+1]
	s.rest = s.rest[end+1:]
	if bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1:end])
	}
	var v string
	if err := json.Unmarshal(lit, &v); err != nil {
		s.fail("want a string: %v", err)
	}
	return v
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

// int32OrNull reads a 32-bit integer, or null (nil).
func (s *lineScanner) int32OrNull() *int32 {
	if s.null() {
		return nil
	}
	n := int32(s.integer(32))
	return &n
}

// base64OrNull reads a base64 string, or null (nil).
func (s *lineScanner) base64OrNull() []byte {
	if s.null() {
		return nil
	}
	b, err := base64.StdEncoding.AppendDecode([]byte{}, []byte(s.str()))
	if err != nil {
		s.fail("want base64: %v", err)
		return nil
	}
	return b
}

// TestParseConsumeLine: Consume's lines as it prints them, each read as encoding/json reads it,
// and lines it does not print.
func TestParseConsumeLine(t *testing.T) {
	for _, line := range []string{
		`{"t":"orders","p":0,"o":12,"ts":1700000000000,"tt":"CreateTime","le":0,"k":"a2V5","v":null,"h":[["trace","YWJj"],["none",null]],"kp":3}`,
		`{"t":"t","p":7,"o":0,"ts":-1,"tt":"LogAppendTime","le":null,"k":null,"v":"MDAwMDAwMDAwMQ==","h":[],"kp":null}`,
		`{"t":"t","p":1,"o":9,"ts":5,"tt":"CreateTime","le":4,"k":"","v":"","h":[["a\"b\\c\u00e9",""]],"kp":1}`,
	} {
		got, err := parseConsumeLine([]byte(line))
		var want javaRecord
		if jerr := json.Unmarshal([]byte(line), &want); err != nil || jerr != nil {
			t.Fatalf("%s: %v, %v", line, err, jerr)
		}
		if len(want.Headers) == 0 {
			want.Headers = nil
		}
		if d := diffJavaRecord(got, want); len(d) > 0 {
			t.Errorf("%s: %v", line, d)
		}
	}
	for _, line := range []string{
		``,
		`{"t":"t","p":0,"o":1`,
		`{"t":"t","p":0,"ts":1,"tt":"CreateTime","le":0,"k":null,"v":null,"h":[],"kp":null}`,
		`{"t":"t","p":99999999999,"o":1,"ts":1,"tt":"CreateTime","le":0,"k":null,"v":null,"h":[],"kp":null}`,
		`{"t":"t","p":0,"o":1,"ts":1,"tt":"CreateTime","le":0,"k":"%%%","v":null,"h":[],"kp":null}`,
		`{"t":"t","p":0,"o":1,"ts":1,"tt":"CreateTime","le":0,"k":null,"v":null,"h":[["k"]],"kp":null}`,
		`{"t":"t,"p":0,"o":1,"ts":1,"tt":"CreateTime","le":0,"k":null,"v":null,"h":[],"kp":null}`,
		`{"t":"t","p":0,"o":1,"ts":1,"tt":"CreateTime","le":0,"k":null,"v":null,"h":[],"kp":null}x`,
	} {
		if r, err := parseConsumeLine([]byte(line)); err == nil {
			t.Errorf("%q: read %+v, want an error", line, r)
		}
	}
}
