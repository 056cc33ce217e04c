package mockbroker

// ListOffsets, versions 0–10 (the cluster's VersionProfile decides which are advertised).
//
// Answers the special timestamps -1 (latest: the high watermark), -2 (earliest: the log start),
// -3 (the record with the largest timestamp, KIP-734), -4 and -5 (earliest local and tiered: the
// log start, as nothing is tiered) and, for any other timestamp, the first record at or after it
// (offset and timestamp -1 if there is none). v0 answers in its old style, a list of offsets.
//
// Not done: read-committed isolation differs from read-uncommitted only with transactions, which
// the broker does not have; the last stable offset is the high watermark.

import (
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The special timestamps of ListOffsets.
const (
	latestTimestamp         = -1
	earliestTimestamp       = -2
	maxTimestamp            = -3
	earliestLocalTimestamp  = -4
	earliestTieredTimestamp = -5
)

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
	if code != 0 {
		pr.ErrorCode = code
		return pr
	}
	log := &part.log
	pr.LeaderEpoch = part.leaderEpoch
	switch p.Timestamp {
	case latestTimestamp:
		pr.Offset = log.highWatermark
	case earliestTimestamp, earliestLocalTimestamp, earliestTieredTimestamp:
		pr.Offset = log.logStart
	case maxTimestamp:
		pr.Offset, pr.Timestamp = log.maxTimestampRecord()
	default:
		pr.Offset, pr.Timestamp = log.offsetForTime(p.Timestamp)
	}
	if r.header.APIVersion == 0 {
		pr.OldStyleOffsets = []int64{pr.Offset}
		if pr.Offset < 0 {
			pr.OldStyleOffsets = []int64{}
		}
	}
	return pr
}
