package explorer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/recordjson"
)

// goldenDir holds the golden batches: settings and records (.json) and the exact bytes (.hex).
const goldenDir = "../../testdata/batches"

// goldenForm is the Explorer's form for a golden input, as a person would fill it in.
func goldenForm(t *testing.T, in *recordjson.Batch) Form {
	t.Helper()
	f := Defaults()
	var lines strings.Builder
	for i := range in.Records {
		line, err := json.Marshal(&in.Records[i])
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(line)
		lines.WriteByte('\n')
	}
	f[KeyRecords] = lines.String()
	f[KeyTimestamp] = fmt.Sprint(in.Timestamp)
	f[KeyCompression] = "none"
	if in.Compression != "" {
		f[KeyCompression] = in.Compression
	}
	f[KeyLevel] = fmt.Sprint(in.Level)
	if in.ProducerID != nil && *in.ProducerID >= 0 {
		f[KeyIdempotent] = "1"
		f[KeyProducerID] = fmt.Sprint(*in.ProducerID)
		f[KeyProducerEpoch] = fmt.Sprint(valueOr(in.ProducerEpoch, wire.NoProducerEpoch))
		f[KeyBaseSequence] = fmt.Sprint(valueOr(in.BaseSequence, wire.NoSequence))
	}
	if in.Transactional {
		f[KeyTransactional] = "1"
	}
	return f
}

func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// TestGoldenBatches fills in the form for every golden input: the Explorer's batch is the golden
// bytes, which kwire batch writes too (cmd/kwire's golden test).
func TestGoldenBatches(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs in %s (%v)", goldenDir, err)
	}
	for _, path := range inputs {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			in, err := recordjson.ParseBatch(data)
			if err != nil {
				t.Fatal(err)
			}
			text, err := os.ReadFile(filepath.Join(goldenDir, name+".hex"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := hexbytes.Parse(string(text))
			if err != nil {
				t.Fatal(err)
			}
			p := Build(goldenForm(t, in))
			if p.Err != nil {
				t.Fatalf("input error: %v", p.Err)
			}
			if string(p.Batch) != string(want) {
				t.Fatalf("%d bytes differ from the golden %d", len(p.Batch), len(want))
			}
			if p.Dissection.Problem != "" {
				t.Fatalf("dissection stopped: %s", p.Dissection.Problem)
			}
			checks := p.Dissection.CRCChecks()
			if len(checks) != 1 || !checks[0].Valid() || checks[0].Field != "batch[0].crc" {
				t.Fatalf("CRC checks %+v", checks)
			}
		})
	}
}

// TestCommandLine checks the kwire batch command the Explorer shows for its settings.
func TestCommandLine(t *testing.T) {
	f := Defaults()
	f[KeyCompression], f[KeyLevel], f[KeyIdempotent], f[KeyProducerID], f[KeyTransactional] = "zstd", "7", "1", "42", "1"
	p := Build(f)
	if p.Err != nil {
		t.Fatal(p.Err)
	}
	want := "kwire batch --jsonl --timestamp 1700000000000 -z zstd --level 7 --producer-id 42 --producer-epoch 0 --base-sequence 0 --transactional"
	if p.Command != want {
		t.Errorf("command\n%s\nwant\n%s", p.Command, want)
	}
}

// TestProduceRequestView checks the request view at every version: it carries the batch
// byte for byte, dissects without a failure, and its CRC check finds the batch inside.
func TestProduceRequestView(t *testing.T) {
	for v := 0; v <= 13; v++ {
		f := Defaults()
		f[KeyShow], f[KeyProduceVersion], f[KeyCompression] = ShowRequest, fmt.Sprint(v), "gzip"
		f[KeyIdempotent], f[KeyTransactional] = "1", "1"
		p := Build(f)
		if p.Err != nil {
			t.Fatalf("v%d: %v", v, p.Err)
		}
		frame := p.Dissection.Views[0].Bytes
		if !strings.Contains(string(frame), string(p.Batch)) || p.Dissection.Problem != "" {
			t.Fatalf("v%d: the request does not carry the batch, or fails: %s", v, p.Dissection.Problem)
		}
		checks := p.Dissection.CRCChecks()
		if len(checks) != 1 || !checks[0].Valid() {
			t.Fatalf("v%d: CRC checks %+v", v, checks)
		}
		if want := fmt.Sprintf("Produce request v%d", v); !strings.HasPrefix(p.Summary, want) {
			t.Errorf("v%d: summary %q", v, p.Summary)
		}
		if len(p.Dissection.Views) != 2 {
			t.Errorf("v%d: %d views, want the request and the decompressed records", v, len(p.Dissection.Views))
		}
	}
}

// TestSizes checks the size table: five codecs, the chosen one marked, ratios against none.
func TestSizes(t *testing.T) {
	f := Defaults()
	f[KeyCompression], f[KeyLevel] = "gzip", "9"
	in, err := ReadBatchInput(f)
	if err != nil {
		t.Fatal(err)
	}
	rows := MeasureSizes(in)
	if len(rows) != 5 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.Err != nil || len(r.Bytes) == 0 {
			t.Errorf("%s: %v", r.Codec, r.Err)
		}
		if r.Codec == wire.CodecGzip && r.Level != 9 || r.Codec != wire.CodecGzip && r.Level != 0 {
			t.Errorf("%s at level %d", r.Codec, r.Level)
		}
	}
	html := SizesHTML(rows, wire.CodecGzip)
	for _, want := range []string{`data-codec="gzip" class="chosen"`, `<th scope="row">zstd</th>`, "1.00×", "data-total-ms="} {
		if !strings.Contains(html, want) {
			t.Errorf("size table lacks %q:\n%s", want, html)
		}
	}
}
