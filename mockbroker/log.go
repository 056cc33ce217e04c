package mockbroker

import (
	"bytes"
	"fmt"
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
	l.batches = append(l.batches, storedBatch{baseOffset: base, lastOffset: last, leaderEpoch: leaderEpoch, batchTimes: times, data: batch})
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

// read appends to dst the batches from the one holding offset onwards, up to maxBytes but always at
// least one, as a Fetch does; ok is false if offset is outside the log.
func (l *partitionLog) read(dst []byte, offset int64, maxBytes int) (out []byte, ok bool) {
	if offset < l.logStart || offset > l.highWatermark {
		return dst, false
	}
	i := sort.Search(len(l.batches), func(i int) bool { return l.batches[i].lastOffset >= offset })
	for start := len(dst); i < len(l.batches); i++ {
		if len(dst) > start && len(dst)-start+len(l.batches[i].data) > maxBytes {
			break
		}
		dst = l.batches[i].appendTo(dst)
	}
	return dst, true
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
