package wire_test

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// javaGoldenDir holds batches Kafka's Java client wrote from the golden inputs; its README says
// how they are named and recorded.
const javaGoldenDir = "../testdata/batches/java"

// javaGolden is one of them: the golden input it was written from, compressed with codec at level.
type javaGolden struct {
	path  string
	input string
	codec wire.Codec
	level int
}

// parseJavaGoldenName reads INPUT.CODEC.hex or INPUT.CODEC-levelN.hex.
func parseJavaGoldenName(path string) (javaGolden, error) {
	g := javaGolden{path: path}
	input, rest, ok := strings.Cut(strings.TrimSuffix(filepath.Base(path), ".hex"), ".")
	if !ok {
		return g, errNotJavaGoldenName
	}
	codec, level, hasLevel := strings.Cut(rest, "-level")
	c, err := wire.ParseCodec(codec)
	if err != nil {
		return g, err
	}
	g.input, g.codec = input, c
	if hasLevel {
		if g.level, err = strconv.Atoi(level); err != nil {
			return g, err
		}
	}
	return g, nil
}

var errNotJavaGoldenName = errors.New("no .CODEC after the input's name")

// TestJavaGoldens decodes and dissects every batch the Java client wrote, to the records and header
// of the input it was written from, and encodes the uncompressed ones to exactly Java's bytes. The
// compressed ones are Java's own compressors' output, which kwire's differ from (see the README),
// so only their decoding is checked. Every codec must have a fixture.
func TestJavaGoldens(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(javaGoldenDir, "*.hex"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no Java goldens in %s (%v)", javaGoldenDir, err)
	}
	inputs := map[string]goldenCase{}
	for _, c := range loadGoldenCases(t) {
		inputs[c.name] = c
	}
	seen := map[wire.Codec]int{}
	for _, path := range paths {
		g, err := parseJavaGoldenName(path)
		if err != nil {
			t.Errorf("%s: not INPUT.CODEC[-levelN].hex: %v", path, err)
			continue
		}
		in, ok := inputs[g.input]
		if !ok {
			t.Errorf("%s: no golden input %s.json", path, g.input)
			continue
		}
		seen[g.codec]++
		t.Run(filepath.Base(path), func(t *testing.T) { checkJavaGolden(t, g, in) })
	}
	for _, c := range wire.Codecs {
		if seen[c] == 0 {
			t.Errorf("no Java golden compressed with %s", c)
		}
	}
}

func checkJavaGolden(t *testing.T, g javaGolden, in goldenCase) {
	data, err := goldenBytes(g.path)
	if err != nil {
		t.Fatal(err)
	}
	want := *in.batch
	want.Attributes = want.Attributes.WithCodec(g.codec)
	decodeAs(t, data, &want)
	if root := wire.DissectRecordBatches(data); root.Failed() {
		t.Errorf("the dissector fails on Java's batch: %+v", root)
	}
	if g.codec != wire.CodecNone {
		return
	}
	enc, err := wire.AppendRecordBatch(nil, &want, g.level)
	if err != nil {
		t.Fatal(err)
	}
	if i := firstDifference(enc, data); i >= 0 {
		t.Fatalf("kwire's encoding differs from Java's at byte %d (kwire %d bytes, Java %d)", i, len(enc), len(data))
	}
}
