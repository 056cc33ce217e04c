package mockbroker

// Retention, as Kafka's with cleanup.policy=delete: a partition deletes its oldest batches while
// the rest hold its topic's retention.bytes, and those older than its retention.ms; a cluster
// with a MaxLogBytes deletes the oldest batches of all its partitions while they take more. Kafka
// deletes whole segments from a log's start; the mock deletes whole batches, as if each were a
// segment. Deleting moves the log start: a Fetch below it answers OFFSET_OUT_OF_RANGE, ListOffsets
// answers it for the earliest offset. An idempotent producer's state stays when its batches go, as
// in Kafka since 2.4 (KAFKA-7190), so that the producer goes on at its next sequence.
//
// retention.bytes and MaxLogBytes apply as a batch is appended; retention.ms when a partition is
// next used once log.retention.check.interval.ms has passed since its last check (see
// LogRetentionCheckInterval). None scans the logs: each looks at the oldest batches and costs
// what it deletes; MaxLogBytes finds the cluster's oldest batch in a heap of the partitions.
//
// Not done: log.retention.check.interval.ms is per partition, from its creation, rather than one
// clock for the broker; log.segment.bytes and the like do not matter, each batch being a segment.

import (
	"container/heap"

	"github.com/kwire-dev/kwire/wire"
)

// retention is a topic's retention.bytes and retention.ms.
type retention struct {
	bytes int64 // what a partition keeps at least before deleting its oldest batches; negative: no limit
	ms    int64 // how long a batch is kept after its time (see storedBatch.time); -1: forever
}

// time is when the batch's retention.ms starts: its largest timestamp, or when it was appended if
// its records have none, as a Kafka segment's starts at its largest timestamp, or else when its
// file was last written.
func (sb *storedBatch) time() int64 {
	if sb.maxTS >= 0 {
		return sb.maxTS
	}
	return sb.appended
}

// overBytes is how many of the log's oldest batches retention.bytes deletes: those whose deletion
// leaves at least bytes, as Kafka deletes segments, so that a log holds at most bytes and a batch.
func (l *partitionLog) overBytes(bytes int64) int {
	if bytes < 0 {
		return 0
	}
	size := int64(batchesSize(l.batches))
	n := 0
	for ; n < len(l.batches) && size-int64(len(l.batches[n].data)) >= bytes; n++ {
		size -= int64(len(l.batches[n].data))
	}
	return n
}

// expired is how many of the log's oldest batches are older than ms at now (Unix milliseconds),
// up to the first one that is not.
func (l *partitionLog) expired(ms, now int64) int {
	if ms < 0 {
		return 0
	}
	n := 0
	for n < len(l.batches) && now-l.batches[n].time() > ms {
		n++
	}
	return n
}

// storage is what the logs of all partitions take together, and which batch MaxLogBytes deletes
// first.
type storage struct {
	memory int64  // the memory of every log's batches (see storedBatch.memory)
	seq    uint64 // the last batch's storedBatch.seq
	// oldest are, with a MaxLogBytes, the partitions holding batches, the one with the cluster's
	// oldest batch first.
	oldest oldestFirst
	// over is set while MaxLogBytes deletes batches: logged as it starts, and again only once the
	// logs have taken less than half of it.
	over bool
}

// newStoredBatch is batch as the log of a partition of t stores it at now (Unix milliseconds): a
// copy of its own if the cluster has a MaxLogBytes, stamped with now if t uses log-append time. The
// caller holds c.mu.
func (c *Cluster) newStoredBatch(batch *checkedBatch, t *topic, leaderEpoch int32, now int64) storedBatch {
	c.store.seq++
	sb := storedBatch{leaderEpoch: leaderEpoch, batchTimes: batch.times, appended: now, seq: c.store.seq, data: batch.data}
	if c.cfg.maxLogBytes > 0 || t.logAppendTime {
		sb.data = append([]byte(nil), sb.data...) // its capacity is the size class it takes
	}
	if t.logAppendTime {
		wire.SetLogAppendTime(sb.data, now)
		sb.batchTimes = batchTimes{firstTS: now, maxTS: now}
	}
	return sb
}

// stored counts the batch just appended to part, a partition of t, and applies the retention an
// append sets off at now (Unix milliseconds): t's, to part, then MaxLogBytes. The caller holds
// c.mu.
func (c *Cluster) stored(t *topic, part *partition, now int64) {
	c.store.memory += part.log.batches[len(part.log.batches)-1].memory()
	if c.cfg.maxLogBytes > 0 && part.oldestIndex < 0 {
		heap.Push(&c.store.oldest, part)
	}
	c.expire(t, part, now)
	c.drop(part, part.log.overBytes(t.retention.bytes))
	c.limit()
}

// expire deletes the batches of part, a partition of t, older than t's retention.ms at now (Unix
// milliseconds), if a check is due. The caller holds c.mu.
func (c *Cluster) expire(t *topic, part *partition, now int64) {
	if now < part.log.nextCheck {
		return
	}
	part.log.nextCheck = now + c.cfg.retentionCheck.Milliseconds()
	c.drop(part, part.log.expired(t.retention.ms, now))
}

// drop deletes the n oldest batches of part, keeping the cluster's accounts. The caller holds c.mu.
func (c *Cluster) drop(part *partition, n int) {
	if n == 0 {
		return
	}
	c.store.memory -= part.log.dropFront(n)
	switch i := part.oldestIndex; {
	case i < 0:
	case len(part.log.batches) == 0:
		heap.Remove(&c.store.oldest, i)
	default:
		heap.Fix(&c.store.oldest, i)
	}
}

// limit deletes the cluster's oldest batches, of whichever partitions, while its logs take more
// than MaxLogBytes. The caller holds c.mu.
func (c *Cluster) limit() {
	s, limit := &c.store, c.cfg.maxLogBytes
	switch {
	case limit == 0:
		return
	case s.memory <= limit:
		s.over = s.over && s.memory >= limit/2
		return
	case !s.over:
		s.over = true
		c.logf("the logs take %d bytes, more than MaxLogBytes (%d): deleting the oldest batches of any partition while they do; not logged again until they take under half of it", s.memory, limit)
	}
	for s.memory > limit {
		c.drop(s.oldest[0], 1)
	}
}

// oldestFirst is a heap of partitions holding batches, by their first batch's storedBatch.seq:
// the first holds the cluster's oldest batch. Each partition knows its place, to be moved or
// removed as its first batch goes.
type oldestFirst []*partition

func (h oldestFirst) Len() int           { return len(h) }
func (h oldestFirst) Less(i, j int) bool { return h[i].log.batches[0].seq < h[j].log.batches[0].seq }

func (h oldestFirst) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].oldestIndex, h[j].oldestIndex = i, j
}

func (h *oldestFirst) Push(x any) {
	p := x.(*partition)
	p.oldestIndex = len(*h)
	*h = append(*h, p)
}

func (h *oldestFirst) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	p.oldestIndex = -1
	*h = old[:len(old)-1]
	return p
}
