package interop

import (
	"context"
	"fmt"
	"io"
	"log"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kwire-dev/kwire/wire"
)

// This file checks kwire against IBM's sarama.
//
// sarama decodes record batches only inside its protocol messages: RecordBatch.decode is
// unexported, and so is every decoder. The exported route that hands sarama a batch's exact bytes is
// a fetch: (*sarama.Broker).Fetch sends a FetchRequest and decodes the FetchResponse, whose
// FetchResponseBlock.RecordsSet holds each batch as a *sarama.RecordBatch with every header field
// exported. The broker is kfake on 127.0.0.1 with a control function that answers the fetch with
// kwire's batch byte for byte (cluster.serveFetch), so nothing re-encodes the batch on its way.
// sarama's decoder checks the CRC itself and fails the fetch on a mismatch.
//
// The other way, sarama encodes batches in (*sarama.Broker).Produce: a ProduceRequest with
// hand-made *sarama.RecordBatch values sets every header field, and kfake captures the bytes on
// arrival. sarama's SyncProducer and PartitionConsumer then run end to end through kfake.

// saramaVersion is the Kafka version sarama speaks: well past 0.11, so it writes magic-2 batches,
// and matching what kfake advertises.
var saramaVersion = sarama.V3_0_0_0

func init() { sarama.Logger = log.New(io.Discard, "", 0) }

// saramaConfig is a sarama configuration for the cluster, with short bounded timeouts.
func saramaConfig() *sarama.Config {
	conf := sarama.NewConfig()
	conf.Version = saramaVersion
	conf.ClientID = "kwire-interop"
	conf.Net.DialTimeout = 5 * time.Second
	conf.Net.ReadTimeout = 15 * time.Second
	conf.Net.WriteTimeout = 15 * time.Second
	conf.Metadata.Retry.Max = 5
	conf.Metadata.Retry.Backoff = 50 * time.Millisecond
	conf.Consumer.Return.Errors = true
	conf.Consumer.Fetch.Default = maxBytes
	conf.Consumer.MaxWaitTime = 50 * time.Millisecond
	conf.Producer.Return.Successes = true
	conf.Producer.RequiredAcks = sarama.WaitForAll
	conf.Producer.Partitioner = sarama.NewManualPartitioner
	conf.Producer.MaxMessageBytes = maxBytes
	return conf
}

// saramaBroker connects a sarama Broker to the cluster, closed when the test ends.
func saramaBroker(t *testing.T, cl *cluster) *sarama.Broker {
	t.Helper()
	br := sarama.NewBroker(cl.addrs[0])
	if err := br.Open(saramaConfig()); err != nil {
		t.Fatalf("sarama Broker.Open: %v", err)
	}
	t.Cleanup(func() { _ = br.Close() })
	return br
}

// saramaLevel is sarama's compression level for a kwire level: sarama takes 0 literally (gzip
// level 0 stores), so kwire's default becomes sarama's.
func saramaLevel(level int) int {
	if level == 0 {
		return sarama.CompressionLevelDefault
	}
	return level
}

// saramaHeaderView converts the header sarama decoded. sarama exports neither the batch length nor
// the CRC: for those the view takes the values the bytes must have, and the caller separately
// checks that sarama consumed exactly one whole batch, and sarama's decoder verified the CRC.
func saramaHeaderView(b *sarama.RecordBatch, raw []byte) headerView {
	attrs := int16(b.Codec) & 0x07
	if b.LogAppendTime {
		attrs |= 1 << 3
	}
	if b.IsTransactional {
		attrs |= 1 << 4
	}
	if b.Control {
		attrs |= 1 << 5
	}
	return headerView{
		BaseOffset:           b.FirstOffset,
		Length:               int32(len(raw) - 12), // not exported by sarama
		PartitionLeaderEpoch: b.PartitionLeaderEpoch,
		Magic:                b.Version,
		CRC:                  batchCRC(raw), // not exported; verified by sarama's decoder
		Attributes:           attrs,
		LastOffsetDelta:      b.LastOffsetDelta,
		BaseTimestamp:        saramaMillis(b.FirstTimestamp),
		MaxTimestamp:         saramaMillis(b.MaxTimestamp),
		ProducerID:           b.ProducerID,
		ProducerEpoch:        b.ProducerEpoch,
		BaseSequence:         b.FirstSequence,
		NumRecords:           int32(len(b.Records)),
	}
}

// saramaMillis is a sarama timestamp in milliseconds; sarama decodes a negative timestamp as the
// zero time.
func saramaMillis(ts time.Time) int64 {
	if ts.IsZero() {
		return -1
	}
	return ts.UnixMilli()
}

// saramaRecViews converts the records sarama decoded.
func saramaRecViews(b *sarama.RecordBatch) []recView {
	base := saramaMillis(b.FirstTimestamp)
	out := make([]recView, len(b.Records))
	for i, r := range b.Records {
		delta := int64(r.TimestampDelta / time.Millisecond)
		v := recView{
			Attributes:     r.Attributes,
			TimestampDelta: delta,
			OffsetDelta:    int32(r.OffsetDelta),
			Timestamp:      base + delta,
			Offset:         b.FirstOffset + r.OffsetDelta,
			Key:            cloneBytes(r.Key),
			Value:          cloneBytes(r.Value),
		}
		for _, h := range r.Headers {
			v.Headers = append(v.Headers, hdrView{Key: string(h.Key), Value: cloneBytes(h.Value)})
		}
		out[i] = v
	}
	return out
}

// saramaFetch fetches partition 0 of topic at offset with broker and returns sarama's decoding of
// the partition's data.
func saramaFetch(br *sarama.Broker, topic string, offset int64) (*sarama.FetchResponseBlock, error) {
	req := &sarama.FetchRequest{
		Version:      12,
		MaxWaitTime:  50,
		MinBytes:     1,
		MaxBytes:     maxBytes,
		Isolation:    sarama.ReadUncommitted,
		SessionEpoch: -1,
	}
	req.AddBlock(topic, 0, offset, maxBytes, -1)
	resp, err := br.Fetch(req)
	if err != nil {
		return nil, fmt.Errorf("sarama Broker.Fetch: %w", err)
	}
	block := resp.GetBlock(topic, 0)
	switch {
	case block == nil:
		return nil, fmt.Errorf("sarama's fetch response has no block for %s/0", topic)
	case block.Err != sarama.ErrNoError:
		return nil, fmt.Errorf("sarama's fetch block: %w", block.Err)
	}
	return block, nil
}

// saramaFetchOne fetches partition 0 of topic at offset with broker and returns the one batch the
// response must hold.
func saramaFetchOne(br *sarama.Broker, topic string, offset int64) (*sarama.RecordBatch, error) {
	block, err := saramaFetch(br, topic, offset)
	switch {
	case err != nil:
		return nil, err
	case block.Partial:
		return nil, fmt.Errorf("sarama took the batch for a partial one")
	case len(block.RecordsSet) != 1:
		return nil, fmt.Errorf("sarama decoded %d record sets, want 1", len(block.RecordsSet))
	}
	rb := block.RecordsSet[0].RecordBatch
	switch {
	case rb == nil:
		return nil, fmt.Errorf("sarama decoded a legacy message set, not a record batch")
	case rb.PartialTrailingRecord:
		return nil, fmt.Errorf("sarama took the batch for a partial one (PartialTrailingRecord)")
	}
	return rb, nil
}

// TestKwireToSarama encodes every case with kwire and decodes it with sarama's fetch decoder (see
// the top of the file): every header field sarama exports, and every record field, null and empty
// told apart.
func TestKwireToSarama(t *testing.T) {
	const topic = "kwire-to-sarama"
	cl := newCluster(t, topic)
	br := saramaBroker(t, cl)
	for _, c := range batchCases() {
		t.Run(c.name, func(t *testing.T) {
			raw := c.encode(t)
			cl.serveFetch(t, topic, raw)
			rb, err := saramaFetchOne(br, topic, c.hdr.BaseOffset)
			if err != nil {
				t.Fatalf("sarama cannot decode kwire's batch: %v\n%s", err, dumpBatch(raw))
			}
			checkBatchAgainstCase(t, "sarama", c, raw, saramaHeaderView(rb, raw), saramaRecViews(rb))
		})
	}
}

// saramaRecords are the case's records as sarama builds them: deltas from the first record.
func saramaRecords(recs []wire.Record) []*sarama.Record {
	out := make([]*sarama.Record, len(recs))
	for i, r := range recs {
		sr := &sarama.Record{
			TimestampDelta: time.Duration(r.Timestamp-recs[0].Timestamp) * time.Millisecond,
			OffsetDelta:    int64(i),
			Key:            r.Key,
			Value:          r.Value,
		}
		for _, h := range r.Headers {
			sr.Headers = append(sr.Headers, &sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value})
		}
		out[i] = sr
	}
	return out
}

// saramaEncode has sarama encode the case's batch, setting every header field itself, by sending
// it in a ProduceRequest to the cluster, which captures the bytes and answers without storing them.
func saramaEncode(t *testing.T, cl *cluster, br *sarama.Broker, topic string, c batchCase) []byte {
	t.Helper()
	rb := &sarama.RecordBatch{
		FirstOffset:          c.hdr.BaseOffset,
		PartitionLeaderEpoch: c.hdr.PartitionLeaderEpoch,
		Version:              2,
		Codec:                sarama.CompressionCodec(c.codec),
		CompressionLevel:     saramaLevel(c.level),
		LastOffsetDelta:      int32(len(c.recs) - 1),
		FirstTimestamp:       time.UnixMilli(c.recs[0].Timestamp),
		MaxTimestamp:         time.UnixMilli(maxTimestamp(c.recs)),
		ProducerID:           c.hdr.ProducerID,
		ProducerEpoch:        c.hdr.ProducerEpoch,
		FirstSequence:        c.hdr.BaseSequence,
		IsTransactional:      c.transactional(),
		Records:              saramaRecords(c.recs),
	}
	req := &sarama.ProduceRequest{Version: 7, RequiredAcks: sarama.WaitForAll, Timeout: 10_000}
	req.AddBatch(topic, 0, rb)
	if _, err := br.Produce(req); err != nil {
		t.Fatalf("sarama Broker.Produce: %v", err)
	}
	got := cl.producedBatches(topic)
	if len(got) != 1 {
		t.Fatalf("captured %d batches from sarama's produce request, want 1", len(got))
	}
	return got[0]
}

// TestSaramaToKwire has sarama encode every case (every header field set by hand) and decodes the
// bytes with kwire. Uncompressed, kwire's encoding must equal sarama's byte for byte.
func TestSaramaToKwire(t *testing.T) {
	const topic = "sarama-to-kwire"
	cl := newCluster(t, topic)
	cl.setSwallow(true)
	br := saramaBroker(t, cl)
	for _, c := range batchCases() {
		t.Run(c.name, func(t *testing.T) {
			raw := saramaEncode(t, cl, br, topic, c)
			failDiffs(t, "sarama encoding (bytes)", diffHeader("", rawHeader(raw), c.expectHeader(raw)), raw)
			h, recs, err := kwireDecode(raw)
			if err != nil {
				t.Fatalf("kwire cannot decode sarama's batch: %v\n%s", err, dumpBatch(raw))
			}
			checkBatchAgainstCase(t, "kwire", c, raw, h, recs)
			if c.codec == wire.CodecNone {
				requireSameBytes(t, "kwire", c.encode(t), "sarama", raw)
			}
			if c.codec == wire.CodecSnappy {
				requireSnappyFraming(t, "sarama", [][]byte{raw}, true, false)
			}
		})
	}
}

// saramaMessages are records as sarama ProducerMessages for partition 0 of topic.
func saramaMessages(topic string, recs []wire.Record) []*sarama.ProducerMessage {
	msgs := make([]*sarama.ProducerMessage, len(recs))
	for i, r := range recs {
		m := &sarama.ProducerMessage{Topic: topic, Partition: 0, Timestamp: time.UnixMilli(r.Timestamp)}
		if r.Key != nil {
			m.Key = sarama.ByteEncoder(r.Key)
		}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(r.Value)
		}
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value})
		}
		msgs[i] = m
	}
	return msgs
}

// TestSaramaProducerToKwire produces with sarama's SyncProducer through kfake, with each codec,
// idempotent or not and in a committed transaction, and decodes with kwire both the batches as
// sarama sent them and as the broker serves them back.
func TestSaramaProducerToKwire(t *testing.T) {
	type producerCase struct {
		name          string
		codec         wire.Codec
		level         int
		idempotent    bool
		transactional bool
	}
	var cases []producerCase
	for _, codec := range wire.Codecs {
		cases = append(cases,
			producerCase{name: "sarama-" + codec.String(), codec: codec},
			producerCase{name: "sarama-idempotent-" + codec.String(), codec: codec, idempotent: true},
		)
	}
	cases = append(cases,
		producerCase{name: "sarama-gzip-level1", codec: wire.CodecGzip, level: 1, idempotent: true},
		producerCase{name: "sarama-zstd-level19", codec: wire.CodecZstd, level: 19, idempotent: true},
		producerCase{name: "sarama-transactional-lz4", codec: wire.CodecLZ4, idempotent: true, transactional: true},
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
			conf := saramaConfig()
			conf.Producer.Compression = sarama.CompressionCodec(pc.codec)
			conf.Producer.CompressionLevel = saramaLevel(pc.level)
			conf.Producer.Flush.Messages = len(recs)
			conf.Producer.Flush.Frequency = 20 * time.Millisecond
			if pc.idempotent {
				conf.Producer.Idempotent = true
				conf.Producer.Retry.Max = 3
				conf.Net.MaxOpenRequests = 1
			}
			if pc.transactional {
				conf.Producer.Transaction.ID = "kwire-interop-" + pc.name
			}
			p, err := sarama.NewSyncProducer(cl.addrs, conf)
			if err != nil {
				t.Fatalf("sarama.NewSyncProducer: %v", err)
			}
			defer func() { _ = p.Close() }()

			done := make(chan error, 1)
			go func() {
				if pc.transactional {
					if err := p.BeginTxn(); err != nil {
						done <- fmt.Errorf("BeginTxn: %w", err)
						return
					}
				}
				if err := p.SendMessages(saramaMessages(pc.name, recs)); err != nil {
					done <- fmt.Errorf("SendMessages: %w", err)
					return
				}
				if pc.transactional {
					if err := p.CommitTxn(); err != nil {
						done <- fmt.Errorf("CommitTxn: %w", err)
						return
					}
				}
				done <- nil
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("sarama produce: %v", err)
				}
			case <-ctx.Done():
				t.Fatalf("sarama produce did not finish in %v", testTimeout)
			}

			kc := cl.client(t)
			want := producedWant{
				producer:      "sarama",
				recs:          recs,
				codec:         pc.codec,
				idempotent:    pc.idempotent,
				transactional: pc.transactional,
			}
			sent := cl.producedBatches(pc.name)
			checkProducedBatches(t, "as sarama sent them", sent, want, false)
			checkProducedBatches(t, "as the broker serves them", cl.fetchRaw(ctx, t, kc, pc.name), want, true)
			logSectionFraming(t, "sarama", sent)
			if pc.codec == wire.CodecSnappy {
				requireSnappyFraming(t, "sarama", sent, true, false)
			}
		})
	}
}

// TestKwireToSaramaConsumer produces kwire's batches to kfake with plain produce requests and reads
// them with sarama's PartitionConsumer. Transactional cases are left out: a broker accepts them only
// inside a transaction.
func TestKwireToSaramaConsumer(t *testing.T) {
	cases, topics := brokerCases()
	cl := newCluster(t, topics...)
	kc := cl.client(t)
	consumer, err := sarama.NewConsumer(cl.addrs, saramaConfig())
	if err != nil {
		t.Fatalf("sarama.NewConsumer: %v", err)
	}
	defer func() { _ = consumer.Close() }()

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			raw := c.encode(t)
			cl.produceRaw(ctx, t, kc, c.name, raw)

			got := saramaConsume(ctx, t, consumer, c.name, len(c.recs), raw)
			failDiffs(t, "sarama consumer records", diffRecords("", got, absolute(expectedRecords(c.recs, 0), true)), raw)
		})
	}
}
