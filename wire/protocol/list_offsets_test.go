package protocol

import (
	"bytes"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// listOffsetsRequestAt builds a request with every field that exists at version v set, and no
// other.
func listOffsetsRequestAt(v int16) *ListOffsetsRequest {
	flex := v >= 6
	p0 := ListOffsetsPartition{PartitionIndex: 0, Timestamp: -1}
	p1 := ListOffsetsPartition{PartitionIndex: 5, Timestamp: 1700000000000}
	if v >= 4 {
		p0.CurrentLeaderEpoch, p1.CurrentLeaderEpoch = 12, -1
	}
	if v == 0 {
		p0.MaxNumOffsets, p1.MaxNumOffsets = 1, 3
	}
	if flex {
		p1.Tags = []wire.TaggedField{{Tag: 2, Data: []byte("p1")}}
	}
	t0 := ListOffsetsTopic{Name: "orders", Partitions: []ListOffsetsPartition{p0, p1}}
	t1 := ListOffsetsTopic{Name: "audit", Partitions: []ListOffsetsPartition{{PartitionIndex: 2, Timestamp: -2, MaxNumOffsets: 1}}}
	if v != 0 {
		t1.Partitions[0].MaxNumOffsets = 0
	}
	if v >= 4 {
		t1.Partitions[0].CurrentLeaderEpoch = 3
	}
	if flex {
		t1.Tags = []wire.TaggedField{{Tag: 0, Data: []byte{}}}
	}
	m := &ListOffsetsRequest{ReplicaID: -1, Topics: []ListOffsetsTopic{t0, t1}}
	if v >= 2 {
		m.IsolationLevel = 1
	}
	if v >= 10 {
		m.TimeoutMs = 30000
	}
	if flex {
		m.Tags = []wire.TaggedField{{Tag: 6, Data: []byte{6}}}
	}
	return m
}

// listOffsetsResponseAt builds a response with every field that exists at version v set, and no
// other.
func listOffsetsResponseAt(v int16) *ListOffsetsResponse {
	flex := v >= 6
	p0 := ListOffsetsPartitionResponse{PartitionIndex: 0}
	p1 := ListOffsetsPartitionResponse{PartitionIndex: 5, ErrorCode: 6}
	if v == 0 {
		p0.OldStyleOffsets = []int64{1000, 500, 0}
	} else {
		p0.Timestamp, p0.Offset = 1700000000123, 1000
		p1.Timestamp, p1.Offset = -1, -1
	}
	if v >= 4 {
		p0.LeaderEpoch, p1.LeaderEpoch = 12, -1
	}
	if flex {
		p0.Tags = []wire.TaggedField{{Tag: 1, Data: []byte{1}}}
	}
	t0 := ListOffsetsTopicResponse{Name: "orders", Partitions: []ListOffsetsPartitionResponse{p0, p1}}
	t1 := ListOffsetsTopicResponse{Name: "audit"}
	if flex {
		t1.Tags = []wire.TaggedField{{Tag: 3, Data: []byte("t1")}}
	}
	m := &ListOffsetsResponse{Topics: []ListOffsetsTopicResponse{t0, t1}}
	if v >= 2 {
		m.ThrottleTimeMs = 15
	}
	if flex {
		m.Tags = []wire.TaggedField{{Tag: 8, Data: []byte{}}}
	}
	return m
}

func TestListOffsetsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(v int16) Message
	}{
		{"request", func(v int16) Message { return listOffsetsRequestAt(v) }},
		{"response", func(v int16) Message { return listOffsetsResponseAt(v) }},
		{"request/empty", func(int16) Message { return &ListOffsetsRequest{} }},
		{"response/empty", func(int16) Message { return &ListOffsetsResponse{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for v := ListOffsetsVersions.Min; v <= ListOffsetsVersions.Max; v++ {
				checkRoundTrip(t, tc.build(v), ListOffsetsVersions, func(x int16) bool { return x == v })
			}
		})
	}
}

// TestListOffsetsBytes checks encodings against bytes written out by hand from
// ListOffsetsRequest.json and ListOffsetsResponse.json.
func TestListOffsetsBytes(t *testing.T) {
	checkBytes(t, []bytesCase{
		{"request v0", 0, &ListOffsetsRequest{
			ReplicaID: -1,
			Topics:    []ListOffsetsTopic{{Name: "t", Partitions: []ListOffsetsPartition{{PartitionIndex: 1, Timestamp: -2, MaxNumOffsets: 1}}}},
		}, []byte{
			0xff, 0xff, 0xff, 0xff, // replicaId
			0, 0, 0, 1, 0, 1, 't', // topics: 1, name
			0, 0, 0, 1, // partitions: 1
			0, 0, 0, 1, // partitionIndex
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, // timestamp -2
			0, 0, 0, 1, // maxNumOffsets (v0 only)
		}},
		{"request v4", 4, &ListOffsetsRequest{
			ReplicaID: -1, IsolationLevel: 1,
			Topics: []ListOffsetsTopic{{Name: "t", Partitions: []ListOffsetsPartition{{PartitionIndex: 1, CurrentLeaderEpoch: 9, Timestamp: -1}}}},
		}, []byte{
			0xff, 0xff, 0xff, 0xff, // replicaId
			1,                     // isolationLevel (v2+)
			0, 0, 0, 1, 0, 1, 't', // topics: 1, name
			0, 0, 0, 1, // partitions: 1
			0, 0, 0, 1, // partitionIndex
			0, 0, 0, 9, // currentLeaderEpoch (v4+)
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // timestamp -1
		}},
		{"request v10", 10, &ListOffsetsRequest{
			ReplicaID: -1, TimeoutMs: 1000,
			Topics: []ListOffsetsTopic{{Name: "t", Partitions: []ListOffsetsPartition{{PartitionIndex: 0, CurrentLeaderEpoch: -1, Timestamp: -3}}}},
		}, []byte{
			0xff, 0xff, 0xff, 0xff, // replicaId
			0,         // isolationLevel
			2, 2, 't', // topics: 1, name
			2,          // partitions: 1
			0, 0, 0, 0, // partitionIndex
			0xff, 0xff, 0xff, 0xff, // currentLeaderEpoch
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd, // timestamp -3 (max timestamp)
			0,                // partition tags
			0,                // topic tags
			0, 0, 0x03, 0xe8, // timeoutMs (v10+)
			0, // tags
		}},
		{"response v0", 0, &ListOffsetsResponse{
			Topics: []ListOffsetsTopicResponse{{Name: "t", Partitions: []ListOffsetsPartitionResponse{{PartitionIndex: 1, OldStyleOffsets: []int64{42}}}}},
		}, []byte{
			0, 0, 0, 1, 0, 1, 't', // topics: 1, name
			0, 0, 0, 1, // partitions: 1
			0, 0, 0, 1, 0, 0, // partitionIndex, errorCode
			0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, // oldStyleOffsets [42] (v0 only)
		}},
		{"response v6", 6, &ListOffsetsResponse{
			ThrottleTimeMs: 3,
			Topics: []ListOffsetsTopicResponse{{Name: "t", Partitions: []ListOffsetsPartitionResponse{{
				PartitionIndex: 1, ErrorCode: 78, Timestamp: -1, Offset: 42, LeaderEpoch: 2,
			}}}},
		}, []byte{
			0, 0, 0, 3, // throttleTimeMs (v2+)
			2, 2, 't', // topics: 1, name
			2,                 // partitions: 1
			0, 0, 0, 1, 0, 78, // partitionIndex, errorCode
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // timestamp (v1+)
			0, 0, 0, 0, 0, 0, 0, 42, // offset (v1+)
			0, 0, 0, 2, // leaderEpoch (v4+)
			0, 0, 0, // partition, topic, response tags
		}},
	})
}

func TestListOffsetsGarbageCounts(t *testing.T) {
	huge := []byte{0x7f, 0xff, 0xff, 0xff}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	checkGarbage(t, []garbageCase{
		{"request topics", &ListOffsetsRequest{}, 1, cat([]byte{0, 0, 0, 0}, huge), "topics"},
		{"request topics flexible", &ListOffsetsRequest{}, 6, cat([]byte{0, 0, 0, 0, 0}, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}), "topics"},
		{"request partitions", &ListOffsetsRequest{}, 2, cat([]byte{0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't'}, huge, make([]byte, 16)), "topics.partitions"},
		{"response topics", &ListOffsetsResponse{}, 2, cat([]byte{0, 0, 0, 0}, huge), "topics"},
		{"response partitions", &ListOffsetsResponse{}, 1, cat([]byte{0, 0, 0, 1, 0, 1, 't'}, huge, make([]byte, 32)), "topics.partitions"},
		{"response old style offsets", &ListOffsetsResponse{}, 0, cat([]byte{0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1}, make([]byte, 6), huge, make([]byte, 8)), "topics.partitions.oldStyleOffsets"},
	}, wire.ErrInvalidLength)
}

func FuzzDecodeListOffsetsResponse(f *testing.F) {
	for v := ListOffsetsVersions.Min; v <= ListOffsetsVersions.Max; v++ {
		f.Add(v, listOffsetsResponseAt(v).AppendTo(nil, v))
	}
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, ListOffsetsVersions)
		var m ListOffsetsResponse
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, &m, new(ListOffsetsResponse), v)
	})
}
