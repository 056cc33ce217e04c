package producer

import (
	"sync"
	"sync/atomic"
)

// Partitioner chooses the partition of a record that does not name one, like the Java client's
// Partitioner. It is called from the goroutine that sends the record, so it must be safe for
// concurrent use.
type Partitioner interface {
	// Partition returns a partition in [0, partitions) for a record of topic with key (nil for a
	// null key).
	Partition(topic string, key []byte, partitions int32) int32
}

// murmur2 is the 32-bit MurmurHash2 the Java client hashes keys with (Utils.murmur2), with its
// seed 0x9747b28c.
func murmur2(data []byte) int32 {
	const (
		seed = 0x9747b28c
		m    = 0x5bd1e995
		r    = 24
	)
	h := uint32(seed) ^ uint32(len(data))
	for len(data) >= 4 {
		k := uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16 | uint32(data[3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
		data = data[4:]
	}
	switch len(data) {
	case 3:
		h ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// KeyPartition is the partition the Java client's default partitioner gives a non-null key:
// toPositive(murmur2(key)) % partitions.
func KeyPartition(key []byte, partitions int32) int32 {
	return (murmur2(key) & 0x7fffffff) % partitions
}

// RoundRobinPartitioner is the Java client's RoundRobinPartitioner: it ignores keys and hands each
// topic's records to its partitions in turn, 0, 1, 2, ..., with one counter per topic, for when an
// even spread of records matters more than batching (records of one partition rarely share a
// batch) or key locality.
//
// The Java partitioner cycles over the partitions that have a leader; a [Partitioner] is told only
// how many partitions there are, so this one cycles over all of them.
//
// Use it through a pointer; the zero value is ready. Config.Partitioner = &RoundRobinPartitioner{}
// is what partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner sets.
type RoundRobinPartitioner struct {
	counters sync.Map // topic -> *atomic.Int32: how many records the topic has had
}

// Partition is the next partition of topic's cycle; the key is ignored.
func (rr *RoundRobinPartitioner) Partition(topic string, _ []byte, partitions int32) int32 {
	n := rr.counter(topic).Add(1) - 1
	return (n & 0x7fffffff) % partitions
}

// counter is topic's counter, created at zero on first use.
func (rr *RoundRobinPartitioner) counter(topic string) *atomic.Int32 {
	if c, ok := rr.counters.Load(topic); ok {
		return c.(*atomic.Int32)
	}
	c, _ := rr.counters.LoadOrStore(topic, new(atomic.Int32))
	return c.(*atomic.Int32)
}
