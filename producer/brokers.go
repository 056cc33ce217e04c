package producer

import "time"

// brokerSlot is the sender's connection to one broker and what limits sending to it.
type brokerSlot struct {
	id             int32
	conn           *brokerConn
	dialing        bool
	dialAfter      time.Time // reconnect backoff
	authErr        error     // the last connection attempt failed to authenticate
	inflight       int
	throttledUntil time.Time
}

type dialResult struct {
	id   int32
	conn *brokerConn
	err  error
}

// ready reports whether a new request may go to broker id now, connecting to it if need be.
func (s *sender) ready(id int32, view *clusterView, now time.Time) bool {
	slot := s.brokers[id]
	if slot == nil {
		slot = &brokerSlot{id: id}
		s.brokers[id] = slot
	}
	if c := slot.conn; c != nil && !c.usable(now) {
		if slot.inflight > 0 {
			// What is in flight on it is answered, or fails, first: its batches may have been
			// written, and a new connection must not carry later batches past them.
			return false
		}
		c.retire()
		slot.conn = nil
	}
	if slot.conn == nil {
		if addr, ok := view.brokers[id]; ok && !slot.dialing && !now.Before(slot.dialAfter) {
			slot.dialing = true
			go func() {
				conn, err := s.p.dial(s.p.ctx, addr)
				s.mu.Lock()
				s.dialed = append(s.dialed, dialResult{id, conn, err})
				s.mu.Unlock()
				s.notify()
			}()
		}
		return false
	}
	return slot.inflight < s.cfg.MaxInFlight && !now.Before(slot.throttledUntil)
}

// dialDone takes a connection made to a broker, or notes why none was. After an authentication
// failure, records waiting for the broker fail with it (see take) until the next attempt, after
// retry.backoff.max.ms.
func (s *sender) dialDone(d dialResult) {
	slot := s.brokers[d.id]
	slot.dialing = false
	slot.authErr = nil
	switch {
	case d.err == nil:
		slot.conn = d.conn
	case isAuthError(d.err):
		slot.authErr = d.err
		slot.dialAfter = time.Now().Add(max(s.cfg.RetryBackoffMax, s.cfg.RetryBackoff))
		s.p.warnf("broker refused authentication", "broker", d.id, "err", d.err)
	default:
		slot.dialAfter = time.Now().Add(s.cfg.RetryBackoff)
		s.p.logf("cannot connect to broker", "broker", d.id, "err", d.err)
		s.p.meta.refresh()
	}
}
