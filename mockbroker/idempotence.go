package mockbroker

import (
	"math"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
)

// recentBatches is how many batches per producer and partition the broker remembers to recognise
// retries: Kafka keeps five, which is why idempotence allows at most five requests in flight.
const recentBatches = 5

// producerEntry is what a partition remembers of an idempotent producer, as Kafka's producer
// state does: the epoch of its latest batch and its latest batches at that epoch.
type producerEntry struct {
	epoch   int16
	batches []batchMeta // oldest first, at most recentBatches
}

type topicPartition struct {
	topic     string
	partition int32
}

// batchMeta identifies a written batch by its sequence range and says where it went and its
// largest timestamp (the broker's, with log-append time), which a retry is answered with.
type batchMeta struct {
	firstSeq, lastSeq int32
	baseOffset        int64
	maxTimestamp      int64
}

// sequenceCheck is the verdict on an idempotent batch: a code to answer with, or a duplicate's
// original batch (dup), or a go-ahead.
type sequenceCheck struct {
	code int16
	dup  *batchMeta
}

// checkSequence applies Kafka's rules to a batch from producer h.ProducerID at its epoch and
// sequence for part: a retry of one of the producer's latest batches at its epoch is a duplicate;
// an older epoch is INVALID_PRODUCER_EPOCH; a newer one must start at sequence 0; at the same epoch
// the batch must follow the last one. A producer the partition has no state for may start at any
// sequence, as Kafka lets it (its state may have been deleted with its records). The caller holds
// c.mu.
func checkSequence(part *partition, h *wire.BatchHeader) sequenceCheck {
	e := part.producers[h.ProducerID]
	if e == nil {
		return sequenceCheck{}
	}
	last := lastSequence(h)
	if h.ProducerEpoch == e.epoch {
		for i := range e.batches {
			if b := &e.batches[i]; b.firstSeq == h.BaseSequence && b.lastSeq == last {
				return sequenceCheck{dup: b}
			}
		}
	}
	switch {
	case h.ProducerEpoch < e.epoch:
		return sequenceCheck{code: kerr.InvalidProducerEpoch.Code}
	case h.ProducerEpoch > e.epoch:
		if h.BaseSequence != 0 {
			return sequenceCheck{code: kerr.OutOfOrderSequenceNumber.Code}
		}
		return sequenceCheck{}
	}
	lastSeq := int32(-1) // a producer whose batches were forgotten starts again at 0
	if n := len(e.batches); n > 0 {
		lastSeq = e.batches[n-1].lastSeq
	}
	if h.BaseSequence != nextSequence(lastSeq) {
		return sequenceCheck{code: kerr.OutOfOrderSequenceNumber.Code}
	}
	return sequenceCheck{}
}

// rememberBatch records a written idempotent batch; a new epoch starts the producer's batches
// again. The caller holds c.mu.
func rememberBatch(part *partition, h *wire.BatchHeader, baseOffset, maxTimestamp int64) {
	if part.producers == nil {
		part.producers = map[int64]*producerEntry{}
	}
	e := part.producers[h.ProducerID]
	switch {
	case e == nil:
		e = &producerEntry{epoch: h.ProducerEpoch}
		part.producers[h.ProducerID] = e
	case e.epoch != h.ProducerEpoch:
		e.epoch, e.batches = h.ProducerEpoch, nil
	}
	e.batches = append(e.batches, batchMeta{firstSeq: h.BaseSequence, lastSeq: lastSequence(h), baseOffset: baseOffset, maxTimestamp: maxTimestamp})
	if len(e.batches) > recentBatches {
		e.batches = e.batches[len(e.batches)-recentBatches:]
	}
}

// forgetSequences makes part forget the latest batches of every producer, though not their
// epochs (the ForgetSequences fault): each must start again at sequence 0. The caller holds c.mu.
func forgetSequences(part *partition) {
	for _, e := range part.producers {
		e.batches = nil
	}
}

// forgetProducers makes part forget every idempotent producer (the ForgetProducers fault), as a
// leader without their state, or a broker before Kafka 2.4 whose retention removed their batches,
// does: each may start again at any sequence. Retention leaves them (see retention.go). The
// caller holds c.mu.
func forgetProducers(part *partition) {
	clear(part.producers)
}

// lastSequence is the sequence of the batch's last record; sequences wrap from MaxInt32 to 0.
func lastSequence(h *wire.BatchHeader) int32 {
	return int32((int64(h.BaseSequence) + int64(h.LastOffsetDelta)) % (math.MaxInt32 + 1))
}

func nextSequence(seq int32) int32 {
	if seq == math.MaxInt32 {
		return 0
	}
	return seq + 1
}

// initProducer hands an idempotent producer a new producer id at epoch 0 (InitProducerId). As in
// Kafka, the id and epoch a producer may send (v3+) do not matter for one that is not
// transactional, but sending one of them without the other is INVALID_REQUEST. The caller holds
// c.mu.
func (c *Cluster) initProducer(id int64, epoch int16) (int64, int16, int16) {
	if (id == -1) != (epoch == -1) {
		return -1, -1, kerr.InvalidRequest.Code
	}
	c.nextProducerID++
	return c.nextProducerID, 0, 0
}
