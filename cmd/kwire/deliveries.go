package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kwire-dev/kwire/producer"
)

// deliveryLog tells what became of each record read: deliveries as JSON lines on stdout with
// --report, failures and records not sent on stderr, and a summary last. Callbacks arrive on the
// producer's goroutine and signals on another, so every line is written whole under one lock.
type deliveryLog struct {
	mu     sync.Mutex
	stdout *bufio.Writer
	stderr io.Writer
	report bool

	read, delivered, failed, notSent atomic.Int64
	// unknown counts the records Close gave up waiting for: sent or queued, perhaps written.
	unknown atomic.Int64
}

// newDeliveryLog reports to s, deliveries too with report.
func newDeliveryLog(s streams, report bool) *deliveryLog {
	return &deliveryLog{stdout: bufio.NewWriter(s.stdout), stderr: s.stderr, report: report}
}

// delivery is one --report line.
type delivery struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Timestamp int64  `json:"timestamp"`
	Input     string `json:"input"`
}

// printf writes to stderr under the lock, so that no other line cuts into what it writes.
func (l *deliveryLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.stderr, format, args...)
}

// callback returns the completion callback of the record read at.
func (l *deliveryLog) callback(at place) func(producer.Metadata, error) {
	return func(md producer.Metadata, err error) {
		switch {
		case err == nil:
			l.delivered.Add(1)
			if l.report {
				line, _ := json.Marshal(delivery{md.Topic, md.Partition, md.Offset, md.Timestamp.UnixMilli(), at.String()})
				l.mu.Lock()
				l.stdout.Write(append(line, '\n'))
				l.mu.Unlock()
			}
		case errors.Is(err, producer.ErrClosed):
			l.unknown.Add(1)
		default:
			l.failed.Add(1)
			l.printf("kwire produce: %s: not delivered: %v\n", at, err)
		}
	}
}

// unsent lists the record read at as not sent, and why.
func (l *deliveryLog) unsent(at place, why string) {
	l.notSent.Add(1)
	l.printf("kwire produce: %s: not sent: %s\n", at, why)
}

// summarize flushes the report and writes the summary: of the records read, how many were
// delivered, failed, not sent and, if Close gave up on any, unknown.
func (l *deliveryLog) summarize(topic string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.stdout.Flush()
	fmt.Fprintf(l.stderr, "kwire produce: %d of %d records delivered to topic %s, %d failed, %d not sent",
		l.delivered.Load(), l.read.Load(), topic, l.failed.Load(), l.notSent.Load())
	if n := l.unknown.Load(); n > 0 {
		fmt.Fprintf(l.stderr, ", %d unknown (no answer when kwire stopped waiting: perhaps written)", n)
	}
	fmt.Fprintln(l.stderr)
	return err
}

// undelivered is how many records read were not delivered.
func (l *deliveryLog) undelivered() int64 {
	return l.failed.Load() + l.notSent.Load() + l.unknown.Load()
}

// showProgress writes a progress line to stderr every second while it is a terminal, and returns
// the function that stops it.
func showProgress(stderr io.Writer, l *deliveryLog) func() {
	if !isTerminal(stderr) {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				l.printf("\r\033[K")
				return
			case <-tick.C:
				l.printf("\r\033[Kkwire produce: %d of %d delivered, %d failed", l.delivered.Load(), l.read.Load(), l.failed.Load())
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
