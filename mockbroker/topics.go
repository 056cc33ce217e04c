package mockbroker

import (
	"crypto/rand"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// topic is a topic's metadata and its partitions' logs.
type topic struct {
	name          string
	id            protocol.UUID
	logAppendTime bool
	retention     retention
	partitions    []*partition
}

// partition is one partition: its simulated replicas and its log.
type partition struct {
	leader      int32
	leaderEpoch int32
	replicas    []int32
	inSync      int // how many of replicas are in sync, leader first
	log         partitionLog
	producers   map[int64]*producerEntry // the idempotent producers that wrote here, by id
	oldestIndex int                      // its place in the cluster's storage.oldest, or -1
}

// createTopic adds the topic newTopic builds. The caller holds c.mu or has not started the
// cluster.
func (c *Cluster) createTopic(spec topicSpec) (*topic, error) {
	t, err := c.newTopic(spec)
	if err == nil {
		c.addTopic(t)
	}
	return t, err
}

// addTopic makes t one of the cluster's topics. The caller holds c.mu or has not started the
// cluster.
func (c *Cluster) addTopic(t *topic) {
	c.topics[t.name] = t
	c.partitions += len(t.partitions)
}

// count is how many partitions the topic spec describes has.
func (spec topicSpec) count() int {
	if spec.assignments != nil {
		return len(spec.assignments)
	}
	return int(spec.partitions)
}

// newTopic builds, without adding it, the topic spec describes: its partitions placed on the
// brokers spec assigns, or else led round-robin by the brokers, each replicated to the next
// replication-factor brokers. Errors wrap the *kerr.Error a CreateTopics answer carries. The
// caller holds c.mu or has not started the cluster.
func (c *Cluster) newTopic(spec topicSpec) (*topic, error) {
	if err := c.checkNewName(spec.name); err != nil {
		return nil, err
	}
	assignments := spec.assignments
	if assignments == nil {
		var err error
		if assignments, err = c.placeReplicas(spec); err != nil {
			return nil, err
		}
	}
	t := &topic{name: spec.name, logAppendTime: spec.logAppendTime, retention: c.cfg.retention}
	if spec.retention != nil {
		t.retention = *spec.retention
	}
	rand.Read(t.id[:])
	firstCheck := time.Now().Add(c.cfg.retentionCheck).UnixMilli()
	for i, replicas := range assignments {
		if err := c.validReplicas(replicas); err != nil {
			return nil, fmt.Errorf("%w: topic %q partition %d: %v", kerr.InvalidReplicaAssignment, spec.name, i, err)
		}
		t.partitions = append(t.partitions, &partition{leader: replicas[0], replicas: replicas, inSync: len(replicas),
			log: partitionLog{nextCheck: firstCheck}, oldestIndex: -1})
	}
	return t, nil
}

// checkNewName checks that name is a valid topic name that no topic has. The caller holds c.mu or
// has not started the cluster.
func (c *Cluster) checkNewName(name string) error {
	if err := validTopicName(name); err != nil {
		return err
	}
	if _, ok := c.topics[name]; ok {
		return fmt.Errorf("%w: topic %q", kerr.TopicAlreadyExists, name)
	}
	return nil
}

// maxTopicPartitions bounds the partitions of one topic: a count comes from a client's request, and
// every partition takes memory.
const maxTopicPartitions = 100_000

// placeReplicas assigns spec's partitions to brokers round-robin, each replicated to the next
// replication-factor brokers.
func (c *Cluster) placeReplicas(spec topicSpec) ([][]int32, error) {
	if spec.partitions < 1 || spec.partitions > maxTopicPartitions {
		return nil, fmt.Errorf("%w: topic %q: %d partitions (the mock broker makes 1 to %d)", kerr.InvalidPartitions, spec.name, spec.partitions, maxTopicPartitions)
	}
	brokers := int32(len(c.brokers))
	replication := min(int32(c.cfg.replication), brokers)
	if spec.replication != 0 {
		replication = int32(spec.replication)
	}
	if replication < 1 || replication > brokers {
		return nil, fmt.Errorf("%w: topic %q: replication factor %d with %d brokers", kerr.InvalidReplicationFactor, spec.name, replication, brokers)
	}
	assignments := make([][]int32, spec.partitions)
	for i := range spec.partitions {
		for j := range replication {
			assignments[i] = append(assignments[i], (i+j)%brokers)
		}
	}
	return assignments, nil
}

// validReplicas checks a partition's replica list: at least one broker, each existing and listed
// once.
func (c *Cluster) validReplicas(replicas []int32) error {
	if len(replicas) == 0 {
		return errors.New("no replicas")
	}
	for i, id := range replicas {
		if c.broker(id) == nil {
			return fmt.Errorf("no broker %d", id)
		}
		if slices.Contains(replicas[:i], id) {
			return fmt.Errorf("broker %d listed twice", id)
		}
	}
	return nil
}

// validTopicName applies Kafka's rule: 1–249 characters of ASCII letters, digits, '.', '_', '-',
// and not "." or "..".
func validTopicName(name string) error {
	if name == "" || name == "." || name == ".." || len(name) > 249 {
		return fmt.Errorf("%w: invalid topic name %q", kerr.InvalidTopicException, name)
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("%w: invalid topic name %q: character %q", kerr.InvalidTopicException, name, r)
		}
	}
	return nil
}

// partitionAt returns topic/partition, or nil. The caller holds c.mu.
func (c *Cluster) partitionAt(topic string, p int32) *partition {
	t := c.topics[topic]
	if t == nil || p < 0 || int(p) >= len(t.partitions) {
		return nil
	}
	return t.partitions[p]
}

// leaderPartition finds topic/partition and checks that broker leads it; it returns the partition
// (when it exists) and an error code. The caller holds c.mu.
func (c *Cluster) leaderPartition(broker int32, topic string, index int32) (*partition, int16) {
	part := c.partitionAt(topic, index)
	switch {
	case part == nil:
		return nil, kerr.UnknownTopicOrPartition.Code
	case part.leader != broker:
		return part, kerr.NotLeaderOrFollower.Code
	}
	return part, 0
}

// CreateTopic creates a topic with n partitions.
func (c *Cluster) CreateTopic(name string, n int32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.createTopic(topicSpec{name: name, partitions: n})
	return err
}

// MoveLeader makes broker the leader of topic/partition and bumps its leader epoch, as a leader
// election would. Clients that still send to the old leader get NOT_LEADER_OR_FOLLOWER.
func (c *Cluster) MoveLeader(topic string, p int32, broker int32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	part := c.partitionAt(topic, p)
	switch {
	case part == nil:
		return fmt.Errorf("mockbroker: no partition %s/%d", topic, p)
	case c.broker(broker) == nil:
		return fmt.Errorf("mockbroker: no broker %d", broker)
	}
	part.leader = broker
	part.leaderEpoch++
	return nil
}

// SetInSyncReplicas sets how many replicas of topic/partition are in sync, to simulate lagging
// followers: acks=all produces need at least min.insync.replicas.
func (c *Cluster) SetInSyncReplicas(topic string, p int32, n int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	part := c.partitionAt(topic, p)
	if part == nil {
		return fmt.Errorf("mockbroker: no partition %s/%d", topic, p)
	}
	part.inSync = max(min(n, len(part.replicas)), 0)
	return nil
}

// requestTopics yields the topics a request names, each with the partitions it names (none for
// requests about whole topics).
func requestTopics(body protocol.Message) iter.Seq2[string, []int32] {
	return func(yield func(string, []int32) bool) {
		switch m := body.(type) {
		case *protocol.ProduceRequest:
			for _, t := range m.TopicData {
				if !yield(t.Name, partitionIndexes(t.PartitionData, func(p protocol.ProducePartition) int32 { return p.Index })) {
					return
				}
			}
		case *protocol.FetchRequest:
			for _, t := range m.Topics {
				if !yield(t.Topic, partitionIndexes(t.Partitions, func(p protocol.FetchPartition) int32 { return p.Partition })) {
					return
				}
			}
		case *protocol.ListOffsetsRequest:
			for _, t := range m.Topics {
				if !yield(t.Name, partitionIndexes(t.Partitions, func(p protocol.ListOffsetsPartition) int32 { return p.PartitionIndex })) {
					return
				}
			}
		case *protocol.MetadataRequest:
			for _, t := range m.Topics {
				if t.Name != nil && !yield(*t.Name, nil) {
					return
				}
			}
		case *protocol.CreateTopicsRequest:
			for _, t := range m.Topics {
				if !yield(t.Name, nil) {
					return
				}
			}
		}
	}
}

func partitionIndexes[P any](ps []P, index func(P) int32) []int32 {
	out := make([]int32, len(ps))
	for i, p := range ps {
		out[i] = index(p)
	}
	return out
}

// topicNamesLocked is every topic's name, sorted. The caller holds c.mu.
func (c *Cluster) topicNamesLocked() []string {
	return slices.Sorted(maps.Keys(c.topics))
}
