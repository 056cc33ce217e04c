package mockbroker

// Produce, versions 0–13 (the cluster's VersionProfile decides which are advertised).
//
// Each partition's records are validated as a broker does: the partition must exist and be led
// by this broker; the records must be exactly one record batch (magic 2) with a valid CRC and
// structure, no larger than message.max.bytes; Produce v0–v2 may carry legacy message sets
// (magic 0 and 1), which are converted to one batch (the Kafka40 profile advertises v0–v2 but
// refuses them, as Kafka 4.0 does: see versions.go). acks=all needs min.insync.replicas in sync.
// Idempotent batches have their sequence checked: a retry of one of the last five batches is
// answered with the original offset and not written again. The accepted batch is stored as it
// came, with the broker's base offset (and, on log-append-time topics, its timestamp) written in.
//
// Not done: transactions (transactional batches are stored like others), quotas beyond a fixed
// throttle time, and produce requests never auto-create topics (as in Kafka: Metadata does).

import (
	"fmt"
	"sync"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveProduce(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.ProduceRequest)
	version := r.header.APIVersion
	resp := &protocol.ProduceResponse{ThrottleTimeMs: c.cfg.produceThrottleMs}
	for _, t := range req.TopicData {
		name := t.Name
		if version >= 13 {
			name = c.topicName(t.TopicID)
		}
		tr := protocol.ProduceTopicResponse{Name: t.Name, TopicID: t.TopicID}
		for _, p := range t.PartitionData {
			pr := c.producePartition(r, req, name, &p)
			if pr.ErrorCode != 0 && version >= 8 {
				msg := kerr.ForCode(pr.ErrorCode).Error()
				pr.ErrorMessage = &msg
			}
			tr.PartitionResponses = append(tr.PartitionResponses, pr)
		}
		resp.Responses = append(resp.Responses, tr)
	}
	if version >= 10 {
		resp.NodeEndpoints = c.leaderEndpoints(resp)
	}
	if req.Acks == 0 {
		return nil
	}
	return resp
}

// producePartition validates and appends one partition's records and says how it went.
func (c *Cluster) producePartition(r *request, req *protocol.ProduceRequest, topic string, p *protocol.ProducePartition) protocol.ProducePartitionResponse {
	pr := protocol.ProducePartitionResponse{Index: p.Index, BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: -1}
	if code := r.forcedError(topic, p.Index); code != 0 {
		pr.ErrorCode = code
		return pr
	}
	batch, h, err := c.validateRecords(p.Records, r.header.APIVersion)
	if err != nil {
		pr.ErrorCode = kerr.CodeOf(err)
		c.logf("broker %d: produce to %s/%d refused: %v", r.cc.broker.id, topic, p.Index, err)
		return pr
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	part, code := c.leaderPartition(r.cc.broker.id, topic, p.Index)
	switch {
	case code != 0:
		pr.ErrorCode = code
		if code == kerr.NotLeaderOrFollower.Code && part != nil && r.header.APIVersion >= 10 {
			pr.CurrentLeader = &protocol.LeaderIDAndEpoch{LeaderID: part.leader, LeaderEpoch: part.leaderEpoch}
		}
		return pr
	case req.Acks != 0 && req.Acks != 1 && req.Acks != -1:
		pr.ErrorCode = kerr.InvalidRequiredAcks.Code
		return pr
	case req.Acks == -1 && part.inSync < c.cfg.minInsync:
		pr.ErrorCode = kerr.NotEnoughReplicas.Code
		return pr
	}
	c.appendBatch(r, topicPartition{topic, p.Index}, part, batch, &h, &pr)
	return pr
}

// appendBatch checks an idempotent batch's sequence and writes the batch. The caller holds c.mu.
func (c *Cluster) appendBatch(r *request, tp topicPartition, part *partition, batch []byte, h *wire.BatchHeader, pr *protocol.ProducePartitionResponse) {
	pr.LogStartOffset = part.log.logStart
	if h.ProducerID >= 0 {
		if r.partitionFault(ForgetSequences, tp.topic, tp.partition) != nil {
			c.forgetSequences(tp)
		}
		if r.partitionFault(ForgetProducers, tp.topic, tp.partition) != nil {
			c.forgetProducers(tp)
		}
		check := c.checkSequence(tp, h)
		switch {
		case check.code != 0:
			pr.ErrorCode = check.code
			return
		case check.dup:
			pr.BaseOffset = check.baseOffset
			return
		}
	}
	now := time.Now().UnixMilli()
	lat := c.topics[tp.topic].logAppendTime
	pr.BaseOffset = part.log.append(batch, h, lat, now)
	if lat {
		pr.LogAppendTimeMs = now
	}
	if h.ProducerID >= 0 {
		c.rememberBatch(tp, h, pr.BaseOffset)
	}
	c.notifyAppend()
	if faultsSay(r.faults, TimeoutAfterHandling) {
		pr.ErrorCode, pr.BaseOffset = kerr.RequestTimedOut.Code, -1
	}
}

// batchDecoders recycles the decoders that validate produced batches, with their buffers for
// records and decompression, so that ingest does not allocate them for every batch.
var batchDecoders = sync.Pool{New: func() any { return new(wire.RecordBatch) }}

// validateRecords checks a partition's records like a broker's log validator and returns the
// batch to store with its header. Errors are *kerr.Error values wrapped with the reason.
func (c *Cluster) validateRecords(records []byte, version int16) ([]byte, wire.BatchHeader, error) {
	var h wire.BatchHeader
	if len(records) == 0 {
		return nil, h, fmt.Errorf("%w: no records", kerr.InvalidRecord)
	}
	if len(records) > int(c.cfg.messageMaxBytes) {
		return nil, h, fmt.Errorf("%w: %d bytes of records, message.max.bytes is %d", kerr.MessageTooLarge, len(records), c.cfg.messageMaxBytes)
	}
	magic, err := wire.Magic(records)
	if err != nil {
		return nil, h, fmt.Errorf("%w: %v", kerr.CorruptMessage, err)
	}
	if magic < wire.MagicV2 {
		if version > 2 {
			return nil, h, fmt.Errorf("%w: magic %d records in a v%d produce request", kerr.InvalidRecord, magic, version)
		}
		if records, err = wire.UpconvertMessageSet(nil, records); err != nil {
			return nil, h, fmt.Errorf("%w: %v", kerr.CorruptMessage, err)
		}
	}
	b := batchDecoders.Get().(*wire.RecordBatch)
	defer batchDecoders.Put(b)
	rest, err := b.Decode(records)
	switch {
	case err != nil:
		return nil, h, fmt.Errorf("%w: %v", kerr.CorruptMessage, err)
	case len(rest) != 0:
		return nil, h, fmt.Errorf("%w: more than one record batch", kerr.InvalidRecord)
	case b.NumRecords == 0 || b.LastOffsetDelta != b.NumRecords-1:
		return nil, h, fmt.Errorf("%w: %d records with lastOffsetDelta %d", kerr.InvalidRecord, b.NumRecords, b.LastOffsetDelta)
	}
	return records, b.BatchHeader, nil
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

// topicName finds a topic by id, or "" if none has it.
func (c *Cluster) topicName(id protocol.UUID) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.topicNameLocked(id)
}

// leaderEndpoints lists the brokers a response names as current leaders (KIP-951), so a client can
// reach a new leader without waiting for metadata.
func (c *Cluster) leaderEndpoints(resp *protocol.ProduceResponse) []protocol.NodeEndpoint {
	seen := map[int32]bool{}
	var eps []protocol.NodeEndpoint
	for _, t := range resp.Responses {
		for _, p := range t.PartitionResponses {
			if p.CurrentLeader != nil && !seen[p.CurrentLeader.LeaderID] {
				seen[p.CurrentLeader.LeaderID] = true
				eps = append(eps, c.endpoint(p.CurrentLeader.LeaderID))
			}
		}
	}
	return eps
}
