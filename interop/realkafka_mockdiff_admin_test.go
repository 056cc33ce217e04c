package interop

import (
	"slices"
	"strings"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The cases of the APIs about topics and the cluster rather than records.

// diffApiVersions asks for the versions at each version, and at one no broker serves (which both
// answer at v0 with UNSUPPORTED_VERSION and the range of ApiVersions, KIP-511).
func diffApiVersions(d *differ) {
	req := &protocol.ApiVersionsRequest{ClientSoftwareName: "kwire-mockdiff", ClientSoftwareVersion: "1.0"}
	d.eachVersion(protocol.KeyApiVersions, func(v int16) {
		d.exchange("all APIs", v, same(req))
	})
	d.exchange("unsupported version", 99, same(req))
}

// diffCreateTopics creates topics at each version: valid ones (explicit counts, the broker's
// defaults, explicit assignments, a config), a duplicate, bad partition counts and replication
// factors, bad names and configs (retention among them), and validate-only requests.
func diffCreateTopics(d *differ) {
	d.eachVersion(protocol.KeyCreateTopics, func(v int16) {
		name := func(s string) string { return d.topic("create-v%d-%s", v, s) }
		topic := func(s string, n int32, rf int16) protocol.CreateTopicsTopic {
			return protocol.CreateTopicsTopic{Name: name(s), NumPartitions: n, ReplicationFactor: rf}
		}
		create := func(label string, validateOnly bool, topics ...protocol.CreateTopicsTopic) {
			d.exchange(label, v, same(&protocol.CreateTopicsRequest{Topics: topics, TimeoutMs: 30000, ValidateOnly: validateOnly}))
		}
		create("valid", false, topic("valid", 3, 1))
		create("duplicate", false, topic("valid", 3, 1))
		create("duplicate in one request", false, topic("twice", 1, 1), topic("twice", 1, 1))
		create("zero partitions", false, topic("zero", 0, 1))
		create("negative partitions", false, topic("negative", -2, 1))
		create("replication factor above the brokers", false, topic("rf2", 1, 2))
		create("replication factor zero", false, topic("rf0", 1, 0))
		create("negative replication factor", false, topic("rfneg", 1, -2))
		create("bad name", false, protocol.CreateTopicsTopic{Name: "bad name!", NumPartitions: 1, ReplicationFactor: 1})
		create("empty name", false, protocol.CreateTopicsTopic{Name: "", NumPartitions: 1, ReplicationFactor: 1})
		if v >= 4 {
			create("broker defaults", false, topic("defaults", -1, -1))
		}
		assigned := topic("assigned", -1, -1)
		assigned.Assignments = []protocol.CreateTopicsAssignment{{PartitionIndex: 0, BrokerIDs: []int32{kafkaNodeID}}}
		// Broker ids differ between the two clusters: Kafka's node 1 is the mock's broker 0.
		d.exchange("replica assignment", v, func(s *diffSide) protocol.Message {
			a := assigned
			if s == d.mock {
				a.Assignments = []protocol.CreateTopicsAssignment{{PartitionIndex: 0, BrokerIDs: []int32{mockNodeID}}}
			}
			return &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{a}, TimeoutMs: 30000}
		})
		badAssignment := topic("badassign", -1, -1)
		badAssignment.Assignments = []protocol.CreateTopicsAssignment{{PartitionIndex: 0, BrokerIDs: []int32{7}}}
		create("assignment to a broker that does not exist", false, badAssignment)
		lat, bad, unknown := "LogAppendTime", "Sometimes", "42"
		withConfig := topic("config", 1, 1)
		withConfig.Configs = []protocol.CreateTopicsConfig{{Name: "message.timestamp.type", Value: &lat}}
		create("with a config", false, withConfig)
		badConfig := topic("badconfig", 1, 1)
		badConfig.Configs = []protocol.CreateTopicsConfig{{Name: "message.timestamp.type", Value: &bad}}
		create("bad config value", false, badConfig)
		unknownConfig := topic("unknownconfig", 1, 1)
		unknownConfig.Configs = []protocol.CreateTopicsConfig{{Name: "no.such.config", Value: &unknown}}
		create("unknown config", false, unknownConfig)
		nullConfig := topic("nullconfig", 1, 1)
		nullConfig.Configs = []protocol.CreateTopicsConfig{{Name: "retention.ms"}}
		create("null config value", false, nullConfig)
		retention := topic("retention", 1, 1)
		retention.Configs = []protocol.CreateTopicsConfig{{Name: "retention.ms", Value: ptr(" 3600000 ")}, {Name: "retention.bytes", Value: ptr("-5")}}
		create("retention configs", false, retention)
		for _, bad := range []struct{ label, name, value string }{
			{"ms1h", "retention.ms", "1h"}, {"msbelow", "retention.ms", "-2"}, {"bytesfraction", "retention.bytes", "1.5"},
		} {
			badRetention := topic("retention-"+bad.label, 1, 1)
			badRetention.Configs = []protocol.CreateTopicsConfig{{Name: bad.name, Value: ptr(bad.value)}}
			create(bad.name+" "+bad.value, false, badRetention)
		}
		create("validate only", true, topic("validate", 2, 1))
		create("validate only, bad partitions", true, topic("validatebad", 0, 1))
		create("more than 10,000 partitions in a request", false, topic("huge1", 6000, 1), topic("huge2", 6000, 1))
		create("more than 10,000 records in a request", true, topic("records", 10000, 1))
		create("1.7 billion partitions", false, topic("billions", 0x66000002, 1))
		d.exchange("after validate only", 12, same(&protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{Name: ptr(name("validate"))}}}))
	})
}

// diffMetadata asks at each version for a topic that exists, for unknown topics with and without
// auto-creation, for a bad name, with authorized operations, and by topic id.
func diffMetadata(d *differ) {
	d.eachVersion(protocol.KeyMetadata, func(v int16) {
		name := func(s string) string { return d.topic("meta-v%d-%s", v, s) }
		byName := func(names ...string) []protocol.MetadataRequestTopic {
			var ts []protocol.MetadataRequestTopic
			for _, n := range names {
				ts = append(ts, protocol.MetadataRequestTopic{Name: ptr(n)})
			}
			return ts
		}
		d.createTopic(name("known"), 2)
		d.exchange("known topic", v, same(&protocol.MetadataRequest{Topics: byName(name("known"))}))
		if v >= 1 { // at v0, no topics means all topics: diffMetadataAllTopics asks that
			d.exchange("no topics", v, same(&protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{}}))
		}
		if v >= 4 {
			d.exchange("unknown topic, no auto-create", v, same(&protocol.MetadataRequest{Topics: byName(name("unknown"))}))
		}
		d.exchange("unknown topic, auto-create", v, same(&protocol.MetadataRequest{Topics: byName(name("auto")), AllowAutoTopicCreation: true}))
		d.settle(name("auto"))
		d.exchange("auto-created topic", v, same(&protocol.MetadataRequest{Topics: byName(name("auto"))}))
		d.exchange("bad name, auto-create", v, same(&protocol.MetadataRequest{Topics: byName("bad name!"), AllowAutoTopicCreation: true}))
		d.exchange("known and unknown", v, same(&protocol.MetadataRequest{Topics: byName(name("known"), name("unknown2"))}))
		d.exchange("a topic named twice", v, same(&protocol.MetadataRequest{Topics: byName(name("known"), name("known"))}))
		if v >= 8 {
			d.exchange("authorized operations", v, same(&protocol.MetadataRequest{Topics: byName(name("known")),
				IncludeClusterAuthorizedOperations: true, IncludeTopicAuthorizedOperations: true}))
		}
		if v >= 10 {
			d.exchange("by topic id", v, func(s *diffSide) protocol.Message {
				return &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{TopicID: s.topicIDs[name("known")]}}}
			})
			d.exchange("by unknown topic id", v, same(&protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{TopicID: protocol.UUID{1, 2, 3}}}}))
		}
	})
}

// diffMetadataAllTopics asks for every topic, at each version; by now both brokers have the topics
// the cases before created. Kafka is shared with the package's other tests: its answer is narrowed
// to the run's topics.
func diffMetadataAllTopics(d *differ) {
	ours := func(kafka protocol.Message) {
		resp := kafka.(*protocol.MetadataResponse)
		resp.Topics = slices.DeleteFunc(resp.Topics, func(t protocol.MetadataTopic) bool { return !strings.HasPrefix(*t.Name, d.prefix) })
	}
	d.eachVersion(protocol.KeyMetadata, func(v int16) {
		d.exchangeNarrowed("all topics", v, same(&protocol.MetadataRequest{}), ours)
	})
}

// diffInitProducerID asks for idempotent producer ids at each version and, from v3, with the id
// and epoch the broker gave, with an id or an epoch alone, and with an id it never gave.
func diffInitProducerID(d *differ) {
	d.eachVersion(protocol.KeyInitProducerID, func(v int16) {
		d.initProducer("idempotent", v, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: -1, ProducerEpoch: -1})
		if v < 3 {
			return
		}
		d.exchange("with the id and epoch given", v, func(s *diffSide) protocol.Message {
			return &protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: s.producerID, ProducerEpoch: s.producerEpoch}
		})
		d.exchange("an id without an epoch", v, func(s *diffSide) protocol.Message {
			return &protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: s.producerID, ProducerEpoch: -1}
		})
		d.exchange("an epoch without an id", v, same(&protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: -1, ProducerEpoch: 0}))
		d.exchange("an id never given", v, same(&protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: 99_999, ProducerEpoch: 3}))
	})
}

// diffFindCoordinator looks up group coordinators at each version, one key before v4 and several
// from v4, and a key type the brokers do not know.
func diffFindCoordinator(d *differ) {
	// Kafka answers these while it creates and loads __consumer_offsets.
	transient := func(code int16) bool {
		return code == kerr.CoordinatorNotAvailable.Code || code == kerr.CoordinatorLoadInProgress.Code
	}
	unavailable := func(r protocol.Message) bool {
		resp := r.(*protocol.FindCoordinatorResponse)
		return transient(resp.ErrorCode) || slices.ContainsFunc(resp.Coordinators, func(c protocol.FindCoordinatorResult) bool { return transient(c.ErrorCode) })
	}
	d.eachVersion(protocol.KeyFindCoordinator, func(v int16) {
		d.exchangeSettled("group", v, same(&protocol.FindCoordinatorRequest{CoordinatorKey: "g1", CoordinatorKeys: []string{"g1"}}), unavailable)
		if v >= 1 {
			d.exchange("unknown key type", v, same(&protocol.FindCoordinatorRequest{CoordinatorKey: "g1", KeyType: 5, CoordinatorKeys: []string{"g1"}}))
		}
		if v >= 4 {
			d.exchangeSettled("groups", v, same(&protocol.FindCoordinatorRequest{CoordinatorKeys: []string{"g1", "g2", ""}}), unavailable)
			d.exchange("no keys", v, same(&protocol.FindCoordinatorRequest{}))
		}
	})
}

func ptr[T any](v T) *T { return &v }
