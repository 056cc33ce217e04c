package interop

import (
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kwire-dev/kwire/wire"
)

// This file runs IBM's sarama against the mock broker: its SyncProducer, plain and idempotent,
// with each codec, then its Consumer.

// saramaMockConfig is a sarama configuration for the mock broker: saramaConfig's short timeouts,
// acks=all and partition 0, with message.max.bytes the broker's default.
func saramaMockConfig(codec wire.Codec, idempotent bool) *sarama.Config {
	conf := saramaConfig()
	conf.Producer.MaxMessageBytes = 1000000 // within the broker's message.max.bytes
	conf.Producer.Compression = sarama.CompressionCodec(codec)
	conf.Producer.Flush.Frequency = 5 * time.Millisecond
	conf.Producer.Flush.MaxMessages = 50 // several batches, so that sequences run on across them
	if idempotent {
		// What sarama demands of an idempotent producer: one request in flight, acks=all and a
		// Kafka version of 0.11 or later (saramaVersion is 3.0).
		conf.Producer.Idempotent = true
		conf.Net.MaxOpenRequests = 1
		conf.Producer.RequiredAcks = sarama.WaitForAll
		conf.Producer.Retry.Max = 3
	}
	return conf
}

// TestSaramaAgainstMockBroker produces with sarama's SyncProducer, with each codec, plain and
// idempotent, to topics the broker creates on first use, and reads the records back both from
// Cluster.Records and with sarama's consumer from the oldest offset: the stored batches carry the
// codec asked for and, from the idempotent producer, a producer id and sequences from 0, and
// every record comes back in order with its key, value, headers and timestamp.
func TestSaramaAgainstMockBroker(t *testing.T) {
	type saramaCase struct {
		codec      wire.Codec
		idempotent bool
	}
	var cases []saramaCase
	for _, codec := range wire.Codecs {
		cases = append(cases, saramaCase{codec: codec}, saramaCase{codec: codec, idempotent: true})
	}
	cl := newMockCluster(t)
	recs := producerRecords()
	want := absolute(expectedRecords(recs, 0), true)
	consumer, err := sarama.NewConsumer(cl.Addrs(), saramaConfig())
	if err != nil {
		t.Fatalf("sarama.NewConsumer: %v", err)
	}
	t.Cleanup(func() { _ = consumer.Close() })

	for _, c := range cases {
		name := "sarama-" + c.codec.String()
		if c.idempotent {
			name = "sarama-idempotent-" + c.codec.String()
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := clientContext(t)
			producer, err := sarama.NewSyncProducer(cl.Addrs(), saramaMockConfig(c.codec, c.idempotent))
			if err != nil {
				t.Fatalf("sarama.NewSyncProducer: %v", err)
			}
			defer func() { _ = producer.Close() }()
			msgs := saramaMessages(name, recs)
			done := make(chan error, 1)
			go func() { done <- producer.SendMessages(msgs) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("SendMessages: %v", err)
				}
			case <-ctx.Done():
				t.Fatalf("SendMessages did not return in %v", clientTimeout)
			}
			for i, m := range msgs {
				if m.Partition != 0 || m.Offset != int64(i) {
					t.Fatalf("message %d acknowledged at %d/%d, want 0/%d", i, m.Partition, m.Offset, i)
				}
			}

			batches := storedBatches(t, cl, name, 0)
			checkProducedBatches(t, "as the mock broker stored them", batches, producedWant{
				producer:   "sarama",
				recs:       recs,
				codec:      c.codec,
				idempotent: c.idempotent,
			}, true)
			failDiffs(t, "Cluster.Records", diffRecords("", storedRecords(t, cl, name, 0), want), nil)
			failDiffs(t, "sarama consumer records", diffRecords("", saramaConsume(ctx, t, consumer, name, len(recs), batches[0]), want), nil)
			t.Logf("%s: %d records in %d batches", name, len(recs), len(batches))
		})
	}
}
