package producer

import (
	"fmt"

	"github.com/kwire-dev/kwire/wire"
)

// split answers MESSAGE_TOO_LARGE for a batch of several records as the Java client does: the
// batch goes back to its partition's queue as two halves, each finished anew. Under
// idempotence the halves keep the original's range of sequences, so the sequences of the batches
// after it stay valid: the broker wrote nothing of the original. The original completes when both
// halves have.
func (s *sender) split(b *batch) error {
	var rb wire.RecordBatch
	if _, err := rb.Decode(b.data); err != nil {
		return fmt.Errorf("producer: splitting a batch too large for the broker: %w", err)
	}
	n := int32(len(rb.Records) / 2)
	first, err := s.half(b, &rb, 0, n)
	if err != nil {
		return err
	}
	second, err := s.half(b, &rb, n, int32(len(rb.Records)))
	if err != nil {
		return err
	}
	s.p.mu.Lock()
	delete(s.p.incomplete, b)
	s.p.incomplete[first] = struct{}{}
	s.p.incomplete[second] = struct{}{}
	s.p.mu.Unlock()
	b.parts = 2
	s.p.stats.splits.Add(1)
	s.p.logf("splitting a batch the broker found too large", "topic", b.ps.tp.topic, "partition", b.ps.tp.partition, "records", b.records)
	b.ps.land(b)
	b.ps.requeue(first)
	b.ps.requeue(second)
	return nil
}

// half is a finished batch of b's records [from, to), with b's producer state and the sequence of
// its first record, and the callbacks of those records.
func (s *sender) half(b *batch, rb *wire.RecordBatch, from, to int32) (*batch, error) {
	h := &batch{ps: b.ps, parent: b, created: b.created, index: b.index + int64(from), records: to - from, seq: -1, attempts: b.attempts, sealed: true, done: make(chan struct{})}
	for i := from; i < to; i++ {
		h.builder.Append(&rb.Records[i])
	}
	for _, e := range b.entries {
		if e.delta >= from && e.delta < to {
			e.delta -= from
			h.entries = append(h.entries, e)
		}
	}
	hdr := wire.BatchHeader{PartitionLeaderEpoch: -1, Attributes: rb.Attributes, ProducerID: rb.ProducerID, ProducerEpoch: rb.ProducerEpoch, BaseSequence: -1}
	if b.seq >= 0 {
		h.seq = addSequence(b.seq, from)
		hdr.BaseSequence = h.seq
	}
	data, err := h.builder.Finish(nil, hdr, s.cfg.level())
	if err != nil {
		return nil, fmt.Errorf("producer: splitting a batch too large for the broker: %w", err)
	}
	h.data = data
	return h, nil
}
