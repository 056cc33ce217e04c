package producer

import (
	"cmp"
	"slices"
	"time"
)

// fail settles a batch with err for each of its records.
func (s *sender) fail(b *batch, err error) {
	b.err = err
	s.deliver(b)
}

// deliver completes a settled batch once every earlier batch of its partition is complete, so
// that a partition's callbacks come in send order even when a retried batch is answered after a
// later one.
func (s *sender) deliver(b *batch) {
	ps := b.ps
	if b.index != ps.completed {
		ps.held = append(ps.held, b)
		return
	}
	s.callBack(b)
	for i := 0; i < len(ps.held); i++ {
		if h := ps.held[i]; h.index == ps.completed {
			ps.held = slices.Delete(ps.held, i, i+1)
			s.callBack(h)
			i = -1
		}
	}
}

// callBack runs a settled batch's callbacks and completes it. The stats count the batch's
// records first, so that a callback sees its own record counted.
func (s *sender) callBack(b *batch) {
	ps := b.ps
	ps.completed = b.index + int64(b.records)
	if b.err != nil {
		s.p.stats.failed.Add(int64(b.records))
		for _, e := range b.entries {
			e.cb(Metadata{Topic: ps.tp.topic, Partition: ps.tp.partition, Offset: -1}, b.err)
		}
		s.p.logf("records failed", "topic", ps.tp.topic, "partition", ps.tp.partition, "records", b.records, "err", b.err)
		s.p.finish(b)
		return
	}
	s.p.stats.delivered.Add(int64(b.records))
	for _, e := range b.entries {
		md := Metadata{Topic: ps.tp.topic, Partition: ps.tp.partition, Offset: -1, Timestamp: time.UnixMilli(e.ts)}
		if b.baseOffset >= 0 {
			md.Offset = b.baseOffset + int64(e.delta)
		}
		if b.logAppendTime >= 0 {
			md.Timestamp = time.UnixMilli(b.logAppendTime)
		}
		e.cb(md, nil)
	}
	s.p.finish(b)
}

// failAll fails every incomplete batch; the sender has stopped. Open and queued batches are
// detached first, under their partition's lock, so that no Send adds to a batch being failed;
// batches settled but held for an earlier one complete with their own outcome.
func (s *sender) failAll(err error) {
	s.p.mu.RLock()
	parts := s.p.partitions
	s.p.mu.RUnlock()
	for _, ps := range parts {
		ps.mu.Lock()
		ps.open, ps.queue = nil, nil
		ps.mu.Unlock()
		slices.SortFunc(ps.held, func(a, b *batch) int { return cmp.Compare(a.index, b.index) })
		for _, b := range ps.held {
			s.callBack(b)
		}
		ps.held = nil
	}
	s.p.mu.Lock()
	left := make([]*batch, 0, len(s.p.incomplete))
	for b := range s.p.incomplete {
		left = append(left, b)
	}
	s.p.mu.Unlock()
	for _, b := range left {
		b.err = err
		s.callBack(b)
	}
}

// finish releases a completed batch's memory and wakes those waiting for it. The batch stays
// among the incomplete ones until then, so that Flush also waits for its memory.
func (p *Producer) finish(b *batch) {
	p.mu.Lock()
	_, ok := p.incomplete[b]
	p.mu.Unlock()
	if !ok {
		return
	}
	p.release(b)
	p.mu.Lock()
	delete(p.incomplete, b)
	p.mu.Unlock()
}

// release gives a completed batch's buffer and memory back and wakes those waiting for it; the
// last half of a split batch completes the original.
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
