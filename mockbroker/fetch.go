package mockbroker

// Fetch, versions 0–18 (the cluster's VersionProfile decides which are advertised).
//
// Returns each partition's stored batches from the one holding the fetch offset, as Kafka does:
// whole batches within the partition's partition_max_bytes and, partition after partition in the
// order of the request, within what is left of its max_bytes (v3+) and of 55 MiB (Kafka's default
// fetch.max.bytes, the only limit before v3); but the first partition with data returns at least
// its first batch, however large (KIP-74). A partition whose next batch does not fit gets an empty
// record set. A partition named twice is read once, as Kafka reads a request into a map keyed by
// topic (or, from v13, topic id) and partition: in the place of its first entry, with the fetch
// offset and limits of its last. A fetch offset below the log start, which retention moves (see
// retention.go), or past the high watermark is OFFSET_OUT_OF_RANGE.
//
// If less than min_bytes (at most max_bytes, as in Kafka) is there, counting at most
// partition_max_bytes of each partition, it waits up to max_wait_ms for produces to arrive (or
// until the broker stops), unless, as in Kafka, the request names no partition (the Java
// consumer's session-closing fetch) or a partition answers an error (NOT_LEADER_OR_FOLLOWER,
// OFFSET_OUT_OF_RANGE…): those are answered at once. Every produce wakes the waiting fetches,
// which look at the log again under the cluster's lock, keeping references to its batches; a
// fetch copies the batches it answers with once, after releasing the lock.
//
// Versions 0–3 predate record batches: their clients get the records converted to magic 0 (v0–1)
// or 1 (v2–3) message sets, and zstd batches answer UNSUPPORTED_COMPRESSION_TYPE, as Kafka does.
// As from Kafka 4.4: a current leader epoch (v9+) other than the partition's is
// UNKNOWN_LEADER_EPOCH or FENCED_LEADER_EPOCH; a partition in error has high watermark, last
// stable offset and log start -1; aborted transactions are null for read-uncommitted and for the
// errors of reading a log, empty for read-committed and for unknown topics and partitions;
// partitions of one topic that come in consecutive entries come back in one.
//
// A partition this broker does not lead answers NOT_LEADER_OR_FOLLOWER with, from v16, its current
// leader and the leader's endpoint (KIP-951), as Produce does from v10.
//
// Not done: fetch sessions (KIP-227: every fetch is a full one, session id 0), read-committed
// isolation (no transactions), follower fetching and preferred read replicas. Kafka fills what a
// limit leaves with the start of the next batch, which clients discard, and before v3 cuts the
// first batch at partition_max_bytes; this returns whole batches only.

import (
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// fetchMaxBytes bounds the records of a Fetch answer, but for its first batch, as Kafka's
// fetch.max.bytes does by default.
const fetchMaxBytes = 55 << 20

func serveFetch(c *Cluster, r *request) protocol.Message {
	f := newFetch(r)
	deadline := time.Now().Add(time.Duration(f.req.MaxWaitMs) * time.Millisecond)
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	stopping := r.cc.broker.stopping()
	for {
		c.mu.Lock()
		wake := c.appended
		ready := c.look(f)
		c.mu.Unlock()
		if ready || !time.Now().Before(deadline) {
			return c.answer(f)
		}
		select {
		case <-wake:
		case <-timer.C:
		case <-stopping:
			return c.answer(f)
		}
	}
}

// fetch is a Fetch request being served: the partitions it names, once each, with what the last
// look at the log found for them.
type fetch struct {
	r        *request
	req      *protocol.FetchRequest
	maxBytes int // the records the answer may carry, but for its first batch
	minBytes int
	parts    []fetchPart
}

// fetchPart is a partition a fetch names, and what the last look at the log found.
type fetchPart struct {
	topic   string                          // the request's topic entry: its name before v13
	id      protocol.UUID                   // and its id from v13
	p       protocol.FetchPartition         // the last of the request's entries for the partition
	resp    protocol.FetchPartitionResponse // the answer but for its records
	batches []storedBatch                   // the log's own batches to answer with
}

// newFetch is the fetch r asks for.
func newFetch(r *request) *fetch {
	req := r.body.(*protocol.FetchRequest)
	maxBytes := fetchMaxBytes
	if r.header.APIVersion >= 3 {
		maxBytes = max(min(int(req.MaxBytes), maxBytes), 0)
	}
	return &fetch{r: r, req: req, maxBytes: maxBytes, minBytes: min(int(req.MinBytes), maxBytes), parts: fetchParts(req)}
}

// fetchParts lists the partitions req names, once each, as Kafka keys them by topic (or, from v13,
// topic id) and partition: a partition named again keeps the place of its first entry and takes
// the fields of its last.
func fetchParts(req *protocol.FetchRequest) []fetchPart {
	type key struct {
		topic     string
		id        protocol.UUID
		partition int32
	}
	n := 0
	for _, t := range req.Topics {
		n += len(t.Partitions)
	}
	parts, seen := make([]fetchPart, 0, n), make(map[key]int)
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			k := key{t.Topic, t.TopicID, p.Partition}
			if i, ok := seen[k]; ok {
				parts[i].p = p
				continue
			}
			seen[k] = len(parts)
			parts = append(parts, fetchPart{topic: t.Topic, id: t.TopicID, p: p})
		}
	}
	return parts
}

// look reads what each partition of f holds now, within f's limits, keeping references to the
// log's batches rather than copies, and reports whether to answer now: f names no partition, one
// answers an error, or min_bytes are there. The caller holds c.mu.
func (c *Cluster) look(f *fetch) bool {
	budget, minOne := f.maxBytes, true
	readable, failed := 0, false
	now := time.Now().UnixMilli()
	for i := range f.parts {
		fp := &f.parts[i]
		partitionMax := max(int(fp.p.PartitionMaxBytes), 0)
		available := c.lookPartition(f, fp, min(partitionMax, budget), minOne, now)
		n := batchesSize(fp.batches)
		budget, minOne = max(budget-n, 0), minOne && n == 0
		readable += max(n, int(min(available, int64(partitionMax))))
		failed = failed || fp.resp.ErrorCode != 0
	}
	return len(f.parts) == 0 || failed || readable >= f.minBytes
}

// lookPartition reads one partition of f into fp, within maxBytes but for the first batch if
// minOne, after applying its retention.ms at now if a check is due, and returns the bytes the log
// holds from the fetch offset on. The caller holds c.mu.
func (c *Cluster) lookPartition(f *fetch, fp *fetchPart, maxBytes int, minOne bool, now int64) int64 {
	r, version := f.r, f.r.header.APIVersion
	fp.resp, fp.batches = emptyPartition(fp.p.Partition), nil
	pr := &fp.resp
	topic := fp.topic
	if version >= 13 {
		topic = c.topicNameLocked(fp.id)
	}
	if code := r.forcedError(topic, fp.p.Partition); code != 0 {
		pr.ErrorCode = code
		return 0
	}
	part, code := c.leaderPartition(r.cc.broker.id, topic, fp.p.Partition)
	switch {
	case part == nil && version >= 13 && topic == "":
		pr.ErrorCode, pr.AbortedTransactions = kerr.UnknownTopicID.Code, []protocol.FetchAbortedTransaction{}
		return 0
	case part == nil:
		pr.ErrorCode, pr.AbortedTransactions = code, []protocol.FetchAbortedTransaction{}
		return 0
	case code == 0 && version >= 9:
		code = checkLeaderEpoch(part, fp.p.CurrentLeaderEpoch)
	}
	if code != 0 {
		pr.ErrorCode = code
		if code == kerr.NotLeaderOrFollower.Code && version >= 16 {
			pr.CurrentLeader = &protocol.LeaderIDAndEpoch{LeaderID: part.leader, LeaderEpoch: part.leaderEpoch}
		}
		return 0
	}
	c.expire(c.topics[topic], part, now)
	log := &part.log
	batches, available, ok := log.slice(fp.p.FetchOffset, maxBytes, minOne)
	if !ok {
		pr.ErrorCode = kerr.OffsetOutOfRange.Code
		return 0
	}
	pr.HighWatermark, pr.LastStableOffset, pr.LogStartOffset = log.highWatermark, log.highWatermark, log.logStart
	if f.req.IsolationLevel == 1 { // read committed: no transaction was aborted
		pr.AbortedTransactions = []protocol.FetchAbortedTransaction{}
	}
	fp.batches = batches
	return available
}

// emptyPartition is the answer for partition index before anything is known of it. Its records
// are empty, never null: Kafka sends them so, and librdkafka (kcat) fails to parse a null record
// set.
func emptyPartition(index int32) protocol.FetchPartitionResponse {
	return protocol.FetchPartitionResponse{PartitionIndex: index, HighWatermark: -1, LastStableOffset: -1,
		LogStartOffset: -1, PreferredReadReplica: -1, Records: []byte{}}
}

// answer is f's response from its last look, with copies of the batches it found; the caller
// does not hold c.mu.
func (c *Cluster) answer(f *fetch) *protocol.FetchResponse {
	version := f.r.header.APIVersion
	resp := &protocol.FetchResponse{Responses: make([]protocol.FetchTopicResponse, 0, min(len(f.req.Topics), len(f.parts)))}
	// The partitions' answers go into one array, each topic entry's a run of it, in the order of
	// f.parts, which lists an entry's partitions one after another.
	answers := make([]protocol.FetchPartitionResponse, 0, len(f.parts))
	var leaders []*protocol.LeaderIDAndEpoch
	for i := range f.parts {
		fp := &f.parts[i]
		n := len(resp.Responses)
		if n == 0 || resp.Responses[n-1].Topic != fp.topic || resp.Responses[n-1].TopicID != fp.id {
			resp.Responses = append(resp.Responses, protocol.FetchTopicResponse{Topic: fp.topic, TopicID: fp.id, Partitions: answers[i:i]})
		}
		tr := &resp.Responses[len(resp.Responses)-1]
		tr.Partitions = append(tr.Partitions, fp.answer(version))
		if fp.resp.CurrentLeader != nil {
			leaders = append(leaders, fp.resp.CurrentLeader)
		}
	}
	if version >= 16 {
		resp.NodeEndpoints = c.leaderEndpoints(leaders)
	}
	return resp
}

// answer is fp's answer with its batches, converted for versions 0–3.
func (fp *fetchPart) answer(version int16) protocol.FetchPartitionResponse {
	pr := fp.resp
	if len(fp.batches) == 0 {
		return pr
	}
	records := appendBatches(nil, fp.batches)
	if version < 4 {
		var code int16
		if records, code = downconvert(records, version); code != 0 {
			pr = emptyPartition(pr.PartitionIndex)
			pr.ErrorCode = code
			return pr
		}
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
