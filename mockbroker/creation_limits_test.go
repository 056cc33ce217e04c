package mockbroker

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// TestCreateTopicsBoundedAsKafka checks a request's bounds against what Kafka 4.4 answered to the
// same requests: every topic refused with POLICY_VIOLATION and Kafka's words past 10,000
// partitions or 10,000 metadata records, validate_only or not.
func TestCreateTopicsBoundedAsKafka(t *testing.T) {
	topics := func(n int, partitions int32) []protocol.CreateTopicsTopic {
		var ts []protocol.CreateTopicsTopic
		for i := range n {
			ts = append(ts, protocol.CreateTopicsTopic{Name: fmt.Sprintf("t%d", i), NumPartitions: partitions, ReplicationFactor: 1})
		}
		return ts
	}
	for _, tc := range []struct {
		name     string
		topics   []protocol.CreateTopicsTopic
		validate bool
		refusal  string // "" for created
	}{
		{"9,999 partitions", topics(1, 9999), true, ""},
		{"10,000 partitions in one topic: 10,001 records", topics(1, 10000), true, "Unable to perform excessively large batch operation."},
		{"12,000 partitions in two topics", topics(2, 6000), true, "Excessively large number of partitions per request."},
		{"12,000 partitions in two topics, created", topics(2, 6000), false, "Excessively large number of partitions per request."},
		{"a small topic beside a large one", append(topics(1, 1), protocol.CreateTopicsTopic{Name: "big", NumPartitions: 20000, ReplicationFactor: 1}), false,
			"Excessively large number of partitions per request."},
		{"8,000,000 partitions (80 topics × 100,000)", topics(80, 100000), false, "Excessively large number of partitions per request."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewTestCluster(t)
			var resp protocol.CreateTopicsResponse
			dialTest(t, c.Addrs()[0]).roundTrip(7, &protocol.CreateTopicsRequest{Topics: tc.topics, TimeoutMs: 1000, ValidateOnly: tc.validate}, &resp)
			for _, r := range resp.Topics {
				switch {
				case tc.refusal == "" && r.ErrorCode != 0:
					t.Fatalf("%s: %v %s, want created", r.Name, kerr.ForCode(r.ErrorCode), *r.ErrorMessage)
				case tc.refusal != "" && (r.ErrorCode != kerr.PolicyViolation.Code || !strings.HasSuffix(*r.ErrorMessage, tc.refusal) || r.NumPartitions != -1):
					t.Fatalf("%s: %v %+v, want POLICY_VIOLATION %q", r.Name, kerr.ForCode(r.ErrorCode), r, tc.refusal)
				}
			}
			if tc.refusal != "" && c.partitions != 0 {
				t.Fatalf("%d partitions created", c.partitions)
			}
		})
	}
}

// TestCreateTopicsBombCostsLittle sends the 1.3 KB request of 80 topics × 100,000 partitions that
// made the broker take 1.2 GB, and measures what answering it allocates.
func TestCreateTopicsBombCostsLittle(t *testing.T) {
	c := NewTestCluster(t, CaptureLimit(0))
	tc := dialTest(t, c.Addrs()[0])
	var topics []protocol.CreateTopicsTopic
	for i := range 80 {
		topics = append(topics, protocol.CreateTopicsTopic{Name: fmt.Sprintf("bomb-%d", i), NumPartitions: 100000, ReplicationFactor: 1})
	}
	req := &protocol.CreateTopicsRequest{Topics: topics, TimeoutMs: 1000}
	if n := bomb.Allocated(func() { tc.roundTrip(7, req, &protocol.CreateTopicsResponse{}) }); n > 4<<20 {
		t.Fatalf("answering the request allocated %d bytes, want under 4 MiB", n)
	}
}

func TestMaxPartitions(t *testing.T) {
	c := NewTestCluster(t, MaxPartitions(20), DefaultPartitions(4))
	tc := dialTest(t, c.Addrs()[0])
	create := func(name string, n int32) protocol.CreateTopicsTopicResult {
		var resp protocol.CreateTopicsResponse
		tc.roundTrip(7, &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{{Name: name, NumPartitions: n, ReplicationFactor: 1}}, TimeoutMs: 1000}, &resp)
		return resp.Topics[0]
	}
	if r := create("fifteen", 15); r.ErrorCode != 0 {
		t.Fatalf("15 of 20 partitions: %v", kerr.ForCode(r.ErrorCode))
	}
	if r := create("six", 6); r.ErrorCode != kerr.PolicyViolation.Code || !strings.Contains(*r.ErrorMessage, "MaxPartitions") {
		t.Fatalf("21 of 20 partitions: %v %v, want POLICY_VIOLATION naming MaxPartitions", kerr.ForCode(r.ErrorCode), r.ErrorMessage)
	}
	if r := create("five", 5); r.ErrorCode != 0 {
		t.Fatalf("20 of 20 partitions: %v", kerr.ForCode(r.ErrorCode))
	}
	var first, then protocol.MetadataResponse
	tc.roundTrip(12, metadataReq(true, "auto"), &first)
	tc.roundTrip(12, metadataReq(false, "auto"), &then)
	if code := then.Topics[0].ErrorCode; code != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("a topic auto-created past MaxPartitions: %v", kerr.ForCode(code))
	}
}

// TestMetadataAutoCreateBoundedAsKafka names many unknown topics in one Metadata request: Kafka
// 4.4 created 4,000 (8,000 records) and none of 6,000 (12,000 records).
func TestMetadataAutoCreateBoundedAsKafka(t *testing.T) {
	for _, tc := range []struct {
		topics  int
		creates bool
	}{{4000, true}, {6000, false}, {200000, false}} {
		t.Run(fmt.Sprint(tc.topics), func(t *testing.T) {
			c := NewTestCluster(t, CaptureLimit(0))
			tcl := dialTest(t, c.Addrs()[0])
			var names []string
			for i := range tc.topics {
				names = append(names, fmt.Sprintf("auto-%d", i))
			}
			var resp protocol.MetadataResponse
			tcl.roundTrip(12, metadataReq(true, names...), &resp)
			for _, mt := range resp.Topics {
				if mt.ErrorCode != kerr.UnknownTopicOrPartition.Code {
					t.Fatalf("%s: %v, want UNKNOWN_TOPIC_OR_PARTITION", *mt.Name, kerr.ForCode(mt.ErrorCode))
				}
			}
			if created := c.partitions == tc.topics; created != tc.creates || !created && c.partitions != 0 {
				t.Fatalf("%d of %d topics created, want all: %v", c.partitions, tc.topics, tc.creates)
			}
		})
	}
}
