package producer

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// initProducerIDVersions: v3 is the first that bumps an epoch (KIP-360); v5 the last Kafka 3.9
// and 4.0 serve without transactions' two-phase commit.
var initProducerIDVersions = protocol.VersionRange{Min: 0, Max: 5}

type pidResult struct {
	id      int64
	epoch   int16
	bump    bool // the request carried the producer id, for a new epoch of it
	refused bool // err is the broker's answer, an error retrying cannot change
	err     error
}

// initProducerID asks for a producer id, or for a new epoch of the current one once nothing is in
// flight, unless a request is already out.
func (s *sender) initProducerID() {
	if s.pidPending || time.Now().Before(s.pidAfter) {
		return
	}
	for _, slot := range s.brokers {
		if slot.inflight > 0 {
			return
		}
	}
	s.pidPending = true
	id, epoch := s.pid, s.epoch
	go func() {
		r := s.p.requestProducerID(s.p.ctx, id, epoch)
		s.mu.Lock()
		s.pidDone = &r
		s.mu.Unlock()
		s.notify()
	}()
}

// requestProducerID sends InitProducerId to any broker: for a new id, or (id >= 0) a new epoch.
func (p *Producer) requestProducerID(ctx context.Context, id int64, epoch int16) pidResult {
	conn, err := p.meta.connection(ctx)
	if err != nil {
		return pidResult{err: err}
	}
	v, err := conn.version(protocol.KeyInitProducerID, initProducerIDVersions)
	if err != nil {
		return pidResult{err: err}
	}
	req := &protocol.InitProducerIDRequest{TransactionTimeoutMs: math.MaxInt32, ProducerID: -1, ProducerEpoch: -1}
	if v >= 3 && id >= 0 {
		req.ProducerID, req.ProducerEpoch = id, epoch
	}
	bump := req.ProducerID >= 0
	resp := new(protocol.InitProducerIDResponse)
	if err := conn.roundTrip(ctx, v, req, resp); err != nil {
		return pidResult{bump: bump, err: err}
	}
	if err := kerr.ForCode(resp.ErrorCode); err != nil {
		return pidResult{bump: bump, refused: !kerr.IsRetriable(err), err: err}
	}
	return pidResult{id: resp.ProducerID, epoch: resp.ProducerEpoch}
}

// failWaiting fails every batch not yet sent, open or queued, with err.
func (s *sender) failWaiting(err error) {
	s.p.mu.RLock()
	parts := s.p.partitions
	s.p.mu.RUnlock()
	for _, ps := range parts {
		s.failRefused(ps, ps.detach(), err)
	}
}

// gotProducerID takes a new producer id or epoch. After an epoch bump every partition's
// sequences restart at 0, and batches already numbered are renumbered in their queue order: the
// sender bumps only once nothing numbered may still have been written (see unresolved).
func (s *sender) gotProducerID(r *pidResult) {
	s.pidPending = false
	if r.err != nil {
		s.producerIDFailed(r)
		return
	}
	s.pid, s.epoch = r.id, r.epoch
	s.pidFailures, s.pidErr = 0, nil
	if !s.needBump {
		return
	}
	s.needBump = false
	s.p.mu.RLock()
	parts := s.p.partitions
	s.p.mu.RUnlock()
	for _, ps := range parts {
		written := s.renumber(ps)
		for _, b := range written {
			s.settle(b, writtenAt(-1, -1))
		}
	}
}

// producerIDFailed handles an InitProducerId request that failed. A new epoch the broker refused
// with an error retrying cannot change (it does not know the producer id, say, after a restart) is
// asked for no more: the producer forgets its id and asks at once for a new one, under which the
// sequences restart as after a bump. A new id refused so fails the records waiting for it. Other
// failures are retried after a backoff that grows with each, as a batch's does.
func (s *sender) producerIDFailed(r *pidResult) {
	switch {
	case isAuthError(r.err):
		// Nothing can be sent without a producer id: what waits for one fails, as the Java
		// client's idempotent producer fails its batches on an AuthenticationException.
		s.pidAfter = time.Now().Add(max(s.cfg.RetryBackoffMax, s.cfg.RetryBackoff))
		s.p.warnf("InitProducerId: broker refused authentication", "err", r.err)
		s.failWaiting(r.err)
	case r.refused && r.bump:
		s.p.warnf("InitProducerId: the broker refused a new epoch; asking for a new producer id",
			"producer_id", s.pid, "epoch", s.epoch, "err", r.err)
		s.pid, s.epoch = -1, -1
	case r.refused:
		// Records wait for an id in vain: they fail now rather than at delivery.timeout.ms.
		// The next request, for those sent meanwhile, waits for retry.backoff.max.ms.
		s.pidAfter = time.Now().Add(max(s.cfg.RetryBackoffMax, s.cfg.RetryBackoff))
		s.p.warnf("InitProducerId: the broker refused a producer id; records waiting for one fail", "err", r.err)
		s.failWaiting(fmt.Errorf("producer: InitProducerId refused: %w", r.err))
	default:
		s.pidFailures++
		s.pidErr = fmt.Errorf("producer: InitProducerId: %w", r.err)
		s.pidAfter = time.Now().Add(s.backoff(s.pidFailures))
		s.p.logf("InitProducerId failed", "err", r.err, "attempt", s.pidFailures)
		s.p.meta.refresh()
	}
}

// renumber restarts ps's sequences under the new epoch: its queued batches already numbered get
// new sequences in their order, except those the broker is known to have written, a later batch
// of the old epoch having been acknowledged (one whose answer was a timeout, say), which it
// takes out of the queue and returns: sent again, they would be written twice.
func (s *sender) renumber(ps *partitionState) (written []*batch) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.nextSeq = 0
	kept := ps.queue[:0]
	for _, b := range ps.queue {
		switch {
		case b.data == nil:
		case ps.knownWritten(b):
			written = append(written, b)
			continue
		default:
			b.seq = ps.nextSeq
			ps.nextSeq = addSequence(ps.nextSeq, b.records)
			wire.SetProducerState(b.data, s.pid, s.epoch, b.seq)
		}
		kept = append(kept, b)
	}
	clear(ps.queue[len(kept):])
	ps.queue = kept
	ps.lastAcked, ps.broken = -1, false
	return written
}
