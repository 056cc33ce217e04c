package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// This file administers a real Kafka cluster for the fault tests: topics and quotas through
// franz-go's requests, metadata read the same way, and partition leadership moved with Kafka's
// own tools (kafka-reassign-partitions, kafka-leader-election).

// kafkaAdmin is a franz-go client of k for what tests do besides producing, closed when t ends.
func kafkaAdmin(t *testing.T, k *kafkaCluster) *kgo.Client {
	t.Helper()
	kc, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(k.Bootstrap, ",")...), kgo.RetryTimeout(time.Minute))
	if err != nil {
		t.Fatalf("kgo.NewClient: %v", err)
	}
	t.Cleanup(kc.Close)
	return kc
}

// createTopics creates topics of partitions each, with the cluster's default replication factor,
// and waits until every partition has a leader.
func createTopics(ctx context.Context, t *testing.T, kc *kgo.Client, partitions int32, topics ...string) {
	t.Helper()
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = 60000
	for _, topic := range topics {
		rt := kmsg.NewCreateTopicsRequestTopic()
		rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, partitions, -1
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, kc)
	if err != nil {
		t.Fatalf("CreateTopics: %v", err)
	}
	for _, rt := range resp.Topics {
		if err := kerr.ErrorForCode(rt.ErrorCode); err != nil {
			t.Fatalf("CreateTopics %s: %v", rt.Topic, err)
		}
	}
	waitMetadata(ctx, t, kc, topics, "every partition has a leader", func(m topicsView) bool {
		for _, topic := range topics {
			if len(m[topic]) != int(partitions) {
				return false
			}
			for _, p := range m[topic] {
				if p.Leader < 0 {
					return false
				}
			}
		}
		return true
	})
	waitLeadersReady(ctx, t, kc, topics, partitions)
}

// waitLeadersReady waits (up to two minutes) until the leader of every partition of topics
// answers ListOffsets without an error. Metadata names a new topic's leaders before they are
// ready: meanwhile they answer NOT_LEADER_OR_FOLLOWER, and the Java producer's first batches
// can then be written out of order and lose records (see TestFirstBatchOfPartitionGoesAlone
// in the producer package), a fault these tests do not mean to inject.
func waitLeadersReady(ctx context.Context, t *testing.T, kc *kgo.Client, topics []string, partitions int32) {
	t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	for _, topic := range topics {
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = topic
		for p := range partitions {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition, rp.Timestamp = p, -1
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		err := listOffsetsError(ctx, kc, req)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 2 minutes for the leaders of %v to answer ListOffsets: %v", topics, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// listOffsetsError is the first error of a ListOffsets request, of the request or of a partition.
func listOffsetsError(ctx context.Context, kc *kgo.Client, req *kmsg.ListOffsetsRequest) error {
	resp, err := req.RequestWith(ctx, kc)
	if err != nil {
		return err
	}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				return fmt.Errorf("%s/%d: %w", rt.Topic, rp.Partition, err)
			}
		}
	}
	return nil
}

// partitionView is one partition as Metadata describes it.
type partitionView struct {
	Leader        int32
	Replicas, ISR []int32
}

// topicsView is topics' partitions by topic, in partition order.
type topicsView map[string][]partitionView

// describeTopics asks the cluster for topics' metadata.
func describeTopics(ctx context.Context, kc *kgo.Client, topics []string) (topicsView, error) {
	req := kmsg.NewPtrMetadataRequest()
	for _, topic := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, kc)
	if err != nil {
		return nil, fmt.Errorf("Metadata: %w", err)
	}
	view := topicsView{}
	for _, mt := range resp.Topics {
		if err := kerr.ErrorForCode(mt.ErrorCode); err != nil {
			return nil, fmt.Errorf("Metadata of %s: %w", *mt.Topic, err)
		}
		parts := make([]partitionView, len(mt.Partitions))
		for _, p := range mt.Partitions {
			if p.Partition < 0 || int(p.Partition) >= len(parts) {
				return nil, fmt.Errorf("Metadata of %s: partition %d of %d", *mt.Topic, p.Partition, len(parts))
			}
			parts[p.Partition] = partitionView{Leader: p.Leader, Replicas: p.Replicas, ISR: p.ISR}
		}
		view[*mt.Topic] = parts
	}
	return view, nil
}

// waitMetadata polls topics' metadata until ok holds of it (within two minutes) and returns it.
func waitMetadata(ctx context.Context, t *testing.T, kc *kgo.Client, topics []string, what string, ok func(topicsView) bool) topicsView {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		view, err := describeTopics(ctx, kc, topics)
		if err == nil && ok(view) {
			return view
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 2 minutes for %s: metadata %v (%v)", what, view, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// leaders is who leads each partition of view, as "topic/partition" → node.
func (v topicsView) leaders() map[string]int32 {
	out := map[string]int32{}
	for topic, parts := range v {
		for i, p := range parts {
			out[fmt.Sprintf("%s/%d", topic, i)] = p.Leader
		}
	}
	return out
}

// leadersMoved counts the partitions whose leader differs between before and after.
func leadersMoved(before, after topicsView) int {
	moved := 0
	b := before.leaders()
	for tp, l := range after.leaders() {
		if b[tp] != l {
			moved++
		}
	}
	return moved
}

// String lists each partition's leader and in-sync replicas.
func (v topicsView) String() string {
	var parts []string
	for topic, ps := range v {
		for i, p := range ps {
			parts = append(parts, fmt.Sprintf("%s/%d leader %d isr %v", topic, i, p.Leader, p.ISR))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// setProducerByteRate sets the producer_byte_rate quota of client id clientID: the broker then
// throttles that client's produce requests to about bytesPerSecond.
func setProducerByteRate(ctx context.Context, t *testing.T, kc *kgo.Client, clientID string, bytesPerSecond float64) {
	t.Helper()
	req := kmsg.NewPtrAlterClientQuotasRequest()
	entry := kmsg.NewAlterClientQuotasRequestEntry()
	entity := kmsg.NewAlterClientQuotasRequestEntryEntity()
	entity.Type, entity.Name = "client-id", kmsg.StringPtr(clientID)
	op := kmsg.NewAlterClientQuotasRequestEntryOp()
	op.Key, op.Value = "producer_byte_rate", bytesPerSecond
	entry.Entity, entry.Ops = append(entry.Entity, entity), append(entry.Ops, op)
	req.Entries = append(req.Entries, entry)
	resp, err := req.RequestWith(ctx, kc)
	if err != nil {
		t.Fatalf("AlterClientQuotas: %v", err)
	}
	for _, e := range resp.Entries {
		if err := kerr.ErrorForCode(e.ErrorCode); err != nil {
			t.Fatalf("AlterClientQuotas %s: %v", clientID, err)
		}
	}
}

// reorderReplicas makes, with kafka-reassign-partitions, a replica other than its leader the
// first (preferred) replica of every partition of view: the next one after the leader in its
// replica list. The replica sets stay the same, so nothing is copied.
func reorderReplicas(ctx context.Context, t *testing.T, k *kafkaCluster, view topicsView) {
	t.Helper()
	type partition struct {
		Topic     string  `json:"topic"`
		Partition int     `json:"partition"`
		Replicas  []int32 `json:"replicas"`
	}
	plan := struct {
		Version    int         `json:"version"`
		Partitions []partition `json:"partitions"`
	}{Version: 1}
	for topic, parts := range view {
		for i, p := range parts {
			at := slices.Index(p.Replicas, p.Leader)
			if at < 0 || len(p.Replicas) < 2 {
				t.Fatalf("%s/%d: leader %d is not among the replicas %v", topic, i, p.Leader, p.Replicas)
			}
			next := (at + 1) % len(p.Replicas)
			replicas := append(slices.Clone(p.Replicas[next:]), p.Replicas[:next]...)
			plan.Partitions = append(plan.Partitions, partition{topic, i, replicas})
		}
	}
	file := filepath.Join(t.TempDir(), "reassignment.json")
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := kafkaJava(ctx, t, "org.apache.kafka.tools.reassign.ReassignPartitionsCommand",
		"--bootstrap-server", k.Bootstrap, "--reassignment-json-file", file, "--execute")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kafka-reassign-partitions --execute: %s", lastLines(string(out), 1))
}

// electPreferredLeaders runs kafka-leader-election for every partition of the cluster: each
// one's first in-sync replica becomes its leader.
func electPreferredLeaders(ctx context.Context, t *testing.T, k *kafkaCluster) {
	t.Helper()
	out, err := kafkaJava(ctx, t, "org.apache.kafka.tools.LeaderElectionCommand",
		"--bootstrap-server", k.Bootstrap, "--election-type", "PREFERRED", "--all-topic-partitions")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kafka-leader-election: %s", strings.TrimSpace(string(out)))
}
