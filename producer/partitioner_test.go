package producer

import (
	"sync"
	"testing"
)

// murmur2Vectors are inputs and the hashes Kafka's Utils.murmur2 gives them.
//
// Sources of the numbers (facts only, no code taken):
//   - Kafka's own UtilsTest.testMurmur2 (apache/kafka,
//     clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java): the first six.
//   - Hashes printed by running the Java client's murmur2 (kafkajs keeps them in
//     src/producer/partitioners/defaultJava/murmur2.spec.js; akka's Murmur2Spec has "1" to
//     "12345"): the rest.
//
// Every value was also recomputed with an independent implementation of the algorithm (in
// Python, from the MurmurHash2 description), which agreed on all of them.
var murmur2Vectors = []struct {
	in   string
	hash int32
}{
	{"21", -973932308},
	{"foobar", -790332482},
	{"a-little-bit-long-string", -985981536},
	{"a-little-bit-longer-string", -1486304829},
	{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
	{"abc", 479470107},

	{"0", 971027396},
	{"1", -1993445489},
	{"12", 126087238},
	{"123", -267702483},
	{"1234", -1614185708},
	{"12345", -1188365604},
	{"128", -326012175},
	{"2187", -1508407203},
	{"16384", -325739742},
	{"78125", -1654490814},
	{"279936", 1462227128},
	{"823543", -2014198330},
	{"2097152", 607668903},
	{"4782969", -1182699775},
	{"10000000", -1830336757},
	{"19487171", -1603849305},
	{"35831808", -857013643},
	{"62748517", -1167431028},
	{"105413504", -381294639},
	{"170859375", -1658323481},
	{"100:48069", 1009543857},
}

func TestMurmur2KafkaVectors(t *testing.T) {
	for _, v := range murmur2Vectors {
		if got := murmur2([]byte(v.in)); got != v.hash {
			t.Errorf("murmur2(%q) = %d, Kafka says %d", v.in, got, v.hash)
		}
	}
}

// keyPartitionVectors are keys and the partition the Java client's default partitioner gives them:
// toPositive(murmur2(key)) % partitions.
//
// The 1000-partition rows are the Java client's own answers as recorded by kafka-python
// (test/test_partitioner.py, test_murmur2_java_compatibility); the others were computed from the
// formula with an independent implementation, which also reproduced the 1000-partition rows.
// "key" and "user-2" hash to negative numbers, so they check toPositive (a mask of the sign bit,
// not an absolute value).
var keyPartitionVectors = []struct {
	key        string
	partitions int32
	want       int32
}{
	{"", 1000, 681},
	{"a", 1000, 524},
	{"ab", 1000, 434},
	{"abc", 1000, 107},
	{"123456789", 1000, 566},
	{"\x00 ", 1000, 742},

	{"key", 1, 0},
	{"key", 3, 1},
	{"key", 6, 1},
	{"key", 12, 1},
	{"key", 100, 81},
	{"foo", 3, 2},
	{"foo", 12, 8},
	{"foo", 100, 16},
	{"hello", 6, 3},
	{"hello", 100, 29},
	{"user-1", 6, 2},
	{"user-1", 100, 28},
	{"user-2", 6, 2},
	{"user-2", 100, 56},
	{"order-42", 12, 0},
	{"order-42", 100, 24},
	{"\xff\xfe\xfd", 100, 92},
}

func TestKeyPartitionVectors(t *testing.T) {
	for _, v := range keyPartitionVectors {
		if got := KeyPartition([]byte(v.key), v.partitions); got != v.want {
			t.Errorf("KeyPartition(%q, %d) = %d, want %d", v.key, v.partitions, got, v.want)
		}
	}
}

func TestRoundRobinCyclesPerTopic(t *testing.T) {
	var rr RoundRobinPartitioner
	for i := range 10 {
		if got := rr.Partition("a", []byte("key"), 3); got != int32(i%3) {
			t.Fatalf("record %d of a: partition %d, want %d", i, got, i%3)
		}
		if i%2 == 0 {
			// Another topic's records do not move a's cycle.
			if got := rr.Partition("b", nil, 4); got != int32(i/2%4) {
				t.Fatalf("record %d of b: partition %d, want %d", i/2, got, i/2%4)
			}
		}
	}
}

func TestRoundRobinIsEvenUnderConcurrency(t *testing.T) {
	const goroutines, each, partitions = 8, 300, 6
	var rr RoundRobinPartitioner
	counts := make([][partitions]int, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range each {
				counts[g][rr.Partition("t", nil, partitions)]++
			}
		})
	}
	wg.Wait()
	var total [partitions]int
	for _, c := range counts {
		for p, n := range c {
			total[p] += n
		}
	}
	for p, n := range total {
		if n != goroutines*each/partitions {
			t.Fatalf("partition %d got %d records of %d: %v", p, n, goroutines*each, total)
		}
	}
}

func TestRoundRobinWrapsLikeJava(t *testing.T) {
	// Java's counter is an int that overflows to negative, which toPositive masks: after
	// 2^31-1 the cycle goes on from 0.
	var rr RoundRobinPartitioner
	rr.counter("t").Store(1<<31 - 1)
	if got := rr.Partition("t", nil, 10); got != (1<<31-1)%10 {
		t.Fatalf("at MaxInt32: %d", got)
	}
	if got := rr.Partition("t", nil, 10); got != 0 {
		t.Fatalf("after overflow: %d, want 0", got)
	}
}
