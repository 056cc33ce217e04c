// Package perfline writes the summary line of Kafka's kafka-producer-perf-test
// (org.apache.kafka.tools.ProducerPerformance), which kwire perf and interop's kgo-perf print too,
// so that the three tools' runs read, and parse, alike.
package perfline

import (
	"fmt"
	"io"
	"slices"
)

// Total is a run's figures, in milliseconds as Kafka's tool keeps them.
type Total struct {
	Records, Bytes int64
	Elapsed        int64   // the run's, from before the first send to the producer's close
	LatencySum     int64   // of every record acknowledged
	MaxLatency     int64   // the largest
	Samples        []int64 // every k-th latency, for the percentiles; Write sorts them
}

// Write writes t as Kafka's tool writes its last line:
//
//	N records sent, X records/sec (Y MB/sec), A ms avg latency, B ms max latency, C ms 50th, D ms 95th, E ms 99th, F ms 99.9th.
func (t *Total) Write(w io.Writer) {
	elapsed := float64(max(t.Elapsed, 1)) / 1000
	slices.Sort(t.Samples)
	fmt.Fprintf(w, "%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.\n",
		t.Records, float64(t.Records)/elapsed, float64(t.Bytes)/elapsed/(1<<20),
		float64(t.LatencySum)/float64(max(t.Records, 1)), float64(t.MaxLatency),
		t.percentile(0.5), t.percentile(0.95), t.percentile(0.99), t.percentile(0.999))
}

// percentile is the sorted samples' q-quantile, as Kafka's tool picks it; 0 without samples.
func (t *Total) percentile(q float64) int64 {
	if len(t.Samples) == 0 {
		return 0
	}
	return t.Samples[int(q*float64(len(t.Samples)-1))]
}
