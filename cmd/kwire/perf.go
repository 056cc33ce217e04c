package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/kwire-dev/kwire/internal/coarseclock"
	"github.com/kwire-dev/kwire/internal/perfline"
	"github.com/kwire-dev/kwire/internal/randtext"
	"github.com/kwire-dev/kwire/producer"
)

// perfAbout is what kwire perf --help says the command does.
const perfAbout = `Measures kwire's producer the way Kafka's kafka-producer-perf-test measures the Java producer,
with the same flags and the same output: --num-records records of --record-size random capital
letters, fresh for each record as Kafka 4.x's tool writes them, to --topic, at most --throughput
records a second (-1: as fast as possible). Every --reporting-interval it prints the window's figures, and at the end:

  N records sent, X records/sec (Y MB/sec), A ms avg latency, B ms max latency, C ms 50th, D ms 95th, E ms 99th, F ms 99.9th.

Latency is from Send to the record's acknowledgement. Without bootstrap.servers (-b or
--producer-props) it produces to an embedded mock broker, in the same process, which listens
with TLS and SASL as the producer connects. --tls, --tls-ca, --sasl-mechanism and --sasl-user
stand for the security properties (as kwire produce's do); --producer-props applies after them. Unless GOGC is
set, kwire perf runs Go's garbage collector at GOGC=50, to keep its peak memory near
buffer.memory.
`

// perfExamples are the command lines kwire perf --help shows.
const perfExamples = `  kwire perf --topic perf --num-records 5000000 --record-size 100 --throughput -1
  kwire perf --topic perf --num-records 1000000 --record-size 100 --throughput -1 --producer-props acks=1 compression.type=lz4
  kwire perf -b 127.0.0.1:9092 --topic perf --num-records 100000 --record-size 1000 --throughput 10000
  kwire perf --topic perf --num-records 100000 --record-size 100 --throughput -1 --tls --sasl-mechanism SCRAM-SHA-256 --sasl-user perf:perf-pw
`

// perfMaxSamples bounds the latencies kept for percentiles, as Kafka's tool does.
const perfMaxSamples = 500_000

// perfOptions are kwire perf's flags.
type perfOptions struct {
	topic      string
	numRecords int64
	recordSize int
	throughput float64
	interval   time.Duration
	brokers    string
	security   clientSecurity
	props      propertyFlags
}

// perfCommand defines kwire perf's flags and returns its action.
func perfCommand() (*cmdFlags, action) {
	var o perfOptions
	var intervalMs int
	c := newCmdFlags("perf", "kwire perf --topic TOPIC --num-records N --record-size BYTES --throughput N [--producer-props NAME=VALUE...]", perfAbout, perfExamples)
	c.fs.StringVar(&o.topic, "topic", "", "The topic to produce to (required).")
	c.doc("topic", "", "TOPIC", "--topic perf")
	c.fs.Int64Var(&o.numRecords, "num-records", 0, "How many records to send (required).")
	c.doc("num-records", "", "N", "--num-records 1000000")
	c.fs.IntVar(&o.recordSize, "record-size", 0, "Each record's value size in bytes (required).")
	c.doc("record-size", "", "BYTES", "--record-size 100")
	c.fs.Float64Var(&o.throughput, "throughput", 0, "At most this many records a second; -1 for no limit (required).")
	c.doc("throughput", "", "N", "--throughput -1")
	c.fs.Var(&o.props, "producer-props", "Producer properties by their Java names; NAME=VALUE arguments after it are properties too, as in Kafka's tool.")
	c.doc("producer-props", "", "NAME=VALUE", "--producer-props acks=1 linger.ms=5")
	c.fs.StringVar(&o.brokers, "bootstrap-servers", "", "Shortcut for --producer-props bootstrap.servers=...; none: an embedded mock broker.")
	c.doc("bootstrap-servers", "b", "HOST:PORT[,...]", "-b 127.0.0.1:9092")
	o.security.define(c)
	c.fs.IntVar(&intervalMs, "reporting-interval", 5000, "Milliseconds between the window lines (default 5000).")
	c.doc("reporting-interval", "", "MS", "--reporting-interval 1000")
	return c, func(args []string, s streams) error {
		for _, a := range args {
			if err := o.props.Set(a); err != nil {
				return usageErrorf("unexpected argument %q: producer properties are NAME=VALUE", a)
			}
		}
		o.interval = time.Duration(intervalMs) * time.Millisecond
		if err := o.check(c); err != nil {
			return err
		}
		return o.run(s)
	}
}

// check requires the flags Kafka's tool requires, with sane values.
func (o *perfOptions) check(c *cmdFlags) error {
	for _, name := range []string{"topic", "num-records", "record-size", "throughput"} {
		if !c.isSet(name) {
			return usageErrorf("--%s is required", name)
		}
	}
	switch {
	case o.numRecords < 1:
		return usageErrorf("--num-records must be at least 1")
	case o.recordSize < 0:
		return usageErrorf("--record-size must not be negative")
	case o.throughput == 0 || o.throughput < -1:
		return usageErrorf("--throughput must be positive, or -1 for no limit")
	case o.interval <= 0:
		return usageErrorf("--reporting-interval must be positive")
	}
	return nil
}

// run sends the records and prints the figures.
func (o *perfOptions) run(s streams) error {
	cfg, err := producerConfig(o.brokers, 0, &o.security, o.props)
	if err != nil {
		return err
	}
	stop, err := embeddedBroker(&cfg, "kwire perf", s.stderr)
	if err != nil {
		return err
	}
	defer stop()
	p, err := producer.New(cfg)
	if err != nil {
		return &usageError{err.Error()}
	}
	if os.Getenv("GOGC") == "" {
		// buffer.memory and the records in flight are most of the heap: collect at half the
		// default growth, so the peak stays near buffer.memory.
		defer debug.SetGCPercent(debug.SetGCPercent(50))
	}
	st := newPerfStats(o.numRecords, o.recordSize, o.interval, s.stdout)
	sendErr := o.send(p, st)
	closeErr := p.Close(context.Background())
	st.printTotal()
	switch {
	case sendErr != nil:
		return sendErr
	case closeErr != nil:
		return closeErr
	case st.failed > 0:
		return fmt.Errorf("%d records failed, the first: %w", st.failed, st.firstErr)
	}
	return nil
}

// send sends the records as fast as --throughput allows. Each record's value is new random
// capital letters, as Kafka's tool fills its payload before every send (a payload sent again and
// again would flatter the codecs); Send copies it, so one buffer serves every record.
func (o *perfOptions) send(p *producer.Producer, st *perfStats) error {
	payload := make([]byte, o.recordSize)
	src := rand.NewPCG(1, 2)
	rec := producer.Record{Topic: o.topic, Value: payload}
	ctx := context.Background()
	start := time.Now()
	for i := range o.numRecords {
		randtext.Fill(src, payload)
		if err := p.Send(ctx, &rec, st.callback()); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		if o.throughput > 0 {
			throttle(start, i+1, o.throughput)
		}
	}
	return nil
}

// throttle sleeps while sent records since start are ahead of perSecond.
func throttle(start time.Time, sent int64, perSecond float64) {
	due := start.Add(time.Duration(float64(sent) / perSecond * float64(time.Second)))
	if wait := time.Until(due); wait > time.Millisecond {
		time.Sleep(wait)
	}
}

// perfStats are kwire perf's figures, over the whole run and over the current window, in
// milliseconds as Kafka's tool keeps them. Callbacks update them.
type perfStats struct {
	// clock measures latency in milliseconds, as Kafka's tool does; reading the system clock twice a
	// record would cost more than a Send.
	clock   coarseclock.Clock
	start   int64     // on clock
	size    int64     // every record's
	current *perfSend // the callback of the records sent in the clock's current millisecond

	mu       sync.Mutex
	out      io.Writer
	interval int64 // milliseconds between window lines
	sampling int64 // keep every sampling-th latency
	samples  []int64

	count, bytes, failed int64
	total, max           int64
	firstErr             error

	windowStart              int64
	windowCount, windowBytes int64
	windowTotal, windowMax   int64
}

// newPerfStats starts the figures of a run of numRecords records of size bytes, with a window line
// every interval.
func newPerfStats(numRecords int64, size int, interval time.Duration, out io.Writer) *perfStats {
	sampling := numRecords / min(numRecords, perfMaxSamples)
	st := &perfStats{out: out, size: int64(size), interval: interval.Milliseconds(), sampling: sampling,
		samples: make([]int64, 0, numRecords/sampling+1)}
	st.start = st.clock.Milli()
	return st
}

// now is the milliseconds since the run started.
func (st *perfStats) now() int64 { return st.clock.Milli() - st.start }

// perfSend is the callback of the records sent in one millisecond of the clock: their latency
// counts from it. Shared, it keeps measuring from costing memory for every record in flight.
type perfSend struct {
	st   *perfStats
	sent int64 // st.now()
	done func(producer.Metadata, error)
}

// callback is the completion callback of a record sent now; only the sending goroutine calls it.
func (st *perfStats) callback() func(producer.Metadata, error) {
	if now := st.now(); st.current == nil || st.current.sent != now {
		s := &perfSend{st: st, sent: now}
		s.done = s.complete
		st.current = s
	}
	return st.current.done
}

// complete records a record's outcome.
func (s *perfSend) complete(_ producer.Metadata, err error) {
	s.st.record(s.st.now()-s.sent, s.st.size, err)
}

// record counts one completed record, and prints the window when it is over.
func (st *perfStats) record(latency, size int64, err error) {
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
	st.bytes += size
	st.total += latency
	st.max = max(st.max, latency)
	st.windowCount++
	st.windowBytes += size
	st.windowTotal += latency
	st.windowMax = max(st.windowMax, latency)
	if now := st.now(); now-st.windowStart >= st.interval {
		st.printWindow(now)
		st.windowStart, st.windowCount, st.windowBytes, st.windowTotal, st.windowMax = now, 0, 0, 0, 0
	}
}

// printWindow prints the current window's line, as Kafka's tool does.
func (st *perfStats) printWindow(now int64) {
	elapsed := float64(max(now-st.windowStart, 1)) / 1000
	fmt.Fprintf(st.out, "%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.\n",
		st.windowCount, float64(st.windowCount)/elapsed, float64(st.windowBytes)/elapsed/(1<<20),
		float64(st.windowTotal)/float64(max(st.windowCount, 1)), float64(st.windowMax))
}

// printTotal prints the run's summary line, as Kafka's tool does.
func (st *perfStats) printTotal() {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := perfline.Total{Records: st.count, Bytes: st.bytes, Elapsed: st.now(), LatencySum: st.total, MaxLatency: st.max, Samples: st.samples}
	t.Write(st.out)
}
