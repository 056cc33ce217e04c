package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// This file runs `kwire produce` as a fault run (faultrun_test.go).

// startCLIRun sends spec's records with `kwire produce` (the binary bin), as fast as it reads
// them (spec's rate and release do not apply): its input is every record's "KEY:VALUE" line,
// ready from the start, and --report says where each landed.
func startCLIRun(ctx context.Context, t *testing.T, bin string, spec runSpec) *faultRun {
	t.Helper()
	var input bytes.Buffer
	for i := range spec.records {
		fmt.Fprintf(&input, "%s:%s\n", recordKey(i, spec.keys), recordValue(i))
	}
	args := []string{"produce", "-b", spec.bootstrap, "-t", spec.topic, "-K", ":", "--report"}
	for _, p := range spec.props {
		args = append(args, "-X", p)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stdin = &input
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	run := newFaultRun(spec)
	var reported atomic.Int64
	run.progress = reported.Load
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kwire produce: %v", err)
	}
	go func() {
		defer close(run.done)
		reportErr := run.readReport(stdout, &reported)
		waitErr := cmd.Wait()
		run.took = time.Since(start)
		notDelivered := run.readFailures(stderr.Bytes())
		if waitErr != nil {
			waitErr = fmt.Errorf("kwire produce: %w; its stderr ends:\n%s", waitErr, lastLines(stderr.String(), 10))
		}
		run.err = errors.Join(reportErr, waitErr)
		run.evidence = fmt.Sprintf("%d records reported not delivered (exit: %v)", notDelivered, waitErr == nil)
		run.faultsSeen = -1
	}()
	return run
}

// readReport takes kwire produce's --report lines, one a delivered record, as they come.
func (r *faultRun) readReport(stdout io.Reader, reported *atomic.Int64) error {
	sc := bufio.NewScanner(stdout)
	var d struct {
		Partition int32  `json:"partition"`
		Offset    int64  `json:"offset"`
		Input     string `json:"input"`
	}
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return fmt.Errorf("kwire produce --report printed %q: %w", sc.Text(), err)
		}
		i, ok := r.inputLine(d.Input)
		if !ok {
			return fmt.Errorf("kwire produce --report printed input %q", d.Input)
		}
		a := &r.acks[i]
		a.Calls++
		a.Partition, a.Offset = d.Partition, d.Offset
		reported.Add(1)
	}
	return sc.Err()
}

// readFailures takes kwire produce's "stdin:LINE: not delivered: ERR" lines and returns how
// many there were.
func (r *faultRun) readFailures(stderr []byte) int {
	failures := 0
	for _, line := range strings.Split(string(stderr), "\n") {
		where, why, ok := strings.Cut(strings.TrimPrefix(line, "kwire produce: "), ": not delivered: ")
		if i, known := r.inputLine(where); ok && known {
			r.acks[i].Calls++
			r.acks[i].Err = why
			failures++
		}
	}
	return failures
}

// inputLine is the record number of kwire produce's input position "stdin:LINE".
func (r *faultRun) inputLine(where string) (int, bool) {
	line, ok := strings.CutPrefix(where, "stdin:")
	i, err := strconv.Atoi(line)
	if !ok || err != nil || i < 1 || i > r.records {
		return 0, false
	}
	return i - 1, true
}
