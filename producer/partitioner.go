package producer

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
