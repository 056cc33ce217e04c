package wire

import (
	"bytes"
	stdgzip "compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/kwire-dev/kwire/internal/race"
)

// testLevels are the levels each codec's round trip is tried at: the defaults, the ends of each
// range and the points where the mappings onto the libraries change.
var testLevels = map[Codec][]int{
	CodecNone:   {0},
	CodecGzip:   {-1, 0, 1, 6, 9},
	CodecSnappy: {0},
	CodecLZ4:    {0, 1, 9, 10, 17},
	CodecZstd:   {-131072, -1, 0, 3, 6, 10, 22},
}

// recordsPayload is n records of 100 bytes of JSON-ish text with the repetition of real traffic:
// fixed field names, a small set of users and event kinds, timestamps and amounts that vary.
func recordsPayload(n int) []byte {
	const recordSize = 100
	events := []string{"page_view", "click", "add_to_cart", "checkout", "login"}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]byte, 0, n*recordSize)
	for i := range n {
		rec := fmt.Appendf(nil, `{"id":%d,"user":"user-%04d","event":"%s","ts":%d,"amount":%d.%02d,"ok":true}`,
			i, rng.IntN(200), events[rng.IntN(len(events))], 1700000000000+int64(i)*37, rng.IntN(500), rng.IntN(100))
		rec = append(rec, strings.Repeat(" ", recordSize)...)[:recordSize]
		out = append(out, rec...)
	}
	return out
}

// randomBytes is n incompressible bytes, the same on every run.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{7}).Read(b)
	return b
}

// testInputs are the inputs every codec round-trips.
func testInputs() []struct {
	name string
	data []byte
} {
	return []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"1B", []byte{'x'}},
		{"100B", recordsPayload(1)},
		{"1MiB-records", recordsPayload(1<<20/100 + 1)[:1<<20]},
		{"1MiB-random", randomBytes(1 << 20)},
	}
}

func mustCompress(t testing.TB, src []byte, c Codec, level int) []byte {
	t.Helper()
	out, err := AppendCompress(nil, src, c, level)
	if err != nil {
		t.Fatalf("AppendCompress(%v, level %d): %v", c, level, err)
	}
	return out
}

func TestCompressRoundTrip(t *testing.T) {
	prefix := []byte("prefix")
	for _, in := range testInputs() {
		for _, c := range Codecs {
			for _, level := range testLevels[c] {
				t.Run(fmt.Sprintf("%s/%v/level%d", in.name, c, level), func(t *testing.T) {
					comp, err := AppendCompress(bytes.Clone(prefix), in.data, c, level)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.HasPrefix(comp, prefix) {
						t.Fatalf("AppendCompress clobbered dst: %q", comp[:len(prefix)])
					}
					comp = comp[len(prefix):]
					got, err := AppendDecompress(bytes.Clone(prefix), comp, c, len(in.data))
					if err != nil {
						t.Fatalf("decompress at limit %d: %v", len(in.data), err)
					}
					if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], in.data) {
						t.Fatalf("round trip differs: got %d bytes, want %d", len(got)-len(prefix), len(in.data))
					}
					if len(in.data) > 0 {
						if _, err := AppendDecompress(nil, comp, c, len(in.data)-1); !errors.Is(err, ErrDecompressLimit) {
							t.Fatalf("decompress at limit %d: err = %v, want ErrDecompressLimit", len(in.data)-1, err)
						}
					}
				})
			}
		}
	}
}

func TestCompressSnappyXerialFraming(t *testing.T) {
	src := recordsPayload(1024) // 102400 bytes: three full 32 KiB chunks and 4096 bytes
	comp := mustCompress(t, src, CodecSnappy, 0)
	wantHeader := []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}
	if !bytes.HasPrefix(comp, wantHeader) {
		t.Fatalf("header % x, want % x", comp[:16], wantHeader)
	}
	var sizes []int
	var joined []byte
	for rest := comp[16:]; len(rest) > 0; {
		n := int(binary.BigEndian.Uint32(rest))
		block, err := snappy.Decode(nil, rest[4:4+n])
		if err != nil {
			t.Fatalf("chunk %d: %v", len(sizes), err)
		}
		sizes = append(sizes, len(block))
		joined = append(joined, block...)
		rest = rest[4+n:]
	}
	if want := []int{32768, 32768, 32768, 4096}; fmt.Sprint(sizes) != fmt.Sprint(want) {
		t.Errorf("chunk sizes %v, want %v", sizes, want)
	}
	if !bytes.Equal(joined, src) {
		t.Error("chunks do not join to the input")
	}
	if empty := mustCompress(t, nil, CodecSnappy, 0); !bytes.Equal(empty, wantHeader) {
		t.Errorf("empty input compresses to % x, want the bare header", empty)
	}
}

func TestDecompressSnappyRaw(t *testing.T) {
	for _, in := range testInputs() {
		got, err := AppendDecompress(nil, snappy.Encode(nil, in.data), CodecSnappy, len(in.data))
		if err != nil || !bytes.Equal(got, in.data) {
			t.Errorf("%s: raw block: err %v, equal %v", in.name, err, bytes.Equal(got, in.data))
		}
	}
}

func TestDecompressSnappyXerialChunkSizes(t *testing.T) {
	src := recordsPayload(100)
	// Chunk sizes other than 32 KiB, as a differently configured xerial writer makes.
	comp := append([]byte(nil), xerialHeader[:]...)
	for _, part := range [][]byte{src[:1], src[1:5000], src[5000:]} {
		block := snappy.Encode(nil, part)
		comp = binary.BigEndian.AppendUint32(comp, uint32(len(block)))
		comp = append(comp, block...)
	}
	got, err := AppendDecompress(nil, comp, CodecSnappy, len(src))
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("err %v, equal %v", err, bytes.Equal(got, src))
	}
}

func TestCompressLZ4FrameFormat(t *testing.T) {
	comp := mustCompress(t, recordsPayload(2000), CodecLZ4, 0)
	if !bytes.HasPrefix(comp, []byte{0x04, 0x22, 0x4d, 0x18}) {
		t.Fatalf("magic % x", comp[:4])
	}
	// FLG: version 01, independent blocks, no block checksum, no content size, no content checksum.
	// BD: 64 KiB blocks. These are the bytes KafkaLZ4BlockOutputStream writes.
	if flg, bd := comp[4], comp[5]; flg != 0x60 || bd != 0x40 {
		t.Errorf("FLG %#02x BD %#02x, want 0x60 0x40", flg, bd)
	}
}

func TestDecompressLZ4FrameOptions(t *testing.T) {
	src := recordsPayload(3000)
	options := map[string][]lz4.Option{
		"content-checksum":          {lz4.ChecksumOption(true)},
		"block-checksum":            {lz4.BlockChecksumOption(true), lz4.ChecksumOption(false)},
		"both-checksums-4MiB":       {lz4.BlockChecksumOption(true), lz4.ChecksumOption(true), lz4.BlockSizeOption(lz4.Block4Mb)},
		"content-size":              {lz4.SizeOption(uint64(len(src)))},
		"high-compression-256KiB":   {lz4.CompressionLevelOption(lz4.Level5), lz4.BlockSizeOption(lz4.Block256Kb)},
		"no-checksums-64KiB-blocks": {lz4.ChecksumOption(false), lz4.BlockSizeOption(lz4.Block64Kb)},
	}
	for name, opts := range options {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := lz4.NewWriter(&buf)
			if err := zw.Apply(opts...); err != nil {
				t.Fatal(err)
			}
			if _, err := zw.Write(src); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := AppendDecompress(nil, buf.Bytes(), CodecLZ4, len(src))
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("err %v, equal %v", err, bytes.Equal(got, src))
			}
			if _, err := AppendDecompress(nil, buf.Bytes(), CodecLZ4, 1000); !errors.Is(err, ErrDecompressLimit) {
				t.Fatalf("limit 1000: err = %v", err)
			}
		})
	}
}

func TestCompressGzipStdlibInterop(t *testing.T) {
	src := recordsPayload(2000)
	for _, level := range testLevels[CodecGzip] {
		zr, err := stdgzip.NewReader(bytes.NewReader(mustCompress(t, src, CodecGzip, level)))
		if err != nil {
			t.Fatalf("level %d: %v", level, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("level %d: stdlib decode: err %v, equal %v", level, err, bytes.Equal(got, src))
		}
	}
	// The other way, with two members as concatenated gzip files have.
	var buf bytes.Buffer
	for _, part := range [][]byte{src[:777], src[777:]} {
		zw := stdgzip.NewWriter(&buf)
		zw.Write(part)
		zw.Close()
	}
	got, err := AppendDecompress(nil, buf.Bytes(), CodecGzip, len(src))
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("decode of stdlib gzip: err %v, equal %v", err, bytes.Equal(got, src))
	}
}

// TestCompressGzipHeader requires the header Java's GZIPOutputStream writes but for XFL: no
// optional fields, MTIME 0 ("no time", not the zero time.Time's 2042 that klauspost/compress would
// write), OS 255 (unknown). XFL says what zlib's level is: 2 at 9, 4 at 1, else 0; Java writes 0.
func TestCompressGzipHeader(t *testing.T) {
	for level, xfl := range map[int]byte{0: 0, 1: 4, 5: 0, 9: 2} {
		h := mustCompress(t, recordsPayload(10), CodecGzip, level)[:10]
		want := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 255}
		if !bytes.Equal(h, want) {
			t.Errorf("level %d: header % x, want % x", level, h, want)
		}
	}
}

func TestCompressZstdInterop(t *testing.T) {
	src := recordsPayload(2000)
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	for _, level := range testLevels[CodecZstd] {
		comp := mustCompress(t, src, CodecZstd, level)
		var h zstd.Header
		if err := h.Decode(comp); err != nil || !h.HasFCS || h.HasCheckSum {
			t.Errorf("level %d: header %+v, err %v; want a content size and, as Java writes, no checksum", level, h, err)
		}
		got, err := dec.DecodeAll(comp, nil)
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("level %d: fresh decoder: err %v, equal %v", level, err, bytes.Equal(got, src))
		}
	}
	if empty := mustCompress(t, nil, CodecZstd, 0); len(empty) == 0 {
		t.Error("empty input compresses to nothing, want an empty frame")
	}
}

// zstdStream compresses parts as a stream, the way Java's ZstdOutputStream does: without a content
// size in the frame header.
func zstdStream(t *testing.T, parts ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if _, err := zw.Write(p); err != nil {
			t.Fatal(err)
		}
		if err := zw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var h zstd.Header
	if err := h.Decode(buf.Bytes()); err != nil || h.HasFCS {
		t.Fatalf("stream frame header %+v, err %v; want no content size", h, err)
	}
	return buf.Bytes()
}

func TestDecompressZstdFrameShapes(t *testing.T) {
	records, zeros := recordsPayload(5000), make([]byte, 3<<20)
	twoFrames := mustCompress(t, records[:1000], CodecZstd, 0)
	twoFrames, _ = AppendCompress(twoFrames, records[1000:], CodecZstd, 0)
	cases := []struct {
		name string
		comp []byte
		want []byte
	}{
		{"stream-no-content-size", zstdStream(t, records[:200000], records[200000:]), records},
		{"stream-highly-compressible", zstdStream(t, zeros), zeros},
		{"two-frames", twoFrames, records},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendDecompress(nil, tc.comp, CodecZstd, len(tc.want))
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("err %v, equal %v", err, bytes.Equal(got, tc.want))
			}
			for _, limit := range []int{1000, len(tc.want) - 1} {
				if _, err := AppendDecompress(nil, tc.comp, CodecZstd, limit); !errors.Is(err, ErrDecompressLimit) {
					t.Fatalf("limit %d: err = %v, want ErrDecompressLimit", limit, err)
				}
			}
		})
	}
}

// TestDecompressZstdAfterStoppedStream checks that a pooled zstd decoder whose stream stopped at the
// limit still serves DecodeAll afterwards: a stopped stream holds its only block decoder.
func TestDecompressZstdAfterStoppedStream(t *testing.T) {
	src := recordsPayload(2000)
	stream, frame := zstdStream(t, src), mustCompress(t, src, CodecZstd, 0)
	for range 5 {
		if _, err := AppendDecompress(nil, stream, CodecZstd, 1000); !errors.Is(err, ErrDecompressLimit) {
			t.Fatalf("stream at limit 1000: err = %v", err)
		}
		if got, err := AppendDecompress(nil, frame, CodecZstd, len(src)); err != nil || !bytes.Equal(got, src) {
			t.Fatalf("frame after a stopped stream: err %v, equal %v", err, bytes.Equal(got, src))
		}
	}
}

func TestDecompressLimit(t *testing.T) {
	zeros := make([]byte, 1<<20)
	for _, c := range Codecs {
		t.Run(c.String(), func(t *testing.T) {
			comp := mustCompress(t, zeros, c, 0)
			dst := []byte("keep")
			got, err := AppendDecompress(dst, comp, c, 1000)
			if !errors.Is(err, ErrDecompressLimit) {
				t.Fatalf("err = %v, want ErrDecompressLimit", err)
			}
			if want := fmt.Sprintf("wire: %s: decompressed size exceeds limit of 1000 bytes", c); err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			if string(got) != "keep" {
				t.Errorf("dst after error = %q, want it unextended", got)
			}
		})
	}
	t.Run("snappy-raw", func(t *testing.T) {
		if _, err := AppendDecompress(nil, snappy.Encode(nil, zeros), CodecSnappy, 1000); !errors.Is(err, ErrDecompressLimit) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("negative-limit", func(t *testing.T) {
		if _, err := AppendDecompress(nil, []byte("x"), CodecNone, -1); !errors.Is(err, ErrDecompressLimit) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestDecompressClaimedSizes feeds inputs that claim 1 GiB of output: each must fail, on the limit
// when the claim exceeds it and as corrupt when the input is too short to hold that much, without
// allocating what it claims.
func TestDecompressClaimedSizes(t *testing.T) {
	const claim = 1 << 30
	var fcs zstd.Header
	fcs.HasFCS, fcs.FrameContentSize, fcs.WindowSize = true, claim, 1<<20
	zstdHuge, err := fcs.AppendTo(nil)
	if err != nil {
		t.Fatal(err)
	}
	snappyHuge := binary.AppendUvarint(nil, claim)
	xerialHuge := binary.BigEndian.AppendUint32(append([]byte(nil), xerialHeader[:]...), uint32(len(snappyHuge)))
	xerialHuge = append(xerialHuge, snappyHuge...)
	cases := []struct {
		name string
		c    Codec
		src  []byte
	}{
		{"zstd-content-size", CodecZstd, zstdHuge},
		{"snappy-raw", CodecSnappy, snappyHuge},
		{"snappy-xerial", CodecSnappy, xerialHuge},
	}
	for _, tc := range cases {
		for _, limit := range []int{1000, math.MaxInt32} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := AppendDecompress(nil, tc.src, tc.c, limit)
			runtime.ReadMemStats(&after)
			if err == nil || errors.Is(err, ErrDecompressLimit) != (limit < claim) {
				t.Errorf("%s limit %d: err = %v", tc.name, limit, err)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
				t.Errorf("%s limit %d: allocated %d bytes", tc.name, limit, n)
			}
		}
	}
}

// TestDecompressStreamAllocs: a large output of a codec that streams (gzip here) costs about twice
// its size in allocations, not the five times growing it a chunk at a time cost.
func TestDecompressStreamAllocs(t *testing.T) {
	src := bytes.Repeat([]byte("0123456789abcdef"), 1<<19) // 8 MiB
	packed, err := AppendCompress(nil, src, CodecGzip, 0)
	if err != nil {
		t.Fatal(err)
	}
	AppendDecompress(nil, packed, CodecGzip, MaxRecordsSize) // warm the pool
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := AppendDecompress(nil, packed, CodecGzip, MaxRecordsSize)
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; err != nil || !bytes.Equal(out, src) || n > 3*uint64(len(src)) {
		t.Fatalf("%v; %d bytes allocated for %d", err, n, len(src))
	}
}

func TestDecompressGarbage(t *testing.T) {
	garbage := [][]byte{
		[]byte("this is not compressed data at all, just text"),
		{0x05},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		xerialHeader[:10],
		append(append([]byte(nil), xerialHeader[:]...), 0, 0, 0),
		append(append([]byte(nil), xerialHeader[:]...), 0x7f, 0xff, 0xff, 0xff, 1, 2, 3),
		{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40},
		{0x28, 0xb5, 0x2f, 0xfd, 0x24},
		{0x1f, 0x8b, 0x08, 0x00},
	}
	for _, c := range Codecs[1:] {
		for i, g := range garbage {
			if got, err := AppendDecompress(nil, g, c, 1<<20); err == nil {
				t.Errorf("%v garbage %d: decoded to %d bytes without error", c, i, len(got))
			}
		}
		if _, err := AppendDecompress(nil, nil, c, 1<<20); err == nil {
			t.Errorf("%v: empty input decoded without error", c)
		}
	}
}

func TestDecompressTruncated(t *testing.T) {
	src := recordsPayload(1500) // 150000 bytes: several lz4 blocks and xerial chunks
	for _, c := range Codecs[1:] {
		comp := mustCompress(t, src, c, 0)
		cuts := chunkBoundaries(c, comp)
		for n := 0; n < len(comp); n += 1 + n/16 {
			if cuts[n] {
				continue // a shorter stream that is valid on its own
			}
			if _, err := AppendDecompress(nil, comp[:n], c, len(src)); err == nil {
				t.Errorf("%v cut to %d of %d bytes: no error", c, n, len(comp))
			}
		}
	}
}

// chunkBoundaries are the lengths at which a compressed stream is still well formed: xerial chunks end
// at them, and nothing in the format says more should follow.
func chunkBoundaries(c Codec, comp []byte) map[int]bool {
	cuts := map[int]bool{}
	if c != CodecSnappy {
		return cuts
	}
	for at := xerialHeaderLen; at < len(comp); at += 4 + int(binary.BigEndian.Uint32(comp[at:])) {
		cuts[at] = true
	}
	return cuts
}

func TestDecompressCorruptNoPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	src := recordsPayload(300)
	for _, c := range Codecs {
		comp := mustCompress(t, src, c, 0)
		for range 300 {
			bad := bytes.Clone(comp)
			for range 1 + rng.IntN(4) {
				bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
			}
			if got, err := AppendDecompress(nil, bad, c, len(src)); err == nil && len(got) > len(src) {
				t.Fatalf("%v: output of %d bytes over the limit", c, len(got))
			}
		}
	}
}

func TestCodecString(t *testing.T) {
	tests := map[Codec]string{
		CodecNone: "none", CodecGzip: "gzip", CodecSnappy: "snappy", CodecLZ4: "lz4", CodecZstd: "zstd",
		5: "codec(5)", 7: "codec(7)", -1: "codec(-1)",
	}
	for c, want := range tests {
		if got := c.String(); got != want {
			t.Errorf("Codec(%d).String() = %q, want %q", int8(c), got, want)
		}
	}
	for i, c := range Codecs {
		if int(c) != i {
			t.Errorf("Codecs[%d] = %v", i, c)
		}
	}
}

func TestParseCodec(t *testing.T) {
	for _, c := range Codecs {
		for _, name := range []string{c.String(), strings.ToUpper(c.String())} {
			if got, err := ParseCodec(name); err != nil || got != c {
				t.Errorf("ParseCodec(%q) = %v, %v", name, got, err)
			}
		}
	}
	if got, err := ParseCodec("Snappy"); err != nil || got != CodecSnappy {
		t.Errorf("ParseCodec(Snappy) = %v, %v", got, err)
	}
	for _, bad := range []string{"", "lzo", "gzip ", "codec(5)", "5"} {
		_, err := ParseCodec(bad)
		if err == nil {
			t.Errorf("ParseCodec(%q) succeeded", bad)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("%q", bad)) || !strings.Contains(msg, "none, gzip, snappy, lz4, zstd") {
			t.Errorf("ParseCodec(%q) error %q should name the value and the valid names", bad, msg)
		}
	}
}

func TestCodecCheckLevel(t *testing.T) {
	valid := map[Codec][]int{
		CodecNone:   {0},
		CodecGzip:   {-1, 0, 1, 5, 9},
		CodecSnappy: {0},
		CodecLZ4:    {0, 1, 9, 17},
		CodecZstd:   {-131072, -1, 0, 1, 22},
	}
	invalid := map[Codec][]int{
		CodecNone:   {-1, 1},
		CodecGzip:   {-2, 10},
		CodecSnappy: {-1, 1, 3},
		CodecLZ4:    {-1, 18},
		CodecZstd:   {-131073, 23},
		5:           {0},
		7:           {0},
	}
	for c, levels := range valid {
		for _, l := range levels {
			if err := c.CheckLevel(l); err != nil {
				t.Errorf("%v level %d: %v", c, l, err)
			}
		}
	}
	for c, levels := range invalid {
		for _, l := range levels {
			err := c.CheckLevel(l)
			if err == nil {
				t.Errorf("%v level %d: no error", c, l)
				continue
			}
			if _, compErr := AppendCompress(nil, []byte("x"), c, l); compErr == nil {
				t.Errorf("AppendCompress(%v, level %d) succeeded", c, l)
			}
			msg := err.Error()
			if c.known() && (!strings.Contains(msg, c.String()) || !strings.Contains(msg, fmt.Sprint(l))) {
				t.Errorf("%v level %d: error %q should name the codec and level", c, l, msg)
			}
		}
	}
	if msg := CodecLZ4.CheckLevel(18).Error(); !strings.Contains(msg, "1 to 17") {
		t.Errorf("lz4 range error %q should give the valid range", msg)
	}
}

func TestLevelMappings(t *testing.T) {
	lz4Want := map[int]lz4.CompressionLevel{0: lz4.Fast, 1: lz4.Level1, 8: lz4.Level1, 9: lz4.Fast, 10: lz4.Level1, 11: lz4.Level2, 17: lz4.Level8}
	for level, want := range lz4Want {
		if got := lz4Levels[lz4LevelIndex(level)]; got != want {
			t.Errorf("lz4 level %d maps to %v, want %v", level, got, want)
		}
	}
	zstdWant := map[int]zstd.EncoderLevel{0: zstd.SpeedDefault, -131072: zstd.SpeedFastest, 1: zstd.SpeedFastest,
		3: zstd.SpeedDefault, 6: zstd.SpeedBetterCompression, 22: zstd.SpeedBestCompression}
	for level, want := range zstdWant {
		if got := zstdLevel(level); got != want {
			t.Errorf("zstd level %d maps to %v, want %v", level, got, want)
		}
	}
	for level, want := range map[int]int{-1: 6, 0: 6, 1: 1, 9: 9} {
		if got := gzipLevel(level); got != want {
			t.Errorf("gzip level %d maps to %d, want %d", level, got, want)
		}
	}
}

func TestCompressUnknownCodec(t *testing.T) {
	for _, c := range []Codec{5, 6, 7, -1} {
		want := fmt.Sprintf("codec %d", int8(c))
		if _, err := AppendCompress(nil, []byte("x"), c, 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("AppendCompress(codec %d): err %v", int8(c), err)
		}
		if _, err := AppendDecompress(nil, []byte("x"), c, 100); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("AppendDecompress(codec %d): err %v", int8(c), err)
		}
	}
}

func TestDecompressErrorsNameCodec(t *testing.T) {
	for _, c := range Codecs[1:] {
		_, err := AppendDecompress(nil, []byte("garbage!garbage!garbage!"), c, 100)
		if err == nil || !strings.HasPrefix(err.Error(), "wire: "+c.String()+": ") {
			t.Errorf("%v: error %v should start with the codec name", c, err)
		}
	}
}

// TestDecompressKeepsCapacity checks that a buffer reused as dst keeps its capacity across calls, which
// a hot loop relies on not to reallocate.
func TestDecompressKeepsCapacity(t *testing.T) {
	src := recordsPayload(1000)
	buf := make([]byte, 0, 4*len(src))
	for _, c := range Codecs {
		comp := mustCompress(t, src, c, 0)
		out, err := AppendDecompress(buf[:0], comp, c, len(src))
		if err != nil {
			t.Fatal(err)
		}
		if cap(out) != cap(buf) || &out[0] != &buf[:1][0] {
			t.Errorf("%v: decoded into a new buffer (cap %d, want %d)", c, cap(out), cap(buf))
		}
	}
}

// TestCompressAllocs checks that a warm round trip that reuses its buffers allocates nothing: every
// codec measures 0 allocations (pooled compressors and readers, output appended in place). The bound
// of 1 on the average leaves room for sync.Pool refilling itself after a GC during the run.
func TestCompressAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("under -race sync.Pool drops items at random, so allocation counts mean nothing")
	}
	const maxAllocs = 1
	src := recordsPayload(1000)
	for _, c := range Codecs {
		comp := make([]byte, 0, 2*len(src))
		out := make([]byte, 0, 2*len(src))
		roundTrip := func() {
			var err error
			if comp, err = AppendCompress(comp[:0], src, c, 0); err != nil {
				t.Fatal(err)
			}
			if out, err = AppendDecompress(out[:0], comp, c, len(src)); err != nil {
				t.Fatal(err)
			}
		}
		roundTrip()
		if allocs := testing.AllocsPerRun(50, roundTrip); allocs > maxAllocs {
			t.Errorf("%v: %v allocations per warm round trip, want at most %v", c, allocs, maxAllocs)
		}
	}
}

func TestCompressConcurrent(t *testing.T) {
	src := recordsPayload(500)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				c := Codecs[(g+i)%len(Codecs)]
				comp, err := AppendCompress(nil, src, c, testLevels[c][i%len(testLevels[c])])
				if err != nil {
					t.Error(err)
					return
				}
				got, err := AppendDecompress(nil, comp, c, len(src))
				if err != nil || !bytes.Equal(got, src) {
					t.Errorf("%v: err %v, equal %v", c, err, bytes.Equal(got, src))
					return
				}
			}
		})
	}
	wg.Wait()
}
