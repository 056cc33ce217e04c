package wire_test

import (
	"path/filepath"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// seedGolden adds the committed golden batches to the fuzz corpus, but for the largest: mutating
// hundreds of kilobytes teaches the fuzzer nothing the small ones do not, and slows it to a crawl.
func seedGolden(f *testing.F) {
	const maxSeed = 64 << 10
	for _, c := range loadGoldenCases(f) {
		data, err := goldenBytes(filepath.Join(goldenDir, c.name+".hex"))
		if err != nil {
			f.Fatal(err)
		}
		if len(data) <= maxSeed {
			f.Add(data)
		}
	}
}

// FuzzDecodeRecordBatch decodes arbitrary bytes. It must never panic, and a batch it accepts must
// survive re-encoding with the same codec: same records back.
func FuzzDecodeRecordBatch(f *testing.F) {
	seedGolden(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var b wire.RecordBatch
		if _, err := b.Decode(data); err != nil {
			return
		}
		again, err := wire.AppendRecordBatch(nil, &b, 0)
		if err != nil {
			t.Fatalf("re-encoding an accepted batch: %v", err)
		}
		var b2 wire.RecordBatch
		if _, err := b2.Decode(again); err != nil {
			t.Fatalf("decoding a re-encoded batch: %v", err)
		}
		if len(b2.Records) != len(b.Records) {
			t.Fatalf("%d records after re-encoding, want %d", len(b2.Records), len(b.Records))
		}
		for i := range b.Records {
			x, y := &b.Records[i], &b2.Records[i]
			if !bytesEqual(x.Key, y.Key) || !bytesEqual(x.Value, y.Value) || len(x.Headers) != len(y.Headers) {
				t.Fatalf("record %d changed in re-encoding", i)
			}
		}
	})
}

// FuzzDissect dissects arbitrary bytes. It must never panic, must agree with Decode on whether the
// bytes are a valid batch, and every field must lie within the bytes it describes.
func FuzzDissect(f *testing.F) {
	seedGolden(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		root := wire.DissectRecordBatches(data)
		checkSpans(t, &root, len(data))
		var b wire.RecordBatch
		rest, err := b.Decode(data)
		if err == nil && len(rest) == 0 && root.Failed() {
			t.Fatalf("Decode accepts the batch but the dissection fails: %+v", root)
		}
		if m, _ := wire.Magic(data); m == wire.MagicV2 && err != nil && len(root.Children) == 1 && !root.Failed() {
			t.Fatalf("Decode fails (%v) but the dissection does not", err)
		}
	})
}

// checkSpans requires every field to lie within its byte space: the input, or the Buffer of the
// field itself or its nearest ancestor that has one.
func checkSpans(t *testing.T, f *wire.Field, size int) {
	if f.Buffer != nil {
		size = len(f.Buffer)
	}
	if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > size {
		t.Fatalf("field %s spans [%d,+%d) outside %d bytes", f.Name, f.Offset, f.Length, size)
	}
	for i := range f.Children {
		checkSpans(t, &f.Children[i], size)
	}
}
