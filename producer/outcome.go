package producer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// produceDone handles a finished produce call, batch by batch.
func (s *sender) produceDone(cl *call) {
	now := time.Now()
	slot := s.brokers[cl.broker] // by id: its connection may have been replaced since
	slot.inflight--
	s.p.stats.inflight.Add(-1)
	if !cl.sentAt.IsZero() {
		s.p.stats.noteLatency(now.Sub(cl.sentAt))
	}
	if cl.err != nil {
		s.p.stats.noteError("NETWORK")
		for _, b := range cl.batches {
			b.maybeWritten = true
			s.retryOrFail(b, cl.err, now)
		}
		return
	}
	if cl.resp == nil { // acks=0
		for _, b := range cl.batches {
			s.acknowledged(b, -1, -1)
		}
		return
	}
	resp := cl.resp.(*protocol.ProduceResponse)
	if resp.ThrottleTimeMs > 0 {
		slot.throttledUntil = now.Add(time.Duration(resp.ThrottleTimeMs) * time.Millisecond)
	}
	for _, b := range cl.batches {
		pr, ok := findPartition(resp, b.ps.tp)
		if !ok {
			s.retryOrFail(b, &NetworkError{Addr: cl.conn.addr, Err: errors.New("produce response without the partition")}, now)
			continue
		}
		s.outcome(b, pr, now)
	}
}

// findPartition finds tp's answer in a produce response.
func findPartition(resp *protocol.ProduceResponse, tp topicPartition) (*protocol.ProducePartitionResponse, bool) {
	for i := range resp.Responses {
		t := &resp.Responses[i]
		if t.Name != tp.topic {
			continue
		}
		for j := range t.PartitionResponses {
			if t.PartitionResponses[j].Index == tp.partition {
				return &t.PartitionResponses[j], true
			}
		}
	}
	return nil, false
}

// outcome applies one partition's answer to its batch.
func (s *sender) outcome(b *batch, pr *protocol.ProducePartitionResponse, now time.Time) {
	err := kerr.ForCode(pr.ErrorCode)
	switch {
	case err == nil:
		s.acknowledged(b, pr.BaseOffset, pr.LogAppendTimeMs)
		return
	case errors.Is(err, kerr.DuplicateSequenceNumber):
		s.acknowledged(b, -1, -1)
		return
	case errors.Is(err, kerr.MessageTooLarge) && b.records > 1:
		serr := s.split(b)
		if serr == nil {
			return
		}
		err = serr
	}
	s.p.stats.noteError(err.(*kerr.Error).Name)
	if mayHaveWritten(err) {
		b.maybeWritten = true
	}
	idempotent := s.cfg.Idempotence != Off
	switch {
	case idempotent && (errors.Is(err, kerr.OutOfOrderSequenceNumber) || errors.Is(err, kerr.UnknownProducerID)):
		switch ps := b.ps; {
		case ps.knownWritten(b):
			// Its acknowledgement was lost, and the broker no longer remembers it among its
			// latest batches.
			s.acknowledged(b, -1, -1)
			return
		case ps.overtaken(b):
			// No attempt of it was written, yet later batches were: the broker had no state
			// for the producer when it took them, and takes any sequence first. Its turn is
			// gone, and retries would only meet OUT_OF_ORDER again.
			s.settle(b, failed(fmt.Errorf("%w (the broker wrote later batches of the partition, and never this one)", err)))
			return
		case b.seq == addSequence(ps.lastAcked, 1) || ps.lastAcked < 0 && b.seq == 0:
			// The broker lost the producer's state for the partition (KIP-360): restart the
			// sequences under a new epoch and send again.
			s.gap(ps)
		}
		s.retry(b, err, now)
	default:
		if kerr.IsStaleMetadata(err) {
			s.p.meta.refresh() // the leader moved: the next attempt goes where metadata says
		}
		s.retryOrFail(b, err, now)
	}
}

// acknowledged settles a batch that the broker wrote at baseOffset (-1 if unknown).
func (s *sender) acknowledged(b *batch, baseOffset, logAppendTime int64) {
	ps := b.ps
	if last := addSequence(b.seq, b.records-1); b.seq >= 0 && (ps.lastAcked < 0 || seqBefore(ps.lastAcked, last)) {
		ps.lastAcked = last // a retry acknowledged after later batches leaves it where they took it
	}
	s.settle(b, writtenAt(baseOffset, logAppendTime))
}

// mayHaveWritten reports whether a produce error leaves open that the broker wrote the batch:
// Kafka answers these after appending it, or after failing midway; every other error refuses a
// batch before it is written.
func mayHaveWritten(err error) bool {
	for _, after := range []error{kerr.RequestTimedOut, kerr.NotEnoughReplicasAfterAppend, kerr.KafkaStorageError, kerr.UnknownServerError} {
		if errors.Is(err, after) {
			return true
		}
	}
	return false
}

// retryOrFail sends a batch again after a backoff if err allows it and time remains, and fails
// it otherwise.
func (s *sender) retryOrFail(b *batch, err error, now time.Time) {
	var ne *NetworkError
	retriable := errors.As(err, &ne) || kerr.IsRetriable(err)
	if !retriable || b.attempts >= s.cfg.Retries || now.Sub(b.created) >= s.cfg.DeliveryTimeout {
		if retriable {
			err = &DeliveryTimeoutError{Topic: b.ps.tp.topic, Partition: b.ps.tp.partition, Timeout: s.cfg.DeliveryTimeout, Last: err}
		}
		if b.seq >= 0 {
			s.gap(b.ps) // later batches need a new epoch
		}
		s.settle(b, failed(err))
		return
	}
	if ne != nil {
		s.p.meta.refresh()
	}
	s.retry(b, err, now)
}

// retry puts a batch back in its partition's queue to go again after the backoff.
func (s *sender) retry(b *batch, err error, now time.Time) {
	ps := b.ps
	ps.land(b)
	b.attempts++
	b.lastErr = err
	b.retryAt = now.Add(s.backoff(b.attempts))
	s.p.logf("retrying batch", "topic", ps.tp.topic, "partition", ps.tp.partition, "attempt", b.attempts, "err", err)
	ps.requeue(b)
}

// backoff is the wait before attempt n: retry.backoff.ms doubling up to retry.backoff.max.ms,
// with 20% jitter, as the Java client does.
func (s *sender) backoff(attempt int) time.Duration {
	d := float64(s.cfg.RetryBackoff) * math.Pow(2, float64(attempt-1))
	d = min(d, float64(max(s.cfg.RetryBackoffMax, s.cfg.RetryBackoff)))
	return time.Duration(d * (0.8 + 0.4*rand.Float64()))
}

// land notes that b, in flight, is back: answered, or failed with its connection. With none left
// in flight, the partition sends several at a time again unless its next batch is a retry.
func (ps *partitionState) land(b *batch) {
	b.inflight = false
	ps.inflight--
	if ps.retrying && ps.inflight == 0 {
		ps.mu.Lock()
		ps.retrying = len(ps.queue) > 0 && ps.queue[0].attempts > 0
		ps.mu.Unlock()
	}
}

// requeue puts a batch that came back from the broker into the queue in its place by the order
// of their records, and holds the partition to one batch in flight until it lands.
func (ps *partitionState) requeue(b *batch) {
	ps.mu.Lock()
	i := 0
	for i < len(ps.queue) && ps.queue[i].index < b.index {
		i++
	}
	ps.queue = append(ps.queue, nil)
	copy(ps.queue[i+1:], ps.queue[i:])
	ps.queue[i] = b
	ps.mu.Unlock()
	ps.retrying = true
}
