package interop

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kwire-dev/kwire/wire"
)

// TestLogAppendTime checks a batch stamped with log-append time (attribute bit 3), as a broker
// with message.timestamp.type=LogAppendTime serves it: the records keep the deltas the producer
// wrote, maxTimestamp is the broker's time, and every consumer must give each record that time.
// kwire encodes such a batch (keeping the given maxTimestamp) and every decoder reads it: kmsg and
// sarama's fetch decoder at the byte level, and kwire, kgo's consumer and sarama's consumer with
// the log-append semantics. The consumers get kwire's bytes from a hijacked fetch, since kfake
// rewrites the timestamps of a log-append-time produce itself.
func TestLogAppendTime(t *testing.T) {
	const brokerTime = t0 + 123_456
	var topics []string
	for _, codec := range wire.Codecs {
		topics = append(topics, "log-append-"+codec.String())
	}
	cl := newCluster(t, topics...)
	br := saramaBroker(t, cl)
	consumer, err := sarama.NewConsumer(cl.addrs, saramaConfig())
	if err != nil {
		t.Fatalf("sarama.NewConsumer: %v", err)
	}
	defer func() { _ = consumer.Close() }()

	for _, codec := range wire.Codecs {
		topic := "log-append-" + codec.String()
		t.Run(topic, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			c := batchCase{
				name: topic,
				hdr: wire.BatchHeader{
					PartitionLeaderEpoch: 4,
					Attributes:           wire.AttrLogAppendTime,
					MaxTimestamp:         brokerTime,
					ProducerID:           wire.NoProducerID,
					ProducerEpoch:        wire.NoProducerEpoch,
					BaseSequence:         wire.NoSequence,
				},
				recs:  append(headerRecords(), manyRecords(30)...),
				codec: codec,
			}
			raw := c.encode(t)
			wantH := c.expectHeader(raw)
			wantH.MaxTimestamp = brokerTime
			// At the byte level the records are what the producer wrote.
			rawRecs := expectedRecords(c.recs, 0)
			// With log-append semantics every record has the broker's time.
			stamped := absolute(rawRecs, true)
			for i := range stamped {
				stamped[i].Timestamp = brokerTime
			}

			failDiffs(t, "kwire encoding (bytes)", diffHeader("", rawHeader(raw), wantH), raw)

			var kb wire.RecordBatch
			if _, err := kb.Decode(raw); err != nil {
				t.Fatalf("kwire Decode: %v", err)
			}
			failDiffs(t, "kwire header", diffHeader("", kwireHeaderView(kb.BatchHeader), wantH), raw)
			failDiffs(t, "kwire records", diffRecords("", absolute(kwireRecViews(&kb), true), stamped), raw)

			fh, frecs, err := franzDecode(raw)
			if err != nil {
				t.Fatalf("franz-go decode: %v", err)
			}
			failDiffs(t, "franz-go (kmsg) header", diffHeader("", fh, wantH), raw)
			failDiffs(t, "franz-go (kmsg) records", diffRecords("", frecs, rawRecs), raw)

			cl.serveFetch(t, topic, raw)
			rb, err := saramaFetchOne(br, topic, 0)
			if err != nil {
				t.Fatalf("sarama cannot decode kwire's batch: %v\n%s", err, dumpBatch(raw))
			}
			failDiffs(t, "sarama header", diffHeader("", saramaHeaderView(rb, raw), wantH), raw)
			failDiffs(t, "sarama records", diffRecords("", saramaRecViews(rb), rawRecs), raw)

			// kgo's consumer: metadata and list offsets from kfake, fetches answered with kwire's
			// bytes.
			kc := cl.client(t, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
				kgo.FetchMaxWait(100*time.Millisecond))
			var got []recView
			var typeErrs []string
			for len(got) < len(c.recs) {
				fetches := kc.PollFetches(ctx)
				if errs := fetches.Errors(); len(errs) > 0 {
					t.Fatalf("kgo consumer after %d records: %v", len(got), errs[0].Err)
				}
				fetches.EachRecord(func(r *kgo.Record) {
					got = append(got, kgoRecView(r))
					if r.Attrs.TimestampType() != 1 {
						typeErrs = append(typeErrs, fmt.Sprintf("offset %d: timestamp type %d, want 1 (log append)", r.Offset, r.Attrs.TimestampType()))
					}
				})
			}
			kc.Close()
			failDiffs(t, "kgo consumer timestamp type", typeErrs, raw)
			failDiffs(t, "kgo consumer records", diffRecords("", got, stamped), raw)

			// sarama's consumer, the same way.
			got = saramaConsume(ctx, t, consumer, topic, len(c.recs), raw)
			failDiffs(t, "sarama consumer records", diffRecords("", got, stamped), raw)
		})
	}
}

// kgoRecView is what kgo's consumer gives of a record.
func kgoRecView(r *kgo.Record) recView {
	v := recView{Timestamp: r.Timestamp.UnixMilli(), Offset: r.Offset, Key: cloneBytes(r.Key), Value: cloneBytes(r.Value)}
	for _, h := range r.Headers {
		v.Headers = append(v.Headers, hdrView{Key: h.Key, Value: cloneBytes(h.Value)})
	}
	return v
}

// saramaConsume reads n records of partition 0 of topic from the oldest offset with sarama's
// PartitionConsumer.
func saramaConsume(ctx context.Context, t *testing.T, consumer sarama.Consumer, topic string, n int, raw []byte) []recView {
	t.Helper()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatalf("ConsumePartition: %v", err)
	}
	defer func() { _ = pc.Close() }()
	var got []recView
	for len(got) < n {
		select {
		case m := <-pc.Messages():
			v := recView{Timestamp: m.Timestamp.UnixMilli(), Offset: m.Offset, Key: cloneBytes(m.Key), Value: cloneBytes(m.Value)}
			for _, h := range m.Headers {
				v.Headers = append(v.Headers, hdrView{Key: string(h.Key), Value: cloneBytes(h.Value)})
			}
			got = append(got, v)
		case err := <-pc.Errors():
			t.Fatalf("sarama consumer: %v\n%s", err, dumpBatch(raw))
		case <-ctx.Done():
			t.Fatalf("sarama consumer got %d of %d records in %v\n%s", len(got), n, testTimeout, dumpBatch(raw))
		}
	}
	return got
}
