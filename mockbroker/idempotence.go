package mockbroker

import (
	"math"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
)

// recentBatches is how many batches per producer and partition the broker remembers to recognise
// retries: Kafka keeps five, which is why idempotence allows at most five requests in flight.
const recentBatches = 5

// producerState is what the broker remembers of an idempotent producer: its current epoch and, per
// partition it wrote to, its latest batches (none once forgotten).
type producerState struct {
	epoch      int16
	partitions map[topicPartition][]batchMeta
}

type topicPartition struct {
	topic     string
	partition int32
}

// batchMeta identifies a written batch by its sequence range and says where it went.
type batchMeta struct {
	firstSeq, lastSeq int32
	baseOffset        int64
}

// sequenceCheck is the verdict on an idempotent batch: a code to answer with, or a duplicate's
// original offset (dup), or a go-ahead.
type sequenceCheck struct {
	code       int16
	dup        bool
	baseOffset int64
}

// checkSequence applies Kafka's rules to a batch from producer h.ProducerID at its epoch and
// sequence for tp. The caller holds c.mu.
func (c *Cluster) checkSequence(tp topicPartition, h *wire.BatchHeader) sequenceCheck {
	ps := c.producers[h.ProducerID]
	switch {
	case ps == nil:
		return sequenceCheck{code: kerr.UnknownProducerID.Code}
	case h.ProducerEpoch < ps.epoch:
		return sequenceCheck{code: kerr.InvalidProducerEpoch.Code}
	case h.ProducerEpoch > ps.epoch:
		if h.BaseSequence != 0 {
			return sequenceCheck{code: kerr.OutOfOrderSequenceNumber.Code}
		}
		ps.epoch = h.ProducerEpoch // a client-side epoch bump (KIP-360) starts sequences again
		ps.restartSequences()
		return sequenceCheck{}
	}
	recent, known := ps.partitions[tp]
	last := lastSequence(h)
	for _, b := range recent {
		if b.firstSeq == h.BaseSequence && b.lastSeq == last {
			return sequenceCheck{dup: true, baseOffset: b.baseOffset}
		}
	}
	if len(recent) == 0 {
		// Kafka takes the first batch of a producer it has no state for on the partition at any
		// sequence (its earlier batches may be gone with the log's retention); a partition that
		// knew the producer before an epoch bump or the ForgetSequences fault wants sequence 0.
		if known && h.BaseSequence != 0 {
			return sequenceCheck{code: kerr.OutOfOrderSequenceNumber.Code}
		}
		return sequenceCheck{}
	}
	if h.BaseSequence != nextSequence(recent[len(recent)-1].lastSeq) {
		return sequenceCheck{code: kerr.OutOfOrderSequenceNumber.Code}
	}
	return sequenceCheck{}
}

// rememberBatch records a written idempotent batch. The caller holds c.mu.
func (c *Cluster) rememberBatch(tp topicPartition, h *wire.BatchHeader, baseOffset int64) {
	ps := c.producers[h.ProducerID]
	recent := append(ps.partitions[tp], batchMeta{firstSeq: h.BaseSequence, lastSeq: lastSequence(h), baseOffset: baseOffset})
	if len(recent) > recentBatches {
		recent = recent[len(recent)-recentBatches:]
	}
	ps.partitions[tp] = recent
}

// forgetSequences forgets the latest batches on tp of every producer that wrote there (the
// ForgetSequences fault): the partition still knows them, but not where their sequences are.
// The caller holds c.mu.
func (c *Cluster) forgetSequences(tp topicPartition) {
	for _, ps := range c.producers {
		if _, ok := ps.partitions[tp]; ok {
			ps.partitions[tp] = []batchMeta{}
		}
	}
}

// forgetProducers forgets every producer on tp (the ForgetProducers fault). The caller holds c.mu.
func (c *Cluster) forgetProducers(tp topicPartition) {
	for _, ps := range c.producers {
		delete(ps.partitions, tp)
	}
}

// restartSequences forgets the producer's latest batches everywhere under a new epoch: every
// partition that knew it wants sequence 0 next.
func (ps *producerState) restartSequences() {
	for tp := range ps.partitions {
		ps.partitions[tp] = []batchMeta{}
	}
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

// initProducer hands out a producer id and epoch (InitProducerId). Given the id and epoch a
// producer holds now, it bumps the epoch (KIP-360) and forgets the sequences; given nothing, it
// allocates a new id at epoch 0. The caller holds c.mu.
func (c *Cluster) initProducer(id int64, epoch int16) (int64, int16, int16) {
	if id >= 0 {
		ps := c.producers[id]
		switch {
		case ps == nil:
			return -1, -1, kerr.UnknownProducerID.Code
		case epoch != ps.epoch:
			return -1, -1, kerr.InvalidProducerEpoch.Code
		case ps.epoch < math.MaxInt16-1:
			ps.epoch++
			ps.restartSequences()
			return id, ps.epoch, 0
		}
	}
	c.nextProducerID++
	c.producers[c.nextProducerID] = &producerState{partitions: make(map[topicPartition][]batchMeta)}
	return c.nextProducerID, 0, 0
}
