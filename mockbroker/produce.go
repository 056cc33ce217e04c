package mockbroker

// Produce, versions 0–13 (the cluster's VersionProfile decides which are advertised).
//
// Each partition's records are checked as Kafka 4.4 checks them, in its order, and answered with
// its error codes: the partition must exist (an unknown topic id is UNKNOWN_TOPIC_ID); the records
// must be exactly one record batch of magic 2, not zstd-compressed before v7; acks must be 0, 1 or
// -1; the broker must lead the partition, and for acks=all have min.insync.replicas in sync; the
// batch must have base offset 0, be no larger than message.max.bytes, have a valid CRC and as many
// records as its offsets say, be no control batch, and hold that many well-formed records
// (INVALID_RECORD otherwise, as Kafka's InvalidRecordException). The records are read one at a time
// and none is kept (see batch_scan.go), so that a small compressed batch of millions of records
// costs no more than its decompressed bytes. Beyond Kafka, the broker refuses with INVALID_RECORD
// a batch of more than 1,048,576 records, one whose offset deltas do not run 0, 1, 2, … (Kafka
// rewrites it, which no client since 0.11 needs), and what would take more than 128 MiB to decode
// in one request: bounds no real client reaches. Produce v0–v2 may carry legacy message sets (magic
// 0 and 1), which are converted to one batch, what converting them holds counted in the same bound
// (the Kafka40 and Kafka44 profiles advertise v0–v2 but refuse them, as Kafka 4 does: see
// versions.go). Idempotent batches have their sequence checked: a retry of one of the last five
// batches is answered with the original offset and not written again. The accepted batch is stored
// as it came, with the broker's base offset and the partition's leader epoch (and, on
// log-append-time topics, its timestamp) written in, as Kafka's leader does; then retention may
// delete the oldest batches (see retention.go). An acks=0 request that fails in any partition
// closes the connection, which is how Kafka tells a client that expects no answer. Error messages
// stay null: Kafka sends one only with the per-record errors of validations the mock does not do.
//
// Not done: transactions (transactional batches are stored like others), quotas beyond a fixed
// throttle time, and produce requests never auto-create topics (as in Kafka: Metadata does).

import (
	"errors"
	"fmt"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveProduce(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.ProduceRequest)
	version := r.header.APIVersion
	resp := &protocol.ProduceResponse{ThrottleTimeMs: c.cfg.produceThrottleMs, Responses: make([]protocol.ProduceTopicResponse, 0, len(req.TopicData))}
	var leaders []*protocol.LeaderIDAndEpoch
	budget := maxRequestDecoded
	for _, t := range req.TopicData {
		name := t.Name
		if version >= 13 {
			name = c.topicName(t.TopicID)
		}
		tr := protocol.ProduceTopicResponse{Name: t.Name, TopicID: t.TopicID,
			PartitionResponses: make([]protocol.ProducePartitionResponse, 0, len(t.PartitionData))}
		for _, p := range t.PartitionData {
			pr := c.producePartition(r, req, name, &p, &budget)
			r.closeAfter = r.closeAfter || pr.ErrorCode != 0 && req.Acks == 0
			if pr.CurrentLeader != nil {
				leaders = append(leaders, pr.CurrentLeader)
			}
			tr.PartitionResponses = append(tr.PartitionResponses, pr)
		}
		resp.Responses = append(resp.Responses, tr)
	}
	if version >= 10 {
		resp.NodeEndpoints = c.leaderEndpoints(leaders)
	}
	if req.Acks == 0 {
		return nil
	}
	return resp
}

// producePartition validates and appends one partition's records and says how it went; budget is
// what the request may still decode (see maxRequestDecoded).
func (c *Cluster) producePartition(r *request, req *protocol.ProduceRequest, topic string, p *protocol.ProducePartition, budget *int) protocol.ProducePartitionResponse {
	pr := protocol.ProducePartitionResponse{Index: p.Index, BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: -1}
	if code := r.forcedError(topic, p.Index); code != 0 {
		pr.ErrorCode = code
		return pr
	}
	version := r.header.APIVersion
	batch, requestErr, logErr := c.validateRecords(p.Records, version, budget)
	c.mu.Lock()
	defer c.mu.Unlock()
	part := c.partitionAt(topic, p.Index)
	refuse := func(err error) protocol.ProducePartitionResponse {
		pr.ErrorCode = kerr.CodeOf(err)
		c.logf("broker %d: produce to %s/%d refused: %v", r.cc.broker.id, topic, p.Index, err)
		return pr
	}
	switch {
	case part == nil && version >= 13 && topic == "":
		pr.ErrorCode = kerr.UnknownTopicID.Code
		return pr
	case part == nil:
		pr.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return pr
	case requestErr != nil:
		return refuse(requestErr)
	case req.Acks != 0 && req.Acks != 1 && req.Acks != -1:
		pr.ErrorCode = kerr.InvalidRequiredAcks.Code
		return pr
	case part.leader != r.cc.broker.id:
		pr.ErrorCode = kerr.NotLeaderOrFollower.Code
		if version >= 10 {
			pr.CurrentLeader = &protocol.LeaderIDAndEpoch{LeaderID: part.leader, LeaderEpoch: part.leaderEpoch}
		}
		return pr
	}
	// Kafka reports the log start offset with the errors the log raises, but for these.
	if code := kerr.CodeOf(logErr); code != kerr.MessageTooLarge.Code && code != kerr.CorruptMessage.Code {
		pr.LogStartOffset = part.log.logStart
	}
	switch {
	case req.Acks == -1 && part.inSync < c.cfg.minInsync:
		pr.ErrorCode = kerr.NotEnoughReplicas.Code
		return pr
	case logErr != nil:
		return refuse(logErr)
	}
	c.appendBatch(r, topicPartition{topic, p.Index}, part, &batch, &pr)
	return pr
}

// appendBatch checks an idempotent batch's sequence and writes the batch. The caller holds c.mu.
func (c *Cluster) appendBatch(r *request, tp topicPartition, part *partition, batch *checkedBatch, pr *protocol.ProducePartitionResponse) {
	h := &batch.h
	if h.ProducerID >= 0 {
		if r.partitionFault(ForgetSequences, tp.topic, tp.partition) != nil {
			forgetSequences(part)
		}
		if r.partitionFault(ForgetProducers, tp.topic, tp.partition) != nil {
			forgetProducers(part)
		}
		check := checkSequence(part, h)
		switch {
		case check.code != 0:
			pr.ErrorCode = check.code
			return
		case check.dup != nil: // answered as Kafka does, with the original batch's offset and time
			pr.BaseOffset, pr.LogAppendTimeMs = check.dup.baseOffset, check.dup.maxTimestamp
			return
		}
	}
	now := time.Now().UnixMilli()
	t := c.topics[tp.topic]
	pr.BaseOffset = part.log.append(c.newStoredBatch(batch, t, part.leaderEpoch, now), h.LastOffsetDelta)
	maxTS := h.MaxTimestamp
	if t.logAppendTime {
		pr.LogAppendTimeMs, maxTS = now, now
	}
	if h.ProducerID >= 0 {
		rememberBatch(part, h, pr.BaseOffset, maxTS)
	}
	c.stored(t, part, now)
	c.notifyAppend()
	if faultsSay(r.faults, TimeoutAfterHandling) {
		pr.ErrorCode, pr.BaseOffset = kerr.RequestTimedOut.Code, -1
	}
}

// checkedBatch is a batch that passed validation, with what the log notes of it.
type checkedBatch struct {
	data  []byte
	h     wire.BatchHeader
	times batchTimes
}

// validateRecords checks a partition's records as Kafka does and returns the batch to store, or
// the error Kafka would answer with: requestErr for what it checks as it reads the request, logErr
// for what its log checks on append. budget is what the request may still decode. Errors are
// *kerr.Error values wrapped with the reason.
func (c *Cluster) validateRecords(records []byte, version int16, budget *int) (batch checkedBatch, requestErr, logErr error) {
	if len(records) == 0 {
		return batch, fmt.Errorf("%w: no records", kerr.InvalidRecord), nil
	}
	magic, err := wire.Magic(records)
	if err != nil {
		return batch, nil, fmt.Errorf("%w: %v", kerr.CorruptMessage, err)
	}
	if magic < wire.MagicV2 {
		if version > 2 {
			return batch, fmt.Errorf("%w: magic %d records in a v%d produce request", kerr.InvalidRecord, magic, version), nil
		}
		if len(records) > int(c.cfg.messageMaxBytes) {
			return batch, nil, fmt.Errorf("%w: %d bytes of records, message.max.bytes is %d", kerr.MessageTooLarge, len(records), c.cfg.messageMaxBytes)
		}
		left := max(*budget, 0)
		var held int
		records, held, err = wire.UpconvertMessageSet(nil, records, left)
		*budget -= held
		switch {
		case errors.Is(err, wire.ErrDecodeLimit) || errors.Is(err, wire.ErrDecompressLimit):
			return batch, nil, fmt.Errorf("%w: %d bytes left to decode of the request's %d: %v", kerr.InvalidRecord, left, maxRequestDecoded, err)
		case err != nil:
			return batch, nil, fmt.Errorf("%w: %v", kerr.CorruptMessage, err)
		}
	}
	if batch.h, err = wire.ReadBatchHeader(records); err != nil {
		return batch, nil, fmt.Errorf("%w: %v", kerr.CorruptMessage, err)
	}
	switch {
	case len(records) > batch.h.Size():
		return batch, fmt.Errorf("%w: more than one record batch", kerr.InvalidRecord), nil
	case version < 7 && batch.h.Attributes.Codec() == wire.CodecZstd:
		return batch, fmt.Errorf("%w: zstd in a v%d produce request (zstd takes v7)", kerr.UnsupportedCompressionType, version), nil
	}
	batch.data = records
	return batch, nil, c.validateBatch(&batch, budget)
}

// validateBatch checks one batch as Kafka's log does on append, in its order: base offset, size,
// CRC, record count, control and producer fields, then the records, one at a time (see
// checkRecords), noting their times.
func (c *Cluster) validateBatch(batch *checkedBatch, budget *int) error {
	h := &batch.h
	switch {
	case h.BaseOffset != 0:
		return fmt.Errorf("%w: base offset %d, not 0", kerr.InvalidRecord, h.BaseOffset)
	case len(batch.data) > int(c.cfg.messageMaxBytes):
		return fmt.Errorf("%w: %d bytes of records, message.max.bytes is %d", kerr.MessageTooLarge, len(batch.data), c.cfg.messageMaxBytes)
	}
	if err := wire.VerifyBatchCRC(batch.data, h); err != nil {
		return fmt.Errorf("%w: %v", kerr.CorruptMessage, err)
	}
	switch {
	case h.NumRecords <= 0 || h.LastOffsetDelta != h.NumRecords-1:
		return fmt.Errorf("%w: %d records with lastOffsetDelta %d", kerr.InvalidRecord, h.NumRecords, h.LastOffsetDelta)
	case h.Attributes&wire.AttrControl != 0:
		return fmt.Errorf("%w: a control batch from a client", kerr.InvalidRecord)
	case h.ProducerID >= 0 && h.BaseSequence < 0:
		return fmt.Errorf("%w: producer id %d with base sequence %d", kerr.InvalidRecord, h.ProducerID, h.BaseSequence)
	}
	var err error
	batch.times, err = checkRecords(batch.data, h, budget)
	return err
}

// topicName finds a topic by id, or "" if none has it.
func (c *Cluster) topicName(id protocol.UUID) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.topicNameLocked(id)
}
