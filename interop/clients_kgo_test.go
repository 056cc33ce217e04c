package interop

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// This file runs franz-go's client (kgo) against the mock broker, as producer and as consumer.

// newKgoClient is a kgo client of cl, closed when t ends.
func newKgoClient(t *testing.T, cl *mockbroker.Cluster, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts = append([]kgo.Opt{
		kgo.SeedBrokers(cl.Addrs()...),
		kgo.ClientID("kwire-interop"),
		kgo.RequestTimeoutOverhead(5 * time.Second),
		kgo.RetryTimeout(clientTimeout),
	}, opts...)
	kc, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatalf("kgo.NewClient: %v", err)
	}
	t.Cleanup(kc.Close)
	return kc
}

// kgoRecord is r as a kgo record for topic, with r's key, value, headers and timestamp.
func kgoRecord(topic string, r wire.Record) *kgo.Record {
	kr := &kgo.Record{Topic: topic, Key: r.Key, Value: r.Value, Timestamp: time.UnixMilli(r.Timestamp)}
	for _, h := range r.Headers {
		kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
	}
	return kr
}

// kgoProduce produces recs to topic with producer, all at once, and fails t unless every one is
// acknowledged. It returns the records as kgo completed them, with partition and offset.
func kgoProduce(t *testing.T, producer *kgo.Client, topic string, recs []wire.Record) []*kgo.Record {
	t.Helper()
	krs := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		krs[i] = kgoRecord(topic, r)
	}
	if err := producer.ProduceSync(clientContext(t), krs...).FirstErr(); err != nil {
		t.Fatalf("kgo ProduceSync to %s: %v", topic, err)
	}
	return krs
}

// kgoConsume reads n records of topic from the start with a new kgo consumer (no group) and
// returns them in the order it polled them.
func kgoConsume(t *testing.T, cl *mockbroker.Cluster, topic string, n int) []*kgo.Record {
	t.Helper()
	ctx := clientContext(t)
	consumer := newKgoClient(t, cl, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var got []*kgo.Record
	for len(got) < n {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("kgo consumer read %d of %d records of %s in %v", len(got), n, topic, clientTimeout)
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			t.Fatalf("kgo consumer after %d of %d records of %s: %s/%d: %v", len(got), n, topic, errs[0].Topic, errs[0].Partition, errs[0].Err)
		}
		got = append(got, fetches.Records()...)
	}
	consumer.Close()
	return got
}

// TestKgoAgainstMockBroker produces with kgo (idempotent, its default, and once not; acks=all;
// each codec) to topics it has the broker create, then consumes with a kgo consumer: the broker
// stores batches with the codec asked for (or none where kgo found compressing did not help) and,
// from the idempotent producer, its producer id and sequences from 0; every record comes back in
// order with its key, value, headers (null and empty values told apart) and timestamp, both from
// kgo's consumer and from Cluster.Records.
func TestKgoAgainstMockBroker(t *testing.T) {
	type kgoCase struct {
		codec      wire.Codec
		idempotent bool
	}
	var cases []kgoCase
	for _, codec := range wire.Codecs {
		cases = append(cases, kgoCase{codec: codec, idempotent: true})
	}
	cases = append(cases, kgoCase{codec: wire.CodecZstd}, kgoCase{codec: wire.CodecNone})
	cl := newMockCluster(t)
	recs := producerRecords()
	for _, c := range cases {
		name := "kgo-" + c.codec.String()
		if !c.idempotent {
			name = "kgo-plain-" + c.codec.String()
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts := []kgo.Opt{
				kgo.AllowAutoTopicCreation(),
				kgo.RequiredAcks(kgo.AllISRAcks()),
				kgo.ProducerBatchCompression(franzCodec(c.codec, 0)),
				kgo.ProducerLinger(5 * time.Millisecond),
				// Several batches, so that sequences run on across them and kgo pipelines
				// produce requests.
				kgo.ProducerBatchMaxBytes(16 << 10),
			}
			if !c.idempotent {
				opts = append(opts, kgo.DisableIdempotentWrite())
			}
			produced := kgoProduce(t, newKgoClient(t, cl, opts...), name, recs)
			for i, r := range produced {
				if r.Partition != 0 || r.Offset != int64(i) {
					t.Fatalf("record %d acknowledged at %d/%d, want 0/%d", i, r.Partition, r.Offset, i)
				}
			}

			batches := storedBatches(t, cl, name, 0)
			checkProducedBatches(t, "as the mock broker stored them", batches, producedWant{
				producer:   "franz-go",
				recs:       recs,
				codec:      c.codec,
				idempotent: c.idempotent,
				// kgo sends a batch uncompressed when compressing would not shrink it.
				mayLeaveUncompressed: true,
			}, true)
			if c.codec != wire.CodecNone && !slices.ContainsFunc(batches, func(b []byte) bool { return rawHeader(b).Attributes&7 == int16(c.codec) }) {
				t.Errorf("no batch of %d is compressed with %s", len(batches), c.codec)
			}
			want := absolute(expectedRecords(recs, 0), true)
			failDiffs(t, "Cluster.Records", diffRecords("", storedRecords(t, cl, name, 0), want), nil)

			var got []recView
			for _, r := range kgoConsume(t, cl, name, len(recs)) {
				got = append(got, kgoRecView(r))
			}
			failDiffs(t, "kgo consumer records", diffRecords("", got, want), nil)
			t.Logf("%s: %d records in %d batches", name, len(recs), len(batches))
		})
	}
}

// TestKgoMultiBroker produces keyed records with kgo to a six-partition topic led by three
// brokers, and consumes them back: the records spread over every partition and every broker,
// each partition holds its records in the order they were produced, and every record comes back
// from the partition kgo's producer said it went to.
func TestKgoMultiBroker(t *testing.T) {
	const topic, partitions, brokers, n = "kgo-spread", 6, 3, 600
	cl := newMockCluster(t, mockbroker.NumBrokers(brokers), mockbroker.Topic(topic, partitions))
	recs := make([]wire.Record, n)
	for i := range recs {
		recs[i] = wire.Record{
			Timestamp: t0 + int64(i),
			Key:       fmt.Appendf(nil, "key-%03d", i),
			Value:     fmt.Appendf(nil, "value %d", i),
			Headers:   []wire.Header{{Key: "i", Value: fmt.Appendf(nil, "%d", i)}},
		}
	}
	producer := newKgoClient(t, cl, kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerBatchCompression(kgo.Lz4Compression()))
	cl.ResetExchanges()
	produced := kgoProduce(t, producer, topic, recs)

	leaders := kgoLeaders(t, producer, topic)
	byPartition := map[int32][]int{} // partition -> indexes of recs, in production order
	for i, r := range produced {
		byPartition[r.Partition] = append(byPartition[r.Partition], i)
	}
	producedTo := map[int32]bool{}
	for _, e := range cl.Exchanges() {
		if e.Header.APIKey == protocol.KeyProduce {
			producedTo[e.Broker] = true
		}
	}
	t.Logf("records per partition: %v; leaders %v; produce requests went to brokers %v", recordsPerPartition(byPartition), leaders, producedTo)
	if len(byPartition) != partitions {
		t.Errorf("records went to %d partitions, want all %d", len(byPartition), partitions)
	}
	if len(producedTo) != brokers {
		t.Errorf("produce requests went to brokers %v, want all %d", producedTo, brokers)
	}
	ledBy := map[int32]bool{}
	for p := range byPartition {
		ledBy[leaders[p]] = true
	}
	if len(ledBy) != brokers {
		t.Errorf("partitions with records are led by brokers %v, want all %d", ledBy, brokers)
	}

	var pid int64 = -2
	for p := int32(0); p < partitions; p++ {
		idx := byPartition[p]
		want := make([]recView, len(idx))
		for j, i := range idx {
			want[j] = expectedRecords(recs[i:i+1], int64(j))[0]
			if produced[i].Offset != int64(j) {
				t.Errorf("record %d acknowledged at %d/%d, want offset %d", i, p, produced[i].Offset, j)
			}
		}
		failDiffs(t, fmt.Sprintf("%s/%d: Cluster.Records", topic, p), diffRecords("", storedRecords(t, cl, topic, p), absolute(want, true)), nil)
		pRecs := make([]wire.Record, len(idx))
		for j, i := range idx {
			pRecs[j] = recs[i]
		}
		checkProducedBatches(t, fmt.Sprintf("%s/%d as the mock broker stored them", topic, p), storedBatches(t, cl, topic, p), producedWant{
			producer: "franz-go", recs: pRecs, codec: wire.CodecLZ4, idempotent: true, mayLeaveUncompressed: true,
		}, true)
		if id := storedHeaders(t, cl, topic, p)[0].ProducerID; pid == -2 {
			pid = id
		} else if id != pid {
			t.Errorf("%s/%d: producer id %d, other partitions %d: one producer, one id", topic, p, id, pid)
		}
	}

	got := map[int32][]recView{}
	for _, r := range kgoConsume(t, cl, topic, n) {
		got[r.Partition] = append(got[r.Partition], kgoRecView(r))
	}
	for p := int32(0); p < partitions; p++ {
		failDiffs(t, fmt.Sprintf("%s/%d: kgo consumer against Cluster.Records", topic, p), diffRecords("", got[p], storedRecords(t, cl, topic, p)), nil)
	}
}

// kgoLeaders asks the cluster, with a Metadata request through kc, which broker leads each of
// topic's partitions.
func kgoLeaders(t *testing.T, kc *kgo.Client, topic string) map[int32]int32 {
	t.Helper()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(clientContext(t), kc)
	if err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	leaders := map[int32]int32{}
	for _, mt := range resp.Topics {
		for _, p := range mt.Partitions {
			leaders[p.Partition] = p.Leader
		}
	}
	return leaders
}

// recordsPerPartition is how many indexes each partition has.
func recordsPerPartition(m map[int32][]int) map[int32]int {
	out := make(map[int32]int, len(m))
	for p, idx := range m {
		out[p] = len(idx)
	}
	return out
}
