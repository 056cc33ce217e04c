package perfline

import (
	"strings"
	"testing"
)

// TestWrite: the line of Kafka's tool, its percentiles picked from the sorted samples as Kafka
// picks them, and a run without samples or time still a line.
func TestWrite(t *testing.T) {
	for _, c := range []struct {
		total Total
		want  string
	}{
		{Total{Records: 4000, Bytes: 400_000, Elapsed: 2000, LatencySum: 10_000, MaxLatency: 9, Samples: []int64{9, 1, 2, 3, 4, 5, 6, 7, 8, 0}},
			"4000 records sent, 2000.000000 records/sec (0.19 MB/sec), 2.50 ms avg latency, 9.00 ms max latency, 4 ms 50th, 8 ms 95th, 8 ms 99th, 8 ms 99.9th.\n"},
		{Total{},
			"0 records sent, 0.000000 records/sec (0.00 MB/sec), 0.00 ms avg latency, 0.00 ms max latency, 0 ms 50th, 0 ms 95th, 0 ms 99th, 0 ms 99.9th.\n"},
	} {
		var b strings.Builder
		c.total.Write(&b)
		if b.String() != c.want {
			t.Errorf("got  %q\nwant %q", b.String(), c.want)
		}
	}
}
