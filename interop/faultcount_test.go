package interop

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file counts what a producer's run through broker faults left in its topic: the records
// it numbered 0..n-1 as read back by the Java consumer, against what the producer said of each.

// faultAck is what a producer said of one record: where it landed, or why it did not.
type faultAck struct {
	Partition int32
	Offset    int64  // -1: acknowledged without an offset
	Err       string // empty when acknowledged
	Calls     int    // outcomes reported for the record (callbacks, report lines)
}

// faultCounts is what reading a run's topic back found.
type faultCounts struct {
	Sent, Read      int
	Lost            int // numbers never read
	Duplicated      int // readings of a number beyond its first
	Reordered       int // first readings of a number after a higher number in the same partition
	ReorderedInKey  int // the same among the records of one key
	Misplaced       int // acknowledged at a partition and offset that hold another record
	NoOffset        int // acknowledged without an offset
	WrongPartition  int // keyed records outside the partition the Java partitioner picks
	Failed          int // records the producer reported as not delivered
	NotReported     int // records with no outcome at all, or more than one
	Unreadable      int // records read whose value carries no number below Sent
	firstUnreadable string
}

// countFaults compares the records read from a run's topic with the producer's acks, for records
// whose value starts with their number as ten digits and whose key (keyed runs) is "key-" and the
// number modulo keys.
func countFaults(read []javaRecord, acks []faultAck, keys int) faultCounts {
	c := faultCounts{Sent: len(acks), Read: len(read)}
	slices.SortStableFunc(read, func(a, b javaRecord) int {
		return cmp.Or(cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Offset, b.Offset))
	})
	seen := make([]int32, len(acks))
	at := map[int32]map[int64]int{} // partition, offset: the number read there
	maxInPartition := map[int32]int{}
	maxInKey := map[string]int{}
	for _, r := range read {
		n, ok := recordNumber(r.Value, len(acks))
		if !ok {
			if c.Unreadable == 0 {
				c.firstUnreadable = fmt.Sprintf("%d/%d: value %q", r.Partition, r.Offset, r.Value)
			}
			c.Unreadable++
			continue
		}
		if at[r.Partition] == nil {
			at[r.Partition] = map[int64]int{}
		}
		at[r.Partition][r.Offset] = n
		if keys > 0 && (!bytes.Equal(r.Key, recordKey(n, keys)) || r.KeyPartition == nil || *r.KeyPartition != r.Partition) {
			c.WrongPartition++
		}
		if seen[n]++; seen[n] > 1 {
			c.Duplicated++
			continue
		}
		if m, ok := maxInPartition[r.Partition]; ok && n < m {
			c.Reordered++
		}
		maxInPartition[r.Partition] = max(maxInPartition[r.Partition], n)
		if keys > 0 {
			k := string(r.Key)
			if m, ok := maxInKey[k]; ok && n < m {
				c.ReorderedInKey++
			}
			maxInKey[k] = max(maxInKey[k], n)
		}
	}
	for n, a := range acks {
		if seen[n] == 0 {
			c.Lost++
		}
		switch {
		case a.Calls != 1:
			c.NotReported++
		case a.Err != "":
			c.Failed++
		case a.Offset < 0:
			c.NoOffset++
		default:
			if got, ok := at[a.Partition][a.Offset]; !ok || got != n {
				c.Misplaced++
			}
		}
	}
	return c
}

// recordNumber reads the number a record's value starts with, which must be below n.
func recordNumber(value []byte, n int) (int, bool) {
	if len(value) < 10 {
		return 0, false
	}
	i, err := strconv.Atoi(string(value[:10]))
	if err != nil || i < 0 || i >= n {
		return 0, false
	}
	return i, true
}

// recordValue is record i's value: i as ten digits, as Produce.java writes it.
func recordValue(i int) []byte { return fmt.Appendf(nil, "%010d", i) }

// recordKey is record i's key among keys.
func recordKey(i, keys int) []byte { return []byte("key-" + strconv.Itoa(i%keys)) }

// problems lists what makes c fail a run that must deliver every record exactly once and in
// order (exact) or at least once (otherwise); empty when none.
func (c faultCounts) problems(exact bool) []string {
	var out []string
	add := func(n int, what string) {
		if n > 0 {
			out = append(out, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(c.Lost, "lost")
	add(c.Failed, "not delivered")
	add(c.NotReported, "without exactly one outcome")
	add(c.Misplaced, "acknowledged at an offset that holds another record")
	add(c.NoOffset, "acknowledged without an offset")
	add(c.WrongPartition, "keyed records outside the Java partitioner's partition")
	if c.Unreadable > 0 {
		out = append(out, fmt.Sprintf("%d unreadable records, first %s", c.Unreadable, c.firstUnreadable))
	}
	if exact {
		add(c.Duplicated, "duplicated")
		add(c.Reordered, "reordered in their partition")
		add(c.ReorderedInKey, "reordered among their key's records")
	}
	return out
}

// faultRow is one line of a fault test's summary table.
type faultRow struct {
	Run      string
	Faults   string // e.g. "3 kills"
	Counts   faultCounts
	Evidence string // the retries and errors the producer saw
	Took     time.Duration
}

// faultTable formats rows as the summary table the tests log; "reordered" is in their partition
// and among their key's records.
func faultTable(rows []faultRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-34s %8s %-22s %5s %5s %9s %7s  %-8s %s\n", "run", "records", "faults", "lost", "dup", "reordered", "offsets", "duration", "retries/errors seen")
	for _, r := range rows {
		c := r.Counts
		offsets := "ok"
		if c.Misplaced+c.NoOffset > 0 {
			offsets = fmt.Sprintf("%d bad", c.Misplaced+c.NoOffset)
		}
		fmt.Fprintf(&b, "%-34s %8d %-22s %5d %5d %4d/%-4d %7s  %-8s %s\n", r.Run, c.Sent, r.Faults, c.Lost, c.Duplicated,
			c.Reordered, c.ReorderedInKey, offsets, r.Took.Round(100*time.Millisecond), r.Evidence)
	}
	return b.String()
}

// TestCountFaults: the counts of a few readings of records 0..5 (keys of 2, 2 partitions), each
// with one thing wrong.
func TestCountFaults(t *testing.T) {
	rec := func(n int, partition int32, offset int64) javaRecord {
		return javaRecord{Topic: "t", Partition: partition, Offset: offset, Key: recordKey(n, 2), Value: recordValue(n), KeyPartition: &partition}
	}
	ack := func(partition int32, offset int64) faultAck {
		return faultAck{Partition: partition, Offset: offset, Calls: 1}
	}
	// Even records go to partition 0, odd ones to 1, in order.
	good := []javaRecord{rec(0, 0, 0), rec(2, 0, 1), rec(4, 0, 2), rec(1, 1, 0), rec(3, 1, 1), rec(5, 1, 2)}
	acks := []faultAck{ack(0, 0), ack(1, 0), ack(0, 1), ack(1, 1), ack(0, 2), ack(1, 2)}
	for _, c := range []struct {
		name string
		read []javaRecord
		acks []faultAck
		want faultCounts
	}{
		{"exact", good, acks, faultCounts{}},
		{"lost", good[1:], acks, faultCounts{Lost: 1, Misplaced: 1}},
		{"duplicated", append(slices.Clone(good), rec(2, 0, 3)), acks, faultCounts{Duplicated: 1}},
		{"reordered", []javaRecord{rec(2, 0, 0), rec(0, 0, 1), rec(4, 0, 2), rec(1, 1, 0), rec(3, 1, 1), rec(5, 1, 2)},
			[]faultAck{ack(0, 1), ack(1, 0), ack(0, 0), ack(1, 1), ack(0, 2), ack(1, 2)}, faultCounts{Reordered: 1, ReorderedInKey: 1}},
		{"misplaced", good, []faultAck{ack(0, 0), ack(1, 0), ack(0, 2), ack(1, 1), ack(0, 2), ack(1, 2)}, faultCounts{Misplaced: 1}},
		{"failed and unreported", good, []faultAck{ack(0, 0), {Partition: -1, Offset: -1, Err: "boom", Calls: 1}, ack(0, 1), {}, ack(0, 2), ack(1, 2)}, faultCounts{Failed: 1, NotReported: 1}},
		{"wrong partition", append(good[:5:5], javaRecord{Topic: "t", Partition: 1, Offset: 2, Key: recordKey(5, 2), Value: recordValue(5), KeyPartition: new(int32)}), acks, faultCounts{WrongPartition: 1}},
	} {
		got := countFaults(slices.Clone(c.read), c.acks, 2)
		c.want.Sent, c.want.Read = len(c.acks), len(c.read)
		if got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}
