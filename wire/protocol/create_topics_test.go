package protocol

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// createTopicsRequestAt builds a request with every field that exists at version v set, and no
// other.
func createTopicsRequestAt(v int16) *CreateTopicsRequest {
	flex := v >= 5
	t0 := CreateTopicsTopic{
		Name: "orders", NumPartitions: 3, ReplicationFactor: 2,
		Configs: []CreateTopicsConfig{
			{Name: "cleanup.policy", Value: strp("compact")},
			{Name: "retention.ms", Value: nil},
		},
	}
	t1 := CreateTopicsTopic{
		Name: "placed", NumPartitions: -1, ReplicationFactor: -1,
		Assignments: []CreateTopicsAssignment{
			{PartitionIndex: 0, BrokerIDs: []int32{1, 2}},
			{PartitionIndex: 1, BrokerIDs: []int32{2, 3}},
		},
	}
	if flex {
		t0.Configs[1].Tags = []wire.TaggedField{{Tag: 1, Data: []byte("c")}}
		t1.Assignments[0].Tags = []wire.TaggedField{{Tag: 2, Data: []byte{}}}
		t1.Tags = []wire.TaggedField{{Tag: 3, Data: []byte{3}}}
	}
	m := &CreateTopicsRequest{Topics: []CreateTopicsTopic{t0, t1}, TimeoutMs: 60000}
	if v >= 1 {
		m.ValidateOnly = true
	}
	if flex {
		m.Tags = []wire.TaggedField{{Tag: 4, Data: []byte("four")}}
	}
	return m
}

// createTopicsResponseAt builds a response with every field that exists at version v set, and no
// other.
func createTopicsResponseAt(v int16) *CreateTopicsResponse {
	flex := v >= 5
	t0 := CreateTopicsTopicResult{Name: "orders"}
	t1 := CreateTopicsTopicResult{Name: "taken", ErrorCode: 36}
	t2 := CreateTopicsTopicResult{Name: "quiet"}
	if v >= 7 {
		t0.TopicID, t2.TopicID = testTopicID1, testTopicID2
	}
	if v >= 1 {
		t1.ErrorMessage = strp("Topic 'taken' already exists.") // t0's and t2's stay null
	}
	if v >= 5 {
		t0.NumPartitions, t0.ReplicationFactor = 3, 2
		t0.Configs = []CreateTopicsConfigResult{
			{Name: "cleanup.policy", Value: strp("compact"), ConfigSource: 1},
			{Name: "ssl.key.password", Value: nil, ReadOnly: true, ConfigSource: 5, IsSensitive: true,
				Tags: []wire.TaggedField{{Tag: 1, Data: []byte{1}}}},
		}
		t1.NumPartitions, t1.ReplicationFactor = -1, -1 // t1's configs stay null
		t2.NumPartitions, t2.ReplicationFactor = 1, 1
		t2.TopicConfigErrorCode = 29
		t2.Configs = []CreateTopicsConfigResult{} // empty, not null
		t2.Tags = []wire.TaggedField{{Tag: 5, Data: []byte("t2")}}
	}
	m := &CreateTopicsResponse{Topics: []CreateTopicsTopicResult{t0, t1, t2}}
	if v >= 2 {
		m.ThrottleTimeMs = 50
	}
	if flex {
		m.Tags = []wire.TaggedField{{Tag: 0, Data: []byte{}}}
	}
	return m
}

func TestCreateTopicsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(v int16) Message
	}{
		{"request", func(v int16) Message { return createTopicsRequestAt(v) }},
		{"response", func(v int16) Message { return createTopicsResponseAt(v) }},
		{"request/empty", func(int16) Message { return &CreateTopicsRequest{} }},
		{"response/empty", func(int16) Message { return &CreateTopicsResponse{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for v := CreateTopicsVersions.Min; v <= CreateTopicsVersions.Max; v++ {
				checkRoundTrip(t, tc.build(v), CreateTopicsVersions, func(x int16) bool { return x == v })
			}
		})
	}
}

// TestCreateTopicsBytes checks encodings against bytes written out by hand from
// CreateTopicsRequest.json and CreateTopicsResponse.json.
func TestCreateTopicsBytes(t *testing.T) {
	checkBytes(t, []bytesCase{
		{"request v1", 1, &CreateTopicsRequest{
			Topics: []CreateTopicsTopic{{
				Name: "t", NumPartitions: -1, ReplicationFactor: -1,
				Assignments: []CreateTopicsAssignment{{PartitionIndex: 0, BrokerIDs: []int32{1}}},
				Configs:     []CreateTopicsConfig{{Name: "k", Value: nil}},
			}},
			TimeoutMs: 1000, ValidateOnly: true,
		}, []byte{
			0, 0, 0, 1, // topics: 1
			0, 1, 't', // name
			0xff, 0xff, 0xff, 0xff, // numPartitions
			0xff, 0xff, // replicationFactor
			0, 0, 0, 1, // assignments: 1
			0, 0, 0, 0, // partitionIndex
			0, 0, 0, 1, 0, 0, 0, 1, // brokerIds [1]
			0, 0, 0, 1, // configs: 1
			0, 1, 'k', // name
			0xff, 0xff, // value: null
			0, 0, 0x03, 0xe8, // timeoutMs
			1, // validateOnly (v1+)
		}},
		{"request v5", 5, &CreateTopicsRequest{
			Topics: []CreateTopicsTopic{{
				Name: "t", NumPartitions: 2, ReplicationFactor: 3,
				Configs: []CreateTopicsConfig{{Name: "k", Value: strp("v")}},
			}},
			TimeoutMs: 1000,
		}, []byte{
			2, 2, 't', // topics: 1, name
			0, 0, 0, 2, // numPartitions
			0, 3, // replicationFactor
			1,      // assignments: empty
			2,      // configs: 1
			2, 'k', // name
			2, 'v', // value
			0,                // config tags
			0,                // topic tags
			0, 0, 0x03, 0xe8, // timeoutMs
			0, // validateOnly
			0, // tags
		}},
		{"response v1", 1, &CreateTopicsResponse{
			Topics: []CreateTopicsTopicResult{{Name: "t", ErrorCode: 36, ErrorMessage: strp("e")}, {Name: "u"}},
		}, []byte{
			0, 0, 0, 2, // topics: 2
			0, 1, 't', 0, 36, // name, errorCode
			0, 1, 'e', // errorMessage (v1+)
			0, 1, 'u', 0, 0, // name, errorCode
			0xff, 0xff, // errorMessage: null
		}},
		{"response v7", 7, &CreateTopicsResponse{
			ThrottleTimeMs: 9,
			Topics: []CreateTopicsTopicResult{{
				Name: "t", TopicID: testTopicID1, NumPartitions: 1, ReplicationFactor: 1, TopicConfigErrorCode: 29,
			}, {
				Name: "u", TopicID: testTopicID2, NumPartitions: 2, ReplicationFactor: 3,
				Configs: []CreateTopicsConfigResult{{Name: "k", Value: strp("v"), ReadOnly: true, ConfigSource: 5, IsSensitive: false}},
			}},
		}, bytes.Join([][]byte{
			{0, 0, 0, 9},       // throttleTimeMs (v2+)
			{3},                // topics: 2
			{2, 't'},           // name
			testTopicID1[:],    // topicId (v7+)
			{0, 0},             // errorCode
			{0},                // errorMessage: null
			{0, 0, 0, 1, 0, 1}, // numPartitions, replicationFactor (v5+)
			{0},                // configs: null
			{1, 0, 2, 0, 29},   // tags: tag 0 topicConfigErrorCode, 2 bytes, 29
			{2, 'u'},           // name
			testTopicID2[:],    // topicId
			{0, 0},             // errorCode
			{0},                // errorMessage: null
			{0, 0, 0, 2, 0, 3}, // numPartitions, replicationFactor
			{2},                // configs: 1
			{2, 'k', 2, 'v'},   // name, value
			{1, 5, 0},          // readOnly, configSource, isSensitive
			{0},                // config tags
			{0},                // topic tags
			{0},                // tags
		}, nil)},
	})
}

// The tagged TopicConfigErrorCode keeps its place among unknown tags, and a wrong size for it
// fails.
func TestCreateTopicsConfigErrorTag(t *testing.T) {
	head := []byte{0, 0, 0, 0, 2, 2, 't', 0, 0, 0, 0, 0, 0, 1, 0, 1, 0} // v5 up to one topic's tags
	var m CreateTopicsResponse
	raw := append(append([]byte(nil), head...), 2, 0, 2, 0, 40, 7, 1, 0xee, 0)
	if err := m.Decode(raw, 5); err != nil {
		t.Fatal(err)
	}
	tp := m.Topics[0]
	if tp.TopicConfigErrorCode != 40 || !reflect.DeepEqual(tp.Tags, []wire.TaggedField{{Tag: 7, Data: []byte{0xee}}}) {
		t.Fatalf("topic %+v", tp)
	}
	if got := m.AppendTo(nil, 5); !bytes.Equal(got, raw) {
		t.Fatalf("re-encoding\n got % x\nwant % x", got, raw)
	}
	bad := append(append([]byte(nil), head...), 1, 0, 3, 0, 40, 0, 0)
	if err := m.Decode(bad, 5); err == nil || fieldOfDecodeError(t, err) != "topics.tags" {
		t.Fatalf("a 3-byte topicConfigErrorCode: %v", err)
	}
}

func TestCreateTopicsGarbageCounts(t *testing.T) {
	huge := []byte{0x7f, 0xff, 0xff, 0xff}
	hugeVarint := []byte{0xff, 0xff, 0xff, 0xff, 0x0f}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	reqTopic := []byte{0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 1} // topics: 1, name, numPartitions, replicationFactor
	checkGarbage(t, []garbageCase{
		{"request topics", &CreateTopicsRequest{}, 0, cat(huge, make([]byte, 4)), "topics"},
		{"request topics flexible", &CreateTopicsRequest{}, 5, cat(hugeVarint, make([]byte, 5)), "topics"},
		{"request assignments", &CreateTopicsRequest{}, 1, cat(reqTopic, huge, make([]byte, 16)), "topics.assignments"},
		{"request broker ids", &CreateTopicsRequest{}, 1, cat(reqTopic, []byte{0, 0, 0, 1, 0, 0, 0, 0}, huge, make([]byte, 16)), "topics.assignments.brokerIds"},
		{"request configs", &CreateTopicsRequest{}, 1, cat(reqTopic, []byte{0, 0, 0, 0}, huge, make([]byte, 16)), "topics.configs"},
		{"response topics", &CreateTopicsResponse{}, 2, cat([]byte{0, 0, 0, 0}, huge), "topics"},
		{"response configs", &CreateTopicsResponse{}, 5, cat([]byte{0, 0, 0, 0, 2, 2, 't', 0, 0, 0}, make([]byte, 6), hugeVarint, make([]byte, 4)), "topics.configs"},
	}, wire.ErrInvalidLength)
}

func FuzzDecodeCreateTopicsResponse(f *testing.F) {
	for v := CreateTopicsVersions.Min; v <= CreateTopicsVersions.Max; v++ {
		f.Add(v, createTopicsResponseAt(v).AppendTo(nil, v))
	}
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, CreateTopicsVersions)
		var m CreateTopicsResponse
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, &m, new(CreateTopicsResponse), v)
	})
}
