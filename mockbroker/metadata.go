package mockbroker

// Metadata, versions 0–13 (the cluster's VersionProfile decides which are advertised).
//
// Lists the running brokers and the requested topics (all of them for a null list, or an empty
// one at v0), with each partition's leader, leader epoch, replicas and in-sync replicas. An unknown
// topic is created with the default partition count when topics are auto-created and the request
// allows it (always before v4); as from Kafka, whose controller creates it while the broker
// answers, the request that creates it gets UNKNOWN_TOPIC_OR_PARTITION, and the next ones see the
// topic. A partition whose leader is stopped reports LEADER_NOT_AVAILABLE and leader -1. Topics
// asked for by id are served from v12; at v10 and v11 they make the request INVALID_REQUEST, as in
// Kafka. A topic named twice, or asked for twice by id, is described once, in the place of its
// first entry: Kafka reads the names and ids into sets. Authorized operations, when asked for
// (v8+), are all of them, as on a Kafka broker without an authorizer.
//
// Not done: racks and internal topics.

import (
	"math"
	"slices"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The authorized operations Kafka reports without an authorizer: every operation on a topic
// (READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS) and on the
// cluster (CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS,
// IDEMPOTENT_WRITE), one bit per AclOperation code.
const (
	allTopicOperations   = 1<<3 | 1<<4 | 1<<5 | 1<<6 | 1<<7 | 1<<8 | 1<<10 | 1<<11
	allClusterOperations = 1<<5 | 1<<7 | 1<<8 | 1<<9 | 1<<10 | 1<<11 | 1<<12
)

func serveMetadata(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.MetadataRequest)
	version := r.header.APIVersion
	if version < 12 && slices.ContainsFunc(req.Topics, func(t protocol.MetadataRequestTopic) bool { return t.Name == nil }) {
		return metadataError(req, kerr.InvalidRequest.Code)
	}
	resp := &protocol.MetadataResponse{ClusterID: &c.clusterID, ControllerID: 0, ClusterAuthorizedOperations: math.MinInt32}
	if code := r.forcedError("", -1); code != 0 && version >= 13 {
		resp.ErrorCode = code
		return resp
	}
	if req.IncludeClusterAuthorizedOperations {
		resp.ClusterAuthorizedOperations = allClusterOperations
	}
	resp.Brokers = c.runningBrokers()
	c.mu.Lock()
	defer c.mu.Unlock()
	var topics []protocol.MetadataTopic
	if req.Topics == nil || version == 0 && len(req.Topics) == 0 {
		names := c.topicNamesLocked()
		topics = make([]protocol.MetadataTopic, 0, len(names))
		for _, name := range names {
			topics = append(topics, c.topicMetadata(r, name))
		}
	} else {
		named := uniqueTopics(req.Topics)
		create := c.cfg.autoCreate && (version < 4 || req.AllowAutoTopicCreation) && c.mayAutoCreate(r, named)
		topics = make([]protocol.MetadataTopic, 0, len(named))
		for _, t := range named {
			topics = append(topics, c.requestedTopic(r, &t, create))
		}
	}
	for i := range topics {
		if req.IncludeTopicAuthorizedOperations && topics[i].ErrorCode == 0 {
			topics[i].TopicAuthorizedOperations = allTopicOperations
		}
	}
	resp.Topics = topics
	return resp
}

// uniqueTopics is topics with each topic once, in the place of its first entry: by name, or by id
// for those asked for by id.
func uniqueTopics(topics []protocol.MetadataRequestTopic) []protocol.MetadataRequestTopic {
	names, ids := make(map[string]bool), make(map[protocol.UUID]bool)
	out := make([]protocol.MetadataRequestTopic, 0, len(topics))
	for _, t := range topics {
		switch {
		case t.Name != nil && !names[*t.Name]:
			names[*t.Name] = true
		case t.Name == nil && !ids[t.TopicID]:
			ids[t.TopicID] = true
		default:
			continue
		}
		out = append(out, t)
	}
	return out
}

// mayAutoCreate reports whether the topics of a Metadata request that the cluster does not have
// may be created: no more than a request may create, nor past the cluster's MaxPartitions; it
// logs why not. The caller holds c.mu.
func (c *Cluster) mayAutoCreate(r *request, topics []protocol.MetadataRequestTopic) bool {
	n := 0
	for _, t := range topics {
		if t.Name != nil && c.topics[*t.Name] == nil {
			n++
		}
	}
	if c.autoCreateFits(n) {
		return true
	}
	c.logf("broker %d: not auto-creating the %d unknown topics a Metadata request names: more than a request may create (10,000 partitions and records) or than the cluster may hold (%d partitions)",
		r.cc.broker.id, n, c.cfg.maxPartitions)
	return false
}

// metadataError is Kafka's answer to a request it refuses as a whole: each topic asked for with
// the error, no brokers and no cluster id.
func metadataError(req *protocol.MetadataRequest, code int16) *protocol.MetadataResponse {
	resp := &protocol.MetadataResponse{ControllerID: -1, ClusterAuthorizedOperations: math.MinInt32}
	for _, t := range req.Topics {
		resp.Topics = append(resp.Topics, protocol.MetadataTopic{ErrorCode: code, Name: t.Name, TopicID: t.TopicID, TopicAuthorizedOperations: math.MinInt32})
	}
	return resp
}

// requestedTopic answers for one topic a request names, by id or by name. An unknown one is
// created if create is set, and reported as unknown still. The caller holds c.mu.
func (c *Cluster) requestedTopic(r *request, t *protocol.MetadataRequestTopic, create bool) protocol.MetadataTopic {
	if t.Name == nil {
		name := c.topicNameLocked(t.TopicID)
		if name == "" {
			return protocol.MetadataTopic{ErrorCode: kerr.UnknownTopicID.Code, TopicID: t.TopicID, TopicAuthorizedOperations: math.MinInt32}
		}
		return c.topicMetadata(r, name)
	}
	name := *t.Name
	if _, ok := c.topics[name]; ok || !create || r.forcedError(name, -1) != 0 {
		return c.topicMetadata(r, name)
	}
	unknown := protocol.MetadataTopic{ErrorCode: kerr.UnknownTopicOrPartition.Code, Name: t.Name, TopicAuthorizedOperations: math.MinInt32}
	if _, err := c.createTopic(topicSpec{name: name, partitions: c.cfg.defaultPartitions}); err != nil {
		unknown.ErrorCode = kerr.CodeOf(err)
		return unknown
	}
	c.logf("broker %d: auto-created topic %q with %d partitions", r.cc.broker.id, name, c.cfg.defaultPartitions)
	return unknown
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
	mt.Partitions = make([]protocol.MetadataPartition, 0, len(t.partitions))
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
