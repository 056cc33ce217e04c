package mockbroker

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

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
// Those the cluster's options set, max.message.bytes, min.insync.replicas, retention.bytes and
// retention.ms, are filled in by topicConfigs.
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

// applyTopicConfigs sets in spec what the configs of a CreateTopics request say of what the broker
// does (message.timestamp.type, retention.bytes and retention.ms, the cluster's for those not
// set), or refuses, with INVALID_CONFIG, a config Kafka does not know for topics, a null value, a
// message.timestamp.type that is neither CreateTime nor LogAppendTime, or a retention that is not
// a number or, for retention.ms, is below -1, as Kafka does. Other values are not checked.
func (c *Cluster) applyTopicConfigs(spec *topicSpec, configs []protocol.CreateTopicsConfig) error {
	r := c.cfg.retention
	for _, cfg := range configs {
		var err error
		switch {
		case !slices.ContainsFunc(topicConfigDefaults, func(d struct{ name, value string }) bool { return d.name == cfg.Name }):
			err = fmt.Errorf("unknown topic config name %s", cfg.Name)
		case cfg.Value == nil:
			err = fmt.Errorf("a null value for %s", cfg.Name)
		case cfg.Name == "message.timestamp.type":
			spec.logAppendTime, err = timestampType(*cfg.Value)
		case cfg.Name == "retention.bytes":
			r.bytes, err = configLong(cfg.Name, *cfg.Value, math.MinInt64)
		case cfg.Name == "retention.ms":
			r.ms, err = configLong(cfg.Name, *cfg.Value, -1)
		}
		if err != nil {
			return fmt.Errorf("%w: topic %q: %v", kerr.InvalidConfig, spec.name, err)
		}
	}
	spec.retention = &r
	return nil
}

// timestampType reports whether a message.timestamp.type is LogAppendTime, or refuses one that is
// neither that nor CreateTime.
func timestampType(value string) (logAppendTime bool, err error) {
	switch value {
	case "CreateTime":
		return false, nil
	case "LogAppendTime":
		return true, nil
	}
	return false, fmt.Errorf("message.timestamp.type %q is not CreateTime or LogAppendTime", value)
}

// configLong reads the value of a config of Kafka's type LONG, at least least, as Kafka reads it:
// a decimal number, spaces around it ignored.
func configLong(name, value string, least int64) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("invalid value %s for configuration %s: not a number of type LONG", value, name)
	case n < least:
		return 0, fmt.Errorf("invalid value %s for configuration %s: value must be at least %d", value, name, least)
	}
	return n, nil
}

// topicConfigs lists every config of a new topic with its value and where it comes from, as
// CreateTopics v5+ answers: those set describe the topic, the others Kafka's defaults and the
// cluster's options, sorted by name.
func (c *Cluster) topicConfigs(set []protocol.CreateTopicsConfig) []protocol.CreateTopicsConfigResult {
	defaults := defaultConfig()
	out := make([]protocol.CreateTopicsConfigResult, 0, len(topicConfigDefaults))
	for _, d := range topicConfigDefaults {
		value, source := d.value, int8(sourceDefault)
		switch d.name {
		case "max.message.bytes":
			value = strconv.Itoa(int(c.cfg.messageMaxBytes))
			if c.cfg.messageMaxBytes != defaults.messageMaxBytes {
				source = sourceStaticBroker
			}
		case "min.insync.replicas":
			// A KRaft controller keeps min.insync.replicas as a cluster-wide dynamic default.
			value, source = strconv.Itoa(c.cfg.minInsync), sourceDynamicDefaultBroker
		case "retention.bytes":
			value = strconv.FormatInt(c.cfg.retention.bytes, 10)
			if c.cfg.retention.bytes != defaults.retention.bytes {
				source = sourceStaticBroker
			}
		case "retention.ms":
			value = strconv.FormatInt(c.cfg.retention.ms, 10)
			if c.cfg.retention.ms != defaults.retention.ms {
				source = sourceStaticBroker
			}
		}
		res := protocol.CreateTopicsConfigResult{Name: d.name, Value: &value, ConfigSource: source}
		if i := slices.IndexFunc(set, func(s protocol.CreateTopicsConfig) bool { return s.Name == d.name }); i >= 0 {
			res.Value, res.ConfigSource = set[i].Value, sourceTopic // as given, spaces and all, as Kafka answers
		}
		out = append(out, res)
	}
	return out
}
