package interop

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwire-dev/kwire/wire"
)

// This file checks kwire against franz-go's own batch code, with no broker in between: kwire's
// batches read by kmsg with kgo's decompressor, and batches built with kmsg and kgo's compressor
// read by kwire. franz_e2e_test.go goes through a broker.

// franzDecode decodes raw, one whole batch, the way franz-go's consumer does: kmsg.RecordBatch
// for the header, kgo's default decompressor for the records section, kmsg.Record for each record.
// Each record must re-encode with kmsg to exactly the bytes it was read from, which proves kmsg
// consumed every byte of it and nothing more.
func franzDecode(raw []byte) (headerView, []recView, error) {
	var kb kmsg.RecordBatch
	if err := kb.ReadFrom(raw); err != nil {
		return headerView{}, nil, fmt.Errorf("kmsg.RecordBatch.ReadFrom: %w", err)
	}
	if got := 12 + int(kb.Length); got != len(raw) {
		return headerView{}, nil, fmt.Errorf("kmsg batch takes %d bytes, the input has %d", got, len(raw))
	}
	h := headerView{
		BaseOffset:           kb.FirstOffset,
		Length:               kb.Length,
		PartitionLeaderEpoch: kb.PartitionLeaderEpoch,
		Magic:                kb.Magic,
		CRC:                  uint32(kb.CRC),
		Attributes:           kb.Attributes,
		LastOffsetDelta:      kb.LastOffsetDelta,
		BaseTimestamp:        kb.FirstTimestamp,
		MaxTimestamp:         kb.MaxTimestamp,
		ProducerID:           kb.ProducerID,
		ProducerEpoch:        kb.ProducerEpoch,
		BaseSequence:         kb.FirstSequence,
		NumRecords:           kb.NumRecords,
	}
	section, err := kgo.DefaultDecompressor().Decompress(kb.Records, kgo.CompressionCodecType(kb.Attributes&0x07))
	if err != nil {
		return h, nil, fmt.Errorf("kgo decompress (codec %d): %w", kb.Attributes&0x07, err)
	}
	recs, err := franzRecords(section, int(kb.NumRecords), kb.FirstOffset, kb.FirstTimestamp)
	return h, recs, err
}

// franzRecords parses n length-prefixed records from an uncompressed records section with kmsg.
func franzRecords(section []byte, n int, baseOffset, baseTS int64) ([]recView, error) {
	var out []recView
	at := 0
	for i := range n {
		length, lenLen := binary.Varint(section[at:])
		if lenLen <= 0 || length < 0 || int64(len(section)-at-lenLen) < length {
			return out, fmt.Errorf("record %d at section offset %d: bad length prefix", i, at)
		}
		one := section[at : at+lenLen+int(length)]
		var kr kmsg.Record
		if err := kr.ReadFrom(one); err != nil {
			return out, fmt.Errorf("record %d at section offset %d: kmsg.Record.ReadFrom: %w", i, at, err)
		}
		if re := kr.AppendTo(nil); !bytes.Equal(re, one) {
			return out, fmt.Errorf("record %d at section offset %d: kmsg re-encodes %d bytes as %x, read %x", i, at, len(one), re, one)
		}
		v := recView{
			Attributes:     kr.Attributes,
			TimestampDelta: kr.TimestampDelta64,
			OffsetDelta:    kr.OffsetDelta,
			Timestamp:      baseTS + kr.TimestampDelta64,
			Offset:         baseOffset + int64(kr.OffsetDelta),
			Key:            cloneBytes(kr.Key),
			Value:          cloneBytes(kr.Value),
		}
		for _, h := range kr.Headers {
			v.Headers = append(v.Headers, hdrView{Key: h.Key, Value: cloneBytes(h.Value)})
		}
		out = append(out, v)
		at += len(one)
	}
	if at != len(section) {
		return out, fmt.Errorf("%d bytes follow the %d records in a %d-byte section", len(section)-at, n, len(section))
	}
	return out, nil
}

// franzCodec is kgo's codec setting for a kwire codec and level, mapping kwire's (Kafka's) levels
// onto the libraries' own: pierrec/lz4's levels and klauspost/compress's zstd encoder levels.
func franzCodec(codec wire.Codec, level int) kgo.CompressionCodec {
	switch codec {
	case wire.CodecGzip:
		if level > 0 {
			return kgo.GzipCompression().WithLevel(level)
		}
		return kgo.GzipCompression()
	case wire.CodecSnappy:
		return kgo.SnappyCompression()
	case wire.CodecLZ4:
		if level >= 10 {
			return kgo.Lz4Compression().WithLevel(int(lz4.CompressionLevel(1 << (8 + level - 9))))
		}
		return kgo.Lz4Compression()
	case wire.CodecZstd:
		if level != 0 {
			return kgo.ZstdCompression().WithLevel(int(zstd.EncoderLevelFromZstd(level)))
		}
		return kgo.ZstdCompression()
	}
	return kgo.NoCompression()
}

// franzEncode builds the case's batch with franz-go's pieces: each record with kmsg.Record, the
// section compressed by kgo's default compressor, the header with kmsg.RecordBatch, and the CRC-32C
// computed here over bytes 21 onward, as franz-go's producer does.
func franzEncode(c batchCase) ([]byte, error) {
	base := c.recs[0].Timestamp
	var section []byte
	for i, r := range c.recs {
		kr := kmsg.Record{TimestampDelta64: r.Timestamp - base, OffsetDelta: int32(i), Key: r.Key, Value: r.Value}
		for _, h := range r.Headers {
			kr.Headers = append(kr.Headers, kmsg.Header{Key: h.Key, Value: h.Value})
		}
		kr.Length = int32(len(kr.AppendTo(nil)) - 1) // everything after a one-byte zero length
		section = kr.AppendTo(section)
	}
	if c.codec != wire.CodecNone {
		comp, err := kgo.DefaultCompressor(franzCodec(c.codec, c.level))
		if err != nil {
			return nil, err
		}
		out, used := comp.Compress(new(bytes.Buffer), section)
		if used != kgo.CompressionCodecType(c.codec) {
			return nil, fmt.Errorf("kgo compressed with codec %d, want %d", used, c.codec)
		}
		section = append([]byte{}, out...)
	}
	kb := kmsg.RecordBatch{
		FirstOffset:          c.hdr.BaseOffset,
		Length:               int32(49 + len(section)),
		PartitionLeaderEpoch: c.hdr.PartitionLeaderEpoch,
		Magic:                2,
		Attributes:           int16(c.attrs()),
		LastOffsetDelta:      int32(len(c.recs) - 1),
		FirstTimestamp:       base,
		MaxTimestamp:         maxTimestamp(c.recs),
		ProducerID:           c.hdr.ProducerID,
		ProducerEpoch:        c.hdr.ProducerEpoch,
		FirstSequence:        c.hdr.BaseSequence,
		NumRecords:           int32(len(c.recs)),
		Records:              section,
	}
	raw := kb.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[17:], batchCRC(raw))
	return raw, nil
}

// TestKwireToFranz encodes every case with kwire and decodes it with franz-go: kmsg for the header
// and records, kgo's decompressor for the section. Every header field must match, the CRC kmsg reads
// must be the one computed here over bytes 21 onward, and every record field (null and empty told
// apart) must be the input's.
func TestKwireToFranz(t *testing.T) {
	for _, c := range batchCases() {
		t.Run(c.name, func(t *testing.T) {
			raw := c.encode(t)
			h, recs, err := franzDecode(raw)
			if err != nil {
				t.Fatalf("franz-go cannot decode kwire's batch: %v\n%s", err, dumpBatch(raw))
			}
			checkBatchAgainstCase(t, "franz-go (kmsg+kgo)", c, raw, h, recs)
		})
	}
}

// TestFranzToKwire builds every case with franz-go's kmsg and kgo compressor and decodes it with
// kwire. Uncompressed, the format leaves no choices, so kwire's encoding must equal franz-go's byte
// for byte.
func TestFranzToKwire(t *testing.T) {
	for _, c := range batchCases() {
		t.Run(c.name, func(t *testing.T) {
			raw, err := franzEncode(c)
			if err != nil {
				t.Fatalf("franz-go encode: %v", err)
			}
			failDiffs(t, "franz-go encoding (bytes)", diffHeader("", rawHeader(raw), c.expectHeader(raw)), raw)
			h, recs, err := kwireDecode(raw)
			if err != nil {
				t.Fatalf("kwire cannot decode franz-go's batch: %v\n%s", err, dumpBatch(raw))
			}
			checkBatchAgainstCase(t, "kwire", c, raw, h, recs)
			if c.codec == wire.CodecNone {
				requireSameBytes(t, "kwire", c.encode(t), "franz-go", raw)
			}
			if c.codec == wire.CodecSnappy {
				requireSnappyFraming(t, "franz-go's compressor", [][]byte{raw}, false, false)
			}
		})
	}
}

// requireSameBytes fails with the first differing offset if two encodings of one batch differ.
func requireSameBytes(t *testing.T, aName string, a []byte, bName string, b []byte) {
	t.Helper()
	if bytes.Equal(a, b) {
		return
	}
	i := 0
	for i < min(len(a), len(b)) && a[i] == b[i] {
		i++
	}
	lo, hiA, hiB := max(i-8, 0), min(i+16, len(a)), min(i+16, len(b))
	t.Errorf("%s's encoding (%d bytes) and %s's (%d bytes) differ first at byte %d:\n%s [%d:]: % x\n%s [%d:]: % x",
		aName, len(a), bName, len(b), i, aName, lo, a[lo:hiA], bName, lo, b[lo:hiB])
}
