package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire/recordjson"
)

// goldenDir holds the golden batches the wire package's tests write.
const goldenDir = "../../testdata/batches"

// TestGoldenBatches feeds each golden input's records to kwire batch --jsonl with flags for its
// settings and requires exactly the committed bytes.
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
			committed, err := os.ReadFile(filepath.Join(goldenDir, name+".hex"))
			if err != nil {
				t.Fatalf("%v (go test ./wire -run Golden -update writes it)", err)
			}
			want, err := hexbytes.Parse(string(committed))
			if err != nil {
				t.Fatal(err)
			}
			out := mustRun(t, jsonLines(t, in.Records), append([]string{"batch", "--jsonl"}, goldenFlags(in)...)...)
			got, err := hexbytes.Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("kwire batch %s: %d bytes differ from the committed %d", strings.Join(goldenFlags(in), " "), len(got), len(want))
			}
		})
	}
}

// goldenFlags are the kwire batch flags that express a golden input's settings.
func goldenFlags(in *recordjson.Batch) []string {
	flags := []string{"--timestamp", fmt.Sprint(in.Timestamp), "--level", fmt.Sprint(in.Level)}
	if in.Compression != "" {
		flags = append(flags, "-z", in.Compression)
	}
	// Given explicitly: kwire's defaults with --producer-id differ from recordjson's.
	flags = append(flags,
		"--producer-id", fmt.Sprint(valueOr(in.ProducerID, -1)),
		"--producer-epoch", fmt.Sprint(valueOr(in.ProducerEpoch, -1)),
		"--base-sequence", fmt.Sprint(valueOr(in.BaseSequence, -1)))
	if in.Transactional {
		flags = append(flags, "--transactional")
	}
	return flags
}

// valueOr returns *p, or def if p is nil.
func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// jsonLines writes records as kwire batch --jsonl reads them, one a line.
func jsonLines(t *testing.T, records []recordjson.Record) string {
	t.Helper()
	var sb strings.Builder
	for i := range records {
		line, err := json.Marshal(&records[i])
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(line)
		sb.WriteByte('\n')
	}
	return sb.String()
}
