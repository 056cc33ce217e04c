package mockbroker

import (
	"testing"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func fetchReq(topic string, offset int64, maxWait int32) *protocol.FetchRequest {
	return &protocol.FetchRequest{ReplicaID: -1, MaxWaitMs: maxWait, MinBytes: 1, MaxBytes: 1 << 20, Topics: []protocol.FetchTopic{{
		Topic: topic, Partitions: []protocol.FetchPartition{{Partition: 0, FetchOffset: offset, CurrentLeaderEpoch: -1,
			LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: 1 << 20}}}}}
}

func TestFetchReturnsStoredBatches(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecSnappy, "a", "b"))
	produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "c"))
	for _, v := range []int16{4, 11, 12} {
		var resp protocol.FetchResponse
		tc.roundTrip(v, fetchReq("t", 1, 0), &resp)
		p := resp.Responses[0].Partitions[0]
		if p.ErrorCode != 0 || p.HighWatermark != 3 {
			t.Fatalf("v%d: %+v", v, p)
		}
		var b wire.RecordBatch
		rest, err := b.Decode(p.Records)
		if err != nil || b.BaseOffset != 0 || len(b.Records) != 2 {
			t.Fatalf("v%d: first batch %+v, %v", v, b.BatchHeader, err)
		}
		if _, err := b.Decode(rest); err != nil || b.BaseOffset != 2 || string(b.Records[0].Value) != "c" {
			t.Fatalf("v%d: second batch %+v, %v", v, b.BatchHeader, err)
		}
	}
	var resp protocol.FetchResponse
	tc.roundTrip(11, fetchReq("t", 99, 0), &resp)
	if code := resp.Responses[0].Partitions[0].ErrorCode; code != kerr.OffsetOutOfRange.Code {
		t.Fatalf("fetch past the end: %v", kerr.ForCode(code))
	}
}

func TestFetchWaitsForData(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	producer := dialTest(t, c.Addrs()[0])
	sent := make(chan int32, 1)
	go func() {
		defer close(sent)
		time.Sleep(100 * time.Millisecond)
		sent <- producer.send(9, produceReq(1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "late")))
	}()
	var resp protocol.FetchResponse
	start := time.Now()
	dialTest(t, c.Addrs()[0]).roundTrip(11, fetchReq("t", 0, 5000), &resp)
	waited := time.Since(start)
	var produced protocol.ProduceResponse
	producer.receive(<-sent, 9, &produced)
	if len(resp.Responses[0].Partitions[0].Records) == 0 || waited > 4*time.Second {
		t.Fatalf("fetch returned %+v after %v", resp.Responses[0].Partitions[0], waited)
	}
}

func TestFetchDownconverts(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecGzip, "a", "b"))
	for v, magic := range []int8{0, 0, 1, 1} {
		var resp protocol.FetchResponse
		tc.roundTrip(int16(v), fetchReq("t", 0, 0), &resp)
		records := resp.Responses[0].Partitions[0].Records
		msgs, err := wire.ReadMessageSet(records)
		if m, _ := wire.Magic(records); err != nil || m != magic || len(msgs) != 2 || string(msgs[1].Value) != "b" || msgs[1].Offset != 1 {
			t.Fatalf("v%d: magic %d, %+v, %v", v, m, msgs, err)
		}
	}
}

// TestFetchNothingIsEmptyNotNull: a partition with nothing to return carries an empty record set,
// not a null one, at every version; librdkafka cannot parse a null one.
func TestFetchNothingIsEmptyNotNull(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	for _, v := range []int16{0, 4, 11, 12, 17} {
		for _, offset := range []int64{0, 99} {
			var resp protocol.FetchResponse
			tc.roundTrip(v, fetchReq("t", offset, 0), &resp)
			if records := resp.Responses[0].Partitions[0].Records; records == nil || len(records) != 0 {
				t.Fatalf("v%d offset %d: records %v (nil: %v)", v, offset, records, records == nil)
			}
		}
	}
}

// TestStopEndsFetchWait: stopping a broker (Close, StopBroker) ends a long-polling fetch at once
// instead of waiting out its max_wait_ms, which kgo asks 5 s of by default and a client may set
// far higher; until then Close, and so every test's cleanup, waited for it.
func TestStopEndsFetchWait(t *testing.T) {
	stops := map[string]func(*Cluster) error{
		"Close":      (*Cluster).Close,
		"StopBroker": func(c *Cluster) error { return c.StopBroker(0) },
	}
	for name, stop := range stops {
		t.Run(name, func(t *testing.T) {
			c := NewTestCluster(t, Topic("t", 1))
			tc := dialTest(t, c.Addrs()[0])
			tc.send(11, fetchReq("t", 0, 30_000))
			time.Sleep(100 * time.Millisecond) // the fetch is waiting for data
			start := time.Now()
			if err := stop(c); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Fatalf("%s took %v with a fetch waiting", name, took)
			}
			tc.expectClosed()
		})
	}
}

// TestFetchAnswersAtOnce: a fetch naming no partition, or one a partition answers with an error,
// is answered at once rather than after max_wait_ms, as Kafka does. The Java consumer closes with
// a fetch of no partitions to each broker and waits for the answers: each took 500 ms.
func TestFetchAnswersAtOnce(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1), NumBrokers(2))
	none := fetchReq("t", 0, 60_000)
	none.Topics = nil
	for _, tt := range []struct {
		name   string
		broker int
		req    *protocol.FetchRequest
		want   *kerr.Error
	}{
		{"no partitions", 0, none, nil},
		{"not the leader", 1, fetchReq("t", 0, 60_000), kerr.NotLeaderOrFollower},
		{"offset out of range", 0, fetchReq("t", 5, 60_000), kerr.OffsetOutOfRange},
		{"unknown topic", 0, fetchReq("nope", 0, 60_000), kerr.UnknownTopicOrPartition},
	} {
		var resp protocol.FetchResponse
		tc := dialTest(t, c.Addrs()[tt.broker])
		start := time.Now()
		tc.roundTrip(11, tt.req, &resp) // fails past the test client's 5 s deadline
		if tt.want == nil {
			if len(resp.Responses) != 0 {
				t.Fatalf("%s: %+v", tt.name, resp)
			}
			continue
		}
		if code := resp.Responses[0].Partitions[0].ErrorCode; code != tt.want.Code {
			t.Fatalf("%s: %v after %v, want %v", tt.name, kerr.ForCode(code), time.Since(start), tt.want)
		}
	}
}

// TestFetchNamesTheNewLeader: from v16 a fetch from a broker that no longer leads the partition
// answers NOT_LEADER_OR_FOLLOWER with the current leader and its endpoint (KIP-951), as Kafka
// does, so the Java consumer moves to the new leader without asking for metadata first.
func TestFetchNamesTheNewLeader(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1), NumBrokers(3))
	if err := c.MoveLeader("t", 0, 2); err != nil {
		t.Fatal(err)
	}
	tc := dialTest(t, c.Addrs()[0])
	var md protocol.MetadataResponse
	tc.roundTrip(12, metadataReq(false, "t"), &md)
	for _, v := range []int16{12, 15, 16, 17} {
		req := fetchReq("t", 0, 0)
		req.Topics[0].TopicID = md.Topics[0].TopicID
		var resp protocol.FetchResponse
		tc.roundTrip(v, req, &resp)
		p := resp.Responses[0].Partitions[0]
		if p.ErrorCode != kerr.NotLeaderOrFollower.Code {
			t.Fatalf("v%d: %v, want NOT_LEADER_OR_FOLLOWER", v, kerr.ForCode(p.ErrorCode))
		}
		if v < 16 {
			if p.CurrentLeader != nil || resp.NodeEndpoints != nil {
				t.Fatalf("v%d: current leader %+v, endpoints %+v, want none before v16", v, p.CurrentLeader, resp.NodeEndpoints)
			}
			continue
		}
		want := c.endpoint(2)
		if l := p.CurrentLeader; l == nil || l.LeaderID != 2 || l.LeaderEpoch != 1 || len(resp.NodeEndpoints) != 1 ||
			resp.NodeEndpoints[0].NodeID != 2 || resp.NodeEndpoints[0].Host != want.Host || resp.NodeEndpoints[0].Port != want.Port {
			t.Fatalf("v%d: current leader %+v, endpoints %+v, want broker 2 at epoch 1 and its endpoint", v, p.CurrentLeader, resp.NodeEndpoints)
		}
	}
}

// A fetch is answered as Kafka 4.4 answers it: batches carry the leader epoch they were written
// under; a current leader epoch other than the partition's is refused; a partition in error has
// its offsets -1; aborted transactions are empty for read-committed and for unknown partitions,
// null otherwise; partitions of one topic in consecutive entries come back in one; a failed
// partition is answered without waiting for max_wait_ms.
func TestFetchAsKafka(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 2), Versions(Kafka44))
	tc := dialTest(t, c.Addrs()[0])
	produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "a"))
	if err := c.MoveLeader("t", 0, 0); err != nil { // epoch 1
		t.Fatal(err)
	}
	produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "b"))
	fetch := func(v int16, isolation int8, parts ...protocol.FetchPartition) []protocol.FetchTopicResponse {
		t.Helper()
		req := fetchReq("t", 0, 30_000) // a failed partition must not wait this long: the client's deadline is 5 s
		req.IsolationLevel, req.Topics = isolation, nil
		for _, p := range parts {
			req.Topics = append(req.Topics, protocol.FetchTopic{Topic: "t", TopicID: c.topics["t"].id, Partitions: []protocol.FetchPartition{p}})
		}
		var resp protocol.FetchResponse
		tc.roundTrip(v, req, &resp)
		return resp.Responses
	}
	part := func(index int32, offset int64, epoch int32) protocol.FetchPartition {
		return protocol.FetchPartition{Partition: index, FetchOffset: offset, CurrentLeaderEpoch: epoch, LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: 1 << 20}
	}
	topics := fetch(12, 1, part(0, 0, -1), part(1, 0, -1), part(5, 0, -1))
	if len(topics) != 1 || len(topics[0].Partitions) != 3 {
		t.Fatalf("partitions %v by topic entry, want the three in one", answered(&protocol.FetchResponse{Responses: topics}))
	}
	ps := topics[0].Partitions
	var epochs []int32
	for _, b := range decodeBatches(t, ps[0].Records) {
		epochs = append(epochs, b.PartitionLeaderEpoch)
	}
	if ps[0].ErrorCode != 0 || len(epochs) != 2 || epochs[0] != 0 || epochs[1] != 1 || ps[0].AbortedTransactions == nil {
		t.Errorf("read committed: %+v, leader epochs %v", ps[0], epochs)
	}
	for _, tt := range []struct {
		p       protocol.FetchPartitionResponse
		code    *kerr.Error
		aborted bool // empty, not null
	}{
		{ps[1], nil, true},
		{ps[2], kerr.UnknownTopicOrPartition, true},
		{fetch(12, 1, part(0, 50, -1))[0].Partitions[0], kerr.OffsetOutOfRange, false},
		{fetch(12, 1, part(0, 0, 0))[0].Partitions[0], kerr.FencedLeaderEpoch, false},
		{fetch(12, 1, part(0, 0, 2))[0].Partitions[0], kerr.UnknownLeaderEpoch, false},
	} {
		p, code := tt.p, int16(0)
		if tt.code != nil {
			code = tt.code.Code
		}
		ok := p.ErrorCode == code && (p.AbortedTransactions != nil) == tt.aborted
		if code != 0 {
			ok = ok && p.HighWatermark == -1 && p.LastStableOffset == -1 && p.LogStartOffset == -1 && len(p.Records) == 0
		}
		if !ok {
			t.Errorf("partition %d: %+v, want %v, aborted transactions empty: %v", p.PartitionIndex, p, tt.code, tt.aborted)
		}
	}
	if p := fetch(12, 0, part(0, 0, -1))[0].Partitions[0]; p.ErrorCode != 0 || p.AbortedTransactions != nil {
		t.Errorf("read uncommitted: aborted transactions %v, want null", p.AbortedTransactions)
	}
	unknown := fetchReq("", 0, 30_000)
	unknown.Topics[0].TopicID = protocol.UUID{3}
	var byID protocol.FetchResponse
	tc.roundTrip(13, unknown, &byID)
	if p := byID.Responses[0].Partitions[0]; p.ErrorCode != kerr.UnknownTopicID.Code {
		t.Errorf("unknown topic id: %v", kerr.ForCode(p.ErrorCode))
	}
}
