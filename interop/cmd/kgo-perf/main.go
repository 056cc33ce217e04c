// Command kgo-perf measures franz-go's producer the way Kafka's kafka-producer-perf-test
// (org.apache.kafka.tools.ProducerPerformance) measures the Java producer and `kwire perf` measures
// kwire's: the same flags, records of fresh random capital letters, and the same summary line, so
// that the three can be compared at equal settings (interop's TestPerformanceTable runs them).
//
//	kgo-perf --topic perf --num-records 2000000 --record-size 100 --throughput -1 \
//	    --producer-props bootstrap.servers=127.0.0.1:9092 acks=1 compression.type=lz4
//
// Producer properties take the Java client's names; see kgoprops.Options for those it maps.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kwire-dev/kwire/internal/perfline"
	"github.com/kwire-dev/kwire/internal/randtext"
	"github.com/kwire-dev/kwire/interop/internal/kgoprops"
)

// maxSamples bounds the latencies kept for percentiles, as Kafka's tool does.
const maxSamples = 500_000

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kgo-perf:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("kgo-perf", flag.ContinueOnError)
	topic := fs.String("topic", "", "the topic to produce to")
	numRecords := fs.Int64("num-records", 0, "how many records to send")
	recordSize := fs.Int("record-size", 0, "each record's value size in bytes")
	throughput := fs.Float64("throughput", -1, "at most this many records a second; -1: no limit")
	propsFlag := fs.Bool("producer-props", false, "the arguments after the flags are producer properties NAME=VALUE")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *topic == "" || *numRecords <= 0 || *recordSize <= 0 {
		return errors.New("--topic, --num-records and --record-size are required")
	}
	props := map[string]string{}
	if fs.NArg() > 0 && !*propsFlag {
		return fmt.Errorf("unexpected arguments %q: producer properties follow --producer-props", fs.Args())
	}
	for _, kv := range fs.Args() {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("producer property %q is not NAME=VALUE", kv)
		}
		props[name] = value
	}
	if props["bootstrap.servers"] == "" {
		return errors.New("producer property bootstrap.servers is required")
	}
	opts, err := kgoprops.Options(props)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append(opts, kgo.DefaultProduceTopic(*topic))...)
	if err != nil {
		return err
	}
	st := newStats(*numRecords, *recordSize)
	send(cl, *numRecords, *recordSize, *throughput, st)
	cl.Close()
	st.printTotal()
	if st.failed > 0 {
		return fmt.Errorf("%d records failed, the first: %w", st.failed, st.firstErr)
	}
	return nil
}

// send produces n records, each with a value of size fresh random capital letters as Kafka's tool
// writes them; franz-go keeps the value it is given, so each record has its own.
func send(cl *kgo.Client, n int64, size int, throughput float64, st *stats) {
	src := rand.NewPCG(1, 2)
	ctx := context.Background()
	start := time.Now()
	for i := range n {
		value := make([]byte, size)
		randtext.Fill(src, value)
		cl.Produce(ctx, &kgo.Record{Value: value, Timestamp: time.Now()}, st.complete)
		if throughput > 0 {
			if wait := time.Until(start.Add(time.Duration(float64(i+1) / throughput * float64(time.Second)))); wait > time.Millisecond {
				time.Sleep(wait)
			}
		}
	}
	cl.Flush(ctx)
}

// stats are the run's figures in milliseconds, as Kafka's tool keeps them.
type stats struct {
	mu       sync.Mutex
	start    time.Time
	size     int64
	sampling int64
	samples  []int64

	count, bytes, failed int64
	total, max           int64
	firstErr             error
}

func newStats(n int64, size int) *stats {
	sampling := n / min(n, maxSamples)
	return &stats{start: time.Now(), size: int64(size), sampling: sampling, samples: make([]int64, 0, n/sampling+1)}
}

// complete is every record's promise: its latency runs from the timestamp it was sent with.
func (st *stats) complete(r *kgo.Record, err error) {
	latency := time.Since(r.Timestamp).Milliseconds()
	st.mu.Lock()
	defer st.mu.Unlock()
	if err != nil {
		if st.failed == 0 {
			st.firstErr = err
		}
		st.failed++
		return
	}
	if st.count%st.sampling == 0 {
		st.samples = append(st.samples, latency)
	}
	st.count++
	st.bytes += st.size
	st.total += latency
	st.max = max(st.max, latency)
}

// printTotal prints the summary line of Kafka's tool.
func (st *stats) printTotal() {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := perfline.Total{Records: st.count, Bytes: st.bytes, Elapsed: time.Since(st.start).Milliseconds(),
		LatencySum: st.total, MaxLatency: st.max, Samples: st.samples}
	t.Write(os.Stdout)
}
