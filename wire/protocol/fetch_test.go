package protocol

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

func int64p(v int64) *int64 { return &v }

// fetchRequestAt builds a request with every field that exists at version v set, and no other.
func fetchRequestAt(v int16) *FetchRequest {
	flex := v >= 12
	p0 := FetchPartition{Partition: 0, FetchOffset: 1000, PartitionMaxBytes: 1 << 20}
	p1 := FetchPartition{Partition: 4, FetchOffset: 0, PartitionMaxBytes: 65536}
	if v >= 9 {
		p0.CurrentLeaderEpoch, p1.CurrentLeaderEpoch = 12, -1
	}
	if v >= 12 {
		p0.LastFetchedEpoch, p1.LastFetchedEpoch = 11, -1
	}
	if v >= 5 {
		p0.LogStartOffset, p1.LogStartOffset = 50, -1
	}
	if flex {
		p1.Tags = []wire.TaggedField{{Tag: 7, Data: []byte("p1")}}
	}
	if v >= 17 {
		p0.ReplicaDirectoryID = testTopicID2
	}
	if v >= 18 {
		p0.HighWatermark = int64p(990)
	}
	t0 := FetchTopic{Topic: "orders", Partitions: []FetchPartition{p0, p1}}
	t1 := FetchTopic{Topic: "audit", Partitions: []FetchPartition{{Partition: 2, FetchOffset: 7, PartitionMaxBytes: 1}}}
	if v >= 13 {
		t0.Topic, t0.TopicID = "", testTopicID1
		t1.Topic, t1.TopicID = "", testTopicID2
	}
	if flex {
		t1.Tags = []wire.TaggedField{{Tag: 3, Data: []byte{}}}
	}
	m := &FetchRequest{MaxWaitMs: 500, MinBytes: 1, Topics: []FetchTopic{t0, t1}}
	if v <= 14 {
		m.ReplicaID = -1
	}
	if v >= 3 {
		m.MaxBytes = 52428800
	}
	if v >= 4 {
		m.IsolationLevel = 1
	}
	if v >= 7 {
		m.SessionID, m.SessionEpoch = 77, 3
		f0 := FetchForgottenTopic{Topic: "gone", Partitions: []int32{1, 2, 3}}
		if v >= 13 {
			f0.Topic, f0.TopicID = "", testTopicID1
		}
		if flex {
			f0.Tags = []wire.TaggedField{{Tag: 1, Data: []byte{1}}}
		}
		m.ForgottenTopicsData = []FetchForgottenTopic{f0, {Topic: "", Partitions: nil}}
	}
	if v >= 11 {
		m.RackID = "rack-a"
	}
	if flex {
		m.ClusterID = strp("cluster-1")
		m.Tags = []wire.TaggedField{{Tag: 9, Data: []byte("nine")}}
	}
	if v >= 15 {
		m.ReplicaState = &FetchReplicaState{ReplicaID: 3, ReplicaEpoch: 123456789}
	}
	return m
}

// fetchResponseAt builds a response with every field that exists at version v set, and no other.
func fetchResponseAt(v int16, records []byte) *FetchResponse {
	flex := v >= 12
	p0 := FetchPartitionResponse{PartitionIndex: 0, ErrorCode: 0, HighWatermark: 500, Records: records}
	p1 := FetchPartitionResponse{PartitionIndex: 3, ErrorCode: 6, HighWatermark: -1} // null records
	p2 := FetchPartitionResponse{PartitionIndex: 9, HighWatermark: 10, Records: []byte{}}
	if v >= 4 {
		p0.LastStableOffset, p1.LastStableOffset, p2.LastStableOffset = 480, -1, 10
		p0.AbortedTransactions = []FetchAbortedTransaction{{ProducerID: 4000, FirstOffset: 400}, {ProducerID: 4001, FirstOffset: 410}}
		p2.AbortedTransactions = []FetchAbortedTransaction{} // empty, not null; p1's stays null
	}
	if v >= 5 {
		p0.LogStartOffset, p1.LogStartOffset, p2.LogStartOffset = 100, -1, 0
	}
	if v >= 11 {
		p0.PreferredReadReplica, p1.PreferredReadReplica, p2.PreferredReadReplica = -1, 2, 5
	}
	if flex {
		p0.AbortedTransactions[1].Tags = []wire.TaggedField{{Tag: 0, Data: []byte{0}}}
		p0.DivergingEpoch = &FetchEpochEndOffset{Epoch: 10, EndOffset: 450}
		p1.CurrentLeader = &LeaderIDAndEpoch{LeaderID: 2, LeaderEpoch: 13}
		p2.SnapshotID = &FetchSnapshotID{EndOffset: 9, Epoch: 1, Tags: []wire.TaggedField{{Tag: 4, Data: []byte("s")}}}
		p2.Tags = []wire.TaggedField{{Tag: 3, Data: []byte{3}}, {Tag: 8, Data: []byte{8, 8}}}
	}
	t0 := FetchTopicResponse{Topic: "orders", Partitions: []FetchPartitionResponse{p0, p1}}
	t1 := FetchTopicResponse{Topic: "audit", Partitions: []FetchPartitionResponse{p2}}
	if v >= 13 {
		t0.Topic, t0.TopicID = "", testTopicID1
		t1.Topic, t1.TopicID = "", testTopicID2
	}
	if flex {
		t0.Tags = []wire.TaggedField{{Tag: 2, Data: []byte("t0")}}
	}
	m := &FetchResponse{Responses: []FetchTopicResponse{t0, t1}}
	if v >= 1 {
		m.ThrottleTimeMs = 40
	}
	if v >= 7 {
		m.ErrorCode, m.SessionID = 0, 987
	}
	if flex {
		m.Tags = []wire.TaggedField{{Tag: 5, Data: []byte{5}}}
	}
	if v >= 16 {
		m.NodeEndpoints = []NodeEndpoint{
			{NodeID: 2, Host: "broker-2", Port: 9092},
			{NodeID: 5, Host: "broker-5", Port: 9095, Rack: strp("rack-e")},
		}
	}
	return m
}

func TestFetchRoundTrip(t *testing.T) {
	records := testRecordBatch(t)
	for _, tc := range []struct {
		name  string
		build func(v int16) Message
	}{
		{"request", func(v int16) Message { return fetchRequestAt(v) }},
		{"response", func(v int16) Message { return fetchResponseAt(v, records) }},
		{"request/empty", func(int16) Message { return &FetchRequest{} }},
		{"response/empty", func(int16) Message { return &FetchResponse{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for v := FetchVersions.Min; v <= FetchVersions.Max; v++ {
				checkRoundTrip(t, tc.build(v), FetchVersions, func(x int16) bool { return x == v })
			}
		})
	}
}

// Tagged fields of versions below their own are unknown fields there, kept as such.
func TestFetchTaggedFieldsBeforeTheirVersion(t *testing.T) {
	m := fetchRequestAt(FetchVersions.Max)
	var got FetchRequest
	if err := got.Decode(m.AppendTo(nil, 16), 16); err != nil {
		t.Fatal(err)
	}
	p := got.Topics[0].Partitions[0]
	if p.ReplicaDirectoryID != (UUID{}) || p.HighWatermark != nil || p.Tags != nil {
		t.Fatalf("v16 wrote fields of v17 and v18: %+v", p)
	}
	// Written by hand at v14 (no ReplicaState yet), a tag 1 is an unknown field.
	raw := []byte{
		0, 0, 0, 1, // replicaId
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // maxWaitMs, minBytes, maxBytes, isolationLevel
		0, 0, 0, 0, 0, 0, 0, 0, // sessionId, sessionEpoch
		1, 1, 1, // topics, forgottenTopicsData: empty; rackId ""
		1, 1, 2, 0xab, 0xcd, // tags: tag 1, 2 bytes
	}
	if err := got.Decode(raw, 14); err != nil {
		t.Fatal(err)
	}
	if got.ReplicaState != nil || !reflect.DeepEqual(got.Tags, []wire.TaggedField{{Tag: 1, Data: []byte{0xab, 0xcd}}}) {
		t.Fatalf("v14 tag 1: %+v", got)
	}
	if !bytes.Equal(got.AppendTo(nil, 14), raw) {
		t.Fatalf("v14 re-encoding: % x", got.AppendTo(nil, 14))
	}
}

// TestFetchRequestBytes checks encodings against bytes written out by hand from FetchRequest.json.
func TestFetchRequestBytes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int16
		msg     *FetchRequest
		want    []byte
	}{
		{"v4", 4, &FetchRequest{
			ReplicaID: -1, MaxWaitMs: 500, MinBytes: 1, MaxBytes: 0x7fffffff, IsolationLevel: 1,
			Topics: []FetchTopic{{Topic: "t", Partitions: []FetchPartition{{Partition: 0, FetchOffset: 42, PartitionMaxBytes: 1 << 20}}}},
		}, []byte{
			0xff, 0xff, 0xff, 0xff, // replicaId -1
			0, 0, 0x01, 0xf4, // maxWaitMs 500
			0, 0, 0, 1, // minBytes
			0x7f, 0xff, 0xff, 0xff, // maxBytes (v3+)
			1,          // isolationLevel (v4+)
			0, 0, 0, 1, // topics: 1
			0, 1, 't', // topic
			0, 0, 0, 1, // partitions: 1
			0, 0, 0, 0, // partition
			0, 0, 0, 0, 0, 0, 0, 42, // fetchOffset
			0, 0x10, 0, 0, // partitionMaxBytes 1 MiB
		}},
		{"v0", 0, &FetchRequest{
			ReplicaID: -1, MaxWaitMs: 100, MinBytes: 0,
			Topics: []FetchTopic{{Topic: "t", Partitions: []FetchPartition{{Partition: 1, FetchOffset: 2, PartitionMaxBytes: 3}}}},
		}, []byte{
			0xff, 0xff, 0xff, 0xff, // replicaId
			0, 0, 0, 100, // maxWaitMs
			0, 0, 0, 0, // minBytes; no maxBytes, isolationLevel
			0, 0, 0, 1, 0, 1, 't', // topics[1], topic
			0, 0, 0, 1, // partitions[1]
			0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, // partition, fetchOffset, partitionMaxBytes
		}},
		{"v18", 18, &FetchRequest{
			ClusterID: strp("c"), ReplicaState: &FetchReplicaState{ReplicaID: 1, ReplicaEpoch: 7},
			MaxWaitMs: 500, MinBytes: 1, MaxBytes: 1024, SessionEpoch: -1,
			Topics: []FetchTopic{{TopicID: testTopicID1, Partitions: []FetchPartition{{
				Partition: 3, CurrentLeaderEpoch: 5, FetchOffset: 100, LastFetchedEpoch: 4, LogStartOffset: -1,
				PartitionMaxBytes: 65536, ReplicaDirectoryID: testTopicID2, HighWatermark: int64p(99),
			}}}},
			ForgottenTopicsData: []FetchForgottenTopic{{TopicID: testTopicID2, Partitions: []int32{1, 2}}},
			RackID:              "r",
		}, bytes.Join([][]byte{
			// no replicaId from v15
			{0, 0, 0x01, 0xf4},         // maxWaitMs
			{0, 0, 0, 1},               // minBytes
			{0, 0, 0x04, 0},            // maxBytes
			{0},                        // isolationLevel
			{0, 0, 0, 0},               // sessionId
			{0xff, 0xff, 0xff, 0xff},   // sessionEpoch
			{2},                        // topics: 1
			testTopicID1[:],            // topicId
			{2},                        // partitions: 1
			{0, 0, 0, 3},               // partition
			{0, 0, 0, 5},               // currentLeaderEpoch
			{0, 0, 0, 0, 0, 0, 0, 100}, // fetchOffset
			{0, 0, 0, 4},               // lastFetchedEpoch
			{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, // logStartOffset
			{0, 1, 0, 0},             // partitionMaxBytes
			{2},                      // partition tags: 2 fields
			{0, 16}, testTopicID2[:], // tag 0, replicaDirectoryId
			{1, 8, 0, 0, 0, 0, 0, 0, 0, 99}, // tag 1, highWatermark
			{0},                             // topic tags
			{2},                             // forgottenTopicsData: 1
			testTopicID2[:],                 // topicId
			{3, 0, 0, 0, 1, 0, 0, 0, 2},     // partitions [1 2]
			{0},                             // forgotten topic tags
			{2, 'r'},                        // rackId
			{2},                             // request tags: 2 fields
			{0, 2, 2, 'c'},                  // tag 0, clusterId "c"
			{1, 13, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0}, // tag 1, replicaState {1, 7}, no tags
		}, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.msg.AppendTo(nil, tc.version); !bytes.Equal(got, tc.want) {
				t.Fatalf("got  % x\nwant % x", got, tc.want)
			}
			var m FetchRequest
			if err := m.Decode(tc.want, tc.version); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&m, tc.msg) {
				t.Fatalf("decoded %+v\nwant    %+v", &m, tc.msg)
			}
		})
	}
}

// TestFetchResponseBytes checks encodings against bytes written out by hand from
// FetchResponse.json.
func TestFetchResponseBytes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int16
		msg     *FetchResponse
		want    []byte
	}{
		{"v4", 4, &FetchResponse{
			Responses: []FetchTopicResponse{{Topic: "t", Partitions: []FetchPartitionResponse{{
				HighWatermark: 10, LastStableOffset: 9,
				AbortedTransactions: []FetchAbortedTransaction{{ProducerID: 1000, FirstOffset: 5}},
				Records:             []byte{0xaa, 0xbb},
			}}}},
		}, []byte{
			0, 0, 0, 0, // throttleTimeMs
			0, 0, 0, 1, 0, 1, 't', // responses[1], topic
			0, 0, 0, 1, // partitions[1]
			0, 0, 0, 0, 0, 0, // partitionIndex, errorCode
			0, 0, 0, 0, 0, 0, 0, 10, // highWatermark
			0, 0, 0, 0, 0, 0, 0, 9, // lastStableOffset
			0, 0, 0, 1, // abortedTransactions[1]
			0, 0, 0, 0, 0, 0, 0x03, 0xe8, // producerId 1000
			0, 0, 0, 0, 0, 0, 0, 5, // firstOffset
			0, 0, 0, 2, 0xaa, 0xbb, // records
		}},
		{"v16", 16, &FetchResponse{
			SessionID: 123,
			Responses: []FetchTopicResponse{{TopicID: testTopicID1, Partitions: []FetchPartitionResponse{{
				ErrorCode: 6, HighWatermark: 10, LastStableOffset: 10, PreferredReadReplica: -1,
				DivergingEpoch: &FetchEpochEndOffset{Epoch: 3, EndOffset: 50},
				CurrentLeader:  &LeaderIDAndEpoch{LeaderID: 2, LeaderEpoch: 8},
			}}}},
			NodeEndpoints: []NodeEndpoint{{NodeID: 2, Host: "h", Port: 9092}},
		}, bytes.Join([][]byte{
			{0, 0, 0, 0},              // throttleTimeMs
			{0, 0},                    // errorCode
			{0, 0, 0, 123},            // sessionId
			{2},                       // responses: 1
			testTopicID1[:],           // topicId
			{2},                       // partitions: 1
			{0, 0, 0, 0},              // partitionIndex
			{0, 6},                    // errorCode
			{0, 0, 0, 0, 0, 0, 0, 10}, // highWatermark
			{0, 0, 0, 0, 0, 0, 0, 10}, // lastStableOffset
			{0, 0, 0, 0, 0, 0, 0, 0},  // logStartOffset
			{0},                       // abortedTransactions: null
			{0xff, 0xff, 0xff, 0xff},  // preferredReadReplica
			{0},                       // records: null
			{2},                       // partition tags: 2 fields
			{0, 13, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 50, 0}, // tag 0, divergingEpoch {3, 50}
			{1, 9, 0, 0, 0, 2, 0, 0, 0, 8, 0},               // tag 1, currentLeader {2, 8}
			{0},                                             // topic tags
			{1, 0, 13, 2, 0, 0, 0, 2, 2, 'h', 0, 0, 0x23, 0x84, 0, 0}, // tag 0, nodeEndpoints
		}, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.msg.AppendTo(nil, tc.version); !bytes.Equal(got, tc.want) {
				t.Fatalf("got  % x\nwant % x", got, tc.want)
			}
			var m FetchResponse
			if err := m.Decode(tc.want, tc.version); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&m, tc.msg) {
				t.Fatalf("decoded %+v\nwant    %+v", &m, tc.msg)
			}
		})
	}
}

func TestFetchGarbageCounts(t *testing.T) {
	huge := []byte{0x7f, 0xff, 0xff, 0xff}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	reqV4Head := []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for _, tc := range []struct {
		name    string
		m       Message
		version int16
		src     []byte
		field   string
		want    error
	}{
		{"request topics", &FetchRequest{}, 4, cat(reqV4Head, huge), "topics", wire.ErrInvalidLength},
		{"request topics null", &FetchRequest{}, 4, cat(reqV4Head, []byte{0xff, 0xff, 0xff, 0xff}), "topics", wire.ErrInvalidLength},
		{"request partitions", &FetchRequest{}, 4, cat(reqV4Head, []byte{0, 0, 0, 1, 0, 1, 't'}, huge, make([]byte, 32)), "topics.partitions", wire.ErrInvalidLength},
		{"request forgotten", &FetchRequest{}, 7, cat(reqV4Head, make([]byte, 8), []byte{0, 0, 0, 0}, huge), "forgottenTopicsData", wire.ErrInvalidLength},
		{"request forgotten partitions", &FetchRequest{}, 7, cat(reqV4Head, make([]byte, 8), []byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't'}, huge), "forgottenTopicsData.partitions", wire.ErrInvalidLength},
		{"request topics flexible", &FetchRequest{}, 15, cat(make([]byte, 21), []byte{0xff, 0xff, 0xff, 0xff, 0x0f}), "topics", wire.ErrInvalidLength},
		{"request partition tags", &FetchRequest{}, 13, cat(make([]byte, 25), []byte{2}, make([]byte, 16), []byte{2}, make([]byte, 32), []byte{0xff, 0xff, 0xff, 0x7f}), "topics.partitions.tags", wire.ErrInvalidLength},
		{"response topics", &FetchResponse{}, 4, cat([]byte{0, 0, 0, 0}, huge), "responses", wire.ErrInvalidLength},
		{"response topics flexible", &FetchResponse{}, 12, cat(make([]byte, 10), []byte{0xff, 0xff, 0xff, 0xff, 0x0f}), "responses", wire.ErrInvalidLength},
		{"response partitions", &FetchResponse{}, 4, cat([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't'}, huge, make([]byte, 64)), "responses.partitions", wire.ErrInvalidLength},
		{"response aborted transactions", &FetchResponse{}, 4, cat([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1}, make([]byte, 22), huge, make([]byte, 16)), "responses.partitions.abortedTransactions", wire.ErrInvalidLength},
		{"response records", &FetchResponse{}, 4, cat([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1}, make([]byte, 22), []byte{0xff, 0xff, 0xff, 0xff}, huge), "responses.partitions.records", wire.ErrInvalidLength},
		{"response node endpoints", &FetchResponse{}, 16, cat(make([]byte, 10), []byte{1, 1, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x0f}), "nodeEndpoints", wire.ErrInvalidLength},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGarbageFails(t, tc.m, tc.version, tc.src, tc.field, tc.want)
		})
	}
}

func FuzzDecodeFetchResponse(f *testing.F) {
	records := testRecordBatch(f)
	for v := FetchVersions.Min; v <= FetchVersions.Max; v++ {
		f.Add(v, fetchResponseAt(v, records).AppendTo(nil, v))
	}
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, FetchVersions)
		var m FetchResponse
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, &m, new(FetchResponse), v)
	})
}

func FuzzDecodeFetchRequest(f *testing.F) {
	for v := FetchVersions.Min; v <= FetchVersions.Max; v++ {
		f.Add(v, fetchRequestAt(v).AppendTo(nil, v))
	}
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, FetchVersions)
		var m FetchRequest
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, &m, new(FetchRequest), v)
	})
}
