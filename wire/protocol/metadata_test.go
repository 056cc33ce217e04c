package protocol

import (
	"bytes"
	"math"
	"reflect"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// metadataRequestAt builds a request with every field that exists at version v set, and no other.
func metadataRequestAt(v int16) *MetadataRequest {
	flex := v >= 9
	t0 := MetadataRequestTopic{Name: strp("orders")}
	t1 := MetadataRequestTopic{Name: strp("audit")}
	if v >= 10 {
		t0 = MetadataRequestTopic{TopicID: testTopicID1} // by id, null name
		t1.TopicID = testTopicID2
	}
	if flex {
		t1.Tags = []wire.TaggedField{{Tag: 4, Data: []byte("t1")}}
	}
	m := &MetadataRequest{Topics: []MetadataRequestTopic{t0, t1}}
	if v >= 4 {
		m.AllowAutoTopicCreation = true
	}
	if v >= 8 && v <= 10 {
		m.IncludeClusterAuthorizedOperations = true
	}
	if v >= 8 {
		m.IncludeTopicAuthorizedOperations = true
	}
	if flex {
		m.Tags = []wire.TaggedField{{Tag: 0, Data: []byte{}}, {Tag: 7, Data: []byte{7, 7}}}
	}
	return m
}

// metadataResponseAt builds a response with every field that exists at version v set, and no
// other.
func metadataResponseAt(v int16) *MetadataResponse {
	flex := v >= 9
	b0 := MetadataBroker{NodeID: 1, Host: "broker-1", Port: 9092}
	b1 := MetadataBroker{NodeID: 2, Host: "broker-2", Port: 9093}
	if v >= 1 {
		b0.Rack = strp("rack-a") // b1's stays null
	}
	p0 := MetadataPartition{PartitionIndex: 0, LeaderID: 1, ReplicaNodes: []int32{1, 2, 3}, IsrNodes: []int32{1, 2}}
	p1 := MetadataPartition{ErrorCode: 9, PartitionIndex: 1, LeaderID: 2, ReplicaNodes: []int32{2, 3, 1}, IsrNodes: []int32{2}}
	if v >= 7 {
		p0.LeaderEpoch, p1.LeaderEpoch = 5, 6
	}
	if v >= 5 {
		p0.OfflineReplicas = []int32{3}
	}
	t0 := MetadataTopic{Name: strp("orders"), Partitions: []MetadataPartition{p0, p1}}
	t1 := MetadataTopic{ErrorCode: 3, Name: strp("gone")}
	if v >= 10 {
		t0.TopicID, t1.TopicID = testTopicID1, testTopicID2
	}
	if v >= 12 {
		t1.Name = nil // asked for by an unknown id
	}
	if v >= 1 {
		t1.IsInternal = true
	}
	if v >= 8 {
		t0.TopicAuthorizedOperations, t1.TopicAuthorizedOperations = 0x0ff8, math.MinInt32
	}
	if flex {
		b1.Tags = []wire.TaggedField{{Tag: 2, Data: []byte("b")}}
		t0.Partitions[1].Tags = []wire.TaggedField{{Tag: 1, Data: []byte{1}}}
		t1.Tags = []wire.TaggedField{{Tag: 3, Data: []byte{}}}
	}
	m := &MetadataResponse{Brokers: []MetadataBroker{b0, b1}, Topics: []MetadataTopic{t0, t1}}
	if v >= 3 {
		m.ThrottleTimeMs = 25
	}
	if v >= 2 {
		m.ClusterID = strp("cluster-x")
	}
	if v >= 1 {
		m.ControllerID = 2
	}
	if v >= 8 && v <= 10 {
		m.ClusterAuthorizedOperations = 0x0aa8
	}
	if v >= 13 {
		m.ErrorCode = 129
	}
	if flex {
		m.Tags = []wire.TaggedField{{Tag: 9, Data: []byte("nine")}}
	}
	return m
}

func TestMetadataRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(v int16) Message
		same  func(built, v int16) bool
	}{
		{"request", func(v int16) Message { return metadataRequestAt(v) }, nil},
		{"response", func(v int16) Message { return metadataResponseAt(v) }, nil},
		{"request/all topics", func(int16) Message { return &MetadataRequest{} }, nil},
		// An empty non-nil list asks for no topics from v1; v0 reads it back as all topics (nil).
		{"request/no topics", func(int16) Message { return &MetadataRequest{Topics: []MetadataRequestTopic{}} },
			func(_, x int16) bool { return x >= 1 }},
		{"response/empty", func(int16) Message { return &MetadataResponse{} }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for v := MetadataVersions.Min; v <= MetadataVersions.Max; v++ {
				same := func(x int16) bool { return x == v }
				if tc.same != nil {
					same = func(x int16) bool { return x == v && tc.same(v, x) }
				}
				checkRoundTrip(t, tc.build(v), MetadataVersions, same)
			}
		})
	}
}

// TestMetadataRequestBytes checks encodings against bytes written out by hand from
// MetadataRequest.json.
func TestMetadataRequestBytes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int16
		msg     *MetadataRequest
		want    []byte
	}{
		{"v0 all topics", 0, &MetadataRequest{}, []byte{0, 0, 0, 0}}, // v0: empty is all
		{"v1 all topics", 1, &MetadataRequest{}, []byte{0xff, 0xff, 0xff, 0xff}},
		{"v4", 4, &MetadataRequest{Topics: []MetadataRequestTopic{{Name: strp("t")}}, AllowAutoTopicCreation: true}, []byte{
			0, 0, 0, 1, // topics: 1
			0, 1, 't', // name
			1, // allowAutoTopicCreation (v4+)
		}},
		{"v8", 8, &MetadataRequest{Topics: []MetadataRequestTopic{}, IncludeClusterAuthorizedOperations: true}, []byte{
			0, 0, 0, 0, // topics: none
			0, // allowAutoTopicCreation
			1, // includeClusterAuthorizedOperations (v8–10)
			0, // includeTopicAuthorizedOperations (v8+)
		}},
		{"v9", 9, &MetadataRequest{IncludeClusterAuthorizedOperations: true, IncludeTopicAuthorizedOperations: true}, []byte{
			0,       // topics: compact null
			0, 1, 1, // allowAutoTopicCreation, includeCluster…, includeTopic…
			0, // tags
		}},
		{"v12", 12, &MetadataRequest{
			Topics:                 []MetadataRequestTopic{{TopicID: testTopicID1}, {Name: strp("ab")}},
			AllowAutoTopicCreation: true, IncludeClusterAuthorizedOperations: true, // not written from v11
			IncludeTopicAuthorizedOperations: true,
		}, bytes.Join([][]byte{
			{3},              // topics: 2
			testTopicID1[:],  // topicId
			{0},              // name: null
			{0},              // topic tags
			make([]byte, 16), // topicId: zero, asking by name
			{3, 'a', 'b'},    // name "ab"
			{0},              // topic tags
			{1},              // allowAutoTopicCreation
			{1},              // includeTopicAuthorizedOperations
			{0},              // tags
		}, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.msg.AppendTo(nil, tc.version); !bytes.Equal(got, tc.want) {
				t.Fatalf("got  % x\nwant % x", got, tc.want)
			}
			var m MetadataRequest
			if err := m.Decode(tc.want, tc.version); err != nil {
				t.Fatal(err)
			}
			want := *tc.msg
			if tc.version >= 11 {
				want.IncludeClusterAuthorizedOperations = false
			}
			if !reflect.DeepEqual(m, want) {
				t.Fatalf("decoded %+v\nwant    %+v", m, want)
			}
		})
	}
}

// TestMetadataResponseBytes checks encodings against bytes written out by hand from
// MetadataResponse.json.
func TestMetadataResponseBytes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int16
		msg     *MetadataResponse
		want    []byte
	}{
		{"v0", 0, &MetadataResponse{
			Brokers: []MetadataBroker{{NodeID: 1, Host: "h", Port: 9092}},
			Topics: []MetadataTopic{{Name: strp("t"), Partitions: []MetadataPartition{{
				LeaderID: 1, ReplicaNodes: []int32{1}, IsrNodes: []int32{1},
			}}}},
		}, []byte{
			0, 0, 0, 1, // brokers: 1
			0, 0, 0, 1, // nodeId
			0, 1, 'h', // host
			0, 0, 0x23, 0x84, // port 9092
			0, 0, 0, 1, // topics: 1
			0, 0, // errorCode
			0, 1, 't', // name
			0, 0, 0, 1, // partitions: 1
			0, 0, // errorCode
			0, 0, 0, 0, // partitionIndex
			0, 0, 0, 1, // leaderId
			0, 0, 0, 1, 0, 0, 0, 1, // replicaNodes [1]
			0, 0, 0, 1, 0, 0, 0, 1, // isrNodes [1]
		}},
		{"v8", 8, &MetadataResponse{
			ThrottleTimeMs: 7, ClusterID: nil, ControllerID: -1, ClusterAuthorizedOperations: math.MinInt32,
			Brokers: []MetadataBroker{{NodeID: 3, Host: "h", Port: 1, Rack: strp("r")}},
			Topics: []MetadataTopic{{ErrorCode: 5, Name: strp("t"), IsInternal: true, TopicAuthorizedOperations: 8, Partitions: []MetadataPartition{{
				ErrorCode: 5, PartitionIndex: 2, LeaderID: -1, LeaderEpoch: 4, OfflineReplicas: []int32{9},
			}}}},
		}, []byte{
			0, 0, 0, 7, // throttleTimeMs (v3+)
			0, 0, 0, 1, // brokers: 1
			0, 0, 0, 3, 0, 1, 'h', 0, 0, 0, 1, // nodeId, host, port
			0, 1, 'r', // rack (v1+)
			0xff, 0xff, // clusterId (v2+): null
			0xff, 0xff, 0xff, 0xff, // controllerId (v1+)
			0, 0, 0, 1, // topics: 1
			0, 5, 0, 1, 't', // errorCode, name
			1,          // isInternal (v1+)
			0, 0, 0, 1, // partitions: 1
			0, 5, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, // errorCode, partitionIndex, leaderId
			0, 0, 0, 4, // leaderEpoch (v7+)
			0, 0, 0, 0, 0, 0, 0, 0, // replicaNodes, isrNodes: empty
			0, 0, 0, 1, 0, 0, 0, 9, // offlineReplicas (v5+) [9]
			0, 0, 0, 8, // topicAuthorizedOperations (v8+)
			0x80, 0, 0, 0, // clusterAuthorizedOperations (v8–10)
		}},
		{"v13", 13, &MetadataResponse{
			ClusterID: strp("c"), ControllerID: 1, ErrorCode: 129,
			ClusterAuthorizedOperations: 5, // not written from v11
			Brokers:                     []MetadataBroker{{NodeID: 1, Host: "h", Port: 9092}},
			Topics: []MetadataTopic{{Name: strp("t"), TopicID: testTopicID1, TopicAuthorizedOperations: math.MinInt32, Partitions: []MetadataPartition{{
				LeaderID: 1, LeaderEpoch: 7, ReplicaNodes: []int32{1}, IsrNodes: []int32{1},
			}}}},
		}, bytes.Join([][]byte{
			{0, 0, 0, 0},             // throttleTimeMs
			{2},                      // brokers: 1
			{0, 0, 0, 1, 2, 'h'},     // nodeId, host
			{0, 0, 0x23, 0x84},       // port
			{0, 0},                   // rack: null, broker tags
			{2, 'c'},                 // clusterId
			{0, 0, 0, 1},             // controllerId
			{2},                      // topics: 1
			{0, 0, 2, 't'},           // errorCode, name (nullable v12+)
			testTopicID1[:],          // topicId (v10+)
			{0},                      // isInternal
			{2},                      // partitions: 1
			{0, 0, 0, 0, 0, 0},       // errorCode, partitionIndex
			{0, 0, 0, 1, 0, 0, 0, 7}, // leaderId, leaderEpoch
			{2, 0, 0, 0, 1},          // replicaNodes [1]
			{2, 0, 0, 0, 1},          // isrNodes [1]
			{1},                      // offlineReplicas: empty
			{0},                      // partition tags
			{0x80, 0, 0, 0},          // topicAuthorizedOperations
			{0},                      // topic tags
			{0, 129},                 // errorCode (v13+); no clusterAuthorizedOperations
			{0},                      // tags
		}, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.msg.AppendTo(nil, tc.version); !bytes.Equal(got, tc.want) {
				t.Fatalf("got  % x\nwant % x", got, tc.want)
			}
			var m MetadataResponse
			if err := m.Decode(tc.want, tc.version); err != nil {
				t.Fatal(err)
			}
			want := *tc.msg
			if tc.version >= 11 {
				want.ClusterAuthorizedOperations = 0
			}
			if !reflect.DeepEqual(m, want) {
				t.Fatalf("decoded %+v\nwant    %+v", m, want)
			}
		})
	}
}

func TestMetadataGarbageCounts(t *testing.T) {
	huge := []byte{0x7f, 0xff, 0xff, 0xff}
	hugeVarint := []byte{0xff, 0xff, 0xff, 0xff, 0x0f}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	// A v0 response up to the first partition's replicaNodes: no brokers, one topic "t", one
	// partition.
	v0Partition := cat([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 't', 0, 0, 0, 1}, make([]byte, 10))
	checkGarbage(t, []garbageCase{
		{"request topics", &MetadataRequest{}, 4, huge, "topics"},
		{"request topics v0 null", &MetadataRequest{}, 0, []byte{0xff, 0xff, 0xff, 0xff}, "topics"},
		{"request topics flexible", &MetadataRequest{}, 12, hugeVarint, "topics"},
		{"request topic name v9 null", &MetadataRequest{}, 9, []byte{2, 0, 0, 0, 0}, "topics.name"},
		{"response brokers", &MetadataResponse{}, 0, huge, "brokers"},
		{"response brokers flexible", &MetadataResponse{}, 9, cat([]byte{0, 0, 0, 0}, hugeVarint), "brokers"},
		{"response topics", &MetadataResponse{}, 1, cat([]byte{0, 0, 0, 0}, []byte{0, 0, 0, 1}, huge), "topics"},
		{"response partitions", &MetadataResponse{}, 0, cat([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 't'}, huge, make([]byte, 32)), "topics.partitions"},
		{"response replicaNodes", &MetadataResponse{}, 0, cat(v0Partition, huge, make([]byte, 4)), "topics.partitions.replicaNodes"},
		{"response isrNodes", &MetadataResponse{}, 0, cat(v0Partition, []byte{0, 0, 0, 0}, huge), "topics.partitions.isrNodes"},
		{"response topic name v11 null", &MetadataResponse{}, 11, cat([]byte{0, 0, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0}, make([]byte, 26)), "topics.name"},
	}, wire.ErrInvalidLength)
}

func FuzzDecodeMetadataResponse(f *testing.F) {
	for v := MetadataVersions.Min; v <= MetadataVersions.Max; v++ {
		f.Add(v, metadataResponseAt(v).AppendTo(nil, v))
		f.Add(v, (&MetadataResponse{}).AppendTo(nil, v))
	}
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, MetadataVersions)
		var m MetadataResponse
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, &m, new(MetadataResponse), v)
	})
}

func FuzzDecodeMetadataRequest(f *testing.F) {
	for v := MetadataVersions.Min; v <= MetadataVersions.Max; v++ {
		f.Add(v, metadataRequestAt(v).AppendTo(nil, v))
	}
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, MetadataVersions)
		var m MetadataRequest
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, &m, new(MetadataRequest), v)
	})
}
