package wire_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/recordjson"
)

var update = flag.Bool("update", false, "rewrite the golden batches in testdata/batches from their inputs")

const goldenDir = "../testdata/batches"

// goldenCase is one golden batch: its input settings and records, and its committed bytes.
type goldenCase struct {
	name  string
	input *recordjson.Batch
	batch *wire.RecordBatch
	level int
}

func loadGoldenCases(t testing.TB) []goldenCase {
	t.Helper()
	inputs, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs in %s (%v)", goldenDir, err)
	}
	var cases []goldenCase
	for _, path := range inputs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		in, err := recordjson.ParseBatch(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b, level, err := in.Wire()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases = append(cases, goldenCase{strings.TrimSuffix(filepath.Base(path), ".json"), in, b, level})
	}
	return cases
}

func (c goldenCase) hexPath() string { return filepath.Join(goldenDir, c.name+".hex") }

// TestGoldenEncode encodes each input and requires exactly the committed bytes. With -update it
// rewrites the files instead, and says which changed.
func TestGoldenEncode(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			got, err := wire.AppendRecordBatch(nil, c.batch, c.level)
			if err != nil {
				t.Fatal(err)
			}
			text := hexbytes.Format(got, 32)
			committed, readErr := os.ReadFile(c.hexPath())
			if *update {
				if string(committed) != text {
					t.Logf("updating %s", c.hexPath())
					if err := os.WriteFile(c.hexPath(), []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			if readErr != nil {
				t.Fatalf("%v (run go test ./wire -run Golden -update to create it)", readErr)
			}
			want, err := hexbytes.Parse(string(committed))
			if err != nil {
				t.Fatal(err)
			}
			if i := firstDifference(got, want); i >= 0 {
				t.Fatalf("encoding differs from %s at byte %d (got %d bytes, committed %d); "+
					"if the change is intended, run go test ./wire -run Golden -update and review the diff",
					c.hexPath(), i, len(got), len(want))
			}
		})
	}
}

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// TestGoldenDecode decodes each committed batch and requires exactly the input records and header.
func TestGoldenDecode(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) { decodeAs(t, readGolden(t, c), c.batch) })
	}
}

// decodeAs decodes data, which must hold exactly one batch, and requires want's header and
// records, at offsets from 0.
func decodeAs(t *testing.T, data []byte, want *wire.RecordBatch) {
	t.Helper()
	var got wire.RecordBatch
	rest, err := got.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 0 {
		t.Fatalf("%d bytes left after the batch", len(rest))
	}
	checkHeader(t, &got.BatchHeader, want)
	if len(got.Records) != len(want.Records) {
		t.Fatalf("decoded %d records, want %d", len(got.Records), len(want.Records))
	}
	for i := range got.Records {
		w := want.Records[i]
		w.Offset = int64(i)
		if !recordsEqual(&got.Records[i], &w) {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, got.Records[i], w)
		}
	}
}

func readGolden(t *testing.T, c goldenCase) []byte {
	t.Helper()
	data, err := goldenBytes(c.hexPath())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func goldenBytes(path string) ([]byte, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return hexbytes.Parse(string(text))
}

func checkHeader(t *testing.T, got *wire.BatchHeader, in *wire.RecordBatch) {
	t.Helper()
	minTS, maxTS := in.Records[0].Timestamp, in.Records[0].Timestamp
	for _, r := range in.Records {
		minTS, maxTS = min(minTS, r.Timestamp), max(maxTS, r.Timestamp)
	}
	want := map[string][2]any{
		"baseOffset":           {got.BaseOffset, int64(0)},
		"batchLength":          {got.Size(), got.Size()},
		"partitionLeaderEpoch": {got.PartitionLeaderEpoch, int32(-1)},
		"magic":                {got.Magic, int8(2)},
		"attributes":           {got.Attributes, in.Attributes},
		"lastOffsetDelta":      {got.LastOffsetDelta, int32(len(in.Records) - 1)},
		"baseTimestamp":        {got.BaseTimestamp, in.Records[0].Timestamp},
		"maxTimestamp":         {got.MaxTimestamp, maxTS},
		"producerId":           {got.ProducerID, in.ProducerID},
		"producerEpoch":        {got.ProducerEpoch, in.ProducerEpoch},
		"baseSequence":         {got.BaseSequence, in.BaseSequence},
		"recordCount":          {got.NumRecords, int32(len(in.Records))},
	}
	for field, gw := range want {
		if gw[0] != gw[1] {
			t.Errorf("%s = %v, want %v", field, gw[0], gw[1])
		}
	}
}

// recordsEqual compares records exactly, telling null (nil) from empty.
func recordsEqual(a, b *wire.Record) bool {
	if a.Attributes != b.Attributes || a.Timestamp != b.Timestamp || a.Offset != b.Offset ||
		!bytesEqual(a.Key, b.Key) || !bytesEqual(a.Value, b.Value) || len(a.Headers) != len(b.Headers) {
		return false
	}
	for i := range a.Headers {
		if a.Headers[i].Key != b.Headers[i].Key || !bytesEqual(a.Headers[i].Value, b.Headers[i].Value) {
			return false
		}
	}
	return true
}

func bytesEqual(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

// TestGoldenFilesHaveInputs fails on a committed batch whose input is gone.
func TestGoldenFilesHaveInputs(t *testing.T) {
	hexes, _ := filepath.Glob(filepath.Join(goldenDir, "*.hex"))
	for _, h := range hexes {
		if _, err := os.Stat(strings.TrimSuffix(h, ".hex") + ".json"); err != nil {
			t.Errorf("%s has no input beside it", h)
		}
	}
}

// TestGoldenDissect dissects each committed batch and finds every record and no error.
func TestGoldenDissect(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			root := wire.DissectRecordBatches(readGolden(t, c))
			if root.Failed() || len(root.Children) != 1 {
				t.Fatalf("dissection failed or found %d batches: %+v", len(root.Children), root)
			}
			records := findField(&root.Children[0], "records")
			if c.batch.Attributes.Codec() != wire.CodecNone {
				if len(records.Children) != 1 || records.Children[0].Buffer == nil {
					t.Fatalf("compressed records are not shown decompressed: %+v", records)
				}
				records = &records.Children[0]
			}
			if len(records.Children) != len(c.batch.Records) {
				t.Fatalf("dissected %d records, want %d", len(records.Children), len(c.batch.Records))
			}
		})
	}
}

func findField(f *wire.Field, name string) *wire.Field {
	for i := range f.Children {
		if f.Children[i].Name == name {
			return &f.Children[i]
		}
	}
	return &wire.Field{}
}
