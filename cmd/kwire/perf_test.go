package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
)

// Kafka's kafka-producer-perf-test lines, which kwire perf prints alike.
var (
	perfWindowLine = regexp.MustCompile(`^\d+ records sent, \d+\.\d records/sec \(\d+\.\d\d MB/sec\), \d+\.\d ms avg latency, \d+\.\d ms max latency\.$`)
	perfTotalLine  = regexp.MustCompile(`^(\d+) records sent, \d+\.\d{6} records/sec \(\d+\.\d\d MB/sec\), \d+\.\d\d ms avg latency, \d+\.\d\d ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$`)
)

func TestPerfEmbeddedBroker(t *testing.T) {
	r := kwire(t, "", "perf", "--topic", "perf", "--num-records", "3000", "--record-size", "100", "--throughput", "-1")
	if r.code != 0 || !strings.Contains(r.stderr, "embedded mock broker") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if m := perfTotalLine.FindStringSubmatch(lines[len(lines)-1]); m == nil || m[1] != "3000" {
		t.Fatalf("summary line not in Kafka's format:\n%s", r.stdout)
	}
}

// TestPerfToCluster: properties after --producer-props apply, the records land, and window lines
// come every --reporting-interval in Kafka's format.
func TestPerfToCluster(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("perf", 1))
	out := mustRun(t, "", "perf", "-b", c.Addrs()[0], "--topic", "perf", "--num-records", "300", "--record-size", "10",
		"--throughput", "1000", "--reporting-interval", "50", "--producer-props", "acks=1", "linger.ms=1", "compression.type=gzip")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("no window lines in 300ms at 50ms intervals:\n%s", out)
	}
	for _, l := range lines[:len(lines)-1] {
		if !perfWindowLine.MatchString(l) {
			t.Errorf("window line not in Kafka's format: %q", l)
		}
	}
	if !perfTotalLine.MatchString(lines[len(lines)-1]) {
		t.Errorf("summary line not in Kafka's format: %q", lines[len(lines)-1])
	}
	recs, _ := c.Records("perf", 0)
	if len(recs) != 300 {
		t.Fatalf("%d records stored, want 300", len(recs))
	}
	// Fresh random capital letters for each record, as Kafka's tool writes them.
	for i, r := range recs {
		if len(r.Value) != 10 || strings.Trim(string(r.Value), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" || i > 0 && bytes.Equal(r.Value, recs[i-1].Value) {
			t.Fatalf("record %d: %q (the one before: %q)", i, r.Value, recs[max(i-1, 0)].Value)
		}
	}
	batches, _ := c.Batches("perf", 0)
	var b wire.RecordBatch
	if _, err := b.Decode(batches[0]); err != nil || b.Attributes.Codec() != wire.CodecGzip {
		t.Fatalf("compression.type=gzip did not apply: %+v, %v", b.BatchHeader, err)
	}
}

func TestPerfBadCommandLine(t *testing.T) {
	base := []string{"perf", "--topic", "t", "--num-records", "10", "--record-size", "10"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{base, "--throughput is required"},
		{append(base, "--throughput", "0"), "--throughput must be positive, or -1"},
		{append(base, "--throughput", "-1", "extra"), `unexpected argument "extra"`},
		{append(base, "--throughput", "-1", "--producer-props", "acks=3"), "acks"},
		{append(base, "--throughput", "-1", "--producer-props", "max.in.flight.request.per.connection=5"), "did you mean max.in.flight.requests.per.connection?"},
		{[]string{"perf", "--topic", "t", "--num-records", "0", "--record-size", "1", "--throughput", "-1"}, "--num-records must be at least 1"},
	} {
		wantFailure(t, 2, "", tc.args, tc.want)
	}
}
