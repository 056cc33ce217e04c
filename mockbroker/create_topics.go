package mockbroker

// CreateTopics, versions 0–7 (the cluster's VersionProfile decides which are advertised).
//
// Creates each topic with its partition count and replication factor (-1 for the broker's
// defaults) or its explicit replica assignments, or with validate_only only checks that it could.
// Configs are accepted and echoed back; message.timestamp.type=LogAppendTime is the one that
// changes what the broker does. Errors are per topic, as in Kafka: INVALID_TOPIC_EXCEPTION,
// TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR,
// INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, INVALID_REQUEST.

import (
	"fmt"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// dynamicTopicConfig is ConfigSource DYNAMIC_TOPIC_CONFIG: a config set on the topic itself.
const dynamicTopicConfig = 1

func serveCreateTopics(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.CreateTopicsRequest)
	resp := &protocol.CreateTopicsResponse{}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range req.Topics {
		resp.Topics = append(resp.Topics, c.createRequested(r, &t, req.ValidateOnly))
	}
	return resp
}

// createRequested creates (or, validateOnly, checks) one requested topic and reports how it went.
// The caller holds c.mu.
func (c *Cluster) createRequested(r *request, t *protocol.CreateTopicsTopic, validateOnly bool) protocol.CreateTopicsTopicResult {
	res := protocol.CreateTopicsTopicResult{Name: t.Name, NumPartitions: -1, ReplicationFactor: -1}
	err := kerr.ForCode(r.forcedError(t.Name, -1))
	var spec topicSpec
	if err == nil {
		spec, err = c.topicSpecFor(t)
	}
	var created *topic
	if err == nil {
		created, err = c.newTopic(spec)
	}
	if err == nil && !validateOnly {
		c.topics[t.Name] = created
		res.TopicID = created.id
		c.logf("broker %d: created topic %q with %d partitions", r.cc.broker.id, t.Name, len(created.partitions))
	}
	if err != nil {
		res.ErrorCode = kerr.CodeOf(err)
		msg := err.Error()
		res.ErrorMessage = &msg
		return res
	}
	res.NumPartitions, res.ReplicationFactor = int32(len(created.partitions)), int16(len(created.partitions[0].replicas))
	res.Configs = make([]protocol.CreateTopicsConfigResult, len(t.Configs))
	for i, cfg := range t.Configs {
		res.Configs[i] = protocol.CreateTopicsConfigResult{Name: cfg.Name, Value: cfg.Value, ConfigSource: dynamicTopicConfig}
	}
	return res
}

// topicSpecFor turns a request's topic into a spec, filling in the broker's defaults.
func (c *Cluster) topicSpecFor(t *protocol.CreateTopicsTopic) (topicSpec, error) {
	spec := topicSpec{name: t.Name, partitions: t.NumPartitions, replication: t.ReplicationFactor}
	if len(t.Assignments) > 0 {
		if t.NumPartitions != -1 || t.ReplicationFactor != -1 {
			return spec, fmt.Errorf("%w: topic %q: both replica assignments and a partition count or replication factor", kerr.InvalidRequest, t.Name)
		}
		spec.assignments = make([][]int32, len(t.Assignments))
		for i, a := range t.Assignments {
			if a.PartitionIndex != int32(i) {
				return spec, fmt.Errorf("%w: topic %q: assignments must list partitions 0 to %d in order", kerr.InvalidReplicaAssignment, t.Name, len(t.Assignments)-1)
			}
			spec.assignments[i] = a.BrokerIDs
		}
	}
	if spec.partitions == -1 {
		spec.partitions = c.cfg.defaultPartitions
	}
	if spec.replication == -1 {
		spec.replication = 0
	}
	for _, cfg := range t.Configs {
		if cfg.Name != "message.timestamp.type" || cfg.Value == nil {
			continue
		}
		switch *cfg.Value {
		case "CreateTime":
		case "LogAppendTime":
			spec.logAppendTime = true
		default:
			return spec, fmt.Errorf("%w: topic %q: message.timestamp.type %q is not CreateTime or LogAppendTime", kerr.InvalidConfig, t.Name, *cfg.Value)
		}
	}
	return spec, nil
}
