package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/recordjson"
)

// decodeOne decodes the single record batch raw must hold.
func decodeOne(t *testing.T, raw []byte) *wire.RecordBatch {
	t.Helper()
	var b wire.RecordBatch
	rest, err := b.Decode(raw)
	if err != nil {
		t.Fatalf("decoding the output: %v", err)
	}
	if len(rest) != 0 {
		t.Fatalf("%d bytes follow the batch", len(rest))
	}
	return &b
}

// batchRaw runs kwire batch -o raw with args and decodes its output.
func batchRaw(t *testing.T, stdin string, args ...string) *wire.RecordBatch {
	t.Helper()
	return decodeOne(t, []byte(mustRun(t, stdin, append([]string{"batch", "-o", "raw"}, args...)...)))
}

// jsonRecords converts decoded records to their JSON form, which tells null from empty.
func jsonRecords(records []wire.Record) []recordjson.Record {
	out := make([]recordjson.Record, len(records))
	for i := range records {
		out[i] = recordjson.FromWire(&records[i])
	}
	return out
}

// str returns a pointer to s.
func str(s string) *string { return &s }

// ts returns a pointer to the timestamp ms.
func ts(ms int64) *int64 { return &ms }

// rec is a record in JSON form with a null key, a value and a timestamp.
func rec(key *string, value string, ms int64) recordjson.Record {
	return recordjson.Record{Key: key, Value: str(value), Timestamp: ts(ms)}
}

// TestBatchInputModes checks the records that plain lines, -K and --jsonl input make, null and
// empty told apart.
func TestBatchInputModes(t *testing.T) {
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		want  []recordjson.Record
	}{
		{"lines", "a\nb\nc\n", nil, []recordjson.Record{rec(nil, "a", 5), rec(nil, "b", 5), rec(nil, "c", 5)}},
		{"no final newline", "a\nb", nil, []recordjson.Record{rec(nil, "a", 5), rec(nil, "b", 5)}},
		{"empty lines are records", "a\n\nb\n\n", nil, []recordjson.Record{rec(nil, "a", 5), rec(nil, "", 5), rec(nil, "b", 5), rec(nil, "", 5)}},
		{"crlf", "a\r\nb\r\n", nil, []recordjson.Record{rec(nil, "a", 5), rec(nil, "b", 5)}},
		{"one empty line", "\n", nil, []recordjson.Record{rec(nil, "", 5)}},
		{"key separator", "k1:v1\n:v2\nk3:\nk4:a:b\n", []string{"-K", ":"},
			[]recordjson.Record{rec(str("k1"), "v1", 5), rec(str(""), "v2", 5), rec(str("k3"), "", 5), rec(str("k4"), "a:b", 5)}},
		{"long key separator", "k1 => v1\r\n", []string{"--key-separator= => "}, []recordjson.Record{rec(str("k1"), "v1", 5)}},
		{"jsonl", `{"key":"k","value":"v","headers":[{"key":"h1","value":"x"},{"key":"h2","value":null},{"key":"h3","value":""}]}` + "\n\n" +
			`{"value":null,"timestamp":9}` + "\n" + `{"key":"","value":""}`, []string{"--jsonl"},
			[]recordjson.Record{
				{Key: str("k"), Value: str("v"), Timestamp: ts(5), Headers: []recordjson.Header{{Key: "h1", Value: str("x")}, {Key: "h2"}, {Key: "h3", Value: str("")}}},
				{Timestamp: ts(9)},
				rec(str(""), "", 5),
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := batchRaw(t, c.stdin, append([]string{"--timestamp", "5"}, c.args...)...)
			if got := jsonRecords(b.Records); !reflect.DeepEqual(got, c.want) {
				gotJSON, _ := json.Marshal(got)
				wantJSON, _ := json.Marshal(c.want)
				t.Errorf("records\n got %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}
}

// TestBatchDefaultTimestampIsNow checks that records without --timestamp are stamped now.
func TestBatchDefaultTimestampIsNow(t *testing.T) {
	before := time.Now().UnixMilli()
	b := batchRaw(t, "a\n")
	after := time.Now().UnixMilli()
	if b.BaseTimestamp < before || b.BaseTimestamp > after {
		t.Errorf("timestamp %d, want between %d and %d", b.BaseTimestamp, before, after)
	}
}

// TestBatchCodecsAndLevels encodes with each codec at several levels and requires the encoder's
// bytes at that level, the same on every run.
func TestBatchCodecsAndLevels(t *testing.T) {
	stdin := strings.Repeat("a fairly repetitive value, repeated to compress well\n", 50)
	levels := map[wire.Codec][]int{
		wire.CodecNone:   {0},
		wire.CodecGzip:   {0, 1, 9},
		wire.CodecSnappy: {0},
		wire.CodecLZ4:    {0, 1, 17},
		wire.CodecZstd:   {0, -5, 1, 19},
	}
	for _, codec := range wire.Codecs {
		for _, level := range levels[codec] {
			t.Run(fmt.Sprintf("%s-%d", codec, level), func(t *testing.T) {
				args := []string{"batch", "-o", "raw", "--timestamp", "1", "-z", codec.String(), "--level", fmt.Sprint(level)}
				raw := []byte(mustRun(t, stdin, args...))
				b := decodeOne(t, raw)
				if b.Attributes.Codec() != codec || len(b.Records) != 50 {
					t.Fatalf("codec %s with %d records, want %s with 50", b.Attributes.Codec(), len(b.Records), codec)
				}
				// The level reaches the encoder: the bytes are the encoder's at that level.
				records, err := lineRecords([]byte(stdin), "", 1)
				if err != nil {
					t.Fatal(err)
				}
				in := &wire.RecordBatch{Records: records, BatchHeader: wire.BatchHeader{PartitionLeaderEpoch: -1,
					Attributes: wire.Attributes(0).WithCodec(codec), ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}}
				want, err := wire.AppendRecordBatch(nil, in, level)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(raw, want) {
					t.Errorf("output differs from wire.AppendRecordBatch at level %d", level)
				}
				if again := mustRun(t, stdin, args...); again != string(raw) {
					t.Errorf("a second run wrote different bytes")
				}
			})
		}
	}
	b := batchRaw(t, "x\n", "--compression=GZIP")
	if b.Attributes.Codec() != wire.CodecGzip {
		t.Errorf("--compression=GZIP gave codec %s", b.Attributes.Codec())
	}
}

// TestBatchProducerFlags checks that the idempotence and transaction flags land in the header.
func TestBatchProducerFlags(t *testing.T) {
	for _, c := range []struct {
		args          []string
		id            int64
		epoch         int16
		seq           int32
		transactional bool
	}{
		{nil, -1, -1, -1, false},
		{[]string{"--producer-id", "42"}, 42, 0, 0, false},
		{[]string{"--producer-id", "42", "--producer-epoch", "3", "--base-sequence", "100"}, 42, 3, 100, false},
		{[]string{"--producer-id=7", "--transactional"}, 7, 0, 0, true},
		{[]string{"--producer-id", "1234567890123", "--producer-epoch", "32767", "--base-sequence", "2147483647"}, 1234567890123, 32767, 2147483647, false},
		{[]string{"--producer-epoch", "5"}, -1, 5, -1, false},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			b := batchRaw(t, "a\nb\n", c.args...)
			h := b.BatchHeader
			if h.ProducerID != c.id || h.ProducerEpoch != c.epoch || h.BaseSequence != c.seq {
				t.Errorf("producer id/epoch/sequence %d/%d/%d, want %d/%d/%d",
					h.ProducerID, h.ProducerEpoch, h.BaseSequence, c.id, c.epoch, c.seq)
			}
			if got := h.Attributes&wire.AttrTransactional != 0; got != c.transactional {
				t.Errorf("transactional %v, want %v (attributes %s)", got, c.transactional, h.Attributes)
			}
		})
	}
}

// TestBatchOutputs checks that hex, dissect and json output all show the bytes -o raw writes.
func TestBatchOutputs(t *testing.T) {
	args := []string{"batch", "--timestamp", "1700000000000", "-K", "=", "-z", "snappy", "--producer-id", "9", "--transactional"}
	stdin := "k1=v1\nk2=\n"
	raw := []byte(mustRun(t, stdin, append(args, "-o", "raw")...))

	hexOut := mustRun(t, stdin, args...)
	if want := hexbytes.Format(raw, 32); hexOut != want {
		t.Errorf("default output is not the raw bytes as hex:\n got %s\nwant %s", hexOut, want)
	}
	if got := mustRun(t, stdin, append(args, "--output", "hex")...); got != hexOut {
		t.Errorf("--output hex differs from the default")
	}

	var buf bytes.Buffer
	root := wire.DissectRecordBatches(raw)
	if err := renderTree(&buf, &root); err != nil {
		t.Fatal(err)
	}
	if got := mustRun(t, stdin, append(args, "-o", "dissect")...); got != buf.String() || !strings.Contains(got, "records (decompressed)") {
		t.Errorf("-o dissect is not the field tree of the bytes:\n%s", got)
	}

	var view batchJSON
	if err := json.Unmarshal([]byte(mustRun(t, stdin, append(args, "-o", "json")...)), &view); err != nil {
		t.Fatal(err)
	}
	b := decodeOne(t, raw)
	want := batchJSON{
		BaseOffset: 0, BatchLength: b.Length, PartitionLeaderEpoch: -1, Magic: 2, CRC: fmt.Sprintf("0x%08x", b.CRC),
		Attributes:      attributesJSON{Value: int16(b.Attributes), Codec: "snappy", Transactional: true},
		LastOffsetDelta: 1, BaseTimestamp: 1700000000000, MaxTimestamp: 1700000000000,
		ProducerID: 9, ProducerEpoch: 0, BaseSequence: 0, RecordCount: 2, SizeBytes: len(raw),
		Records: []recordjson.Record{rec(str("k1"), "v1", 1700000000000), rec(str("k2"), "", 1700000000000)},
	}
	if !reflect.DeepEqual(view, want) {
		t.Errorf("-o json\n got %+v\nwant %+v", view, want)
	}
}

// TestBatchErrors checks the exit status of bad command lines (2) and bad input (1), and that
// the message names the offending value.
func TestBatchErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		code  int
		stdin string
		args  []string
		want  []string
	}{
		{"bad codec", 2, "a\n", []string{"-z", "brotli"}, []string{`"brotli"`}},
		{"bad codec long", 2, "a\n", []string{"--compression=brotli"}, []string{`"brotli"`}},
		{"bad level", 2, "a\n", []string{"-z", "gzip", "--level", "30"}, []string{"30", "gzip"}},
		{"level for snappy", 2, "a\n", []string{"-z", "snappy", "--level", "5"}, []string{"5", "snappy"}},
		{"level not a number", 2, "a\n", []string{"--level", "high"}, []string{`"high"`}},
		{"bad output", 2, "a\n", []string{"-o", "xml"}, []string{`"xml"`, "hex, raw, dissect, json"}},
		{"transactional without producer id", 2, "a\n", []string{"--transactional"}, []string{"--transactional", "--producer-id"}},
		{"epoch out of range", 2, "a\n", []string{"--producer-id", "1", "--producer-epoch", "40000"}, []string{"40000"}},
		{"sequence out of range", 2, "a\n", []string{"--base-sequence", "4294967296"}, []string{"4294967296"}},
		{"key separator with jsonl", 2, "a\n", []string{"-K", ":", "--jsonl"}, []string{`":"`, "--jsonl"}},
		{"empty key separator", 2, "a\n", []string{"-K", ""}, []string{"-K"}},
		{"bad json line", 1, `{"value":"ok"}` + "\n" + `{"value": 1}` + "\n", []string{"--jsonl"}, []string{"line 2"}},
		{"unknown json field", 1, `{"value":"ok","partition":3}`, []string{"--jsonl"}, []string{"line 1", `"partition"`}},
		{"line without separator", 1, "k1:v1\nnosep\n", []string{"-K", ":"}, []string{"line 2", `"nosep"`, `":"`}},
		{"no records", 1, "", nil, []string{"no records on stdin"}},
		{"no json records", 1, "\n\n", []string{"--jsonl"}, []string{"no records on stdin"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := wantFailure(t, c.code, c.stdin, append([]string{"batch"}, c.args...), c.want...)
			if !strings.HasPrefix(r.stderr, "kwire batch: ") {
				t.Errorf("stderr does not start with \"kwire batch: \": %q", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("wrote to stdout: %q", r.stdout)
			}
		})
	}
}

// TestSplitLines checks where lines start and end.
func TestSplitLines(t *testing.T) {
	for in, want := range map[string][]string{
		"":          nil,
		"a":         {"a"},
		"a\n":       {"a"},
		"a\n\n":     {"a", ""},
		"\n\na\r\n": {"", "", "a"},
		"a\rb\n":    {"a\rb"},
	} {
		var got []string
		for _, line := range splitLines([]byte(in)) {
			if line == nil {
				t.Errorf("%q: a nil line", in)
			}
			got = append(got, string(line))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("splitLines(%q) = %q, want %q", in, got, want)
		}
	}
}
