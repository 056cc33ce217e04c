package producer

import (
	"cmp"
	"slices"
	"time"
)

// result is how a batch ended: written, at baseOffset with logAppendTime when the broker says
// (-1 when it does not), or failed with err.
type result struct {
	baseOffset, logAppendTime int64
	err                       error
}

// writtenAt is the result of a batch the broker wrote.
func writtenAt(baseOffset, logAppendTime int64) result {
	return result{baseOffset: baseOffset, logAppendTime: logAppendTime}
}

// failed is the result of a batch that failed with err.
func failed(err error) result { return result{baseOffset: -1, logAppendTime: -1, err: err} }

// settle is the one way a batch ends. It takes the batch out of flight, if it was in flight, and
// gives it its result; the batch completes (its callbacks run, its memory goes back) once every
// earlier batch of its partition has, so that a partition's callbacks come in send order even
// when a retried batch is answered after a later one. settle runs on the sender's goroutine, or
// on Close's once the sender has stopped.
func (s *sender) settle(b *batch, r result) {
	ps := b.ps
	if b.inflight {
		ps.land(b)
	}
	b.result, b.settled = r, true
	if b.index != ps.completed {
		ps.held = append(ps.held, b)
		return
	}
	s.complete(b)
	for i := 0; i < len(ps.held); i++ {
		if h := ps.held[i]; h.index == ps.completed {
			ps.held = slices.Delete(ps.held, i, i+1)
			s.complete(h)
			i = -1
		}
	}
}

// complete runs a settled batch's callbacks and releases it. The stats count the batch's records
// first, so that a callback sees its own record counted; the batch stays among the incomplete ones
// until its memory is back, so that Flush also waits for the memory.
func (s *sender) complete(b *batch) {
	ps := b.ps
	ps.completed = b.index + int64(b.records)
	if err := b.result.err; err != nil {
		s.p.stats.failed.Add(int64(b.records))
		for _, e := range b.entries {
			e.cb(Metadata{Topic: ps.tp.topic, Partition: ps.tp.partition, Offset: -1}, err)
		}
		s.p.logf("records failed", "topic", ps.tp.topic, "partition", ps.tp.partition, "records", b.records, "err", err)
	} else {
		s.p.stats.delivered.Add(int64(b.records))
		for _, e := range b.entries {
			md := Metadata{Topic: ps.tp.topic, Partition: ps.tp.partition, Offset: -1, Timestamp: time.UnixMilli(e.ts)}
			if b.result.baseOffset >= 0 {
				md.Offset = b.result.baseOffset + int64(e.delta)
			}
			if b.result.logAppendTime >= 0 {
				md.Timestamp = time.UnixMilli(b.result.logAppendTime)
			}
			e.cb(md, nil)
		}
	}
	s.p.release(b)
	s.p.mu.Lock()
	delete(s.p.incomplete, b)
	s.p.mu.Unlock()
}

// failAll settles every incomplete batch with err, in record order; the sender has stopped, and
// Close's goroutine settles in its stead. The partitions hand over their queues first, under
// their locks: Send, which adds no record once the producer is closed, cannot add to a batch
// being failed.
func (s *sender) failAll(err error) {
	s.p.mu.RLock()
	parts := s.p.partitions
	s.p.mu.RUnlock()
	for _, ps := range parts {
		ps.detach()
	}
	s.p.mu.Lock()
	left := make([]*batch, 0, len(s.p.incomplete))
	for b := range s.p.incomplete {
		if !b.settled {
			left = append(left, b)
		}
	}
	s.p.mu.Unlock()
	slices.SortFunc(left, func(a, b *batch) int { return cmp.Compare(a.index, b.index) })
	for _, b := range left {
		s.settle(b, failed(err))
	}
}

// release gives a batch's buffer and memory back and wakes those waiting for it; the last half of
// a split batch releases the original.
func (p *Producer) release(b *batch) {
	if b.buf != nil {
		p.bufs.put(b.buf)
	}
	b.recycleEntries()
	p.mem.release(b.reserved)
	if parent := b.parent; parent != nil {
		if parent.parts--; parent.parts == 0 {
			p.release(parent)
		}
	}
	close(b.done)
}
