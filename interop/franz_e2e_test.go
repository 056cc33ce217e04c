package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kwire-dev/kwire/wire"
)

// This file runs franz-go's client against kfake: its producer's batches decoded by kwire, and
// kwire's batches read by its consumer. It also holds the checks shared with sarama's producer.

// producerRecords are what the producer tests send: headers (null, empty and repeated), unicode,
// null and empty keys and values, and 200 compressible records whose timestamps go back and forth.
func producerRecords() []wire.Record {
	var recs []wire.Record
	recs = append(recs, headerRecords()...)
	recs = append(recs, unicodeRecords()...)
	recs = append(recs, nullEmptyRecords()...)
	recs = append(recs, compressibleRecords(200)...)
	return recs
}

// producedWant is what a producer was asked to write.
type producedWant struct {
	producer      string
	recs          []wire.Record
	codec         wire.Codec
	idempotent    bool
	transactional bool
	level         int
	// mayLeaveUncompressed: the producer sends a batch uncompressed when its codec would not
	// shrink it (kgo does); such a batch is accepted if compressing it really does not shrink it.
	mayLeaveUncompressed bool
}

// absolute keeps only what survives a producer's choice of batching: each record's absolute
// timestamp, key, value and headers, and its absolute offset when keepOffsets (batches read back
// from a broker; as a producer sends them, every batch starts at offset 0).
func absolute(views []recView, keepOffsets bool) []recView {
	out := make([]recView, len(views))
	for i, v := range views {
		v.TimestampDelta, v.OffsetDelta = 0, 0
		if !keepOffsets {
			v.Offset = 0
		}
		out[i] = v
	}
	return out
}

// checkProducedBatches decodes with kwire the batches a producer wrote (as it sent them, or as the
// broker serves them back when fetched) and checks them field by field:
//   - kwire's header is what the bytes say (read here with encoding/binary), and kwire's header and
//     records are what franz-go's decoder reads from the same bytes;
//   - the codec and transactional bits are what the producer was configured with;
//   - an idempotent producer's batches share one producer id and epoch and their sequences run on
//     from 0; a plain producer's carry no producer id or epoch;
//   - each batch's base timestamp is its first record's, its max timestamp the largest, its
//     lastOffsetDelta its record count less one, and fetched batches' offsets run on from 0;
//   - a committed transaction ends with a control batch holding one commit marker;
//   - the records, across batches, are the ones produced, null and empty told apart.
func checkProducedBatches(t *testing.T, label string, batches [][]byte, w producedWant, fetched bool) {
	t.Helper()
	if len(batches) == 0 {
		t.Fatalf("%s: no batches from %s", label, w.producer)
	}
	t.Logf("%s: %d batches of %d records from %s", label, len(batches), len(w.recs), w.producer)
	var (
		got        []recView
		pid        int64 = -2
		epoch      int16 = -2
		nextSeq    int32
		nextOffset int64
		sawControl bool
	)
	for i, raw := range batches {
		what := fmt.Sprintf("%s: %s's batch %d", label, w.producer, i)
		var b wire.RecordBatch
		rest, err := b.Decode(raw)
		if err != nil {
			t.Fatalf("%s: kwire cannot decode it: %v\n%s", what, err, dumpBatch(raw))
		}
		if len(rest) != 0 {
			t.Fatalf("%s: kwire left %d bytes", what, len(rest))
		}
		h := kwireHeaderView(b.BatchHeader)
		views := kwireRecViews(&b)
		failDiffs(t, what+": kwire header against the bytes", diffHeader("", h, rawHeader(raw)), raw)
		if h.CRC != batchCRC(raw) {
			t.Errorf("%s: CRC field %#x, computed %#x", what, h.CRC, batchCRC(raw))
		}
		if fh, frecs, err := franzDecode(raw); err != nil {
			t.Errorf("%s: franz-go cannot decode it: %v", what, err)
		} else {
			failDiffs(t, what+": kwire header against franz-go's", diffHeader("", h, fh), raw)
			failDiffs(t, what+": kwire records against franz-go's", diffRecords("", views, frecs), raw)
		}

		attrs := b.Attributes
		if attrs&wire.AttrControl != 0 {
			sawControl = true
			switch {
			case !w.transactional || !fetched || i != len(batches)-1:
				t.Errorf("%s: unexpected control batch (attributes %s)", what, attrs)
			case attrs&wire.AttrTransactional == 0 || len(b.Records) != 1:
				t.Errorf("%s: control batch with attributes %s and %d records, want transactional and 1", what, attrs, len(b.Records))
			case !bytes.Equal(b.Records[0].Key, []byte{0, 0, 0, 1}) || len(b.Records[0].Value) != 6:
				t.Errorf("%s: control record key %x value %x, want commit marker key 00000001 and a 6-byte value", what, b.Records[0].Key, b.Records[0].Value)
			case h.ProducerID != pid || h.ProducerEpoch != epoch:
				t.Errorf("%s: control batch of producer %d epoch %d, data of %d epoch %d", what, h.ProducerID, h.ProducerEpoch, pid, epoch)
			}
			continue
		}
		if attrs.Codec() != w.codec {
			if w.mayLeaveUncompressed && attrs.Codec() == wire.CodecNone {
				checkLeftUncompressed(t, what, raw[wire.BatchHeaderSize:], w.codec, w.level)
			} else {
				t.Errorf("%s: codec %s, producer configured %s", what, attrs.Codec(), w.codec)
			}
		}
		if (attrs&wire.AttrTransactional != 0) != w.transactional {
			t.Errorf("%s: attributes %s, transactional producer: %v", what, attrs, w.transactional)
		}
		if attrs&^(7|wire.AttrTransactional) != 0 {
			t.Errorf("%s: unexpected attribute bits %s", what, attrs)
		}
		if fetched && h.BaseOffset != nextOffset {
			t.Errorf("%s: base offset %d, want %d", what, h.BaseOffset, nextOffset)
		}
		if !fetched && h.BaseOffset != 0 {
			t.Errorf("%s: a producer's base offset %d, want 0", what, h.BaseOffset)
		}
		nextOffset = h.BaseOffset + int64(h.LastOffsetDelta) + 1
		if w.idempotent {
			if i == 0 {
				pid, epoch = h.ProducerID, h.ProducerEpoch
				if pid < 0 || epoch < 0 {
					t.Errorf("%s: idempotent batch with producer id %d epoch %d", what, pid, epoch)
				}
			} else if h.ProducerID != pid || h.ProducerEpoch != epoch {
				t.Errorf("%s: producer id %d epoch %d, earlier batches %d epoch %d", what, h.ProducerID, h.ProducerEpoch, pid, epoch)
			}
			if h.BaseSequence != nextSeq {
				t.Errorf("%s: base sequence %d, want %d", what, h.BaseSequence, nextSeq)
			}
			nextSeq += h.NumRecords
		} else {
			if h.ProducerID != -1 || h.ProducerEpoch != -1 {
				t.Errorf("%s: plain producer's batch has producer id %d epoch %d", what, h.ProducerID, h.ProducerEpoch)
			}
			if i == 0 {
				t.Logf("%s: a plain producer's base sequence is %d", what, h.BaseSequence)
			}
		}
		if len(views) == 0 {
			t.Errorf("%s: no records", what)
			continue
		}
		maxTS := views[0].Timestamp
		for j, v := range views {
			maxTS = max(maxTS, v.Timestamp)
			if v.OffsetDelta != int32(j) {
				t.Errorf("%s: record %d has offset delta %d", what, j, v.OffsetDelta)
			}
		}
		if views[0].TimestampDelta != 0 || h.MaxTimestamp != maxTS || h.LastOffsetDelta != h.NumRecords-1 {
			t.Errorf("%s: first timestamp delta %d, max timestamp %d (records' max %d), lastOffsetDelta %d for %d records",
				what, views[0].TimestampDelta, h.MaxTimestamp, maxTS, h.LastOffsetDelta, h.NumRecords)
		}
		got = append(got, views...)
	}
	if w.transactional && fetched && !sawControl {
		t.Errorf("%s: no commit marker after %s's transaction", label, w.producer)
	}
	want := absolute(expectedRecords(w.recs, 0), fetched)
	failDiffs(t, fmt.Sprintf("%s: %s's records decoded by kwire", label, w.producer), diffRecords("", absolute(got, fetched), want), nil)
}

// checkLeftUncompressed accepts a batch that kgo sent uncompressed under a codec only if that
// codec, as kgo's compressor applies it, would not have made the section shorter.
func checkLeftUncompressed(t *testing.T, what string, section []byte, codec wire.Codec, level int) {
	t.Helper()
	comp, err := kgo.DefaultCompressor(franzCodec(codec, level))
	if err != nil {
		t.Fatalf("kgo.DefaultCompressor: %v", err)
	}
	out, _ := comp.Compress(new(bytes.Buffer), section)
	if len(out) < len(section) {
		t.Errorf("%s: sent uncompressed though %s shrinks its %d-byte section to %d", what, codec, len(section), len(out))
		return
	}
	t.Logf("%s: sent uncompressed: %s would not shrink its %d-byte section (%d bytes)", what, codec, len(section), len(out))
}

// xerialMagic starts a snappy section in the xerial framing Kafka's Java client writes.
var xerialMagic = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

func hasXerialMagic(section []byte) bool { return bytes.HasPrefix(section, xerialMagic) }

// describeSection names how a compressed records section is framed: for snappy raw block or
// xerial, for lz4 the frame's block size and checksum flags.
func describeSection(codec wire.Codec, section []byte) string {
	switch codec {
	case wire.CodecSnappy:
		if hasXerialMagic(section) {
			return "snappy, xerial framing"
		}
		return "snappy, one raw block"
	case wire.CodecLZ4:
		if len(section) < 7 || !bytes.Equal(section[:4], []byte{0x04, 0x22, 0x4d, 0x18}) {
			return fmt.Sprintf("lz4, not a frame: % x", section[:min(len(section), 8)])
		}
		flg, bd := section[4], section[5]
		sizes := map[byte]string{4: "64KiB", 5: "256KiB", 6: "1MiB", 7: "4MiB"}
		return fmt.Sprintf("lz4 frame, %s blocks, independent %v, block checksums %v, content size %v, content checksum %v",
			sizes[bd>>4&7], flg&0x20 != 0, flg&0x10 != 0, flg&0x08 != 0, flg&0x04 != 0)
	}
	return codec.String()
}

// logSectionFraming logs how a producer framed its compressed sections.
func logSectionFraming(t *testing.T, producer string, batches [][]byte) {
	t.Helper()
	seen := map[string]bool{}
	for _, raw := range batches {
		h := rawHeader(raw)
		if codec := wire.Attributes(h.Attributes).Codec(); codec == wire.CodecSnappy || codec == wire.CodecLZ4 {
			if d := describeSection(codec, raw[61:]); !seen[d] {
				seen[d] = true
				t.Logf("%s wrote %s", producer, d)
			}
		}
	}
}

// requireSnappyFraming fails unless the snappy batches' sections are xerial-framed (xerial) or
// single raw snappy blocks (!xerial), so the test notices if a producer stops exercising a framing.
// With onlyOne, one batch framed so is enough: kgo's streaming compression merges most of a
// backlog, but may send a batch unmerged.
func requireSnappyFraming(t *testing.T, producer string, batches [][]byte, xerial, onlyOne bool) {
	t.Helper()
	var framed, other []string
	for i, raw := range batches {
		if wire.Attributes(rawHeader(raw).Attributes).Codec() != wire.CodecSnappy {
			continue
		}
		d := fmt.Sprintf("batch %d: %s", i, describeSection(wire.CodecSnappy, raw[61:]))
		if hasXerialMagic(raw[61:]) == xerial {
			framed = append(framed, d)
		} else {
			other = append(other, d)
		}
	}
	if len(framed) == 0 || len(other) > 0 && !onlyOne {
		t.Errorf("%s's snappy batches, want xerial framing: %v; as wanted: %q, not: %q", producer, xerial, framed, other)
	}
}

// TestKgoProducerToKwire produces with franz-go's client through kfake, with each codec, idempotent
// (kgo's default) or not and in a committed transaction, and decodes with kwire the batches both as
// kgo sent them and as the broker serves them back.
func TestKgoProducerToKwire(t *testing.T) {
	type producerCase struct {
		name          string
		codec         wire.Codec
		level         int
		idempotent    bool
		transactional bool
		stream        bool // kgo's streaming compression: backlogged batches merged through a stream
	}
	var cases []producerCase
	for _, codec := range wire.Codecs {
		cases = append(cases,
			producerCase{name: "kgo-" + codec.String(), codec: codec, idempotent: true},
			producerCase{name: "kgo-plain-" + codec.String(), codec: codec},
		)
		if codec != wire.CodecNone {
			cases = append(cases, producerCase{name: "kgo-stream-" + codec.String(), codec: codec, idempotent: true, stream: true})
		}
	}
	cases = append(cases,
		producerCase{name: "kgo-gzip-level9", codec: wire.CodecGzip, level: 9, idempotent: true},
		producerCase{name: "kgo-lz4-level17", codec: wire.CodecLZ4, level: 17, idempotent: true},
		producerCase{name: "kgo-zstd-level19", codec: wire.CodecZstd, level: 19, idempotent: true},
		producerCase{name: "kgo-transactional-zstd", codec: wire.CodecZstd, idempotent: true, transactional: true},
		producerCase{name: "kgo-transactional-snappy", codec: wire.CodecSnappy, idempotent: true, transactional: true},
	)
	var topics []string
	for _, pc := range cases {
		topics = append(topics, pc.name)
	}
	cl := newCluster(t, topics...)
	recs := producerRecords()

	for _, pc := range cases {
		t.Run(pc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			opts := []kgo.Opt{
				kgo.DefaultProduceTopic(pc.name),
				kgo.ManualFlushing(),
				kgo.ProducerBatchCompression(franzCodec(pc.codec, pc.level)),
				kgo.ProducerBatchMaxBytes(maxBytes),
			}
			if !pc.idempotent {
				opts = append(opts, kgo.DisableIdempotentWrite())
			}
			if pc.transactional {
				opts = append(opts, kgo.TransactionalID("kwire-interop-"+pc.name))
			}
			if pc.stream {
				// Small batches pile up behind manual flushing, and kgo merges that backlog into
				// one batch through a streaming compressor (snappy there is xerial-framed).
				opts = append(opts, kgo.StreamingCompression(), kgo.ProducerBatchMaxBytes(16<<10))
			}
			producer := cl.client(t, opts...)
			if pc.transactional {
				if err := producer.BeginTransaction(); err != nil {
					t.Fatalf("BeginTransaction: %v", err)
				}
			}
			var (
				mu       sync.Mutex
				errs     []error
				produced sync.WaitGroup
			)
			produce := func(recs []wire.Record) {
				for _, r := range recs {
					kr := &kgo.Record{Key: r.Key, Value: r.Value, Timestamp: time.UnixMilli(r.Timestamp)}
					for _, h := range r.Headers {
						kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
					}
					produced.Add(1)
					producer.Produce(ctx, kr, func(_ *kgo.Record, err error) {
						defer produced.Done()
						if err != nil {
							mu.Lock()
							errs = append(errs, err)
							mu.Unlock()
						}
					})
				}
				if err := producer.Flush(ctx); err != nil {
					t.Fatalf("Flush: %v", err)
				}
				produced.Wait()
				if err := errors.Join(errs...); err != nil {
					t.Fatalf("produce: %v", err)
				}
			}
			if pc.stream {
				// kgo merges only once a produce response has told it the produce version.
				produce(recs[:1])
				produce(recs[1:])
			} else {
				produce(recs)
			}
			if pc.transactional {
				if err := producer.EndTransaction(ctx, kgo.TryCommit); err != nil {
					t.Fatalf("EndTransaction: %v", err)
				}
			}

			want := producedWant{
				producer:      "franz-go",
				recs:          recs,
				codec:         pc.codec,
				idempotent:    pc.idempotent,
				transactional: pc.transactional,
				level:         pc.level,
				// kgo compresses a batch only if that makes it smaller.
				mayLeaveUncompressed: true,
			}
			sent := cl.producedBatches(pc.name)
			checkProducedBatches(t, "as kgo sent them", sent, want, false)
			checkProducedBatches(t, "as the broker serves them", cl.fetchRaw(ctx, t, cl.client(t), pc.name), want, true)
			logSectionFraming(t, "franz-go", sent)
			if pc.codec == wire.CodecSnappy {
				// kgo writes one raw snappy block per batch, and xerial framing when it streams.
				requireSnappyFraming(t, "franz-go", sent, pc.stream, pc.stream)
			}
		})
	}
}

// nullEmptyRecords pair null and empty keys and values every way.
func nullEmptyRecords() []wire.Record {
	return []wire.Record{
		{Timestamp: t0, Key: nil, Value: nil},
		{Timestamp: t0, Key: []byte{}, Value: []byte{}},
		{Timestamp: t0, Key: nil, Value: []byte{}},
		{Timestamp: t0, Key: []byte{}, Value: nil},
		{Timestamp: t0, Key: []byte("tombstone"), Value: nil},
		{Timestamp: t0, Key: nil, Value: []byte("keyless")},
	}
}

// brokerCases are the cases a broker accepts in a plain produce request, at base offset 0, each
// named as its topic. Transactional batches are accepted only inside a transaction.
func brokerCases() ([]batchCase, []string) {
	var cases []batchCase
	var topics []string
	for _, c := range batchCases() {
		if c.transactional() {
			continue
		}
		cases = append(cases, c.withBaseOffset(0))
		topics = append(topics, c.name)
	}
	return cases, topics
}

// TestKwireToKgoConsumer produces kwire's batches to kfake with plain produce requests and reads
// them with franz-go's consumer, which checks each batch's CRC and length as it decodes, and
// compares every record field kgo exposes: key, value, headers, timestamp, offset, producer id and
// epoch, and the codec and transactional bits.
func TestKwireToKgoConsumer(t *testing.T) {
	cases, topics := brokerCases()
	cl := newCluster(t, topics...)
	kc := cl.client(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			raw := c.encode(t)
			cl.produceRaw(ctx, t, kc, c.name, raw)

			consumer := cl.client(t,
				kgo.ConsumeTopics(c.name),
				kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
				kgo.FetchMaxBytes(maxBytes),
				kgo.FetchMaxPartitionBytes(maxBytes),
				kgo.FetchMaxWait(100*time.Millisecond),
			)
			var got []recView
			var attrErrs []string
			for len(got) < len(c.recs) {
				fetches := consumer.PollFetches(ctx)
				if errs := fetches.Errors(); len(errs) > 0 {
					t.Fatalf("kgo consumer after %d of %d records: %v\n%s", len(got), len(c.recs), errs[0].Err, dumpBatch(raw))
				}
				fetches.EachRecord(func(r *kgo.Record) {
					got = append(got, kgoRecView(r))
					if r.ProducerID != c.hdr.ProducerID || r.ProducerEpoch != c.hdr.ProducerEpoch ||
						r.Attrs.CompressionType() != uint8(c.codec) || r.Attrs.IsTransactional() || r.Attrs.IsControl() || r.Attrs.TimestampType() != 0 {
						attrErrs = append(attrErrs, fmt.Sprintf("offset %d: producer %d epoch %d, codec %d, transactional %v, control %v, timestamp type %d",
							r.Offset, r.ProducerID, r.ProducerEpoch, r.Attrs.CompressionType(), r.Attrs.IsTransactional(), r.Attrs.IsControl(), r.Attrs.TimestampType()))
					}
				})
			}
			failDiffs(t, fmt.Sprintf("kgo consumer record metadata (want producer %d epoch %d codec %d)", c.hdr.ProducerID, c.hdr.ProducerEpoch, c.codec), attrErrs, raw)
			failDiffs(t, "kgo consumer records", diffRecords("", got, absolute(expectedRecords(c.recs, 0), true)), raw)
		})
	}
}
