package mockbroker

import (
	"slices"
	"testing"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func TestCreateTopics(t *testing.T) {
	lat := "LogAppendTime"
	bogus := "Sometime"
	for _, tc := range []struct {
		name         string
		topic        protocol.CreateTopicsTopic
		validateOnly bool
		wantCode     int16
		wantParts    int32
		wantRF       int16
	}{
		{"defaults", protocol.CreateTopicsTopic{Name: "new", NumPartitions: -1, ReplicationFactor: -1}, false, 0, 2, 1},
		{"explicit", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 5, ReplicationFactor: 3}, false, 0, 5, 3},
		{"assignments", protocol.CreateTopicsTopic{Name: "new", NumPartitions: -1, ReplicationFactor: -1,
			Assignments: []protocol.CreateTopicsAssignment{{PartitionIndex: 0, BrokerIDs: []int32{2, 1}}}}, false, 0, 1, 2},
		{"log append time", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 1, ReplicationFactor: 1,
			Configs: []protocol.CreateTopicsConfig{{Name: "message.timestamp.type", Value: &lat}}}, false, 0, 1, 1},
		{"validate only", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 1, ReplicationFactor: 1}, true, 0, 1, 1},
		{"exists", protocol.CreateTopicsTopic{Name: "old", NumPartitions: 1, ReplicationFactor: 1}, false, kerr.TopicAlreadyExists.Code, -1, -1},
		{"bad name", protocol.CreateTopicsTopic{Name: "a b", NumPartitions: 1, ReplicationFactor: 1}, false, kerr.InvalidTopicException.Code, -1, -1},
		{"no partitions", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 0, ReplicationFactor: 1}, false, kerr.InvalidPartitions.Code, -1, -1},
		{"more partitions than a request may create", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 0x66000002, ReplicationFactor: 1}, false, kerr.PolicyViolation.Code, -1, -1},
		{"too many replicas", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 1, ReplicationFactor: 4}, false, kerr.InvalidReplicationFactor.Code, -1, -1},
		{"unknown broker", protocol.CreateTopicsTopic{Name: "new", NumPartitions: -1, ReplicationFactor: -1,
			Assignments: []protocol.CreateTopicsAssignment{{PartitionIndex: 0, BrokerIDs: []int32{7}}}}, false, kerr.InvalidReplicaAssignment.Code, -1, -1},
		{"assignments and a count", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 1, ReplicationFactor: -1,
			Assignments: []protocol.CreateTopicsAssignment{{PartitionIndex: 0, BrokerIDs: []int32{0}}}}, false, kerr.InvalidRequest.Code, -1, -1},
		{"bad config", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 1, ReplicationFactor: 1,
			Configs: []protocol.CreateTopicsConfig{{Name: "message.timestamp.type", Value: &bogus}}}, false, kerr.InvalidConfig.Code, -1, -1},
		{"unknown config", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 1, ReplicationFactor: 1,
			Configs: []protocol.CreateTopicsConfig{{Name: "no.such.config", Value: &bogus}}}, false, kerr.InvalidConfig.Code, -1, -1},
		{"null config value", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 1, ReplicationFactor: 1,
			Configs: []protocol.CreateTopicsConfig{{Name: "retention.ms"}}}, false, kerr.InvalidConfig.Code, -1, -1},
		{"replication factor zero", protocol.CreateTopicsTopic{Name: "new", NumPartitions: 1, ReplicationFactor: 0}, false, kerr.InvalidReplicationFactor.Code, -1, -1},
		{"negative partitions", protocol.CreateTopicsTopic{Name: "new", NumPartitions: -2, ReplicationFactor: 1}, false, kerr.InvalidPartitions.Code, -1, -1},
		{"exists, with a bad count", protocol.CreateTopicsTopic{Name: "old", NumPartitions: 0, ReplicationFactor: 1}, false, kerr.TopicAlreadyExists.Code, -1, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewTestCluster(t, NumBrokers(3), DefaultPartitions(2), Topic("old", 1))
			var resp protocol.CreateTopicsResponse
			dialTest(t, c.Addrs()[0]).roundTrip(7, &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{tc.topic},
				TimeoutMs: 1000, ValidateOnly: tc.validateOnly}, &resp)
			res := resp.Topics[0]
			if res.ErrorCode != tc.wantCode || res.NumPartitions != tc.wantParts || res.ReplicationFactor != tc.wantRF {
				t.Fatalf("got %v, %d partitions, replication %d; want %v, %d, %d", kerr.ForCode(res.ErrorCode),
					res.NumPartitions, res.ReplicationFactor, kerr.ForCode(tc.wantCode), tc.wantParts, tc.wantRF)
			}
			if tc.wantCode != 0 && (res.ErrorMessage == nil || *res.ErrorMessage == "" || res.Configs == nil || len(res.Configs) != 0 || res.TopicID != (protocol.UUID{})) {
				t.Fatalf("an error without a message, or with configs or a topic id: %+v", res)
			}
			if tc.wantCode == 0 && (res.TopicID == (protocol.UUID{}) || len(res.Configs) != len(topicConfigDefaults)) {
				t.Fatalf("a topic without an id, or without its %d configs: %+v", len(topicConfigDefaults), res)
			}
			_, err := c.Records(tc.topic.Name, 0)
			if created := err == nil; created != (tc.wantCode == 0 && !tc.validateOnly || tc.topic.Name == "old") {
				t.Fatalf("topic %q exists afterwards: %v", tc.topic.Name, created)
			}
		})
	}
}

func TestCreatedTopicStampsLogAppendTime(t *testing.T) {
	c := NewTestCluster(t)
	tc := dialTest(t, c.Addrs()[0])
	lat := "LogAppendTime"
	var resp protocol.CreateTopicsResponse
	tc.roundTrip(5, &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{{Name: "lat", NumPartitions: 1, ReplicationFactor: -1,
		Configs: []protocol.CreateTopicsConfig{{Name: "message.timestamp.type", Value: &lat}}}}}, &resp)
	if pr := produce(tc, 9, 1, "lat", 0, timedBatch(t, 5)); pr.ErrorCode != 0 || pr.LogAppendTimeMs <= 5 {
		t.Fatalf("produce to a log-append-time topic: %+v", pr)
	}
}

// A name a request lists twice is refused once, with INVALID_REQUEST, after the other topics, and
// not created, as Kafka does.
func TestCreateTopicsDuplicateName(t *testing.T) {
	c := NewTestCluster(t)
	var resp protocol.CreateTopicsResponse
	dialTest(t, c.Addrs()[0]).roundTrip(7, &protocol.CreateTopicsRequest{TimeoutMs: 1000, Topics: []protocol.CreateTopicsTopic{
		{Name: "twice", NumPartitions: 1, ReplicationFactor: 1}, {Name: "once", NumPartitions: 1, ReplicationFactor: 1},
		{Name: "twice", NumPartitions: 2, ReplicationFactor: 1}}}, &resp)
	if len(resp.Topics) != 2 || resp.Topics[0].Name != "once" || resp.Topics[0].ErrorCode != 0 ||
		resp.Topics[1].Name != "twice" || resp.Topics[1].ErrorCode != kerr.InvalidRequest.Code {
		t.Fatalf("got %+v", resp.Topics)
	}
	if _, err := c.Records("twice", 0); err == nil {
		t.Fatal("the topic named twice was created")
	}
}

// A new topic's configs (v5+) are Kafka 4.4's, sorted by name: the one the request set, from the
// topic; min.insync.replicas, the cluster's dynamic default; max.message.bytes, from the broker's
// configuration when an option sets it.
func TestCreateTopicsConfigs(t *testing.T) {
	c := NewTestCluster(t, MinInsyncReplicas(2), MessageMaxBytes(5000), NumBrokers(2))
	retention := "1000"
	var resp protocol.CreateTopicsResponse
	dialTest(t, c.Addrs()[0]).roundTrip(5, &protocol.CreateTopicsRequest{TimeoutMs: 1000, Topics: []protocol.CreateTopicsTopic{
		{Name: "t", NumPartitions: 1, ReplicationFactor: 1, Configs: []protocol.CreateTopicsConfig{{Name: "retention.ms", Value: &retention}}}}}, &resp)
	got := map[string]protocol.CreateTopicsConfigResult{}
	var names []string
	for _, cfg := range resp.Topics[0].Configs {
		got[cfg.Name] = cfg
		names = append(names, cfg.Name)
	}
	if len(names) != 37 || !slices.IsSorted(names) {
		t.Fatalf("configs %v, want Kafka 4.4's 37, sorted", names)
	}
	for name, want := range map[string]struct {
		value  string
		source int8
	}{
		"retention.ms": {"1000", sourceTopic}, "min.insync.replicas": {"2", sourceDynamicDefaultBroker},
		"max.message.bytes": {"5000", sourceStaticBroker}, "cleanup.policy": {"delete", sourceDefault},
	} {
		if cfg := got[name]; cfg.Value == nil || *cfg.Value != want.value || cfg.ConfigSource != want.source || cfg.ReadOnly || cfg.IsSensitive {
			t.Errorf("%s: %+v, want %q from source %d", name, cfg, want.value, want.source)
		}
	}
}
