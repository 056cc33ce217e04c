package mockbroker

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The config sources of DescribeConfigs and CreateTopics v5+ (Kafka's ConfigSource).
const (
	sourceTopic                = 1 // DYNAMIC_TOPIC_CONFIG: set on the topic itself
	sourceDynamicDefaultBroker = 3 // DYNAMIC_DEFAULT_BROKER_CONFIG: the cluster-wide default
	sourceStaticBroker         = 4 // STATIC_BROKER_CONFIG: the broker's configuration file
	sourceDefault              = 5 // DEFAULT_CONFIG: Kafka's default
)

// topicConfigDefaults are the configs of a new topic as Apache Kafka 4.4 reports them with
// CreateTopics v5+ on a broker with its defaults (as the differential test reads them), by name.
// The two the cluster's options set, max.message.bytes and min.insync.replicas, are filled in by
// topicConfigs.
var topicConfigDefaults = []struct{ name, value string }{
	{"cleanup.policy", "delete"},
	{"compression.gzip.level", "-1"},
	{"compression.lz4.level", "9"},
	{"compression.type", "producer"},
	{"compression.zstd.level", "3"},
	{"delete.retention.ms", "86400000"},
	{"errors.deadletterqueue.group.enable", "false"},
	{"file.delete.delay.ms", "60000"},
	{"flush.messages", "9223372036854775807"},
	{"flush.ms", "9223372036854775807"},
	{"follower.replication.throttled.replicas", ""},
	{"index.interval.bytes", "4096"},
	{"leader.replication.throttled.replicas", ""},
	{"local.retention.bytes", "-2"},
	{"local.retention.ms", "-2"},
	{"max.compaction.lag.ms", "9223372036854775807"},
	{"max.decompressed.message.bytes", "2147483639"},
	{"max.message.bytes", ""},
	{"message.timestamp.after.max.ms", "3600000"},
	{"message.timestamp.before.max.ms", "9223372036854775807"},
	{"message.timestamp.type", "CreateTime"},
	{"min.cleanable.dirty.ratio", "0.5"},
	{"min.compaction.lag.ms", "0"},
	{"min.insync.replicas", ""},
	{"preallocate", "false"},
	{"remote.copy.lag.bytes", "-1"},
	{"remote.copy.lag.ms", "0"},
	{"remote.log.copy.disable", "false"},
	{"remote.log.delete.on.disable", "false"},
	{"remote.storage.enable", "false"},
	{"retention.bytes", "-1"},
	{"retention.ms", "604800000"},
	{"segment.bytes", "1073741824"},
	{"segment.index.bytes", "10485760"},
	{"segment.jitter.ms", "0"},
	{"segment.ms", "604800000"},
	{"unclean.leader.election.enable", "false"},
}

// checkTopicConfigs refuses a config Kafka does not know for topics, a null value, or a
// message.timestamp.type that is neither CreateTime nor LogAppendTime, with INVALID_CONFIG. It
// reports whether the topic uses log-append time. Other values are not checked.
func checkTopicConfigs(topic string, configs []protocol.CreateTopicsConfig) (logAppendTime bool, err error) {
	for _, cfg := range configs {
		switch {
		case !slices.ContainsFunc(topicConfigDefaults, func(d struct{ name, value string }) bool { return d.name == cfg.Name }):
			return false, fmt.Errorf("%w: topic %q: unknown topic config name %s", kerr.InvalidConfig, topic, cfg.Name)
		case cfg.Value == nil:
			return false, fmt.Errorf("%w: topic %q: a null value for %s", kerr.InvalidConfig, topic, cfg.Name)
		case cfg.Name != "message.timestamp.type":
			continue
		}
		switch *cfg.Value {
		case "CreateTime":
		case "LogAppendTime":
			logAppendTime = true
		default:
			return false, fmt.Errorf("%w: topic %q: message.timestamp.type %q is not CreateTime or LogAppendTime", kerr.InvalidConfig, topic, *cfg.Value)
		}
	}
	return logAppendTime, nil
}

// topicConfigs lists every config of a new topic with its value and where it comes from, as
// CreateTopics v5+ answers: those set describe the topic, the others Kafka's defaults and the
// cluster's options, sorted by name.
func (c *Cluster) topicConfigs(set []protocol.CreateTopicsConfig) []protocol.CreateTopicsConfigResult {
	out := make([]protocol.CreateTopicsConfigResult, 0, len(topicConfigDefaults))
	for _, d := range topicConfigDefaults {
		value, source := d.value, int8(sourceDefault)
		switch d.name {
		case "max.message.bytes":
			value = strconv.Itoa(int(c.cfg.messageMaxBytes))
			if c.cfg.messageMaxBytes != defaultConfig().messageMaxBytes {
				source = sourceStaticBroker
			}
		case "min.insync.replicas":
			// A KRaft controller keeps min.insync.replicas as a cluster-wide dynamic default.
			value, source = strconv.Itoa(c.cfg.minInsync), sourceDynamicDefaultBroker
		}
		res := protocol.CreateTopicsConfigResult{Name: d.name, Value: &value, ConfigSource: source}
		if i := slices.IndexFunc(set, func(s protocol.CreateTopicsConfig) bool { return s.Name == d.name }); i >= 0 {
			res.Value, res.ConfigSource = set[i].Value, sourceTopic
		}
		out = append(out, res)
	}
	return out
}
