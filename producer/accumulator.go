package producer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

type topicPartition struct {
	topic     string
	partition int32
}

// partitionState is one partition's batches. It owns those the sender has not taken: they wait in
// queue, in record order, and only the last one takes records, until it is sealed. Send appends to
// that open batch alone, and opens a new one after it when there is none or the record does not
// fit; it never seals a batch. The sender alone does: it seals the open batch when its linger is
// over, when Flush or Close asks, or when it is full, and seals every batch it takes, so that one
// put back for a retry (or split in halves, which are born sealed) takes no records. Send and the
// sender share queue and appended under mu; the fields after them are the sender's alone.
type partitionState struct {
	tp topicPartition

	mu    sync.Mutex
	queue []*batch // waiting to be sent, in record order (retries go back in their place)
	// appended counts the records appended so far: the index of the next batch's first.
	appended int64

	inflight   int      // batches of this partition in flight
	inflightTo int32    // the broker they are in flight to
	nextSeq    int32    // the sequence the next new batch gets (idempotence)
	retrying   bool     // a batch came back for a retry: one in flight at a time until it lands
	lastAcked  int32    // the last sequence the broker acknowledged, -1 for none
	broken     bool     // a sequence gap: its batches wait for an epoch bump
	completed  int64    // the index of the first record whose batch is not complete
	held       []*batch // settled batches waiting for an earlier one to complete
}

// open is the batch Send appends to, or nil: the last of the queue, unless sealed. The caller
// holds mu.
func (ps *partitionState) open() *batch {
	if n := len(ps.queue); n > 0 && !ps.queue[n-1].sealed {
		return ps.queue[n-1]
	}
	return nil
}

// push makes b, new and empty, the open batch. The caller holds mu.
func (ps *partitionState) push(b *batch) {
	b.index = ps.appended
	ps.queue = append(ps.queue, b)
}

// detach hands every queued batch to the sender, the open one too, leaving the queue empty.
func (ps *partitionState) detach() []*batch {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	q := ps.queue
	ps.queue = nil
	return q
}

// entry is what a batch keeps of a record for its completion: its callback, offset delta and
// timestamp.
type entry struct {
	cb    func(Metadata, error)
	delta int32
	ts    int64
}

// batch is one record batch from creation to completion.
type batch struct {
	ps       *partitionState
	builder  wire.BatchBuilder
	buf      []byte // the pooled buffer the builder writes into
	reserved int    // bytes of buffer.memory it holds
	created  time.Time
	entries  []entry // only records with a callback
	records  int32
	index    int64 // the partition's count of records before this batch's first
	sealed   bool  // it takes no more records (see partitionState)

	data     []byte // the finished batch, kept for retries
	seq      int32  // base sequence, -1 until assigned
	attempts int
	lastErr  error // why the last attempt failed
	// maybeWritten: an attempt may have been written, unanswered or answered with an error that
	// can come after the broker appended it (see mayHaveWritten).
	maybeWritten bool
	inflight     bool // taken by the sender, not yet back in the queue or settled
	retryAt      time.Time

	settled bool          // it has its result, and completes once the batches before it have
	result  result        // set by settle
	done    chan struct{} // closed on completion

	parent *batch // the batch this one is half of, after MESSAGE_TOO_LARGE
	parts  int    // halves not yet complete, once split
}

// memory bounds the bytes of buffered batches to buffer.memory: Send waits for room up to
// max.block.ms.
type memory struct {
	mu        sync.Mutex
	available int64
	released  chan struct{} // closed and replaced whenever bytes come back
}

func newMemory(total int64) *memory {
	return &memory{available: total, released: make(chan struct{})}
}

// reserve takes n bytes, waiting for them until ctx ends.
func (m *memory) reserve(ctx context.Context, n int) error {
	for {
		m.mu.Lock()
		if m.available >= int64(n) {
			m.available -= int64(n)
			m.mu.Unlock()
			return nil
		}
		wait := m.released
		m.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return fmt.Errorf("producer: no room for %d bytes in buffer.memory: %w", n, context.Cause(ctx))
		}
	}
}

// release gives n bytes back.
func (m *memory) release(n int) {
	m.mu.Lock()
	m.available += int64(n)
	close(m.released)
	m.released = make(chan struct{})
	m.mu.Unlock()
}

// used is the bytes reserved now, out of total.
func (m *memory) used(total int64) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return total - m.available
}

// bufferPool recycles batch buffers of batch.size, as the Java client's BufferPool does: freed
// buffers wait on a free list for the next batch. Every buffer in use belongs to a batch holding
// its buffer.memory, so the buffers ever made, free or in use, stay within buffer.memory; and
// unlike a sync.Pool's, they do not survive garbage collections twice over.
type bufferPool struct {
	size int
	mu   sync.Mutex
	free [][]byte
}

// get is an empty buffer with room for n bytes: a recycled one when n fits in batch.size.
func (p *bufferPool) get(n int) []byte {
	if n > p.size {
		return make([]byte, 0, n)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if last := len(p.free) - 1; last >= 0 {
		b := p.free[last]
		p.free = p.free[:last]
		return b[:0]
	}
	return make([]byte, 0, p.size)
}

// put recycles b if it is a buffer of batch.size.
func (p *bufferPool) put(b []byte) {
	if cap(b) != p.size {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, b)
	p.mu.Unlock()
}

// entryPool recycles batches' entries, which otherwise grow anew, by doubling, for every batch.
var entryPool sync.Pool

// addEntry appends a record's entry, taking a recycled slice for a batch's first.
func (b *batch) addEntry(e entry) {
	if b.entries == nil {
		if s, ok := entryPool.Get().(*[]entry); ok {
			b.entries = *s
		}
	}
	b.entries = append(b.entries, e)
}

// recycleEntries gives the batch's entries back for another batch; the batch is complete.
func (b *batch) recycleEntries() {
	if cap(b.entries) > 0 {
		clear(b.entries) // drop the callbacks
		s := b.entries[:0]
		b.entries = nil
		entryPool.Put(&s)
	}
}

// full reports whether the batch has no room for a record of size bytes within batch.size; an
// empty batch always has room.
func (b *batch) full(size int, batchSize int) bool {
	return b.records > 0 && b.builder.Size()+size > batchSize
}

// add appends a record to the batch.
func (b *batch) add(r *wire.Record, cb func(Metadata, error)) {
	if cb != nil {
		b.addEntry(entry{cb: cb, delta: b.records, ts: r.Timestamp})
	}
	b.builder.Append(r)
	b.records++
}
