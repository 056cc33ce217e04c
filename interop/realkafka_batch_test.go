package interop

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/recordjson"
)

// TestRealKafkaBatchBytes holds kwire's record batches against the ones Kafka's Java client
// writes with its own record builder (MemoryRecordsBuilder, as its producer drives it; see
// kafka/src/…/BatchBytes.java), from the golden inputs in testdata/batches:
//   - uncompressed, every input's batch is byte for byte Java's, and Java's decoder reads it;
//   - compressed with every codec at its default level, and the golden users records at the
//     levels of sweepLevels (Java's ranges checked against kwire's first), each side's
//     decoder reads the other's batch to the same header and records, and the two compressed
//     sections are taken apart and compared part by part against [frameDifferences];
//   - the Java fixtures in testdata/batches/java are what Java writes now (-update-java-fixtures
//     records them again).
//
// One JVM answers every request.
func TestRealKafkaBatchBytes(t *testing.T) {
	j := startJavaBatches(t)
	inputs := loadBatchInputs(t)
	t.Run("levels", func(t *testing.T) { checkJavaLevels(t, j) })

	t.Run("uncompressed", func(t *testing.T) {
		for _, in := range inputs {
			kb, c := kwireEncode(t, in.with(wire.CodecNone, 0))
			jb, err := j.encode(in.with(wire.CodecNone, 0))
			if err != nil {
				t.Fatalf("%s: %v", in.name, err)
			}
			if i := firstDiff(kb, jb); i >= 0 {
				t.Errorf("%s: kwire's %d bytes differ from Java's %d at byte %d\n kwire %s\n  Java %s", in.name, len(kb), len(jb), i, dumpBatch(kb), dumpBatch(jb))
			}
			checkJavaReads(t, j, in.name, c, kb)
		}
		if !t.Failed() {
			t.Logf("%d inputs: every uncompressed batch byte-identical to Java's", len(inputs))
		}
	})

	t.Run("compressed", func(t *testing.T) {
		var identical []string
		for _, fc := range frameCases(inputs) {
			if compareCompressed(t, j, fc) {
				identical = append(identical, fc.String())
			}
		}
		t.Logf("%d comparisons; %d byte-identical batches: %s", len(frameCases(inputs)), len(identical), strings.Join(identical, ", "))
	})

	t.Run("fixtures", func(t *testing.T) { checkJavaFixtures(t, j, inputs) })
}

// checkJavaLevels requires Java's compression level ranges (KIP-390) to be the ones kwire
// accepts: the ends valid, one past them refused, the default valid.
func checkJavaLevels(t *testing.T, j *javaBatches) {
	levels, err := j.levels()
	if err != nil {
		t.Fatal(err)
	}
	for _, codec := range []wire.Codec{wire.CodecGzip, wire.CodecLZ4, wire.CodecZstd} {
		l, ok := levels[codec.String()]
		if !ok {
			t.Errorf("Java reports no levels for %s: %v", codec, levels)
			continue
		}
		for _, valid := range []int{l.Min, l.Default, l.Max} {
			if err := codec.CheckLevel(valid); err != nil {
				t.Errorf("%s: Java accepts level %d, kwire: %v", codec, valid, err)
			}
		}
		for _, invalid := range []int{l.Min - 1, l.Max + 1} {
			if invalid == 0 {
				continue // kwire's spelling of every codec's default, which Java's builders refuse
			}
			if codec.CheckLevel(invalid) == nil {
				t.Errorf("%s: kwire accepts level %d, outside Java's %d to %d", codec, invalid, l.Min, l.Max)
			}
		}
		if want := sweepLevels[codec]; !slices.Contains(want, l.Min) || !slices.Contains(want, l.Default) || !slices.Contains(want, l.Max) {
			t.Errorf("%s: the levels compared, %v, lack one of Java's min %d, default %d, max %d", codec, want, l.Min, l.Default, l.Max)
		}
	}
	t.Logf("Java's levels: %v", levels)
}

// checkJavaReads has Java's decoder read raw, a batch of case c, and requires the header and
// records c gives, and each record's sequence.
func checkJavaReads(t *testing.T, j *javaBatches, what string, c batchCase, raw []byte) {
	t.Helper()
	jbatch, err := j.decode(raw)
	if err != nil {
		t.Errorf("%s: Java cannot read kwire's batch: %v\n%s", what, err, dumpBatch(raw))
		return
	}
	h, recs, err := jbatch.views()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	checkBatchAgainstCase(t, what+": Java reading kwire's", c, raw, h, recs)
	failDiffs(t, what+": Java's record sequences", jbatch.sequenceDiffs(), raw)
}

// sweepLevels are the levels the golden users records are compressed at: every level Java's
// client allows for gzip and lz4, and for zstd its ends, the default, and where kwire's mapping
// onto klauspost/compress's four encoders changes. 0 is each codec's default as kwire spells it.
var sweepLevels = map[wire.Codec][]int{
	wire.CodecGzip:   {-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
	wire.CodecSnappy: {0},
	wire.CodecLZ4:    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
	wire.CodecZstd:   {-131072, -5, -1, 0, 1, 2, 3, 5, 6, 9, 10, 19, 22},
}

// sweepInput is the golden input compressed at every level of [sweepLevels]: the codec goldens'
// 60 users records (4,940 bytes uncompressed), with a producer id.
const sweepInput = "codec-lz4-idempotent"

// frameCase is one compressed comparison: an input, the codec and level it is compressed at, and
// the size of its uncompressed records section.
type frameCase struct {
	input   batchInput
	codec   wire.Codec
	level   int
	section int
}

func (fc frameCase) String() string {
	return fmt.Sprintf("%s/%s/%d", fc.input.name, fc.codec, fc.level)
}

// frameCases are every input at each codec's default level, and the sweep input at every level.
func frameCases(inputs []batchInput) []frameCase {
	var out []frameCase
	for _, in := range inputs {
		for _, codec := range wire.Codecs[1:] {
			levels := []int{0}
			if in.name == sweepInput {
				levels = sweepLevels[codec]
			}
			for _, level := range levels {
				out = append(out, frameCase{in, codec, level, 0})
			}
		}
	}
	return out
}

// compareCompressed runs one comparison and reports whether the batches were byte-identical.
func compareCompressed(t *testing.T, j *javaBatches, fc frameCase) bool {
	t.Helper()
	b := fc.input.with(fc.codec, fc.level)
	kb, c := kwireEncode(t, b)
	jb, err := j.encode(b)
	if err != nil {
		t.Errorf("%s: Java: %v", fc, err)
		return false
	}
	plain, _ := kwireEncode(t, fc.input.with(wire.CodecNone, 0))
	fc.section = len(plain) - recordsOffset

	kh, krecs, err := kwireDecode(jb)
	if err != nil {
		t.Errorf("%s: kwire cannot read Java's batch: %v\n%s", fc, err, dumpBatch(jb))
	} else {
		checkBatchAgainstCase(t, fc.String()+": kwire reading Java's", c, jb, kh, krecs)
	}
	checkJavaReads(t, j, fc.String(), c, kb)

	for name, raw := range map[string][]byte{"kwire's": kb, "Java's": jb} {
		got, err := wire.AppendDecompress(nil, raw[recordsOffset:], fc.codec, 1<<30)
		if err != nil || !bytes.Equal(got, plain[recordsOffset:]) {
			t.Errorf("%s: %s section does not decompress to the uncompressed one (err %v)", fc, name, err)
		}
	}
	failDiffs(t, fc.String()+": header beside the section", diffHeader("", sansSection(rawHeader(kb)), sansSection(rawHeader(jb))), jb)
	failDiffs(t, fc.String()+": compressed sections", diffFrames(fc, kb[recordsOffset:], jb[recordsOffset:]), nil)
	return bytes.Equal(kb, jb)
}

// recordsOffset is where a v2 batch's records section starts.
const recordsOffset = 61

// sansSection is a header without the two fields the records section's bytes decide.
func sansSection(h headerView) headerView {
	h.Length, h.CRC = 0, 0
	return h
}

// diffFrames takes both sections apart and lists every way their differences are not the ones
// [frameDifferences] explains: a part that differs unexplained, or an explained part that does not.
func diffFrames(fc frameCase, kwire, java []byte) []string {
	ka, err := frameAnatomy(fc.codec, kwire)
	if err != nil {
		return []string{"kwire's frame: " + err.Error()}
	}
	ja, err := frameAnatomy(fc.codec, java)
	if err != nil {
		return []string{"Java's frame: " + err.Error()}
	}
	var out []string
	for i := range ka {
		name := ka[i].name
		differs := ka[i].value != ja[i].value
		why := explainedDifference(fc, name)
		switch {
		case differs && why == "":
			out = append(out, fmt.Sprintf("%s differs, unexplained: kwire %.80s, Java %.80s", name, ka[i].value, ja[i].value))
		case !differs && why != "":
			out = append(out, fmt.Sprintf("%s is the same (%.80s), but the table says it differs: %s", name, ka[i].value, why))
		}
	}
	return out
}

// explainedDifference is the reason [frameDifferences] gives for part of fc's frames to differ,
// or "" when they must be the same.
func explainedDifference(fc frameCase, part string) string {
	for _, d := range frameDifferences {
		if d.codec == fc.codec && d.part == part && d.when(fc) {
			return d.why
		}
	}
	return ""
}

// loadBatchInputs reads every golden input.
func loadBatchInputs(t testing.TB) []batchInput {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(goldenInputsDir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden inputs in %s (%v)", goldenInputsDir, err)
	}
	var out []batchInput
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := recordjson.ParseBatch(data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, batchInput{strings.TrimSuffix(filepath.Base(p), ".json"), b})
	}
	return out
}

// goldenInputsDir holds the golden batches' inputs, in recordjson's Batch form.
const goldenInputsDir = "../testdata/batches"

// batchInput is one golden input.
type batchInput struct {
	name  string
	batch *recordjson.Batch
}

// with is the input compressed with codec at level instead of with its own settings.
func (in batchInput) with(codec wire.Codec, level int) *recordjson.Batch {
	b := *in.batch
	b.Compression, b.Level = codec.String(), level
	return &b
}

// kwireEncode encodes b as `kwire batch` and the goldens do, and returns the case it is.
func kwireEncode(t testing.TB, b *recordjson.Batch) ([]byte, batchCase) {
	t.Helper()
	wb, level, err := b.Wire()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := wire.AppendRecordBatch(nil, wb, level)
	if err != nil {
		t.Fatal(err)
	}
	return raw, batchCase{hdr: wb.BatchHeader, recs: wb.Records, codec: wb.Attributes.Codec(), level: level}
}

// firstDiff is the first index where a and b differ, or -1 when they are equal.
func firstDiff(a, b []byte) int {
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
