package mockbroker

// Fetch, versions 0–18 (the cluster's VersionProfile decides which are advertised).
//
// Returns each partition's stored batches from the one holding the fetch offset, up to the
// partition's and the request's byte limits but always at least one batch, as Kafka does. If less
// than min_bytes is available it waits up to max_wait_ms for produces to arrive (or until the
// broker stops), unless, as in Kafka, the request names no partition (the Java consumer's
// session-closing fetch) or a partition answers an error (NOT_LEADER_OR_FOLLOWER,
// OFFSET_OUT_OF_RANGE…): those are answered at once. Versions 0–3 predate record batches: their
// clients get the records converted to magic 0 (v0–1) or 1 (v2–3) message sets, and zstd batches
// answer UNSUPPORTED_COMPRESSION_TYPE, as Kafka does. As from Kafka 4.4: a current leader epoch
// (v9+) other than the partition's is UNKNOWN_LEADER_EPOCH or FENCED_LEADER_EPOCH; a partition in
// error has high watermark, last stable offset and log start -1; aborted transactions are null for
// read-uncommitted and for the errors of reading a log, empty for read-committed and for unknown
// topics and partitions; partitions of one topic that the request lists in consecutive entries
// come back in one.
//
// A partition this broker does not lead answers NOT_LEADER_OR_FOLLOWER with, from v16, its current
// leader and the leader's endpoint (KIP-951), as Produce does from v10.
//
// Not done: fetch sessions (KIP-227: every fetch is a full one, session id 0), read-committed
// isolation (no transactions), follower fetching and preferred read replicas.

import (
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveFetch(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.FetchRequest)
	deadline := time.Now().Add(time.Duration(req.MaxWaitMs) * time.Millisecond)
	stopping := r.cc.broker.stopping()
	for {
		c.mu.Lock()
		wake := c.appended
		resp, size, now := c.fetchOnce(r, req)
		c.mu.Unlock()
		if now || size >= int(req.MinBytes) || !time.Now().Before(deadline) {
			return resp
		}
		select {
		case <-wake:
		case <-stopping:
			return resp
		case <-time.After(time.Until(deadline)):
		}
	}
}

// fetchOnce reads what the request asks for now, and the total bytes of records read; now is set
// when the answer must not wait for more: no partition asked, or one answered an error. The
// caller holds c.mu.
func (c *Cluster) fetchOnce(r *request, req *protocol.FetchRequest) (resp *protocol.FetchResponse, size int, now bool) {
	version := r.header.APIVersion
	budget := int(req.MaxBytes)
	if version < 3 {
		budget = int(^uint(0) >> 1)
	}
	resp = &protocol.FetchResponse{}
	asked, failed := false, false
	var leaders []*protocol.LeaderIDAndEpoch
	for _, t := range req.Topics {
		name := t.Topic
		if version >= 13 {
			name = c.topicNameLocked(t.TopicID)
		}
		n := len(resp.Responses)
		if n == 0 || resp.Responses[n-1].Topic != t.Topic || resp.Responses[n-1].TopicID != t.TopicID {
			resp.Responses = append(resp.Responses, protocol.FetchTopicResponse{Topic: t.Topic, TopicID: t.TopicID})
		}
		tr := &resp.Responses[len(resp.Responses)-1]
		for _, p := range t.Partitions {
			pr := c.fetchPartition(r, name, &p, req.IsolationLevel, max(min(int(p.PartitionMaxBytes), budget-size), 0))
			size += len(pr.Records)
			asked, failed = true, failed || pr.ErrorCode != 0
			if pr.CurrentLeader != nil {
				leaders = append(leaders, pr.CurrentLeader)
			}
			tr.Partitions = append(tr.Partitions, pr)
		}
	}
	if version >= 16 {
		resp.NodeEndpoints = c.leaderEndpoints(leaders)
	}
	return resp, size, !asked || failed
}

// fetchPartition reads one partition for a fetch at the isolation level, within maxBytes (but at
// least one batch).
func (c *Cluster) fetchPartition(r *request, topic string, p *protocol.FetchPartition, isolation int8, maxBytes int) protocol.FetchPartitionResponse {
	// Records are empty, never null, when there are none: Kafka sends them so, and librdkafka
	// (kcat) fails to parse a null record set.
	pr := protocol.FetchPartitionResponse{PartitionIndex: p.Partition, HighWatermark: -1, LastStableOffset: -1,
		LogStartOffset: -1, PreferredReadReplica: -1, Records: []byte{}}
	if code := r.forcedError(topic, p.Partition); code != 0 {
		pr.ErrorCode = code
		return pr
	}
	version := r.header.APIVersion
	part, code := c.leaderPartition(r.cc.broker.id, topic, p.Partition)
	switch {
	case part == nil && version >= 13 && topic == "":
		pr.ErrorCode, pr.AbortedTransactions = kerr.UnknownTopicID.Code, []protocol.FetchAbortedTransaction{}
		return pr
	case part == nil:
		pr.ErrorCode, pr.AbortedTransactions = code, []protocol.FetchAbortedTransaction{}
		return pr
	case code == 0 && version >= 9:
		code = checkLeaderEpoch(part, p.CurrentLeaderEpoch)
	}
	if code != 0 {
		pr.ErrorCode = code
		if code == kerr.NotLeaderOrFollower.Code && version >= 16 {
			pr.CurrentLeader = &protocol.LeaderIDAndEpoch{LeaderID: part.leader, LeaderEpoch: part.leaderEpoch}
		}
		return pr
	}
	log := &part.log
	records, ok := log.read(pr.Records, p.FetchOffset, maxBytes)
	if !ok {
		pr.ErrorCode = kerr.OffsetOutOfRange.Code
		return pr
	}
	if version < 4 {
		var code int16
		if records, code = downconvert(records, version); code != 0 {
			pr.ErrorCode = code
			return pr
		}
	}
	pr.HighWatermark, pr.LastStableOffset, pr.LogStartOffset = log.highWatermark, log.highWatermark, log.logStart
	if isolation == 1 { // read committed: no transaction was aborted
		pr.AbortedTransactions = []protocol.FetchAbortedTransaction{}
	}
	pr.Records = records
	return pr
}

// downconvert rewrites record batches as the legacy message set a Fetch v0–v3 client reads: magic
// 0 for v0–v1, magic 1 for v2–v3, each batch's records wrapped with its codec.
func downconvert(batches []byte, version int16) ([]byte, int16) {
	magic := int8(0)
	if version >= 2 {
		magic = 1
	}
	out := []byte{}
	var b wire.RecordBatch
	for len(batches) > 0 {
		rest, err := b.Decode(batches)
		if err != nil {
			return nil, kerr.CorruptMessage.Code
		}
		codec := b.Attributes.Codec()
		if codec == wire.CodecZstd || magic == 0 && codec == wire.CodecLZ4 {
			return nil, kerr.UnsupportedCompressionType.Code
		}
		msgs := make([]wire.LegacyMessage, len(b.Records))
		for i, rec := range b.Records {
			msgs[i] = wire.LegacyMessage{Offset: rec.Offset, Timestamp: rec.Timestamp, Key: rec.Key, Value: rec.Value}
		}
		if out, err = wire.AppendMessageSet(out, msgs, magic, codec); err != nil {
			return nil, kerr.CorruptMessage.Code
		}
		batches = rest
	}
	return out, 0
}

// topicNameLocked finds a topic by id, or "" if none has it. The caller holds c.mu.
func (c *Cluster) topicNameLocked(id protocol.UUID) string {
	for name, t := range c.topics {
		if t.id == id {
			return name
		}
	}
	return ""
}

// notifyAppend wakes the fetches waiting for data. The caller holds c.mu.
func (c *Cluster) notifyAppend() {
	close(c.appended)
	c.appended = make(chan struct{})
}
