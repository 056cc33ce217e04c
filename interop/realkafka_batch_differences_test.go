package interop

import (
	"path"
	"slices"

	"github.com/kwire-dev/kwire/wire"
)

// frameDifference is one way Java's compressed records section differs from kwire's: a part of
// the codec's frame (see frameAnatomy), the comparisons it differs in, and why. TestRealKafkaBatchBytes
// requires every other part to be the same bytes, and this part to differ exactly when when says.
type frameDifference struct {
	codec wire.Codec
	part  string
	when  func(frameCase) bool
	why   string
}

// The versions behind the differences: Kafka 4.4.0's client compresses with java.util.zip (the
// JDK's zlib; Debian's OpenJDK 17 links the system's zlib 1.2.13), snappy-java 1.1.10.7 (Google's
// C++ snappy 1.1.10), lz4-java 1.11.2 (the C lz4 1.10.0 through JNI) and zstd-jni 1.5.7-17
// (libzstd 1.5.7); kwire with klauspost/compress v1.20.3 (gzip, zstd), golang/snappy v1.0.0 and
// pierrec/lz4 v4.1.33.
var frameDifferences = []frameDifference{
	{wire.CodecGzip, "gzip XFL", atLevels(1, 9),
		"klauspost/compress, like compress/gzip and GNU gzip, says in XFL that it used its fastest (4, level 1) or " +
			"best (2, level 9) compression, as RFC 1952 suggests; java.util.zip.GZIPOutputStream always writes 0. " +
			"No reader uses it"},
	{wire.CodecGzip, "deflate stream", always,
		"two deflate implementations, zlib and klauspost/compress/flate, choose different matches, Huffman codes " +
			"and blocks; klauspost/compress always ends with an empty last block (03 00), so a short section is a " +
			"stored block and that, where zlib writes one last block, of fixed codes or stored"},

	{wire.CodecSnappy, "snappy blocks", onlyInputs("codec-*", "headers"),
		"golang/snappy finds the same matches as C++ snappy 1.1.10 on most data (on every other input, 5,000 " +
			"records included, the bytes are the same) but not all: in the users records C++ snappy takes a 40-byte " +
			"copy at offset 571 where golang/snappy writes a literal byte and a 15-byte copy at offset 82"},

	{wire.CodecLZ4, "lz4 blocks (input bytes, stored or compressed)", onlyInputs("transactional"),
		"pierrec/lz4 starts no match in a block's last 14 bytes, lz4 none in its last 12: the one repetition in this " +
			"39-byte section starts 14 bytes from the end, so lz4 compresses the block and pierrec/lz4, finding " +
			"nothing, stores it"},
	{wire.CodecLZ4, "lz4 block data", exceptInputs("null-vs-empty", "plain-3", "unicode"),
		"different compressors: lz4's LZ4_compress_default at Kafka's default 9 and LZ4_compress_HC at other levels " +
			"(lz4 1.10's middle strategy at 1 and 2, hash chains at 3 to 8, the optimal parser at 10 to 12, and 13 to " +
			"17 the same as 12) against pierrec/lz4's fast compressor and its hash chains searching 512 to 65,536 " +
			"deep. Sections in which neither finds a match are the same literals"},

	{wire.CodecZstd, "zstd window", always,
		"Java streams (ZstdOutputStream, size unknown), so libzstd declares a window by level (512 KiB to 128 MiB); " +
			"kwire compresses the section in one call and writes a single-segment frame, whose content size is its " +
			"window, or a 1 KiB window for sections of at most 1 KiB"},
	{wire.CodecZstd, "zstd content size", sectionAtLeast(256),
		"kwire states the content size in the frame header, which lets a decoder size its output at once; " +
			"klauspost/compress leaves it out below 256 bytes outside a single-segment frame. Java's streamed frames never have it"},
	{wire.CodecZstd, "zstd blocks (types, raw sizes)", always,
		"Java's frames end in an empty raw block: Kafka flushes the stream (ZSTD_e_flush) before closing it " +
			"(ZSTD_e_end), so libzstd ends the data's blocks, then adds a last block of 0 bytes (3 bytes 01 00 00)"},
	{wire.CodecZstd, "zstd block data", exceptInputs("null-vs-empty", "plain-3", "transactional", "unicode"),
		"libzstd 1.5.7 against klauspost/compress's encoder; kwire maps zstd levels onto its four (below 3 " +
			"fastest, 3 to 5 default, 6 to 9 better, 10 and up best), so libzstd's negative levels, which at -131072 " +
			"all but store the records, compress much better in kwire. Sections too short to compress are one raw " +
			"block on both sides"},
}

func always(frameCase) bool { return true }

func atLevels(levels ...int) func(frameCase) bool {
	return func(fc frameCase) bool { return slices.Contains(levels, fc.level) }
}

// onlyInputs holds for the inputs whose names match one of patterns (path.Match).
func onlyInputs(patterns ...string) func(frameCase) bool {
	return func(fc frameCase) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { ok, _ := path.Match(p, fc.input.name); return ok })
	}
}

// exceptInputs holds for the inputs onlyInputs(patterns...) does not.
func exceptInputs(patterns ...string) func(frameCase) bool {
	only := onlyInputs(patterns...)
	return func(fc frameCase) bool { return !only(fc) }
}

// sectionAtLeast holds for uncompressed records sections of at least n bytes.
func sectionAtLeast(n int) func(frameCase) bool {
	return func(fc frameCase) bool { return fc.section >= n }
}
