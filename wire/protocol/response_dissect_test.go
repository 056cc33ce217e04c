package protocol

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
)

// fullProduceResponse is a Produce response with every field its version has: a written partition,
// and one refused with NOT_LEADER_OR_FOLLOWER that names its new leader, plus an unknown tagged
// field in flexible versions.
func fullProduceResponse(v int16) *ProduceResponse {
	msg, rack := "moved", "r1"
	refused := ProducePartitionResponse{Index: 1, ErrorCode: kerr.NotLeaderOrFollower.Code, BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: -1}
	if v >= 8 {
		refused.ErrorMessage = &msg
		refused.RecordErrors = []ProduceRecordError{{BatchIndex: 2, BatchIndexErrorMessage: &msg}}
	}
	if v >= 9 {
		refused.Tags = []wire.TaggedField{{Tag: 5, Data: []byte{1, 2}}}
	}
	resp := &ProduceResponse{ThrottleTimeMs: 12, Responses: []ProduceTopicResponse{{
		Name:    "orders",
		TopicID: UUID{1, 2, 3},
		PartitionResponses: []ProducePartitionResponse{
			{Index: 0, BaseOffset: 42, LogAppendTimeMs: -1, LogStartOffset: 0},
			refused,
		},
	}}}
	if v >= 10 {
		resp.Responses[0].PartitionResponses[1].CurrentLeader = &LeaderIDAndEpoch{LeaderID: 1, LeaderEpoch: 3}
		resp.NodeEndpoints = []NodeEndpoint{{NodeID: 1, Host: "broker-1", Port: 9093, Rack: &rack}}
	}
	return resp
}

// TestDissectProduceResponse dissects a Produce response at every version: no failure, children
// tile their parents, and the fields say what the response encodes.
func TestDissectProduceResponse(t *testing.T) {
	for v := ProduceVersions.Min; v <= ProduceVersions.Max; v++ {
		frame := AppendResponse(nil, 7, v, fullProduceResponse(v))
		root := DissectResponse(frame, KeyProduce, v)
		if fail := wire.FindFailure(&root); fail != nil {
			t.Fatalf("v%d: %v", v, fail)
		}
		if root.Length != len(frame) || root.Value != fmt.Sprintf("Produce v%d response", v) {
			t.Errorf("v%d: root %q of %d bytes, want %d", v, root.Value, root.Length, len(frame))
		}
		checkTiling(t, &root, "")
		want := map[string]string{
			"correlationId": "7",
			"baseOffset":    "42",
			"partition[1]":  "partition 1: 6 (NOT_LEADER_OR_FOLLOWER)",
		}
		if v >= 1 {
			want["throttleTimeMs"] = "12"
		}
		if v >= 8 {
			want["batchIndex"] = "2"
			want["errorMessage"] = `"moved"`
		}
		if v >= 10 {
			want["currentLeader (tag 0)"] = "broker 1, leader epoch 3"
			want["node[0]"] = "broker 1 at broker-1:9093"
		}
		refused := find(&root, "partition[1]")
		for name, value := range want {
			in := &root
			if name == "errorMessage" || name == "batchIndex" {
				in = refused
			}
			if f := find(in, name); f == nil || f.Value != value {
				t.Errorf("v%d: %s is %+v, want %q", v, name, f, value)
			}
		}
		if v >= 9 {
			unknown := "tag[0]"
			if v >= 10 {
				unknown = "tag[1]"
			}
			if f := find(refused, unknown); f == nil || len(f.Children) != 3 || f.Children[2].Name != "data" {
				t.Errorf("v%d: the unknown tagged field: %+v", v, f)
			}
		}
	}
}

// TestDissectInitProducerIDResponse dissects an InitProducerId response at every version.
func TestDissectInitProducerIDResponse(t *testing.T) {
	for v := InitProducerIDVersions.Min; v <= InitProducerIDVersions.Max; v++ {
		frame := AppendResponse(nil, 3, v, &InitProducerIDResponse{ProducerID: 1000, ProducerEpoch: 2, OngoingTxnProducerID: -1, OngoingTxnProducerEpoch: -1})
		root := DissectResponse(frame, KeyInitProducerID, v)
		if fail := wire.FindFailure(&root); fail != nil {
			t.Fatalf("v%d: %v", v, fail)
		}
		checkTiling(t, &root, "")
		if body := find(&root, "body"); body == nil || body.Value != "producer id 1000, epoch 2" {
			t.Errorf("v%d: body %+v", v, body)
		}
		if code := find(&root, "errorCode"); code == nil || code.Value != "0 (NONE)" {
			t.Errorf("v%d: errorCode %+v", v, code)
		}
	}
}

// TestDissectResponseTruncated cuts responses at every length: the dissection fails, never panics,
// and stays within the bytes.
func TestDissectResponseTruncated(t *testing.T) {
	for _, c := range []struct {
		key  APIKey
		v    int16
		body Message
	}{
		{KeyProduce, 8, fullProduceResponse(8)},
		{KeyProduce, 11, fullProduceResponse(11)},
		{KeyInitProducerID, 4, &InitProducerIDResponse{ProducerID: 7}},
	} {
		frame := AppendResponse(nil, 1, c.v, c.body)
		for n := range len(frame) {
			root := DissectResponse(frame[:n], c.key, c.v)
			if wire.FindFailure(&root) == nil {
				t.Fatalf("%s v%d cut at %d of %d bytes: no failure", c.key, c.v, n, len(frame))
			}
			checkWithin(t, &root, n)
		}
	}
}

// TestDissectResponseOthers shows the body of a response kwire does not dissect as one field, and
// reports a version it does not implement and bytes past the size.
func TestDissectResponseOthers(t *testing.T) {
	meta := AppendResponse(nil, 4, 12, &MetadataResponse{})
	root := DissectResponse(meta, KeyMetadata, 12)
	if root.Failed() || !strings.Contains(find(&root, "body").Value, "only Produce and InitProducerId") {
		t.Errorf("metadata response: %+v", root)
	}
	checkTiling(t, &root, "")
	produce := AppendResponse(nil, 4, 3, fullProduceResponse(3))
	if fail := wire.FindFailure(ptr(DissectResponse(produce, KeyProduce, 99))); fail == nil || !strings.Contains(fail.Error(), "Produce v99: kwire implements") {
		t.Errorf("unknown version: %v", fail)
	}
	long := append(append([]byte{}, produce...), 0)
	if fail := wire.FindFailure(ptr(DissectResponse(long, KeyProduce, 3))); fail == nil || !strings.Contains(fail.Error(), "but") {
		t.Errorf("a byte past the size: %v", fail)
	}
}

func ptr[T any](v T) *T { return &v }

// FuzzDissectResponse dissects arbitrary bytes as Produce and InitProducerId responses: it must
// never panic, and every field must lie within the bytes.
func FuzzDissectResponse(f *testing.F) {
	for _, v := range []int16{0, 5, 9, 10, 13} {
		f.Add(AppendResponse(nil, 1, v, fullProduceResponse(v)), v)
	}
	f.Fuzz(func(t *testing.T, data []byte, v int16) {
		for _, key := range []APIKey{KeyProduce, KeyInitProducerID} {
			root := DissectResponse(data, key, v)
			checkWithin(t, &root, len(data))
		}
	})
}
