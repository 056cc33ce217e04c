package producer

import (
	"math/rand/v2"
	"sync"
)

// stickyPartition is the uniform sticky partitioner of KIP-794 for records without a key: all go
// to one partition until batch.size bytes have gone there, then to another chosen at random, so
// batches fill up instead of being spread thin across every partition.
//
// The Java client also weighs partitions by their brokers' queue lengths (adaptive partitioning);
// kwire picks uniformly.
type stickyPartition struct {
	mu      sync.Mutex
	current int32
	bytes   int
	started bool
}

// next is the partition for a record of size bytes among n partitions.
func (s *stickyPartition) next(n int32, size, batchSize int) int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started || s.bytes >= batchSize || s.current >= n {
		s.started, s.bytes = true, 0
		s.current = s.pick(n)
	}
	s.bytes += size
	return s.current
}

// pick chooses a partition other than the current one when there is a choice.
func (s *stickyPartition) pick(n int32) int32 {
	if n == 1 {
		return 0
	}
	p := rand.Int32N(n - 1)
	if s.started && p >= s.current {
		p++
	}
	return p
}
