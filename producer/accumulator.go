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

// partitionState is one partition's batches: the open one that Send appends to, and the closed
// ones waiting to be sent. Send and the sender share it under mu; the fields after mu's are the
// sender's alone.
type partitionState struct {
	tp topicPartition

	mu    sync.Mutex
	open  *batch
	queue []*batch // closed batches, in send order (retries go back in record order)
	// closedRecords counts the records of the batches closed so far: the index the next closed
	// batch's first record gets.
	closedRecords int64

	inflight   int      // batches of this partition in flight
	inflightTo int32    // the broker they are in flight to
	nextSeq    int32    // the sequence the next new batch gets (idempotence)
	retrying   bool     // a batch came back for a retry: one in flight at a time until it lands
	lastAcked  int32    // the last sequence the broker acknowledged, -1 for none
	broken     bool     // a sequence gap: its batches wait for an epoch bump
	completed  int64    // the index of the first record whose batch is not complete
	held       []*batch // settled batches waiting for an earlier one to complete
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
	index    int64 // the partition's count of records before this batch's first, once closed

	data     []byte // the finished batch, kept for retries
	seq      int32  // base sequence, -1 until assigned
	attempts int
	lastErr  error // why the last attempt failed
	// maybeWritten: an attempt may have been written, unanswered or answered with an error that
	// can come after the broker appended it (see mayHaveWritten).
	maybeWritten bool

	// The outcome, once settled: the broker's base offset and log-append time (-1 if none), or
	// why the batch failed.
	baseOffset, logAppendTime int64
	err                       error
	retryAt                   time.Time
	done                      chan struct{} // closed on completion

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
