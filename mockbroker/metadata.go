package mockbroker

// Metadata, versions 0–13 (the cluster's VersionProfile decides which are advertised).
//
// Lists the running brokers and the requested topics (all of them for a null list, or an empty
// one at v0), with each partition's leader, leader epoch, replicas and in-sync replicas. An unknown
// topic is created with the default partition count when topics are auto-created and the request
// allows it (always before v4), and is reported at once with its leaders, where Kafka would first
// answer LEADER_NOT_AVAILABLE while it elects them. A partition whose leader is stopped reports
// LEADER_NOT_AVAILABLE and leader -1.
//
// Not done: racks, authorized operations (reported as not requested) and internal topics.

import (
	"math"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveMetadata(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.MetadataRequest)
	version := r.header.APIVersion
	resp := &protocol.MetadataResponse{ClusterID: &c.clusterID, ControllerID: 0, ClusterAuthorizedOperations: math.MinInt32}
	if code := r.forcedError("", -1); code != 0 && version >= 13 {
		resp.ErrorCode = code
		return resp
	}
	resp.Brokers = c.runningBrokers()
	c.mu.Lock()
	defer c.mu.Unlock()
	all := req.Topics == nil || version == 0 && len(req.Topics) == 0
	if all {
		for _, name := range c.topicNamesLocked() {
			resp.Topics = append(resp.Topics, c.topicMetadata(r, name))
		}
		return resp
	}
	create := c.cfg.autoCreate && (version < 4 || req.AllowAutoTopicCreation)
	for _, t := range req.Topics {
		resp.Topics = append(resp.Topics, c.requestedTopic(r, &t, create))
	}
	return resp
}

// requestedTopic answers for one topic a request names, by id or by name, creating it if it is
// unknown and create is set. The caller holds c.mu.
func (c *Cluster) requestedTopic(r *request, t *protocol.MetadataRequestTopic, create bool) protocol.MetadataTopic {
	if t.Name == nil {
		name := c.topicNameLocked(t.TopicID)
		if name == "" {
			return protocol.MetadataTopic{ErrorCode: kerr.UnknownTopicID.Code, TopicID: t.TopicID, TopicAuthorizedOperations: math.MinInt32}
		}
		return c.topicMetadata(r, name)
	}
	name := *t.Name
	if _, ok := c.topics[name]; !ok && create {
		if _, err := c.createTopic(topicSpec{name: name, partitions: c.cfg.defaultPartitions}); err != nil {
			return protocol.MetadataTopic{ErrorCode: kerr.CodeOf(err), Name: t.Name, TopicAuthorizedOperations: math.MinInt32}
		}
		c.logf("broker %d: auto-created topic %q with %d partitions", r.cc.broker.id, name, c.cfg.defaultPartitions)
	}
	return c.topicMetadata(r, name)
}

// topicMetadata describes topic name as it stands, or says it is unknown. The caller holds c.mu.
func (c *Cluster) topicMetadata(r *request, name string) protocol.MetadataTopic {
	mt := protocol.MetadataTopic{Name: &name, TopicAuthorizedOperations: math.MinInt32}
	if mt.ErrorCode = r.forcedError(name, -1); mt.ErrorCode != 0 {
		return mt
	}
	t := c.topics[name]
	if t == nil {
		mt.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return mt
	}
	mt.TopicID = t.id
	for i, p := range t.partitions {
		mp := protocol.MetadataPartition{PartitionIndex: int32(i), LeaderID: p.leader, LeaderEpoch: p.leaderEpoch,
			ReplicaNodes: p.replicas, IsrNodes: p.replicas[:p.inSync], OfflineReplicas: []int32{}}
		if !c.brokers[p.leader].running() {
			mp.ErrorCode, mp.LeaderID = kerr.LeaderNotAvailable.Code, -1
		}
		mt.Partitions = append(mt.Partitions, mp)
	}
	return mt
}

// runningBrokers lists the brokers that are up, as clients should reach them.
func (c *Cluster) runningBrokers() []protocol.MetadataBroker {
	var out []protocol.MetadataBroker
	for _, b := range c.brokers {
		if b.running() {
			ep := c.endpoint(b.id)
			out = append(out, protocol.MetadataBroker{NodeID: ep.NodeID, Host: ep.Host, Port: ep.Port})
		}
	}
	return out
}
