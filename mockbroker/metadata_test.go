package mockbroker

import (
	"math"
	"slices"
	"testing"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func metadataReq(allowCreate bool, names ...string) *protocol.MetadataRequest {
	req := &protocol.MetadataRequest{AllowAutoTopicCreation: allowCreate}
	if names != nil {
		req.Topics = []protocol.MetadataRequestTopic{}
	}
	for _, n := range names {
		req.Topics = append(req.Topics, protocol.MetadataRequestTopic{Name: &n})
	}
	return req
}

func TestMetadataDescribesBrokersAndPartitions(t *testing.T) {
	c := NewTestCluster(t, NumBrokers(3), ReplicationFactor(2), Topic("b", 3), Topic("a", 1))
	for _, v := range []int16{0, 1, 4, 9, 12} {
		var resp protocol.MetadataResponse
		req := metadataReq(false)
		if v == 0 {
			req.Topics = []protocol.MetadataRequestTopic{} // v0's "all topics"
		}
		dialTest(t, c.Addrs()[1]).roundTrip(v, req, &resp)
		if len(resp.Brokers) != 3 || resp.Brokers[2].NodeID != 2 {
			t.Fatalf("v%d: brokers %+v", v, resp.Brokers)
		}
		if len(resp.Topics) != 2 || *resp.Topics[0].Name != "a" || *resp.Topics[1].Name != "b" {
			t.Fatalf("v%d: topics %+v", v, resp.Topics)
		}
		p := resp.Topics[1].Partitions[2]
		if p.LeaderID != 2 || !slices.Equal(p.ReplicaNodes, []int32{2, 0}) || !slices.Equal(p.IsrNodes, []int32{2, 0}) {
			t.Fatalf("v%d: b/2 %+v", v, p)
		}
	}
}

// An unknown topic is created when auto-creation is on and the request allows it (always before
// v4). As from Kafka, the request that creates it gets UNKNOWN_TOPIC_OR_PARTITION, and the next
// ones see the topic.
func TestMetadataAutoCreate(t *testing.T) {
	for _, tc := range []struct {
		name        string
		version     int16
		allow, auto bool
		creates     bool
	}{
		{"v3 creates without asking", 3, false, true, true},
		{"v12 creates when allowed", 12, true, true, true},
		{"v12 does not when not allowed", 12, false, true, false},
		{"auto-create off", 12, true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewTestCluster(t, AutoCreateTopics(tc.auto), DefaultPartitions(4))
			tcl := dialTest(t, c.Addrs()[0])
			var first, then protocol.MetadataResponse
			tcl.roundTrip(tc.version, metadataReq(tc.allow, "new"), &first)
			if mt := first.Topics[0]; mt.ErrorCode != kerr.UnknownTopicOrPartition.Code || mt.Partitions != nil || mt.TopicID != (protocol.UUID{}) {
				t.Fatalf("first answer %+v, want UNKNOWN_TOPIC_OR_PARTITION", mt)
			}
			tcl.roundTrip(12, metadataReq(false, "new"), &then)
			if mt := then.Topics[0]; tc.creates != (mt.ErrorCode == 0) || tc.creates && len(mt.Partitions) != 4 {
				t.Fatalf("then %v with %d partitions; created: %v", kerr.ForCode(mt.ErrorCode), len(mt.Partitions), tc.creates)
			}
		})
	}
	c := NewTestCluster(t)
	var resp protocol.MetadataResponse
	dialTest(t, c.Addrs()[0]).roundTrip(12, metadataReq(true, "bad/name"), &resp)
	if code := resp.Topics[0].ErrorCode; code != kerr.InvalidTopicException.Code {
		t.Fatalf("invalid name: %v", kerr.ForCode(code))
	}
}

func TestMetadataByTopicID(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 2))
	tc := dialTest(t, c.Addrs()[0])
	var byName, byID protocol.MetadataResponse
	tc.roundTrip(12, metadataReq(false, "t"), &byName)
	id := byName.Topics[0].TopicID
	tc.roundTrip(12, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{TopicID: id}, {TopicID: protocol.UUID{1}}}}, &byID)
	if *byID.Topics[0].Name != "t" || len(byID.Topics[0].Partitions) != 2 {
		t.Fatalf("by id: %+v", byID.Topics[0])
	}
	if byID.Topics[1].ErrorCode != kerr.UnknownTopicID.Code {
		t.Fatalf("unknown id: %v", kerr.ForCode(byID.Topics[1].ErrorCode))
	}
}

func TestMetadataStoppedBroker(t *testing.T) {
	c := NewTestCluster(t, NumBrokers(2), Topic("t", 2))
	if err := c.StopBroker(1); err != nil {
		t.Fatal(err)
	}
	var resp protocol.MetadataResponse
	dialTest(t, c.Addrs()[0]).roundTrip(12, metadataReq(false, "t"), &resp)
	if len(resp.Brokers) != 1 || resp.Brokers[0].NodeID != 0 {
		t.Fatalf("brokers %+v", resp.Brokers)
	}
	p := resp.Topics[0].Partitions[1]
	if p.ErrorCode != kerr.LeaderNotAvailable.Code || p.LeaderID != -1 {
		t.Fatalf("partition led by the stopped broker: %+v", p)
	}
	if err := c.MoveLeader("t", 1, 0); err != nil {
		t.Fatal(err)
	}
	dialTest(t, c.Addrs()[0]).roundTrip(12, metadataReq(false, "t"), &resp)
	if p := resp.Topics[0].Partitions[1]; p.ErrorCode != 0 || p.LeaderID != 0 || p.LeaderEpoch != 1 {
		t.Fatalf("after the leader moved: %+v", p)
	}
}

// At v10 and v11 a topic asked for by id makes the request INVALID_REQUEST as a whole, as in
// Kafka, which looks topics up by id from v12.
func TestMetadataByTopicIDBeforeV12(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	id := protocol.UUID{5}
	for _, v := range []int16{10, 11} {
		var resp protocol.MetadataResponse
		dialTest(t, c.Addrs()[0]).roundTrip(v, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{TopicID: id}}}, &resp)
		mt := resp.Topics[0]
		if mt.ErrorCode != kerr.InvalidRequest.Code || mt.TopicID != id || resp.Brokers != nil || resp.ClusterID != nil || resp.ControllerID != -1 {
			t.Fatalf("v%d: %+v", v, resp)
		}
	}
}

// Authorized operations asked for are all of them, as from Kafka without an authorizer; not
// asked for, they are MinInt32.
func TestMetadataAuthorizedOperations(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	for _, include := range []bool{false, true} {
		var resp protocol.MetadataResponse
		req := metadataReq(false, "t")
		req.IncludeClusterAuthorizedOperations, req.IncludeTopicAuthorizedOperations = include, include
		dialTest(t, c.Addrs()[0]).roundTrip(10, req, &resp)
		wantTopic, wantCluster := int32(math.MinInt32), int32(math.MinInt32)
		if include {
			wantTopic, wantCluster = 3576, 8096
		}
		if resp.Topics[0].TopicAuthorizedOperations != wantTopic || resp.ClusterAuthorizedOperations != wantCluster {
			t.Errorf("asked %v: topic %d, cluster %d; want %d, %d", include, resp.Topics[0].TopicAuthorizedOperations,
				resp.ClusterAuthorizedOperations, wantTopic, wantCluster)
		}
	}
}

// A topic named twice, or asked for twice by id, is described once, as Kafka reads the names and
// ids into sets: 50,000 entries naming a topic of three partitions in a 150 KB request were
// answered with 4.4 MB, and allocated 95 MB.
func TestMetadataDescribesATopicOnce(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 3), Topic("u", 1))
	id := c.topics["t"].id
	t3, u := "t", "u"
	for _, tt := range []struct {
		version int16
		topics  []protocol.MetadataRequestTopic
		want    []string
	}{
		{1, []protocol.MetadataRequestTopic{{Name: &t3}, {Name: &u}, {Name: &t3}}, []string{"t", "u"}},
		{12, []protocol.MetadataRequestTopic{{TopicID: id}, {Name: &u}, {TopicID: id}, {Name: &u}}, []string{"t", "u"}},
	} {
		var resp protocol.MetadataResponse
		dialTest(t, c.Addrs()[0]).roundTrip(tt.version, &protocol.MetadataRequest{Topics: tt.topics}, &resp)
		var got []string
		for _, mt := range resp.Topics {
			got = append(got, *mt.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("v%d: described %q, want %q", tt.version, got, tt.want)
		}
	}
}
