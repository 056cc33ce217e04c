package interop

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire"
)

var updateJavaFixtures = flag.Bool("update-java-fixtures", false,
	"record the Java client's batches into testdata/batches/java again (with -run TestRealKafkaBatchBytes/fixtures)")

// javaFixturesDir holds batches the Java client wrote, which the main module's TestJavaFixtures
// reads without Java. Its README says how they are named and recorded.
const javaFixturesDir = "../testdata/batches/java"

// javaFixture is one of those batches: a golden input compressed with codec at level.
type javaFixture struct {
	input string
	codec wire.Codec
	level int
}

// file is the fixture's name: INPUT.CODEC.hex, or INPUT.CODEC-levelN.hex for a level other than
// the default.
func (f javaFixture) file() string {
	name := f.input + "." + f.codec.String()
	if f.level != 0 {
		name += fmt.Sprintf("-level%d", f.level)
	}
	return name + ".hex"
}

// javaFixtures are the cases the goldens lack: the users records without compression (the goldens
// have them only compressed), and Java's compressed sections, which kwire's decoder must read:
// every codec on the users records, at the ends of the level ranges too; on 5,000 records, in
// several lz4 and zstd blocks and snappy chunks; on headers, null and empty keys and values, and
// lengths and deltas of every varint width.
var javaFixtures = func() []javaFixture {
	fixtures := []javaFixture{
		{sweepInput, wire.CodecNone, 0},
		{sweepInput, wire.CodecGzip, 1}, {sweepInput, wire.CodecGzip, 9},
		{sweepInput, wire.CodecLZ4, 1}, {sweepInput, wire.CodecLZ4, 17},
		{sweepInput, wire.CodecZstd, -131072}, {sweepInput, wire.CodecZstd, 22},
	}
	for _, input := range []string{sweepInput, "many-5000", "headers", "null-vs-empty", "varint-widths"} {
		for _, codec := range wire.Codecs[1:] {
			fixtures = append(fixtures, javaFixture{input, codec, 0})
		}
	}
	return fixtures
}()

// checkJavaFixtures requires each fixture to be what Java writes now, or records them all again
// with -update-java-fixtures. A gzip fixture may differ in its deflate stream alone: that is the
// JDK's zlib, which may not be the one that recorded it.
func checkJavaFixtures(t *testing.T, j *javaBatches, inputs []batchInput) {
	byName := map[string]batchInput{}
	for _, in := range inputs {
		byName[in.name] = in
	}
	want := map[string]bool{}
	for _, f := range javaFixtures {
		want[f.file()] = true
		in, ok := byName[f.input]
		if !ok {
			t.Fatalf("fixture %s: no golden input %s", f.file(), f.input)
		}
		jb, err := j.encode(in.with(f.codec, f.level))
		if err != nil {
			t.Fatalf("fixture %s: %v", f.file(), err)
		}
		path := filepath.Join(javaFixturesDir, f.file())
		if *updateJavaFixtures {
			if err := os.WriteFile(path, []byte(hexbytes.Format(jb, 32)), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		text, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (record it: %s)", err, recordFixturesCommand)
			continue
		}
		committed, err := hexbytes.Parse(string(text))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !bytes.Equal(committed, jb) {
			checkFixtureDrift(t, path, f, committed, jb)
		}
	}
	checkNoStrayFixtures(t, want)
	t.Logf("%d Java fixtures in %s", len(javaFixtures), javaFixturesDir)
}

// recordFixturesCommand records the fixtures again.
const recordFixturesCommand = "cd interop && go test -run 'TestRealKafkaBatchBytes/fixtures' -update-java-fixtures ."

// checkFixtureDrift fails unless the only difference between the committed fixture and what Java
// writes now is a gzip deflate stream.
func checkFixtureDrift(t *testing.T, path string, f javaFixture, committed, now []byte) {
	t.Helper()
	if f.codec == wire.CodecGzip && len(committed) > recordsOffset && len(now) > recordsOffset {
		ca, err1 := frameAnatomy(f.codec, committed[recordsOffset:])
		na, err2 := frameAnatomy(f.codec, now[recordsOffset:])
		plainC, err3 := wire.AppendDecompress(nil, committed[recordsOffset:], f.codec, 1<<30)
		plainN, err4 := wire.AppendDecompress(nil, now[recordsOffset:], f.codec, 1<<30)
		if err := firstErr(err1, err2, err3, err4); err == nil && bytes.Equal(plainC, plainN) &&
			bytes.Equal(sansSectionBytes(committed), sansSectionBytes(now)) && onlyPartDiffers(ca, na, "deflate stream") {
			t.Logf("%s: this JDK's zlib deflates differently from the one that recorded it; the records are the same", path)
			return
		}
	}
	t.Errorf("%s is not what Java writes now (%d bytes, now %d, first difference at byte %d): record it again "+
		"with %s and say why in the commit", path, len(committed), len(now), firstDiff(committed, now), recordFixturesCommand)
}

// sansSectionBytes is a batch's header without the length and CRC, which its section decides.
func sansSectionBytes(b []byte) []byte {
	h := append([]byte{}, b[:recordsOffset]...)
	clear(h[8:12])
	clear(h[17:21])
	return h
}

func onlyPartDiffers(a, b []framePart, part string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].value != b[i].value && a[i].name != part {
			return false
		}
	}
	return true
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkNoStrayFixtures fails on a .hex file in the fixtures directory that javaFixtures does not
// record, or removes it with -update-java-fixtures.
func checkNoStrayFixtures(t *testing.T, want map[string]bool) {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(javaFixturesDir, "*.hex"))
	for _, p := range paths {
		if want[filepath.Base(p)] {
			continue
		}
		if *updateJavaFixtures {
			os.Remove(p)
			continue
		}
		t.Errorf("%s is not a fixture the test records: remove it, or record it with %s", p, recordFixturesCommand)
	}
}
