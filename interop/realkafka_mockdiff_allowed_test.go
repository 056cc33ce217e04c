package interop

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/kwire-dev/kwire/wire/protocol"
)

// The node ids of the two clusters: kafka.sh numbers its nodes from 1, the mock broker from 0.
const (
	kafkaNodeID = 1
	mockNodeID  = 0
)

// mockDiffAllowances are the fields whose values may differ between Apache Kafka's answer and the
// mock broker's, each with the reason and the relation the two values must still satisfy. Every
// other difference is a mock broker bug. The test fails if a path here is never reached, so the
// list stays as short as the cases allow.
func mockDiffAllowances(d *differ) []*allowance {
	return []*allowance{
		{
			paths: []string{"Metadata.ClusterID"},
			why:   "each cluster has its own random id",
			holds: func(k, m reflect.Value) bool {
				return !k.IsNil() && !m.IsNil() && k.Elem().Len() == 22 && m.Elem().Len() == 22
			},
		},
		{
			paths: []string{"Metadata.Brokers[].NodeID", "Metadata.ControllerID", "Metadata.Topics[].Partitions[].LeaderID",
				"Metadata.Topics[].Partitions[].ReplicaNodes[]", "Metadata.Topics[].Partitions[].IsrNodes[]",
				"FindCoordinator.NodeID", "FindCoordinator.Coordinators[].NodeID"},
			why:   "kafka.sh numbers its nodes from 1, the mock broker from 0",
			holds: func(k, m reflect.Value) bool { return k.Int() == kafkaNodeID && m.Int() == mockNodeID },
		},
		{
			paths: []string{"Metadata.Brokers[].Port", "FindCoordinator.Port", "FindCoordinator.Coordinators[].Port"},
			why:   "each broker listens on a port of its own",
			holds: func(k, m reflect.Value) bool { return k.Int() > 0 && m.Int() > 0 },
		},
		{
			paths: []string{"Metadata.Topics[].TopicID", "CreateTopics.Topics[].TopicID", "Produce.Responses[].TopicID", "Fetch.Responses[].TopicID"},
			why:   "each broker gives a new topic a random id (Produce v13 and Fetch v13+ requests carry each broker's own)",
			holds: func(k, m reflect.Value) bool { return k.IsZero() == m.IsZero() },
		},
		{
			paths: []string{"InitProducerId.ProducerID", "Fetch.Responses[].Partitions[].Records[].Batch.ProducerID"},
			why:   "each broker allocates producer ids its own way (Kafka in blocks from its controller, from 0; the mock from 1001)",
			holds: func(k, m reflect.Value) bool { return k.Int() >= 0 && m.Int() >= 0 },
		},
		{
			paths: []string{"Fetch.Responses[].Partitions[].Records[].Batch.CRC"},
			why:   "the CRC covers the producer id and log-append time, which differ; kwire verified each side's as it decoded the batch",
			holds: func(k, m reflect.Value) bool { return true },
		},
		{
			paths: []string{"Produce.Responses[].PartitionResponses[].LogAppendTimeMs", "Fetch.Responses[].Partitions[].Records[].Batch.MaxTimestamp",
				"Fetch.Responses[].Partitions[].Records[].Records[].Timestamp", "ListOffsets.Topics[].Partitions[].Timestamp"},
			why:   "log-append time is each broker's clock when it appended the batch",
			holds: func(k, m reflect.Value) bool { return d.brokerTime(k.Int()) && d.brokerTime(m.Int()) },
		},
		{
			paths: []string{"CreateTopics.Topics[].ErrorMessage"},
			why:   "error messages are free text for people, and the mock broker's say its own reasons; both brokers send one or neither does",
			holds: func(k, m reflect.Value) bool { return k.IsNil() == m.IsNil() },
		},
		{
			paths: []string{"Fetch.SessionID"},
			why: "the mock broker keeps no fetch sessions (KIP-227): its session id 0 says that it created none, " +
				"as Kafka also answers when its session cache is full, and a client then sends full fetches",
			holds: func(k, m reflect.Value) bool { return k.Int() > 0 && m.Int() == 0 },
		},
		{
			paths: []string{"ApiVersions.APIKeys"},
			why: "the mock broker lists the APIs it serves, each with Kafka's range narrowed to what kwire implements " +
				"(ApiVersions v5 and ListOffsets v11 are beyond it)",
			holds: func(k, m reflect.Value) bool {
				return slices.EqualFunc(narrowed(k.Interface().([]protocol.ApiVersion), m.Interface().([]protocol.ApiVersion)),
					m.Interface().([]protocol.ApiVersion), func(a, b protocol.ApiVersion) bool { return reflect.DeepEqual(a, b) })
			},
		},
		{
			paths: []string{"ApiVersions.Tags"},
			why:   "Kafka advertises its supported and finalized features (KIP-584) in tagged fields; the mock broker has none to advertise",
			holds: func(k, m reflect.Value) bool { return m.Len() == 0 },
		},
	}
}

// mockDiffUnordered are the arrays whose order the protocol leaves to the broker.
var mockDiffUnordered = []unordered{
	{
		path: "Metadata.Topics",
		why:  "Kafka lists all topics in the order of its metadata image's hash map",
		key:  func(t reflect.Value) string { return t.FieldByName("Name").Elem().String() },
	},
	{
		path: "ListOffsets.Topics[].Partitions",
		why:  "Kafka answers a topic's partitions in the order of a hash map, not the request's",
		key:  func(p reflect.Value) string { return fmt.Sprintf("%010d", p.FieldByName("PartitionIndex").Int()) },
	},
}

// brokerTime reports whether ms is a time a broker stamped during the test.
func (d *differ) brokerTime(ms int64) bool {
	return d.since <= ms && ms <= time.Now().UnixMilli()
}

// narrowed is Kafka's ranges of the APIs in mock, each narrowed to what kwire implements, in
// mock's order.
func narrowed(kafka, mock []protocol.ApiVersion) []protocol.ApiVersion {
	var out []protocol.ApiVersion
	for _, m := range mock {
		for _, k := range kafka {
			if k.APIKey == m.APIKey {
				impl := kwireVersions[k.APIKey]
				out = append(out, protocol.ApiVersion{APIKey: k.APIKey, MinVersion: max(k.MinVersion, impl.Min), MaxVersion: min(k.MaxVersion, impl.Max)})
			}
		}
	}
	return out
}
