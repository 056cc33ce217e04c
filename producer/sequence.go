package producer

import "math"

// addSequence adds n to a sequence number, wrapping past MaxInt32 to 0 as Kafka does.
func addSequence(seq int32, n int32) int32 {
	return int32((int64(seq) + int64(n)) % (math.MaxInt32 + 1))
}

// seqBefore reports whether sequence a comes before b: sequences wrap past MaxInt32 to 0, so a
// is before b when b is less than half the range of sequences ahead of it.
func seqBefore(a, b int32) bool {
	d := (int64(b) - int64(a) + math.MaxInt32 + 1) % (math.MaxInt32 + 1)
	return d > 0 && d <= math.MaxInt32/2
}

// overtaken reports whether a batch after b, numbered under the current epoch, was acknowledged.
func (ps *partitionState) overtaken(b *batch) bool {
	return b.seq >= 0 && ps.lastAcked >= 0 && !seqBefore(ps.lastAcked, addSequence(b.seq, b.records-1))
}

// knownWritten reports whether the broker has written b: a later batch was acknowledged, which a
// broker that knows the producer allows only after this one, and an attempt of b may have been
// written (it went unanswered, or was answered with an error Kafka gives after appending). A
// batch overtaken without such an attempt was refused, and a broker without the producer's state
// took a later one first.
func (ps *partitionState) knownWritten(b *batch) bool { return b.maybeWritten && ps.overtaken(b) }

// gap notes that ps's sequences have a gap the broker will not accept: its batches wait for an
// epoch bump, which restarts every partition's sequences.
func (s *sender) gap(ps *partitionState) {
	ps.broken = true
	s.needBump = true
}

// unresolved reports whether a partition whose sequences are intact still has batches numbered
// under the current epoch, in flight or queued. They may have been written, so they must be
// resolved (acknowledged, or failed for good) under that epoch before an epoch bump renumbers
// what is left: renumbered, a written batch would be written again.
func (s *sender) unresolved(parts []*partitionState) bool {
	for _, ps := range parts {
		if ps.broken {
			continue
		}
		if ps.inflight > 0 {
			return true
		}
		ps.mu.Lock()
		numbered := len(ps.queue) > 0 && ps.queue[0].data != nil
		ps.mu.Unlock()
		if numbered {
			return true
		}
	}
	return false
}
