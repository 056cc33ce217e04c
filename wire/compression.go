package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// ErrDecompressLimit means decompressed data would exceed the limit given to [AppendDecompress].
// The error AppendDecompress returns also names the codec and the limit; test for it with [errors.Is].
var ErrDecompressLimit = errors.New("wire: decompressed size exceeds limit")

// limitError is [ErrDecompressLimit] with the codec and limit that were exceeded.
type limitError struct {
	codec Codec
	limit int
}

func (e *limitError) Error() string {
	return fmt.Sprintf("wire: %s: decompressed size exceeds limit of %d bytes", e.codec, e.limit)
}

// Is makes errors.Is(err, ErrDecompressLimit) true.
func (e *limitError) Is(target error) bool { return target == ErrDecompressLimit }

// AppendCompress appends src compressed with codec c at level (0 = default) to dst.
// The framing is what Kafka's Java client writes for the codec, so any Kafka client can read it: a
// gzip member (MTIME 0, OS 255); snappy in xerial framing with 32 KiB chunks; an LZ4 frame of
// independent 64 KiB blocks without checksums; one zstd frame without a content checksum. The
// compressed bytes inside differ from Java's, whose compressors are other implementations. Valid
// levels are described at [Codec.CheckLevel].
// On error dst is returned unextended.
//
// Compressors are pooled, so a loop that reuses dst's capacity allocates next to nothing.
func AppendCompress(dst, src []byte, c Codec, level int) ([]byte, error) {
	if err := c.CheckLevel(level); err != nil {
		return dst, err
	}
	out, err := compressors[c](dst, src, level)
	if err != nil {
		return dst, fmt.Errorf("wire: %s: %w", c, err)
	}
	return out, nil
}

// maxDecompressLimit caps the limit given to [AppendDecompress]: Kafka sizes a records section with
// an int32.
const maxDecompressLimit = math.MaxInt32

// AppendDecompress appends the decompression of src (a records section compressed with c) to dst.
// It fails rather than let the output exceed limit bytes (the caller passes what it is willing to hold).
// A limit above math.MaxInt32, the largest records section Kafka can frame, counts as math.MaxInt32.
//
// src is untrusted: corrupt or truncated input is an error, never a panic, and memory use stays
// within a small multiple of limit whatever lengths src claims (a zstd frame without a content size
// adds the window it declares, at most 128 MiB as libzstd allows). Snappy accepts both xerial
// framing (Java) and a raw block (librdkafka, franz-go); lz4 accepts frames with or without
// checksums; zstd accepts frames with or without a content size. An empty src is an error for every
// codec but none. A limit error satisfies errors.Is(err, [ErrDecompressLimit]); others name the codec
// and wrap the cause. On error dst is returned unextended.
func AppendDecompress(dst, src []byte, c Codec, limit int) ([]byte, error) {
	if !c.known() {
		return dst, errUnknownCodec(c)
	}
	limit = max(min(limit, maxDecompressLimit, math.MaxInt-len(dst)-1), 0)
	if len(src) == 0 && c != CodecNone {
		return dst, fmt.Errorf("wire: %s: no compressed data", c)
	}
	out, err := decompressors[c](dst, src, limit)
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, ErrDecompressLimit):
		return dst, &limitError{codec: c, limit: limit}
	default:
		return dst, fmt.Errorf("wire: %s: %w", c, err)
	}
}

// compressors and decompressors implement each codec. Levels reaching a compressor are valid, and
// errors leaving either are wrapped by the caller.
var (
	compressors = [...]func(dst, src []byte, level int) ([]byte, error){
		CodecNone:   noneCompress,
		CodecGzip:   gzipCompress,
		CodecSnappy: snappyCompress,
		CodecLZ4:    lz4Compress,
		CodecZstd:   zstdCompress,
	}
	decompressors = [...]func(dst, src []byte, limit int) ([]byte, error){
		CodecNone:   noneDecompress,
		CodecGzip:   gzipDecompress,
		CodecSnappy: snappyDecompress,
		CodecLZ4:    lz4Decompress,
		CodecZstd:   zstdDecompress,
	}
)

func noneCompress(dst, src []byte, _ int) ([]byte, error) { return append(dst, src...), nil }

func noneDecompress(dst, src []byte, limit int) ([]byte, error) {
	if len(src) > limit {
		return dst, ErrDecompressLimit
	}
	return append(dst, src...), nil
}

// appendWriter is an io.Writer that appends to b, so a streaming compressor writes straight into the
// caller's dst.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// readChunk is the free space appendRead keeps ahead of a decompressor, growing dst when it has less
// (and the limit allows more). It is the block size of Kafka's lz4 frames, which lets pierrec/lz4
// decode a block straight into dst rather than through a buffer of its own.
const readChunk = 64 << 10

// appendRead appends what r yields until io.EOF to dst, failing with [ErrDecompressLimit] as soon
// as more than limit bytes arrive. dst doubles when less than a chunk is free, so memory tracks the
// output actually produced, never a length the input claims, and a large output costs about
// twice its size in allocations (growing a chunk at a time, by append's 1.25 for large slices,
// cost five times).
func appendRead(dst []byte, r io.Reader, limit int) ([]byte, error) {
	stop := len(dst) + limit + 1 // one byte past the limit reveals an overflow
	for {
		if cap(dst)-len(dst) < readChunk && cap(dst) < stop {
			dst = slices.Grow(dst, min(max(readChunk, cap(dst)), stop-len(dst)))
		}
		n, err := r.Read(dst[len(dst):min(cap(dst), stop)])
		dst = dst[:len(dst)+n]
		switch {
		case len(dst) == stop:
			return dst, ErrDecompressLimit
		case err == io.EOF:
			return dst, nil
		case err != nil:
			return dst, err
		}
	}
}

// gzipWriter is a pooled gzip compressor with the appendWriter it writes to.
type gzipWriter struct {
	zw  *gzip.Writer
	out appendWriter
}

// gzipWriters pools gzipWriters by level, 1 to 9 at indexes 0 to 8.
var gzipWriters [gzip.BestCompression]sync.Pool

func gzipCompress(dst, src []byte, level int) ([]byte, error) {
	level = gzipLevel(level)
	w, ok := gzipWriters[level-1].Get().(*gzipWriter)
	if !ok {
		w = new(gzipWriter)
		var err error
		if w.zw, err = gzip.NewWriterLevel(&w.out, level); err != nil {
			return dst, err
		}
	}
	defer gzipWriters[level-1].Put(w)
	w.out.b = dst
	w.zw.Reset(&w.out)
	w.zw.ModTime = gzipNoTime
	_, err := w.zw.Write(src)
	if err == nil {
		err = w.zw.Close()
	}
	dst, w.out.b = w.out.b, nil
	return dst, err
}

// gzipNoTime makes the header's MTIME 0, "no time", as Java's GZIPOutputStream and compress/gzip
// write it. klauspost/compress writes the zero time.Time as uint32 of its Unix seconds, 0x886e0900,
// a date in 2042.
var gzipNoTime = time.Unix(0, 0)

// gzipReader is a pooled gzip decompressor with the bytes.Reader it reads from.
type gzipReader struct {
	zr  gzip.Reader
	src bytes.Reader
}

var gzipReaders = sync.Pool{New: func() any { return new(gzipReader) }}

func gzipDecompress(dst, src []byte, limit int) ([]byte, error) {
	r := gzipReaders.Get().(*gzipReader)
	defer gzipReaders.Put(r)
	defer r.src.Reset(nil)
	r.src.Reset(src)
	if err := r.zr.Reset(&r.src); err != nil {
		return dst, err
	}
	return appendRead(dst, &r.zr, limit)
}

// The xerial snappy framing that Kafka's Java client writes (org.xerial.snappy.SnappyOutputStream):
// a 16-byte header, then chunks of at most xerialChunkSize input bytes, each a big-endian int32 length
// and a raw snappy block.
const (
	xerialHeaderLen = 16
	xerialChunkSize = 32 << 10
)

// xerialHeader is the magic, then version 1 and minimum compatible version 1 as big-endian int32s.
var xerialHeader = [xerialHeaderLen]byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}

// xerialMagicLen is the length of the prefix of xerialHeader that marks xerial framing.
const xerialMagicLen = 8

func snappyCompress(dst, src []byte, _ int) ([]byte, error) {
	dst = slices.Grow(dst, xerialMaxLen(len(src)))
	dst = append(dst, xerialHeader[:]...)
	for len(src) > 0 {
		n := min(len(src), xerialChunkSize)
		dst = appendXerialChunk(dst, src[:n])
		src = src[n:]
	}
	return dst, nil
}

// xerialMaxLen is the most bytes snappyCompress appends for n input bytes.
func xerialMaxLen(n int) int {
	full, rest := n/xerialChunkSize, n%xerialChunkSize
	size := xerialHeaderLen + full*(4+snappy.MaxEncodedLen(xerialChunkSize))
	if rest > 0 {
		size += 4 + snappy.MaxEncodedLen(rest)
	}
	return size
}

// appendXerialChunk appends chunk as a length-prefixed snappy block, encoding in place.
func appendXerialChunk(dst, chunk []byte) []byte {
	at := len(dst)
	dst = slices.Grow(dst, 4+snappy.MaxEncodedLen(len(chunk)))
	block := snappy.Encode(dst[at+4:cap(dst)], chunk)
	binary.BigEndian.PutUint32(dst[at:at+4], uint32(len(block)))
	return dst[:at+4+len(block)]
}

func snappyDecompress(dst, src []byte, limit int) ([]byte, error) {
	if !bytes.HasPrefix(src, xerialHeader[:xerialMagicLen]) {
		return snappyDecodeBlock(dst, src, limit)
	}
	if len(src) < xerialHeaderLen {
		return dst, fmt.Errorf("xerial header truncated to %d bytes", len(src))
	}
	stop := len(dst) + limit
	for rest := src[xerialHeaderLen:]; len(rest) > 0; {
		if len(rest) < 4 {
			return dst, fmt.Errorf("xerial chunk length truncated to %d bytes", len(rest))
		}
		n := binary.BigEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(n) > uint64(len(rest)) {
			return dst, fmt.Errorf("xerial chunk of %d bytes but only %d remain", n, len(rest))
		}
		var err error
		if dst, err = snappyDecodeBlock(dst, rest[:n], stop-len(dst)); err != nil {
			return dst, err
		}
		rest = rest[n:]
	}
	return dst, nil
}

// maxSnappyRatio bounds how far a snappy block can expand: its densest element, a 3-byte copy,
// yields 64 bytes. A block claiming more is corrupt, and is rejected before anything is allocated.
const maxSnappyRatio = 22

// snappyDecodeBlock appends the decoding of a raw snappy block, of at most room bytes, to dst.
func snappyDecodeBlock(dst, block []byte, room int) ([]byte, error) {
	n, err := snappy.DecodedLen(block)
	switch {
	case err != nil:
		return dst, err
	case n > room:
		return dst, ErrDecompressLimit
	case n/maxSnappyRatio > len(block):
		return dst, fmt.Errorf("%w: block of %d bytes claims %d decoded", snappy.ErrCorrupt, len(block), n)
	}
	at := len(dst)
	dst = slices.Grow(dst, n)
	if _, err := snappy.Decode(dst[at:at+n], block); err != nil {
		return dst[:at], err
	}
	return dst[:at+n], nil
}

// lz4Writer is a pooled LZ4 frame compressor with the appendWriter it writes to.
type lz4Writer struct {
	zw  *lz4.Writer
	out appendWriter
}

// lz4Writers pools lz4Writers by index in lz4Levels.
var lz4Writers [len(lz4Levels)]sync.Pool

// newLZ4Writer makes a compressor that writes frames as Kafka's KafkaLZ4BlockOutputStream does:
// independent 64 KiB blocks, no block checksums, no content checksum, no content size.
func newLZ4Writer(level lz4.CompressionLevel) (*lz4Writer, error) {
	w := new(lz4Writer)
	w.zw = lz4.NewWriter(&w.out)
	err := w.zw.Apply(
		lz4.BlockSizeOption(lz4.Block64Kb),
		lz4.BlockChecksumOption(false),
		lz4.ChecksumOption(false),
		lz4.ConcurrencyOption(1),
		lz4.CompressionLevelOption(level),
	)
	return w, err
}

func lz4Compress(dst, src []byte, level int) ([]byte, error) {
	i := lz4LevelIndex(level)
	w, ok := lz4Writers[i].Get().(*lz4Writer)
	if !ok {
		var err error
		if w, err = newLZ4Writer(lz4Levels[i]); err != nil {
			return dst, err
		}
	}
	defer lz4Writers[i].Put(w)
	w.out.b = dst
	w.zw.Reset(&w.out)
	_, err := w.zw.Write(src)
	if err == nil {
		err = w.zw.Close()
	}
	dst, w.out.b = w.out.b, nil
	return dst, err
}

// lz4Reader is a pooled LZ4 frame decompressor with the bytes.Reader it reads from.
type lz4Reader struct {
	zr  *lz4.Reader
	src bytes.Reader
}

var lz4Readers = sync.Pool{New: func() any {
	r := new(lz4Reader)
	r.zr = lz4.NewReader(&r.src)
	return r
}}

func lz4Decompress(dst, src []byte, limit int) ([]byte, error) {
	r := lz4Readers.Get().(*lz4Reader)
	defer lz4Readers.Put(r)
	defer r.src.Reset(nil)
	r.src.Reset(src)
	r.zr.Reset(&r.src)
	return appendRead(dst, r.zr, limit)
}

// zstdEncoders pools single-goroutine zstd encoders by level, [zstd.SpeedFastest] at index 0.
var zstdEncoders [zstd.SpeedBestCompression]sync.Pool

func zstdCompress(dst, src []byte, level int) ([]byte, error) {
	el := zstdLevel(level)
	pool := &zstdEncoders[el-zstd.SpeedFastest]
	enc, ok := pool.Get().(*zstd.Encoder)
	if !ok {
		var err error
		enc, err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(el),
			zstd.WithEncoderConcurrency(1),
			zstd.WithZeroFrames(true), // empty input is still a frame, as Java writes it
			// No content checksum, as Java's client writes frames: the batch's CRC-32C covers every
			// compressed byte already, and the XXH64 would cost a pass over the records and 4 bytes.
			zstd.WithEncoderCRC(false),
		)
		if err != nil {
			return dst, err
		}
	}
	defer pool.Put(enc)
	return enc.EncodeAll(src, dst), nil
}

// zstdMaxWindow is the largest window a zstd frame without a content size may declare, libzstd's
// default limit: enough for every level Java's client writes, up to 22.
const zstdMaxWindow = 128 << 20

// zstdMaxRatio bounds how far zstd can expand: its densest block, an RLE block, takes 4 bytes to say
// 128 KiB. A frame claiming more is corrupt, and is rejected before anything is allocated.
const zstdMaxRatio = 32 << 10

// zstdDecoder is a pooled zstd decoder with the bytes.Reader it streams from.
type zstdDecoder struct {
	dec *zstd.Decoder
	src bytes.Reader
}

var zstdDecoders sync.Pool

// getZstdDecoder takes a decoder from the pool or makes one. Decoders decode on the caller's
// goroutine (concurrency 1, so they start none of their own and may be dropped by the pool), and
// DecodeAll never writes past the capacity of the slice it is given.
func getZstdDecoder() (*zstdDecoder, error) {
	if d, ok := zstdDecoders.Get().(*zstdDecoder); ok {
		return d, nil
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxMemory(maxDecompressLimit),
		zstd.WithDecoderMaxWindow(zstdMaxWindow),
		zstd.WithDecodeAllCapLimit(true),
	)
	return &zstdDecoder{dec: dec}, err
}

// zstdDecompress decodes a frame that states its content size (as EncodeAll, librdkafka and franz-go
// write it) in one DecodeAll into exactly that much room. Anything else (Java streams frames without
// the size; several frames; a corrupt frame) is decoded as a stream, whose output is checked against
// the limit as it comes.
func zstdDecompress(dst, src []byte, limit int) ([]byte, error) {
	var h zstd.Header
	if err := h.Decode(src); err != nil {
		return dst, err
	}
	switch {
	case h.HasFCS && h.FrameContentSize > uint64(limit):
		return dst, ErrDecompressLimit
	case h.HasFCS && h.FrameContentSize > zstdMaxRatio*uint64(len(src)):
		return dst, fmt.Errorf("frame of %d bytes claims %d decoded", len(src), h.FrameContentSize)
	}
	d, err := getZstdDecoder()
	if err != nil {
		return dst, err
	}
	defer zstdDecoders.Put(d)
	if h.HasFCS {
		if out, err := d.decodeAll(dst, src, int(h.FrameContentSize), limit); err == nil {
			return out, nil
		}
	}
	return d.decodeStream(dst, src, limit)
}

// decodeAll decodes src into at least size bytes of room (more if dst has it free, never more than
// limit), failing if src decodes to more.
func (d *zstdDecoder) decodeAll(dst, src []byte, size, limit int) ([]byte, error) {
	room := min(max(size, cap(dst)-len(dst)), limit)
	buf := slices.Grow(dst, room)
	out, err := d.dec.DecodeAll(src, buf[:len(dst):len(dst)+room])
	return uncap(out, buf), err
}

// decodeStream decodes src as a stream, appending to dst what it yields up to limit.
func (d *zstdDecoder) decodeStream(dst, src []byte, limit int) ([]byte, error) {
	d.src.Reset(src)
	defer d.endStream()
	if err := d.dec.Reset(&d.src); err != nil {
		return dst, err
	}
	return appendRead(dst, d.dec, limit)
}

// endStream ends a stream however far it got. A stream that stopped early (at the limit, say) holds
// the decoder's only block decoder, which DecodeAll would wait for forever.
func (d *zstdDecoder) endStream() {
	d.dec.Reset(nil) // cannot fail: only a closed decoder refuses Reset, and pooled ones are never closed
	d.src.Reset(nil)
}

// uncap returns out with the full capacity of buf if out is a prefix of buf's array, as it is when a
// capacity-limited decode succeeded in place, so a caller reusing the result as dst keeps its buffer.
func uncap(out, buf []byte) []byte {
	if len(out) > 0 && len(out) <= cap(buf) && &out[0] == &buf[:1][0] {
		return buf[:len(out)]
	}
	return out
}
