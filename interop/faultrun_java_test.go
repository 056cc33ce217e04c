package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// This file runs the Java producer (Produce.java) as a fault run (faultrun_test.go), the control
// beside kwire's.

// startJavaRun sends spec's records with the Java KafkaProducer (Produce.java), spec's
// properties set on it. Its warnings, hundreds through broker faults, are counted rather than
// logged.
func startJavaRun(ctx context.Context, t *testing.T, spec runSpec) *faultRun {
	t.Helper()
	n := spec.records
	metrics := filepath.Join(t.TempDir(), "metrics.txt")
	args := []string{"run", "dev.kwire.interop.Produce", "--bootstrap", spec.bootstrap, "--topic", spec.topic, "--records", strconv.Itoa(n),
		"--keys", strconv.Itoa(spec.keys), "--throughput", strconv.FormatFloat(spec.rate, 'f', 1, 64),
		"--wait-before", strconv.Itoa(spec.heldFrom()), "--metrics", metrics}
	for _, p := range spec.props {
		args = append(args, "--property", p)
	}
	cmd := exec.CommandContext(ctx, "bash", append([]string{kafkaScript}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // kafka.sh runs it with exec
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	run := newFaultRun(spec)
	go func() {
		select { // Produce holds its last tenth until a line comes
		case <-spec.release:
		case <-ctx.Done():
		}
		stdin.Write([]byte("go\n"))
		stdin.Close()
	}()
	go func() {
		defer close(run.done)
		start := time.Now()
		out, runErr := cmd.Output()
		run.took = time.Since(start)
		acks, err := readJavaAcks(out, n)
		for _, a := range acks {
			if a.Seq < 0 || a.Seq >= n {
				err = errors.Join(err, fmt.Errorf("Produce printed record %d of %d", a.Seq, n))
				continue
			}
			run.acks[a.Seq] = faultAck{Partition: a.Partition, Offset: a.Offset, Err: a.Err, Calls: run.acks[a.Seq].Calls + 1}
		}
		if runErr != nil {
			runErr = fmt.Errorf("java Produce: %w, first failure %s; its stderr ends:\n%s", runErr, run.firstFailure(), lastLines(stderr.String(), 5))
		}
		run.err = errors.Join(runErr, err)
		run.evidence, run.faultsSeen = javaEvidence(metrics, stderr.String())
	}()
	return run
}

// javaEvidence summarizes the Java producer's metrics file (records retried and failed,
// connections made and closed, closes including failed attempts) and the errors its warnings
// name, and counts retries, errors and closes.
func javaEvidence(metricsFile, stderr string) (string, int64) {
	m := map[string]int64{}
	if b, err := os.ReadFile(metricsFile); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, " "); ok {
				f, _ := strconv.ParseFloat(v, 64)
				m[k] = int64(f)
			}
		}
	}
	errs := map[string]int64{}
	seen := m["record-retry-total"] + m["connection-close-total"]
	for _, line := range strings.Split(stderr, "\n") {
		if _, after, ok := strings.Cut(line, "retrying ("); ok {
			if _, code, ok := strings.Cut(after, "Error: "); ok {
				if end := strings.IndexFunc(code, func(r rune) bool { return (r < 'A' || r > 'Z') && r != '_' }); end >= 0 {
					code = code[:end]
				}
				errs[code]++
				seen++
			}
		}
	}
	return fmt.Sprintf("%d records retried, %d failed, errors %s, %d connections made, %d closed",
		m["record-retry-total"], m["record-error-total"], sortedCounts(errs), m["connection-creation-total"], m["connection-close-total"]), seen
}
