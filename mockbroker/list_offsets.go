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
// Not done: read-committed isolation differs from read-uncommitted only with transactions, which
// the broker does not have; the last stable offset is the high watermark.

import (
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
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range req.Topics {
		tr := protocol.ListOffsetsTopicResponse{Name: t.Name}
		for _, p := range t.Partitions {
			tr.Partitions = append(tr.Partitions, c.listOffset(r, t.Name, &p))
		}
		resp.Topics = append(resp.Topics, tr)
	}
	return resp
}

// listOffset answers for one partition. The caller holds c.mu.
func (c *Cluster) listOffset(r *request, topic string, p *protocol.ListOffsetsPartition) protocol.ListOffsetsPartitionResponse {
	pr := protocol.ListOffsetsPartitionResponse{PartitionIndex: p.PartitionIndex, Timestamp: -1, Offset: -1, LeaderEpoch: -1}
	if pr.ErrorCode = r.forcedError(topic, p.PartitionIndex); pr.ErrorCode != 0 {
		return pr
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
		return pr
	}
	log := &part.log
	switch p.Timestamp {
	case latestTimestamp:
		pr.Offset, pr.LeaderEpoch = log.highWatermark, part.leaderEpoch
	case earliestTimestamp, earliestLocalTimestamp:
		pr.Offset, pr.LeaderEpoch = log.logStart, part.leaderEpoch
	case latestTieredTimestamp: // nothing is tiered
	case maxTimestamp:
		pr.Offset, pr.Timestamp, pr.LeaderEpoch = log.maxTimestampRecord()
	default:
		pr.Offset, pr.Timestamp, pr.LeaderEpoch = log.offsetForTime(p.Timestamp)
	}
	if r.header.APIVersion == 0 {
		pr.OldStyleOffsets = []int64{pr.Offset}
		if pr.Offset < 0 {
			pr.OldStyleOffsets = []int64{}
		}
	}
	return pr
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
