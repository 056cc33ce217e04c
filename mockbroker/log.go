package mockbroker

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// partitionLog is a partition's log: the batches as received, each with the offset the broker
// gave it, from the log start on: retention deletes the oldest (see retention.go).
type partitionLog struct {
	batches       []storedBatch
	highWatermark int64 // the next offset to assign; every replica is simulated in sync
	logStart      int64
	memory        int64 // what batches take in memory (see storedBatch.memory)
	// dead is the memory of the deleted batches whose entries are still in the array of batches,
	// before its start (see dropFront).
	dead int64
	// nextCheck is when retention.ms is next checked (Unix milliseconds).
	nextCheck int64
}

// storedBatch is one batch as the broker stores it: the producer's bytes, which nothing changes,
// and the base offset and leader epoch the broker gave it, written into every copy read from the
// log (the CRC covers neither). The bytes are a slice of the request, which its exchange keeps
// too, unless the cluster has a MaxLogBytes (then they are a copy, so that what a batch keeps in
// memory is known) or the topic uses log-append time (then they are a copy stamped with that time
// once, on append, since the CRC covers it).
type storedBatch struct {
	baseOffset  int64
	lastOffset  int64
	leaderEpoch int32
	batchTimes
	appended int64  // when it was appended (Unix milliseconds)
	seq      uint64 // the order in which the cluster stored its batches, for MaxLogBytes
	end      int64  // the bytes of the log up to and with this batch, to size reads without summing them
	data     []byte
}

// storedBatchSize is what a storedBatch takes in a log's array.
var storedBatchSize = int64(reflect.TypeFor[storedBatch]().Size())

// memory is what the batch takes: its entry in the log and its bytes' allocation, which, on a
// cluster with a MaxLogBytes, are its own.
func (sb *storedBatch) memory() int64 { return storedBatchSize + int64(cap(sb.data)) }

// append stores sb, a validated batch of lastOffsetDelta+1 records, at the next offset, and
// returns that offset.
func (l *partitionLog) append(sb storedBatch, lastOffsetDelta int32) int64 {
	sb.baseOffset = l.highWatermark
	sb.lastOffset = sb.baseOffset + int64(lastOffsetDelta)
	sb.end = l.end() + int64(len(sb.data))
	if len(l.batches) == cap(l.batches) {
		l.dead = 0 // append moves the batches to a new array, without the deleted ones
	}
	l.batches = append(l.batches, sb)
	l.memory += sb.memory()
	l.highWatermark = sb.lastOffset + 1
	return sb.baseOffset
}

// dropFront deletes the log's first n batches, moves its start to the next offset it holds, and
// returns the memory they took. Readers that took batches under c.mu read them after releasing
// it, so the log changes no entry of its array: a deleted batch stays there, and in memory, until
// the log moves to a new array, which it does once the deleted batches in it take more than a
// sixteenth of what its batches take. A log so never keeps more than a sixteenth of its memory
// for deleted batches, and copies at most sixteen bytes of entries per byte deleted (with batches
// of similar sizes, sixteen entries per batch).
func (l *partitionLog) dropFront(n int) int64 {
	var freed int64
	for i := range n {
		freed += l.batches[i].memory()
	}
	l.batches = l.batches[n:]
	l.memory -= freed
	l.dead += freed
	if len(l.batches) == 0 {
		l.batches, l.dead = nil, 0
		l.logStart = l.highWatermark
		return freed
	}
	if l.dead > l.memory/16 {
		l.batches, l.dead = slices.Clone(l.batches), 0
	}
	l.logStart = l.batches[0].baseOffset
	return freed
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

// end is where the log's next batch starts in the bytes of the batches it ever held.
func (l *partitionLog) end() int64 {
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
	start := l.end()
	if i < n {
		start = l.batches[i].end - int64(len(l.batches[i].data))
	}
	j := sort.Search(n, func(j int) bool { return l.batches[j].end-start > int64(maxBytes) })
	if j == i && minOne && i < n {
		j++
	}
	return l.batches[i:j], l.end() - start, true
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
	c.expire(c.topics[topic], part, time.Now().UnixMilli())
	out := make([][]byte, len(part.log.batches))
	for i, sb := range part.log.batches {
		out[i] = sb.appendTo(nil)
	}
	return out, nil
}
