package mockbroker

// ListOffsets, versions 0–10 (the cluster's VersionProfile decides which are advertised).
//
// Answers as Kafka 4.4 does on a broker without tiered storage: -1 (latest) is the high watermark,
// -2 (earliest) and -4 (earliest local, v8+) the log start, -3 (the record with the largest
// timestamp, v7+, KIP-734) that record, -5 (latest tiered, v9+) nothing (offset -1), and any other
// timestamp the first record at or after it; a found record comes with its batch's leader epoch,
// and nothing found is offset, timestamp and epoch -1. A special timestamp the request's version
// predates (-3 before v7, -4 before v8, -5 before v9, -6 (earliest pending upload) before v11,
// which kwire does not implement, and any other negative one) is UNSUPPORTED_VERSION. A current
// leader epoch newer than the partition's is UNKNOWN_LEADER_EPOCH, an older one
// FENCED_LEADER_EPOCH. v0 answers in its old style, a list of offsets.
//
// A lookup by time reads no records under the cluster's lock: the log notes each batch's first and
// largest timestamps on append, which answer most lookups and -3; when the record sought is inside
// a batch, its records are read one at a time after the lock is released.
//
// Not done: read-committed isolation differs from read-uncommitted only with transactions, which
// the broker does not have; the last stable offset is the high watermark.

import (
	"time"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The special timestamps of ListOffsets.
const (
	latestTimestamp        = -1
	earliestTimestamp      = -2
	maxTimestamp           = -3
	earliestLocalTimestamp = -4
	latestTieredTimestamp  = -5
	earliestPendingUpload  = -6
)

// specialTimestampVersions is the first ListOffsets version that takes each special timestamp.
var specialTimestampVersions = map[int64]int16{
	latestTimestamp: 0, earliestTimestamp: 0, maxTimestamp: 7, earliestLocalTimestamp: 8, latestTieredTimestamp: 9, earliestPendingUpload: 11,
}

func serveListOffsets(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.ListOffsetsRequest)
	resp := &protocol.ListOffsetsResponse{}
	for _, l := range c.listOffsets(r, req, resp) {
		l.find()
	}
	if r.header.APIVersion == 0 {
		for i := range resp.Topics {
			for j := range resp.Topics[i].Partitions {
				setOldStyleOffsets(&resp.Topics[i].Partitions[j])
			}
		}
	}
	return resp
}

// listOffsets answers for every partition what can be answered holding c.mu, and returns the
// lookups that must read a batch's records, to be done without it.
func (c *Cluster) listOffsets(r *request, req *protocol.ListOffsetsRequest, resp *protocol.ListOffsetsResponse) []timeLookup {
	c.mu.Lock()
	defer c.mu.Unlock()
	var lookups []timeLookup
	resp.Topics = make([]protocol.ListOffsetsTopicResponse, len(req.Topics))
	for i, t := range req.Topics {
		tr := &resp.Topics[i]
		tr.Name, tr.Partitions = t.Name, make([]protocol.ListOffsetsPartitionResponse, len(t.Partitions))
		for j := range t.Partitions {
			if l := c.listOffset(r, t.Name, &t.Partitions[j], &tr.Partitions[j]); l != nil {
				lookups = append(lookups, *l)
			}
		}
	}
	return lookups
}

// listOffset answers for one partition into pr, or returns the lookup that will. The caller holds
// c.mu.
func (c *Cluster) listOffset(r *request, topic string, p *protocol.ListOffsetsPartition, pr *protocol.ListOffsetsPartitionResponse) *timeLookup {
	*pr = protocol.ListOffsetsPartitionResponse{PartitionIndex: p.PartitionIndex, Timestamp: -1, Offset: -1, LeaderEpoch: -1}
	if pr.ErrorCode = r.forcedError(topic, p.PartitionIndex); pr.ErrorCode != 0 {
		return nil
	}
	part, code := c.leaderPartition(r.cc.broker.id, topic, p.PartitionIndex)
	if code == 0 && p.Timestamp < 0 {
		if first, ok := specialTimestampVersions[p.Timestamp]; !ok || r.header.APIVersion < first {
			code = kerr.UnsupportedVersion.Code
		}
	}
	if code == 0 && r.header.APIVersion >= 4 {
		code = checkLeaderEpoch(part, p.CurrentLeaderEpoch)
	}
	if code != 0 {
		pr.ErrorCode = code
		return nil
	}
	c.expire(c.topics[topic], part, time.Now().UnixMilli())
	log := &part.log
	switch p.Timestamp {
	case latestTimestamp:
		pr.Offset, pr.LeaderEpoch = log.highWatermark, part.leaderEpoch
	case earliestTimestamp, earliestLocalTimestamp:
		pr.Offset, pr.LeaderEpoch = log.logStart, part.leaderEpoch
	case latestTieredTimestamp: // nothing is tiered
	case maxTimestamp:
		if sb := log.maxTimestampBatch(); sb != nil {
			pr.Offset, pr.Timestamp, pr.LeaderEpoch = sb.baseOffset+int64(sb.maxDelta), sb.maxTS, sb.leaderEpoch
		}
	default:
		return log.lookupTime(p.Timestamp, pr)
	}
	return nil
}

// setOldStyleOffsets fills in the list of offsets a v0 answer without an error carries: the one
// found, if any.
func setOldStyleOffsets(pr *protocol.ListOffsetsPartitionResponse) {
	if pr.ErrorCode != 0 {
		return
	}
	pr.OldStyleOffsets = []int64{}
	if pr.Offset >= 0 {
		pr.OldStyleOffsets = []int64{pr.Offset}
	}
}

// maxTimestampBatch is the first batch holding a record with the log's largest timestamp, or nil
// if no record has one (ListOffsets' MAX_TIMESTAMP).
func (l *partitionLog) maxTimestampBatch() *storedBatch {
	var found *storedBatch
	best := int64(-1)
	for i := range l.batches {
		if sb := &l.batches[i]; sb.maxTS > best {
			found, best = sb, sb.maxTS
		}
	}
	return found
}

// lookupTime answers ListOffsets by time into pr (the offset, timestamp and leader epoch of the
// first record whose timestamp is at or after ts, or -1, -1, -1 if there is none) when the batch
// holding that record starts with it, and otherwise returns the lookup that reads the batch.
func (l *partitionLog) lookupTime(ts int64, pr *protocol.ListOffsetsPartitionResponse) *timeLookup {
	for _, sb := range l.batches {
		switch {
		case sb.maxTS < ts:
			continue
		case sb.firstTS >= ts:
			pr.Offset, pr.Timestamp, pr.LeaderEpoch = sb.baseOffset, sb.firstTS, sb.leaderEpoch
			return nil
		}
		pr.LeaderEpoch = sb.leaderEpoch
		return &timeLookup{pr: pr, ts: ts, baseOffset: sb.baseOffset, data: sb.data}
	}
	return nil
}

// timeLookup finds the first record at or after a time inside one stored batch, whose bytes never
// change, so that it can read them without the cluster's lock.
type timeLookup struct {
	pr         *protocol.ListOffsetsPartitionResponse
	ts         int64
	baseOffset int64
	data       []byte
}

// find reads the batch's records up to the one sought and answers with it. The batch holds one:
// its largest timestamp is at or after ts.
func (l *timeLookup) find() {
	delta, ts := firstAtOrAfter(l.data, l.ts)
	l.pr.Offset, l.pr.Timestamp = l.baseOffset+int64(delta), ts
}

// checkLeaderEpoch checks the leader epoch a client believes current against the partition's, as
// Kafka's Fetch (v9+) and ListOffsets (v4+) do: -1 is not checked, a newer one is
// UNKNOWN_LEADER_EPOCH (the client knows of an election the broker does not yet), an older one
// FENCED_LEADER_EPOCH.
func checkLeaderEpoch(part *partition, epoch int32) int16 {
	switch {
	case epoch < 0 || epoch == part.leaderEpoch:
		return 0
	case epoch > part.leaderEpoch:
		return kerr.UnknownLeaderEpoch.Code
	}
	return kerr.FencedLeaderEpoch.Code
}
