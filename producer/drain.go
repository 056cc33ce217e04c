package producer

import (
	"cmp"
	"time"
)

// drain sends what is ready and returns when it next needs to look.
func (s *sender) drain(now time.Time) time.Time {
	next := now.Add(idle)
	s.p.mu.RLock()
	parts, flushing := s.p.partitions, s.p.flushing > 0 || s.p.closed.Load()
	s.p.mu.RUnlock()
	mode := sendEverything
	if s.cfg.Idempotence != Off && (s.pid < 0 || s.needBump) {
		if now.Before(s.pidAfter) && s.pidAfter.Before(next) {
			next = s.pidAfter // the next InitProducerId may go then
		}
		if s.pid < 0 || !s.unresolved(parts) {
			s.initProducerID()
		}
		mode = sendResolving
		if s.pid < 0 || s.pidPending {
			mode = sendNone
		}
	}
	view := s.p.meta.current()
	requests := map[int32]*produceBuild{}
	for _, ps := range parts {
		b, wake := s.take(ps, now, flushing, mode, view, requests)
		if wake.Before(next) {
			next = wake
		}
		if b == nil {
			continue
		}
		leader := view.topics[ps.tp.topic].leaders[ps.tp.partition]
		build := requests[leader]
		if build == nil {
			build = &produceBuild{}
			requests[leader] = build
		}
		if err := s.prepare(b); err != nil {
			s.settle(b, failed(err))
			continue
		}
		build.add(b)
		if build.size >= s.cfg.MaxRequestSize-len(b.data) {
			s.dispatch(leader, build)
			delete(requests, leader) // the next request to it waits for an in-flight slot
		}
	}
	for leader, build := range requests {
		if len(build.batches) > 0 {
			s.dispatch(leader, build)
		}
	}
	return next
}

// sendMode is what drain may send.
type sendMode int

const (
	sendEverything sendMode = iota
	sendResolving           // before an epoch bump: batches already numbered, of partitions without a gap
	sendNone                // while waiting for a producer id or a new epoch
)

// take seals ps's open batch if its linger is over, fails the batches past delivery.timeout.ms,
// and returns the batch to send now, if mode lets one go, and when to look at ps again.
func (s *sender) take(ps *partitionState, now time.Time, flushing bool, mode sendMode, view *clusterView, requests map[int32]*produceBuild) (*batch, time.Time) {
	wake := now.Add(idle)
	var expired, refused []*batch
	var refusal error
	defer func() {
		for _, b := range expired {
			if b.seq >= 0 {
				s.gap(ps)
			}
			s.settle(b, failed(&DeliveryTimeoutError{Topic: ps.tp.topic, Partition: ps.tp.partition, Timeout: s.cfg.DeliveryTimeout, Last: cmp.Or(b.lastErr, s.pidErr)}))
		}
		s.failRefused(ps, refused, refusal)
	}()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if open := ps.open(); open != nil {
		// Past its linger, the open batch is sealed only when it is next to go: behind queued
		// batches (a leader that is down, requests in flight) it keeps taking records, as the
		// Java client's last batch of a partition does until the sender takes it, so that what
		// piles up meanwhile goes out in full batches rather than one per linger.ms.
		switch end := open.created.Add(s.cfg.Linger); {
		case flushing || open.builder.Size() >= s.cfg.BatchSize || !now.Before(end) && len(ps.queue) == 1:
			open.sealed = true
		case now.Before(end):
			wake = end
		}
	}
	for len(ps.queue) > 0 && now.Sub(ps.queue[0].created) >= s.cfg.DeliveryTimeout {
		expired = append(expired, ps.queue[0])
		ps.queue = ps.queue[1:]
	}
	if len(ps.queue) == 0 {
		return nil, wake
	}
	head := ps.queue[0]
	switch {
	case head == ps.open():
		return nil, wake // still taking records
	case head.retryAt.After(now):
		return nil, head.retryAt
	case mode == sendNone, mode == sendResolving && (ps.broken || head.data == nil):
		return nil, wake
	case s.cfg.Idempotence != Off && ps.inflight > 0 && (ps.retrying || ps.lastAcked < 0):
		// One batch at a time while one is retried, and until the partition has acknowledged
		// one under this epoch: a broker without the producer's state for a partition takes
		// whatever sequence comes first, so a later batch must not get there before the first
		// (if the first met NOT_LEADER_OR_FOLLOWER, say), or the first could never follow it.
		return nil, wake
	}
	tv := view.topics[ps.tp.topic]
	if tv == nil || int(ps.tp.partition) >= len(tv.leaders) || tv.leaders[ps.tp.partition] < 0 {
		s.p.meta.refresh()
		return nil, wake
	}
	leader := tv.leaders[ps.tp.partition]
	if ps.inflight > 0 && ps.inflightTo != leader {
		// A partition's batches are in flight to one broker at a time: after its leader moved,
		// those still out to the old one are answered (or fail) first, for the new one would
		// refuse later batches that came before them (OUT_OF_ORDER_SEQUENCE_NUMBER).
		return nil, wake
	}
	if _, started := requests[leader]; !started && !s.ready(leader, view, now) {
		if refusal = s.brokers[leader].authErr; refusal != nil {
			refused, ps.queue = ps.queue, nil // the leader refused to authenticate the producer
		}
		return nil, wake
	}
	ps.queue = ps.queue[1:]
	head.sealed, head.inflight = true, true
	ps.inflight++
	ps.inflightTo = leader
	return head, wake
}

// failRefused fails batches taken from ps's queue because their broker refused to authenticate
// the producer.
func (s *sender) failRefused(ps *partitionState, batches []*batch, err error) {
	for _, b := range batches {
		if b.seq >= 0 {
			s.gap(ps) // later batches need a new epoch
		}
		s.settle(b, failed(err))
	}
}
