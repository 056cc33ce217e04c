package interop

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// This file runs franz-go's in-process fake broker (kfake) on 127.0.0.1 for the tests that need a
// broker between two clients, and gives them the raw batches that cross it.

// testTimeout bounds each test that talks to a broker.
const testTimeout = 60 * time.Second

// maxBytes is what raw fetches ask for and what the broker accepts in one batch.
const maxBytes = 32 << 20

// cluster is a one-broker kfake cluster that records every batch produced to it, exactly as the
// producing client sent it.
type cluster struct {
	c     *kfake.Cluster
	addrs []string

	mu       sync.Mutex
	produced map[string][][]byte // topic -> batches in arrival order
	swallow  bool                // answer produce requests without storing them
}

// newCluster starts a cluster with one single-partition topic per name. It advertises Kafka 3.0's
// API versions, so every client names topics (not topic IDs) in produce and fetch requests, and, as
// a real broker of 2.5 or later does, it accepts an idempotent producer's first batch at any
// sequence.
func newCluster(t *testing.T, topics ...string) *cluster {
	t.Helper()
	kc, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.SeedTopics(1, topics...),
		kfake.MaxVersions(kversion.V3_0_0()),
		kfake.BrokerConfigs(map[string]string{"message.max.bytes": fmt.Sprint(maxBytes)}),
	)
	if err != nil {
		t.Fatalf("kfake.NewCluster: %v", err)
	}
	t.Cleanup(kc.Close)
	cl := &cluster{c: kc, addrs: kc.ListenAddrs(), produced: make(map[string][][]byte)}
	kc.ControlKey(int16(kmsg.Produce), cl.onProduce)
	return cl
}

// onProduce records the batches of a produce request, then lets the cluster handle it, or, when
// swallowing, answers it with success itself.
func (cl *cluster) onProduce(req kmsg.Request) (kmsg.Response, error, bool) {
	pr := req.(*kmsg.ProduceRequest)
	cl.mu.Lock()
	defer cl.mu.Unlock()
	for _, rt := range pr.Topics {
		for _, rp := range rt.Partitions {
			cl.produced[rt.Topic] = append(cl.produced[rt.Topic], splitBatches(append([]byte{}, rp.Records...))...)
		}
	}
	if !cl.swallow {
		return nil, nil, false
	}
	cl.c.KeepControl()
	resp := pr.ResponseKind().(*kmsg.ProduceResponse)
	for _, rt := range pr.Topics {
		st := kmsg.NewProduceResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewProduceResponseTopicPartition()
			sp.Partition = rp.Partition
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil, true
}

// setSwallow makes the cluster answer produce requests itself, storing nothing, so that batches a
// real broker would refuse (transactional ones outside a transaction) can be captured.
func (cl *cluster) setSwallow(on bool) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.swallow = on
}

// producedBatches returns the batches produced to topic so far and forgets them.
func (cl *cluster) producedBatches(topic string) [][]byte {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	b := cl.produced[topic]
	delete(cl.produced, topic)
	return b
}

// client is a franz-go client of the cluster, closed when the test ends.
func (cl *cluster) client(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	c, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cl.addrs...)}, opts...)...)
	if err != nil {
		t.Fatalf("kgo.NewClient: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// produceRaw writes one raw batch to partition 0 of topic with a plain ProduceRequest, as a
// producer built on kwire would, and fails the test unless the broker accepts it.
func (cl *cluster) produceRaw(ctx context.Context, t *testing.T, kc *kgo.Client, topic string, batch []byte) {
	t.Helper()
	req := kmsg.NewPtrProduceRequest()
	req.Acks = -1
	req.TimeoutMillis = 10_000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Records = batch
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := kc.Request(ctx, req)
	if err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
	pr := resp.(*kmsg.ProduceResponse)
	if len(pr.Topics) != 1 || len(pr.Topics[0].Partitions) != 1 {
		t.Fatalf("produce to %s: response has %d topics", topic, len(pr.Topics))
	}
	if p := pr.Topics[0].Partitions[0]; p.ErrorCode != 0 {
		msg := ""
		if p.ErrorMessage != nil {
			msg = *p.ErrorMessage
		}
		t.Fatalf("broker refused kwire's batch for %s: %v %s\n%s", topic, kerr.ErrorForCode(p.ErrorCode), msg, dumpBatch(batch))
	}
}

// fetchRaw reads every batch of partition 0 of topic from offset 0 to the high watermark with plain
// FetchRequests, returning the batches exactly as the broker sends them.
func (cl *cluster) fetchRaw(ctx context.Context, t *testing.T, kc *kgo.Client, topic string) [][]byte {
	t.Helper()
	var out [][]byte
	var next int64
	for {
		req := kmsg.NewPtrFetchRequest()
		req.ReplicaID = -1
		req.MaxWaitMillis = 50
		req.MinBytes = 1
		req.MaxBytes = maxBytes
		req.IsolationLevel = 0 // read uncommitted: control batches too
		req.SessionEpoch = -1  // no fetch session
		rt := kmsg.NewFetchRequestTopic()
		rt.Topic = topic
		rp := kmsg.NewFetchRequestTopicPartition()
		rp.FetchOffset = next
		rp.PartitionMaxBytes = maxBytes
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)

		resp, err := kc.Request(ctx, req)
		if err != nil {
			t.Fatalf("fetch %s at %d: %v", topic, next, err)
		}
		fr := resp.(*kmsg.FetchResponse)
		if fr.ErrorCode != 0 || len(fr.Topics) != 1 || len(fr.Topics[0].Partitions) != 1 {
			t.Fatalf("fetch %s at %d: error %v, %d topics", topic, next, kerr.ErrorForCode(fr.ErrorCode), len(fr.Topics))
		}
		p := fr.Topics[0].Partitions[0]
		if p.ErrorCode != 0 {
			t.Fatalf("fetch %s at %d: %v", topic, next, kerr.ErrorForCode(p.ErrorCode))
		}
		if next >= p.HighWatermark {
			return out
		}
		batches := splitBatches(p.RecordBatches)
		if len(batches) == 0 {
			t.Fatalf("fetch %s at %d: no whole batch below the high watermark %d", topic, next, p.HighWatermark)
		}
		for _, b := range batches {
			h := rawHeader(b)
			if last := h.BaseOffset + int64(h.LastOffsetDelta); last >= next {
				out = append(out, b)
				next = last + 1
			}
		}
	}
}

// serveFetch makes the cluster answer fetches of partition 0 of topic from batch, byte for byte,
// until the test ends: the way to hand kwire's exact bytes to a client's fetch decoder. A fetch at
// or below the batch's last offset gets the whole batch; one past it gets no data (after a short
// wait, as a broker's long poll), so a consumer that read everything polls on quietly. Fetches of
// other topics go to the cluster.
func (cl *cluster) serveFetch(t *testing.T, topic string, batch []byte) {
	h := rawHeader(batch)
	hwm := h.BaseOffset + int64(h.LastOffsetDelta) + 1
	var stopped atomic.Bool
	t.Cleanup(func() { stopped.Store(true) })
	cl.c.ControlKey(int16(kmsg.Fetch), func(req kmsg.Request) (kmsg.Response, error, bool) {
		if stopped.Load() {
			cl.c.DropControl()
			return nil, nil, false
		}
		fr := req.(*kmsg.FetchRequest)
		if len(fr.Topics) != 1 || fr.Topics[0].Topic != topic || len(fr.Topics[0].Partitions) != 1 {
			return nil, nil, false
		}
		cl.c.KeepControl()
		resp := fr.ResponseKind().(*kmsg.FetchResponse)
		rt := kmsg.NewFetchResponseTopic()
		rt.Topic = topic
		rp := kmsg.NewFetchResponseTopicPartition()
		rp.HighWatermark = hwm
		rp.LastStableOffset = hwm
		rp.LogStartOffset = h.BaseOffset
		if fr.Topics[0].Partitions[0].FetchOffset < hwm {
			rp.RecordBatches = batch
		} else {
			time.Sleep(time.Duration(min(fr.MaxWaitMillis, 50)) * time.Millisecond)
		}
		rt.Partitions = append(rt.Partitions, rp)
		resp.Topics = append(resp.Topics, rt)
		return resp, nil, true
	})
}
