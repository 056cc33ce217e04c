package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// pipedProduce is a kwire produce process reading a pipe that the test writes and keeps open.
type pipedProduce struct {
	cmd     *exec.Cmd
	input   []byte
	w       *os.File // the pipe's write end
	r       *os.File // the test's copy of its read end, to read back what kwire left
	written chan int // how much of input the write took, once it returns
	stdout  bytes.Buffer
	stderr  lineWatch
}

// startPipedProduce starts kwire produce args (after "produce") and writes input to its stdin,
// keeping the pipe open.
func startPipedProduce(t *testing.T, input []byte, args ...string) *pipedProduce {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	p := &pipedProduce{input: input, w: w, r: r, written: make(chan int, 1)}
	p.cmd = exec.Command(os.Args[0], append([]string{"produce"}, args...)...)
	p.cmd.Env = append(os.Environ(), "KWIRE_BE_MAIN=1")
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = r, &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill() })
	go func() {
		n, _ := w.Write(input)
		p.written <- n
	}()
	return p
}

// signal sends sig to the process.
func (p *pipedProduce) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// wait waits for the process to exit, for at most a minute, and returns its exit status.
func (p *pipedProduce) wait(t *testing.T) int {
	t.Helper()
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		<-done
		t.Fatalf("still running a minute after the signal; stderr:\n%s", p.stderr.String())
		return 0
	}
}

// consumed is the input the process read: what the pipe did not hold when it exited.
func (p *pipedProduce) consumed(t *testing.T) []byte {
	t.Helper()
	rest := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(p.r)
		rest <- b
	}()
	n := <-p.written
	p.w.Close()
	return p.input[:n-len(<-rest)]
}

// lineWatch collects a process's output and lets a test wait for a line.
type lineWatch struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write adds p.
func (l *lineWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything written so far.
func (l *lineWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor waits up to a minute for a complete line containing s.
func (l *lineWatch) waitFor(t *testing.T, s string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for line := range strings.Lines(l.String()) {
			if strings.HasSuffix(line, "\n") && strings.Contains(line, s) {
				return
			}
		}
	}
	t.Fatalf("no line with %q in a minute; stderr:\n%s", s, l.String())
}

// waitForRecords waits up to a minute for the broker to hold n records of topic's partition 0.
func waitForRecords(t *testing.T, c *mockbroker.Cluster, topic string, n int) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if recs, _ := c.Records(topic, 0); len(recs) >= n {
			return
		}
	}
	t.Fatalf("the broker did not get %d records in a minute", n)
}

// numberedLines are n lines "record 1" to "record n".
func numberedLines(n int) []byte {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "record %d\n", i)
	}
	return b.Bytes()
}

// outcome is what kwire produce said of a run: each line's fate by its input place, the
// summary's counts and the offsets reported.
type outcome struct {
	fate                                      map[string]string // stdin:N → delivered, failed, not sent
	offsets                                   map[int64]string  // offset → stdin:N
	delivered, read, failed, notSent, unknown int
}

var summaryLine = regexp.MustCompile(`kwire produce: (\d+) of (\d+) records delivered to topic \S+, (\d+) failed, (\d+) not sent(?:, (\d+) unknown)?`)

// readOutcome reads the report on stdout, each line of which must be whole JSON, and the
// deliveries, failures, records not sent and summary on stderr; no line may be told twice.
func readOutcome(t *testing.T, stdout, stderr string) outcome {
	t.Helper()
	o := outcome{fate: map[string]string{}, offsets: map[int64]string{}}
	tell := func(where, fate string) {
		if o.fate[where] != "" {
			t.Errorf("%s told twice: %s and %s", where, o.fate[where], fate)
		}
		o.fate[where] = fate
	}
	if stdout != "" && !strings.HasSuffix(stdout, "\n") {
		t.Errorf("the report ends mid-line: %q", stdout[max(0, len(stdout)-80):])
	}
	for _, d := range reports(t, stdout) {
		tell(d.Input, "delivered")
		o.offsets[d.Offset] = d.Input
	}
	place := regexp.MustCompile(`^kwire produce: (stdin:\d+): (not delivered|not sent): `)
	for line := range strings.Lines(stderr) {
		if m := place.FindStringSubmatch(line); m != nil {
			tell(m[1], m[2])
		}
		if m := summaryLine.FindStringSubmatch(line); m != nil {
			o.delivered, _ = strconv.Atoi(m[1])
			o.read, _ = strconv.Atoi(m[2])
			o.failed, _ = strconv.Atoi(m[3])
			o.notSent, _ = strconv.Atoi(m[4])
			o.unknown, _ = strconv.Atoi(m[5])
		}
	}
	if o.read == 0 {
		t.Fatalf("no summary; stderr:\n%s", stderr)
	}
	return o
}

// checkAccounts checks that every line the process read is told once and counted in the summary,
// and that the broker holds exactly the records reported delivered, at their offsets.
func checkAccounts(t *testing.T, o outcome, consumed []byte, c *mockbroker.Cluster, topic string) {
	t.Helper()
	lines := len(splitLines(consumed))
	if o.read != lines {
		t.Errorf("summary: %d records read; the process took %d lines from the pipe", o.read, lines)
	}
	if o.delivered+o.failed+o.notSent+o.unknown != o.read {
		t.Errorf("summary: %d delivered + %d failed + %d not sent + %d unknown != %d read", o.delivered, o.failed, o.notSent, o.unknown, o.read)
	}
	count := map[string]int{}
	for i := 1; i <= lines; i++ {
		count[o.fate[fmt.Sprintf("stdin:%d", i)]]++
	}
	if count["delivered"] != o.delivered || count["not delivered"] != o.failed || count["not sent"] != o.notSent || len(o.fate) > lines {
		t.Errorf("lines told: %v of %d; summary: %d delivered, %d failed, %d not sent", count, len(o.fate), o.delivered, o.failed, o.notSent)
	}
	recs, err := c.Records(topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	if o.unknown == 0 && len(recs) != o.delivered {
		t.Errorf("the broker holds %d records, %d were reported delivered", len(recs), o.delivered)
	}
	for off, where := range o.offsets {
		n, _ := strconv.Atoi(strings.TrimPrefix(where, "stdin:"))
		if off >= int64(len(recs)) || string(recs[off].Value) != fmt.Sprintf("record %d", n) {
			t.Errorf("offset %d reported for %s does not hold its record", off, where)
		}
	}
}

// TestProduceInterrupted: SIGINT or SIGTERM while records are in flight from a pipe that stays
// open stops the reading; every record sent is then delivered or failed, reported in whole lines;
// every record read and not sent is listed; the summary adds up; the exit status is 128 + the
// signal's number.
func TestProduceInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(signalName(sig), func(t *testing.T) {
			c := mockbroker.NewTestCluster(t, mockbroker.Topic("paced", 1))
			c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 200 * time.Millisecond, Times: 1 << 30})
			p := startPipedProduce(t, numberedLines(20000), "-t", "paced", "-b", c.Addrs()[0], "--report",
				"-X", "batch.size=1024", "-X", "buffer.memory=4096")
			waitForRecords(t, c, "paced", 100)
			p.signal(t, sig)
			if code := p.wait(t); code != 128+int(sig) {
				t.Errorf("exit status %d, want %d", code, 128+int(sig))
			}
			stderr := p.stderr.String()
			o := readOutcome(t, p.stdout.String(), stderr)
			checkAccounts(t, o, p.consumed(t), c, "paced")
			if o.delivered < 100 || o.notSent == 0 || o.unknown != 0 {
				t.Errorf("%d delivered, %d not sent, %d unknown: want ≥ 100 delivered, some not sent, none unknown", o.delivered, o.notSent, o.unknown)
			}
			if !strings.Contains(stderr, "interrupted by "+signalName(sig)) {
				t.Errorf("stderr does not say the run was interrupted by %s:\n%s", signalName(sig), stderr)
			}
		})
	}
}

// TestProduceInterruptedTwice: a second signal stops waiting for records in flight at once (here
// the broker holds its answers for ten minutes); the records with no answer are counted as
// unknown.
func TestProduceInterruptedTwice(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("stuck", 1))
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 10 * time.Minute, Times: 1 << 30})
	p := startPipedProduce(t, numberedLines(1000), "-t", "stuck", "-b", c.Addrs()[0], "--report")
	waitForRecords(t, c, "stuck", 1)
	p.signal(t, syscall.SIGINT)
	p.stderr.waitFor(t, "a second signal stops at once")
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code != 130 {
		t.Errorf("exit status %d, want 130", code)
	}
	o := readOutcome(t, p.stdout.String(), p.stderr.String())
	checkAccounts(t, o, p.consumed(t), c, "stuck")
	if o.unknown == 0 || o.delivered != 0 {
		t.Errorf("%d unknown, %d delivered: want some unknown and none delivered", o.unknown, o.delivered)
	}
}
