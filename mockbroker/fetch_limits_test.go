package mockbroker

import (
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// fillPartition produces n batches of one record of size bytes to topic/partition and returns the
// size of one batch as the log stores it.
func fillPartition(t *testing.T, tc *testClient, topic string, partition int32, n, size int) int {
	t.Helper()
	batch := batchOf(t, -1, 0, 0, wire.CodecNone, strings.Repeat("v", size))
	for range n {
		if pr := produce(tc, 9, 1, topic, partition, batch); pr.ErrorCode != 0 {
			t.Fatalf("produce to %s/%d: error %d", topic, partition, pr.ErrorCode)
		}
	}
	return len(batch)
}

// limitedFetch is a fetch that waits for nothing, of parts of topic t within maxBytes.
func limitedFetch(maxBytes int32, parts ...protocol.FetchPartition) *protocol.FetchRequest {
	req := &protocol.FetchRequest{ReplicaID: -1, MaxBytes: maxBytes, SessionEpoch: -1}
	for _, p := range parts {
		req.Topics = append(req.Topics, protocol.FetchTopic{Topic: "t", Partitions: []protocol.FetchPartition{p}})
	}
	return req
}

// fetchPartition is partition index of a fetch, from offset, within maxBytes.
func fetchPartition(index int32, offset int64, maxBytes int32) protocol.FetchPartition {
	return protocol.FetchPartition{Partition: index, FetchOffset: offset, CurrentLeaderEpoch: -1, LastFetchedEpoch: -1,
		LogStartOffset: -1, PartitionMaxBytes: maxBytes}
}

// batchCounts is how many whole batches each partition of resp returned, by partition index, at
// v4+; it fails the test on an error code or on records that are not whole batches.
func batchCounts(t *testing.T, resp *protocol.FetchResponse) map[int32]int {
	t.Helper()
	counts := make(map[int32]int)
	for _, tr := range resp.Responses {
		for _, p := range tr.Partitions {
			if p.ErrorCode != 0 || p.Records == nil {
				t.Fatalf("partition %d: error %d, records nil: %v", p.PartitionIndex, p.ErrorCode, p.Records == nil)
			}
			counts[p.PartitionIndex] += len(decodeBatches(t, p.Records))
		}
	}
	return counts
}

// answered lists the partitions resp answers, by topic entry.
func answered(resp *protocol.FetchResponse) [][]int32 {
	var out [][]int32
	for _, tr := range resp.Responses {
		out = append(out, partitionIndexes(tr.Partitions, func(p protocol.FetchPartitionResponse) int32 { return p.PartitionIndex }))
	}
	return out
}

// decodeBatches decodes records as whole record batches.
func decodeBatches(t *testing.T, records []byte) []wire.RecordBatch {
	t.Helper()
	var batches []wire.RecordBatch
	for len(records) > 0 {
		var b wire.RecordBatch
		rest, err := b.Decode(records)
		if err != nil {
			t.Fatalf("batch %d: %v", len(batches), err)
		}
		batches, records = append(batches, b), rest
	}
	return batches
}

// TestFetchAmplified: a fetch naming partition 0 thousands of times with max_bytes=1 answers one
// batch in all, as Kafka does: it reads a partition named twice once (a request's partitions are
// a map there), and the first batch is the only one it returns past the byte limits (KIP-74).
// Otherwise a 70 KB request would get a 2.2 MB answer.
func TestFetchAmplified(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1), Versions(Kafka44))
	tc := dialTest(t, c.Addrs()[0])
	batchSize := fillPartition(t, tc, "t", 0, 4, 1000)
	for _, v := range []int16{12, 17} {
		req := limitedFetch(1)
		for range 1000 {
			p := fetchPartition(0, 0, 1)
			req.Topics = append(req.Topics, protocol.FetchTopic{Topic: "t", TopicID: c.topics["t"].id, Partitions: []protocol.FetchPartition{p, p}})
		}
		tc.send(v, req)
		frame, err := tc.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		var resp protocol.FetchResponse
		if _, body, err := protocol.ReadResponseHeader(frame, protocol.KeyFetch, v); err != nil || resp.Decode(body, v) != nil {
			t.Fatalf("v%d: undecodable answer: %v", v, err)
		}
		if n := batchCounts(t, &resp)[0]; n != 1 || len(frame) > batchSize+256 {
			t.Errorf("v%d: %d bytes, %d batches in %d topics; want one batch of %d bytes", v, len(frame), n, len(resp.Responses), batchSize)
		}
	}
}

// TestFetchDuplicatePartitions: a partition named twice is answered once, in the place of its
// first entry and from the offset of its last, as Kafka reads a request into a map keyed by topic
// (or topic id) and partition; the partitions of one topic then come back in one topic entry.
func TestFetchDuplicatePartitions(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 2), Versions(Kafka44))
	tc := dialTest(t, c.Addrs()[0])
	fillPartition(t, tc, "t", 0, 3, 10)
	fillPartition(t, tc, "t", 1, 1, 10)
	for _, v := range []int16{12, 13} {
		req := limitedFetch(1<<20, fetchPartition(0, 0, 1<<20), fetchPartition(1, 0, 1<<20), fetchPartition(0, 2, 1<<20))
		for i := range req.Topics {
			req.Topics[i].TopicID = c.topics["t"].id
		}
		var resp protocol.FetchResponse
		tc.roundTrip(v, req, &resp)
		if len(resp.Responses) != 1 || len(resp.Responses[0].Partitions) != 2 {
			t.Fatalf("v%d: partitions %v by topic entry, want [[0 1]]", v, answered(&resp))
		}
		ps := resp.Responses[0].Partitions
		first, second := decodeBatches(t, ps[0].Records), decodeBatches(t, ps[1].Records)
		if ps[0].PartitionIndex != 0 || len(first) != 1 || first[0].BaseOffset != 2 || ps[1].PartitionIndex != 1 || len(second) != 1 {
			t.Errorf("v%d: partition %d with %d batches, partition %d with %d; want 0 from offset 2, then 1", v, ps[0].PartitionIndex, len(first), ps[1].PartitionIndex, len(second))
		}
	}
}

// TestFetchRequestMaxBytes: the partitions of a fetch share its max_bytes in the order the request
// names them: whole batches while they fit, then empty record sets, not errors; the first batch
// comes whatever the limit (KIP-74). Before v3 there is no such limit.
func TestFetchRequestMaxBytes(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 2))
	tc := dialTest(t, c.Addrs()[0])
	s := fillPartition(t, tc, "t", 0, 3, 500)
	fillPartition(t, tc, "t", 1, 3, 500)
	for _, tt := range []struct {
		maxBytes int32
		p0, p1   int
	}{{1, 1, 0}, {int32(2*s + s/2), 2, 0}, {int32(3*s + s/2), 3, 0}, {int32(4*s + s/2), 3, 1}, {1 << 20, 3, 3}} {
		var resp protocol.FetchResponse
		tc.roundTrip(12, limitedFetch(tt.maxBytes, fetchPartition(0, 0, 1<<20), fetchPartition(1, 0, 1<<20)), &resp)
		if got := batchCounts(t, &resp); got[0] != tt.p0 || got[1] != tt.p1 {
			t.Errorf("max_bytes %d: %d and %d batches, want %d and %d", tt.maxBytes, got[0], got[1], tt.p0, tt.p1)
		}
	}
	var resp protocol.FetchResponse
	tc.roundTrip(2, limitedFetch(1, fetchPartition(0, 0, 1<<20), fetchPartition(1, 0, 1<<20)), &resp)
	for _, p := range resp.Responses[0].Partitions {
		if msgs, err := wire.ReadMessageSet(p.Records); err != nil || len(msgs) != 3 {
			t.Errorf("v2: partition %d: %d messages, %v; want all 3", p.PartitionIndex, len(msgs), err)
		}
	}
}

// TestFetchPartitionMaxBytes: each partition returns whole batches within its partition_max_bytes;
// only the first partition with data returns a batch larger than that.
func TestFetchPartitionMaxBytes(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 2))
	tc := dialTest(t, c.Addrs()[0])
	s := fillPartition(t, tc, "t", 0, 3, 500)
	fillPartition(t, tc, "t", 1, 3, 500)
	for _, tt := range []struct {
		max0, max1 int32
		p0, p1     int
	}{{int32(s + s/2), int32(2*s + s/2), 1, 2}, {int32(s + s/2), int32(s / 2), 1, 0}, {1, 1, 1, 0}, {0, int32(s - 1), 1, 0}} {
		var resp protocol.FetchResponse
		tc.roundTrip(12, limitedFetch(1<<20, fetchPartition(0, 0, tt.max0), fetchPartition(1, 0, tt.max1)), &resp)
		if got := batchCounts(t, &resp); got[0] != tt.p0 || got[1] != tt.p1 {
			t.Errorf("partition_max_bytes %d and %d: %d and %d batches, want %d and %d", tt.max0, tt.max1, got[0], got[1], tt.p0, tt.p1)
		}
	}
}

// TestFetchFirstBatchBeyondLimits: the first batch of the first partition with data comes whole
// however far it passes both limits, even after an empty partition; a later partition's does not.
func TestFetchFirstBatchBeyondLimits(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 3))
	tc := dialTest(t, c.Addrs()[0])
	big := fillPartition(t, tc, "t", 0, 2, 10_000)
	fillPartition(t, tc, "t", 2, 1, 10_000)
	var resp protocol.FetchResponse
	tc.roundTrip(12, limitedFetch(100, fetchPartition(1, 0, 100), fetchPartition(0, 0, 100), fetchPartition(2, 0, 100)), &resp)
	got := batchCounts(t, &resp)
	if ps := resp.Responses[0].Partitions; got[1] != 0 || got[0] != 1 || len(ps[1].Records) != big || got[2] != 0 {
		t.Errorf("%d, %d and %d batches from partitions 1, 0 and 2; want 0, one of %d bytes, 0", got[1], got[0], got[2], big)
	}
}
