package interop

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/golang/snappy"
	"github.com/pierrec/lz4/v4"

	"github.com/kwire-dev/kwire/wire"
)

// This file takes a compressed records section apart into the named parts of its codec's frame
// format, so that two encoders' sections can be compared part by part: which parts are the same
// bytes, and which differ.

// framePart is one part of a compressed section: its name and its content, as hex or described.
type framePart struct{ name, value string }

// frameAnatomy splits section, compressed with c, into its frame's parts, in order.
func frameAnatomy(c wire.Codec, section []byte) ([]framePart, error) {
	switch c {
	case wire.CodecGzip:
		return gzipAnatomy(section)
	case wire.CodecSnappy:
		return xerialAnatomy(section)
	case wire.CodecLZ4:
		return lz4Anatomy(section)
	case wire.CodecZstd:
		return zstdAnatomy(section)
	}
	return nil, fmt.Errorf("%s has no frame", c)
}

// gzipAnatomy splits a gzip member without optional fields (RFC 1952), as both sides write it.
func gzipAnatomy(b []byte) ([]framePart, error) {
	if len(b) < 18 || b[0] != 0x1f || b[1] != 0x8b {
		return nil, errors.New("not a gzip member")
	}
	if b[3] != 0 {
		return nil, fmt.Errorf("gzip FLG %#x: optional fields are not expected", b[3])
	}
	return []framePart{
		{"gzip ID1 ID2 CM FLG", hex.EncodeToString(b[:4])},
		{"gzip MTIME", hex.EncodeToString(b[4:8])},
		{"gzip XFL", hex.EncodeToString(b[8:9])},
		{"gzip OS", hex.EncodeToString(b[9:10])},
		{"deflate stream", hex.EncodeToString(b[10 : len(b)-8])},
		{"gzip CRC32 ISIZE", hex.EncodeToString(b[len(b)-8:])},
	}, nil
}

// xerialAnatomy splits snappy in xerial framing: header, then length-prefixed snappy blocks.
func xerialAnatomy(b []byte) ([]framePart, error) {
	if len(b) < 16 {
		return nil, errors.New("xerial header truncated")
	}
	var sizes []string
	for rest := b[16:]; len(rest) > 0; {
		if len(rest) < 4 || int(binary.BigEndian.Uint32(rest)) > len(rest)-4 {
			return nil, errors.New("xerial chunk truncated")
		}
		n := int(binary.BigEndian.Uint32(rest))
		size, err := snappy.DecodedLen(rest[4 : 4+n])
		if err != nil {
			return nil, err
		}
		sizes = append(sizes, fmt.Sprint(size))
		rest = rest[4+n:]
	}
	return []framePart{
		{"xerial header", hex.EncodeToString(b[:16])},
		{"xerial chunking (input bytes a chunk)", strings.Join(sizes, ",")},
		{"snappy blocks", hex.EncodeToString(b[16:])},
	}, nil
}

// lz4Anatomy splits an LZ4 frame: magic and descriptor, blocks, end mark and content checksum.
func lz4Anatomy(b []byte) ([]framePart, error) {
	if len(b) < 7 || binary.LittleEndian.Uint32(b) != 0x184d2204 {
		return nil, errors.New("not an LZ4 frame")
	}
	flg := b[4]
	descEnd := 7
	if flg&0x08 != 0 {
		descEnd += 8 // content size
	}
	if flg&0x01 != 0 {
		descEnd += 4 // dictionary id
	}
	if len(b) < descEnd {
		return nil, errors.New("LZ4 frame descriptor truncated")
	}
	var layout []string
	var data []byte
	buf := make([]byte, 4<<20)
	rest := b[descEnd:]
	for {
		if len(rest) < 4 {
			return nil, errors.New("LZ4 block truncated")
		}
		size := binary.LittleEndian.Uint32(rest)
		if size == 0 {
			break
		}
		n := int(size &^ (1 << 31))
		if n > len(rest)-4 {
			return nil, errors.New("LZ4 block truncated")
		}
		block := rest[4 : 4+n]
		if size&(1<<31) != 0 {
			layout = append(layout, fmt.Sprintf("stored %d", n))
		} else {
			m, err := lz4.UncompressBlock(block, buf)
			if err != nil {
				return nil, err
			}
			layout = append(layout, fmt.Sprintf("compressed %d", m))
		}
		data = append(data, block...)
		rest = rest[4+n:]
		if flg&0x10 != 0 {
			rest = rest[min(4, len(rest)):] // block checksum
		}
	}
	return []framePart{
		{"lz4 magic and frame descriptor (FLG BD HC)", hex.EncodeToString(b[:descEnd])},
		{"lz4 blocks (input bytes, stored or compressed)", strings.Join(layout, ",")},
		{"lz4 block data", hex.EncodeToString(data)},
		{"lz4 end mark and content checksum", hex.EncodeToString(rest)},
	}, nil
}

// zstdAnatomy splits one zstd frame (RFC 8878): frame header fields, blocks, content checksum.
func zstdAnatomy(b []byte) ([]framePart, error) {
	if len(b) < 6 || binary.LittleEndian.Uint32(b) != 0xfd2fb528 {
		return nil, errors.New("not a zstd frame")
	}
	fhd := b[4]
	fcsSize := [4]int{0, 2, 4, 8}[fhd>>6]
	single := fhd&0x20 != 0
	if single && fhd>>6 == 0 {
		fcsSize = 1
	}
	dictSize := [4]int{0, 1, 2, 4}[fhd&3]
	at := 5
	window := "none (single segment: the content size is the window)"
	if !single {
		wd := b[at]
		log := 10 + int(wd>>3)
		w := uint64(1) << log
		w += w / 8 * uint64(wd&7)
		window = fmt.Sprintf("%d bytes", w)
		at++
	}
	if len(b) < at+dictSize+fcsSize {
		return nil, errors.New("zstd frame header truncated")
	}
	dictID := hex.EncodeToString(b[at : at+dictSize])
	at += dictSize
	contentSize := "absent"
	if fcsSize > 0 {
		var v uint64
		for i := fcsSize - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[at+i])
		}
		if fcsSize == 2 {
			v += 256
		}
		contentSize = fmt.Sprint(v)
		at += fcsSize
	}
	var blocks []string
	var data []byte
	for last := false; !last; {
		if len(b) < at+3 {
			return nil, errors.New("zstd block header truncated")
		}
		h := uint32(b[at]) | uint32(b[at+1])<<8 | uint32(b[at+2])<<16
		last = h&1 != 0
		typ, size := (h>>1)&3, int(h>>3)
		at += 3
		n := size
		if typ == 1 { // RLE: one byte repeated size times
			n = 1
		}
		if len(b) < at+n {
			return nil, errors.New("zstd block truncated")
		}
		desc := [4]string{"raw", "rle", "compressed", "reserved"}[typ]
		if typ != 2 {
			desc += fmt.Sprintf(" %d", size) // a compressed block's size says nothing of its input
		}
		if last {
			desc += " (last)"
		}
		blocks = append(blocks, desc)
		data = append(data, b[at:at+n]...)
		at += n
	}
	checksum := "absent"
	if fhd&0x04 != 0 {
		checksum = "present"
	}
	return []framePart{
		{"zstd magic", hex.EncodeToString(b[:4])},
		{"zstd content checksum flag", checksum},
		{"zstd window", window},
		{"zstd dictionary id", dictID},
		{"zstd content size", contentSize},
		{"zstd blocks (types, raw sizes)", strings.Join(blocks, ",")},
		{"zstd block data", hex.EncodeToString(data)},
		{"zstd content checksum", hex.EncodeToString(b[at:])},
	}, nil
}
