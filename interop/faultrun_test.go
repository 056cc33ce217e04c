package interop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/producer"
)

// This file runs producers in the background while a test breaks the brokers under them: kwire's
// producer through the Go API, the kwire produce command, and the Java KafkaProducer. Each sends
// records numbered 0..n-1 (the number as the value's ten digits, keyed "key-" and the number
// modulo the run's keys) and notes what it was told of each.

// runSpec is what a producer's run sends, and how.
type runSpec struct {
	name      string
	bootstrap string
	topic     string
	records   int
	keys      int
	exact     bool     // idempotent: every record exactly once, in order
	rate      float64  // records a second, for the producers that pace themselves
	props     []string // producer properties, NAME=VALUE
	// release holds the last tenth of the records of a paced run until it is closed, so that
	// the run lasts until the test has done its faults however long they take here.
	release <-chan struct{}
}

// heldFrom is the first record that waits for release.
func (s *runSpec) heldFrom() int { return s.records - s.records/10 }

// faultRun is one producer's run, started in the background.
type faultRun struct {
	runSpec

	done chan struct{} // closed when the run has ended; the fields below are set then
	acks []faultAck
	err  error // why not every record was delivered
	took time.Duration
	// evidence is what the producer says it saw of the faults: retries, errors, reconnects;
	// faultsSeen counts them all, -1 when the producer does not say.
	evidence   string
	faultsSeen int64
	// progress counts the records with an outcome so far; nil when the producer says nothing
	// until it ends.
	progress func() int64
}

// finished reports whether the run has ended.
func (r *faultRun) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// state says how far the run is, for messages.
func (r *faultRun) state() string {
	switch {
	case r.finished():
		return "finished"
	case r.progress != nil:
		return fmt.Sprintf("%d of %d records settled", r.progress(), r.records)
	default:
		return "running"
	}
}

// paceRate is records a second for n records over d.
func paceRate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// newFaultRun is a run of spec, not started yet.
func newFaultRun(spec runSpec) *faultRun {
	return &faultRun{runSpec: spec, done: make(chan struct{}), acks: make([]faultAck, spec.records)}
}

// pacer spaces records at a run's rate from its start, and holds its last tenth until release;
// the pace then resumes where it was.
type pacer struct {
	spec  *runSpec
	start time.Time
}

// wait waits until record i is due, or ctx ends.
func (p *pacer) wait(ctx context.Context, i int) {
	if i == p.spec.heldFrom() {
		held := time.Now()
		select {
		case <-p.spec.release:
		case <-ctx.Done():
		}
		p.start = p.start.Add(time.Since(held))
	}
	due := p.start.Add(time.Duration(float64(i) / p.spec.rate * float64(time.Second)))
	if wait := time.Until(due); wait > time.Millisecond {
		time.Sleep(wait)
	}
}

// startKwireRun sends spec's records with kwire's producer, with Kafka's defaults and then
// spec's properties.
func startKwireRun(ctx context.Context, t *testing.T, spec runSpec) *faultRun {
	t.Helper()
	cfg := producer.DefaultConfig()
	cfg.BootstrapServers = strings.Split(spec.bootstrap, ",")
	for _, p := range spec.props {
		k, v, _ := strings.Cut(p, "=")
		if err := cfg.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	events := &eventCounter{counts: map[string]int{}}
	cfg.Logger = slog.New(events)
	p, err := producer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	run := newFaultRun(spec)
	var settled atomic.Int64
	run.progress = settled.Load
	go func() {
		defer close(run.done)
		start := time.Now()
		pace := pacer{spec: &run.runSpec, start: start}
		var sendErr error
		for i := range spec.records {
			pace.wait(ctx, i)
			r := &producer.Record{Topic: spec.topic, Key: recordKey(i, spec.keys), Value: recordValue(i)}
			if sendErr = p.Send(ctx, r, run.kwireCallback(i, &settled)); sendErr != nil {
				sendErr = fmt.Errorf("record %d: %w", i, sendErr)
				break
			}
		}
		closeErr := p.Close(ctx)
		run.took = time.Since(start)
		st := p.Stats()
		var failed error
		if st.Failed > 0 {
			failed = fmt.Errorf("%d records not delivered, first: %s", st.Failed, run.firstFailure())
		}
		run.err = errors.Join(sendErr, closeErr, failed)
		run.evidence = fmt.Sprintf("%d batches retried, errors %s, %s", st.Retries, sortedCounts(st.Errors), events)
		run.faultsSeen = st.Retries + int64(events.count("cannot connect to broker"))
		for _, n := range st.Errors {
			run.faultsSeen += n
		}
	}()
	return run
}

// kwireCallback is record i's callback; callbacks run on the producer's sender goroutine, and
// the test reads acks once the producer has closed.
func (r *faultRun) kwireCallback(i int, settled *atomic.Int64) func(producer.Metadata, error) {
	return func(md producer.Metadata, err error) {
		a := &r.acks[i]
		a.Calls++
		a.Partition, a.Offset = md.Partition, md.Offset
		if err != nil {
			a.Err = err.Error()
		}
		settled.Add(1)
	}
}

// firstFailure is the first record's error, for messages.
func (r *faultRun) firstFailure() string {
	for i, a := range r.acks {
		if a.Err != "" {
			return fmt.Sprintf("record %d: %s", i, a.Err)
		}
	}
	return "none"
}

// eventCounter is a slog.Handler that counts the producer's log events by message: connections
// that failed, batches retried, producer ids asked for.
type eventCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *eventCounter) Enabled(context.Context, slog.Level) bool { return true }

func (c *eventCounter) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	c.counts[r.Message]++
	c.mu.Unlock()
	return nil
}

func (c *eventCounter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *eventCounter) WithGroup(string) slog.Handler      { return c }

// count is how many events had message msg.
func (c *eventCounter) count(msg string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[msg]
}

// String lists the counts, e.g. "log: cannot connect to broker ×12".
func (c *eventCounter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var parts []string
	for msg, n := range c.counts {
		parts = append(parts, fmt.Sprintf("%s ×%d", msg, n))
	}
	sort.Strings(parts)
	return "log: " + strings.Join(parts, ", ")
}

// sortedCounts formats a count map in key order.
func sortedCounts(m map[string]int64) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s:%d", k, v))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, " ") + "}"
}
