package mockbroker

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	"github.com/kwire-dev/kwire/wire"
)

// partitionLog is a partition's log: the batches as received, each with the offset the broker
// gave it.
type partitionLog struct {
	batches       []storedBatch
	highWatermark int64 // the next offset to assign; every replica is simulated in sync
	logStart      int64
}

// storedBatch is one batch as the broker stores it: the producer's bytes, which nothing changes (a
// slice of the request, which its exchange keeps too), and the base offset and leader epoch the
// broker gave it, written into every copy read from the log (the CRC covers neither). On a
// log-append-time topic the bytes are a copy stamped with that time once, on append, since the
// CRC covers it.
type storedBatch struct {
	baseOffset  int64
	lastOffset  int64
	leaderEpoch int32
	batchTimes
	end  int64 // the bytes of the log up to and with this batch, to size reads without summing them
	data []byte
}

// append stores a validated batch, whose records have times, at the next offset, with the
// leader's epoch, stamped with appendTime if the topic uses log-append time, and returns its base
// offset.
func (l *partitionLog) append(batch []byte, h *wire.BatchHeader, times batchTimes, leaderEpoch int32, logAppendTime bool, appendTime int64) int64 {
	base := l.highWatermark
	if logAppendTime {
		batch = bytes.Clone(batch)
		wire.SetLogAppendTime(batch, appendTime)
		times = batchTimes{firstTS: appendTime, maxTS: appendTime}
	}
	last := base + int64(h.LastOffsetDelta)
	end := l.size() + int64(len(batch))
	l.batches = append(l.batches, storedBatch{baseOffset: base, lastOffset: last, leaderEpoch: leaderEpoch, batchTimes: times, end: end, data: batch})
	l.highWatermark = last + 1
	return base
}

// appendTo appends the batch to dst as a consumer reads it, with the broker's base offset and
// leader epoch.
func (sb *storedBatch) appendTo(dst []byte) []byte {
	start := len(dst)
	dst = append(dst, sb.data...)
	wire.SetBaseOffset(dst[start:], sb.baseOffset)
	wire.SetPartitionLeaderEpoch(dst[start:], sb.leaderEpoch)
	return dst
}

// size is the bytes of the batches in the log.
func (l *partitionLog) size() int64 {
	if len(l.batches) == 0 {
		return 0
	}
	return l.batches[len(l.batches)-1].end
}

// slice is what a Fetch at offset reads: the batches from the one holding offset onwards, as many
// whole ones as maxBytes holds, or else the first alone if minOne is set (KIP-74). available is the
// bytes from that batch to the end of the log; ok is false if offset is outside the log. The
// batches are the log's own, which nothing changes: they may be read after c.mu is released.
func (l *partitionLog) slice(offset int64, maxBytes int, minOne bool) (batches []storedBatch, available int64, ok bool) {
	if offset < l.logStart || offset > l.highWatermark {
		return nil, 0, false
	}
	n := len(l.batches)
	i := sort.Search(n, func(i int) bool { return l.batches[i].lastOffset >= offset })
	start := l.size()
	if i < n {
		start = l.batches[i].end - int64(len(l.batches[i].data))
	}
	j := sort.Search(n, func(j int) bool { return l.batches[j].end-start > int64(maxBytes) })
	if j == i && minOne && i < n {
		j++
	}
	return l.batches[i:j], l.size() - start, true
}

// batchesSize is the bytes of batches, consecutive batches of one log.
func batchesSize(batches []storedBatch) int {
	if len(batches) == 0 {
		return 0
	}
	first, last := &batches[0], &batches[len(batches)-1]
	return int(last.end-first.end) + len(first.data)
}

// appendBatches appends batches to dst as a consumer reads them, with the broker's base offsets
// and leader epochs.
func appendBatches(dst []byte, batches []storedBatch) []byte {
	dst = slices.Grow(dst, batchesSize(batches))
	for i := range batches {
		dst = batches[i].appendTo(dst)
	}
	return dst
}

// Records lists the records stored in topic/partition, oldest first, with the offsets and
// timestamps the broker gave them. It decodes copies of the batches, without holding up the
// cluster.
func (c *Cluster) Records(topic string, p int32) ([]wire.Record, error) {
	batches, err := c.Batches(topic, p)
	if err != nil {
		return nil, err
	}
	var records []wire.Record
	for _, data := range batches {
		var b wire.RecordBatch // a new one each time: the records alias its buffers
		if _, err := b.Decode(data); err != nil {
			return nil, fmt.Errorf("mockbroker: a stored batch of %s/%d no longer decodes: %w", topic, p, err)
		}
		records = append(records, b.Records...)
	}
	return records, nil
}

// Batches returns copies of the batches stored in topic/partition, as a consumer would fetch them.
func (c *Cluster) Batches(topic string, p int32) ([][]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	part := c.partitionAt(topic, p)
	if part == nil {
		return nil, fmt.Errorf("mockbroker: no partition %s/%d", topic, p)
	}
	out := make([][]byte, len(part.log.batches))
	for i, sb := range part.log.batches {
		out[i] = sb.appendTo(nil)
	}
	return out, nil
}
