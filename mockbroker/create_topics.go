package mockbroker

// CreateTopics, versions 0–7 (the cluster's VersionProfile decides which are advertised).
//
// Creates each topic with its partition count and replication factor (-1 for the broker's
// defaults) or its explicit replica assignments, or with validate_only only checks that it could
// (and answers with the id the topic would have had, as Kafka does). From v5 a created topic comes
// back with every config of a Kafka 4.4 topic (see topic_configs.go): those the request set, the
// others with their defaults. Config names Kafka does not know are refused; of the values, those
// of the configs that change what the broker does are checked as Kafka checks them:
// message.timestamp.type, retention.bytes and retention.ms (see retention.go).
// Errors are per topic, as in Kafka: INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS,
// INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, and
// INVALID_REQUEST for a name the request lists twice, answered once, after the other topics.
//
// Bounded as Kafka's controller bounds a request (see creation_limits.go): more than 10,000
// partitions, or more than 10,000 metadata records (a topic, its partitions and its configs),
// and every topic is refused with POLICY_VIOLATION, validate_only or not; past the cluster's
// MaxPartitions, the topics that do not fit are.

import (
	"fmt"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveCreateTopics(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.CreateTopicsRequest)
	resp := &protocol.CreateTopicsResponse{}
	seen := map[string]int{}
	for _, t := range req.Topics {
		seen[t.Name]++
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	tooLarge := c.tooLargeToCreate(req, seen)
	var twice []string
	for _, t := range req.Topics {
		switch n := seen[t.Name]; {
		case n == 1 && tooLarge != nil:
			resp.Topics = append(resp.Topics, refusedTopic(t.Name, tooLarge))
		case n == 1:
			resp.Topics = append(resp.Topics, c.createRequested(r, &t, req.ValidateOnly))
		case n > 1:
			twice = append(twice, t.Name)
			seen[t.Name] = 0
		}
	}
	for _, name := range twice {
		msg := "Duplicate topic name."
		resp.Topics = append(resp.Topics, protocol.CreateTopicsTopicResult{Name: name, ErrorCode: kerr.InvalidRequest.Code, ErrorMessage: &msg,
			NumPartitions: -1, ReplicationFactor: -1, Configs: []protocol.CreateTopicsConfigResult{}})
	}
	return resp
}

// createRequested creates (or, validateOnly, checks) one requested topic and reports how it went.
// The caller holds c.mu.
func (c *Cluster) createRequested(r *request, t *protocol.CreateTopicsTopic, validateOnly bool) protocol.CreateTopicsTopicResult {
	res := protocol.CreateTopicsTopicResult{Name: t.Name, NumPartitions: -1, ReplicationFactor: -1, Configs: []protocol.CreateTopicsConfigResult{}}
	err := kerr.ForCode(r.forcedError(t.Name, -1))
	if err == nil {
		err = c.checkNewName(t.Name) // before the counts and configs, as Kafka checks
	}
	var spec topicSpec
	if err == nil {
		spec, err = c.topicSpecFor(t)
	}
	var created *topic
	if err == nil {
		err = c.checkRoomFor(spec)
	}
	if err == nil {
		created, err = c.newTopic(spec)
	}
	if err == nil && !validateOnly {
		c.addTopic(created)
		c.logf("broker %d: created topic %q with %d partitions", r.cc.broker.id, t.Name, len(created.partitions))
	}
	if err != nil {
		return refusedTopic(t.Name, err)
	}
	res.TopicID, res.NumPartitions, res.ReplicationFactor = created.id, int32(len(created.partitions)), int16(len(created.partitions[0].replicas))
	res.Configs = c.topicConfigs(t.Configs)
	return res
}

// refusedTopic is the answer for a topic not created because of err.
func refusedTopic(name string, err error) protocol.CreateTopicsTopicResult {
	msg := err.Error()
	return protocol.CreateTopicsTopicResult{Name: name, ErrorCode: kerr.CodeOf(err), ErrorMessage: &msg,
		NumPartitions: -1, ReplicationFactor: -1, Configs: []protocol.CreateTopicsConfigResult{}}
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
	switch {
	case spec.partitions == -1:
		spec.partitions = c.cfg.defaultPartitions
	case spec.partitions < 1:
		return spec, fmt.Errorf("%w: topic %q: %d partitions: the number of partitions must be positive, or -1 for the default", kerr.InvalidPartitions, t.Name, spec.partitions)
	}
	switch {
	case spec.replication == -1:
		spec.replication = 0
	case spec.replication < 1:
		return spec, fmt.Errorf("%w: topic %q: replication factor %d: it must be positive, or -1 for the default", kerr.InvalidReplicationFactor, t.Name, spec.replication)
	}
	return spec, c.applyTopicConfigs(&spec, t.Configs)
}
