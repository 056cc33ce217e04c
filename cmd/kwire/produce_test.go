package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// reports decodes kwire produce --report's lines.
func reports(t *testing.T, stdout string) []delivery {
	t.Helper()
	var out []delivery
	for line := range strings.Lines(stdout) {
		var d delivery
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("report line %q: %v", line, err)
		}
		out = append(out, d)
	}
	return out
}

func TestProduceEmbeddedBroker(t *testing.T) {
	r := kwire(t, "hello\nkafka\n", "produce", "-t", "greetings", "--report")
	if r.code != 0 || !strings.Contains(r.stderr, "embedded mock broker") || !strings.Contains(r.stderr, "2 of 2 records delivered") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	got := reports(t, r.stdout)
	if len(got) != 2 || got[0].Offset != 0 || got[1].Offset != 1 || got[1].Input != "stdin:2" || got[0].Topic != "greetings" || got[0].Timestamp <= 0 {
		t.Fatalf("reports: %+v", got)
	}
}

func TestProduceToCluster(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("orders", 3))
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	os.WriteFile(first, []byte("k1:v1\nk2:v2\n"), 0o644)
	os.WriteFile(second, []byte("k3:v:3\r\n"), 0o644)
	out := mustRun(t, "", "produce", "-t", "orders", "-b", c.Addrs()[0], "-K", ":", "-p", "2", "-z", "lz4", "-X", "linger.ms=50", "--report", first, second)
	got := reports(t, out)
	if len(got) != 3 || got[2].Input != second+":1" || got[2].Partition != 2 || got[2].Offset != 2 {
		t.Fatalf("reports: %+v", got)
	}
	recs, err := c.Records("orders", 2)
	if err != nil || len(recs) != 3 {
		t.Fatalf("partition 2: %d records, %v", len(recs), err)
	}
	for i, want := range [][2]string{{"k1", "v1"}, {"k2", "v2"}, {"k3", "v:3\r"}} {
		if string(recs[i].Key) != want[0] || string(recs[i].Value) != want[1] {
			t.Errorf("record %d: %q=%q, want %q=%q", i, recs[i].Key, recs[i].Value, want[0], want[1])
		}
	}
	batches, _ := c.Batches("orders", 2)
	var b wire.RecordBatch
	if _, err := b.Decode(batches[0]); err != nil || b.Attributes.Codec() != wire.CodecLZ4 || b.ProducerID < 0 {
		t.Fatalf("stored batch: %+v, %v", b.BatchHeader, err)
	}
}

// TestProduceBadInput: a missing file fails before anything is sent; a line that is not what -K
// promises stops the reading there, after the records before it, and what was read after it is
// listed as not sent.
func TestProduceBadInput(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	wantFailure(t, 1, "", []string{"produce", "-t", "t", "-b", c.Addrs()[0], "/no/such/file"}, "/no/such/file")
	if recs, _ := c.Records("t", 0); len(recs) != 0 {
		t.Fatalf("%d records produced before a missing file was noticed", len(recs))
	}
	wantFailure(t, 1, "a:1\nb\nc:3\n", []string{"produce", "-t", "t", "-b", c.Addrs()[0], "-K", ":"},
		`stdin:2: no key separator ":" in "b"`, "stdin:3: not sent", "1 of 3 records delivered to topic t, 0 failed, 2 not sent")
	if recs, _ := c.Records("t", 0); len(recs) != 1 || string(recs[0].Value) != "1" {
		t.Fatalf("records produced: %+v, want the one before the bad line", recs)
	}
}

func TestProduceBadCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"produce", "x.txt"}, "-t TOPIC is required"},
		{[]string{"produce", "-t", "t", "-X", "lingr.ms=5"}, "lingr.ms: unknown property; did you mean linger.ms?"},
		{[]string{"produce", "-t", "t", "-X", "acks=2"}, "acks"},
		{[]string{"produce", "-t", "t", "-X", "enable.idempotence=true", "-X", "acks=1"}, "acks: must be all"},
		{[]string{"produce", "-t", "t", "-X", "linger.ms"}, "want NAME=VALUE"},
		{[]string{"produce", "-t", "t", "-z", "brotli"}, "brotli"},
		{[]string{"produce", "-t", "t", "-p", "-5"}, "-p -5: "},
		{[]string{"produce", "-t", "t", "--partition", "-2"}, "-p -2: "},
		{[]string{"produce", "-t", "t", "-p", "2147483648"}, "-p 2147483648: "},
	} {
		wantFailure(t, 2, "x\n", tc.args, tc.want)
	}
}

// TestProduceUnreachableBroker: when the producer refuses a record, kwire stops sending and lists
// that record and every other it read as not sent.
func TestProduceUnreachableBroker(t *testing.T) {
	wantFailure(t, 1, "x\ny\nz\n", []string{"produce", "-t", "t", "-b", "127.0.0.1:1", "-X", "max.block.ms=300"},
		"stopped sending at stdin:1", "127.0.0.1:1", "stdin:1: not sent: ", "stdin:2: not sent: ", "stdin:3: not sent: ",
		"0 of 3 records delivered to topic t, 0 failed, 3 not sent")
}

// TestProducePartitionFlag: -p -1 is the default, the partitioner's choice.
func TestProducePartitionFlag(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 3))
	got := reports(t, mustRun(t, "a\n", "produce", "-t", "t", "-b", c.Addrs()[0], "-p", "-1", "--report"))
	if len(got) != 1 {
		t.Fatalf("reports: %+v", got)
	}
}

// TestProduceKeepsBytes: a value is every byte of its line but the "\n" that ends it: "\r" before
// it too, as kcat keeps it.
func TestProduceKeepsBytes(t *testing.T) {
	data := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{}).Read(data)
	for i := 0; i < len(data)-1; i += 997 {
		data[i], data[i+1] = '\r', '\n'
	}
	data = append(data, "\r\n\r\r\n\n\r"...)
	file := filepath.Join(t.TempDir(), "binary")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("bytes", 1))
	mustRun(t, "", "produce", "-t", "bytes", "-b", c.Addrs()[0], file)
	recs, err := c.Records("bytes", 0)
	if err != nil {
		t.Fatal(err)
	}
	values := make([][]byte, len(recs))
	for i, r := range recs {
		values[i] = r.Value
	}
	if got := bytes.Join(values, []byte("\n")); !bytes.Equal(got, data) {
		t.Fatalf("%d records, joined by \\n: %d bytes that differ from the file's %d", len(recs), len(got), len(data))
	}
}

// TestProduceReportsFailures: records the broker refuses are each reported with their input
// line and reason, and the exit status says not all were delivered.
func TestProduceReportsFailures(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.RespondWithError, ErrorCode: kerr.TopicAuthorizationFailed.Code, Times: 100})
	r := wantFailure(t, 1, "a\nb\n", []string{"produce", "-t", "t", "-b", c.Addrs()[0], "--report"},
		"stdin:1: not delivered: TOPIC_AUTHORIZATION_FAILED", "stdin:2: not delivered", "2 records not delivered")
	if r.stdout != "" {
		t.Fatalf("reported deliveries that failed: %s", r.stdout)
	}
}

// TestProduceProgressOnTerminal: with stderr a terminal (script(1) gives the command a pseudo
// terminal), kwire produce shows a progress line every second and clears it before its summary;
// a broker that holds its answer for 1.5 s makes one appear.
func TestProduceProgressOnTerminal(t *testing.T) {
	scriptPath, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed (Debian: bsdutils)")
	}
	input := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(input, []byte("a\nb\nc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("slow", 1))
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 1500 * time.Millisecond})
	line := strings.Join([]string{os.Args[0], "produce", "-b", c.Addrs()[0], "-t", "slow", input}, " ")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, scriptPath, "-q", "-e", "-c", line, "/dev/null")
	cmd.Env = append(os.Environ(), "KWIRE_BE_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v; output:\n%q", err, out)
	}
	progress := "\r\033[Kkwire produce: 0 of 3 delivered, 0 failed"
	cleared := strings.Index(string(out), "\r\033[Kkwire produce: 3 of 3 records delivered")
	if i := strings.Index(string(out), progress); i < 0 || cleared < i {
		t.Fatalf("no progress line cleared before the summary; output:\n%q", out)
	}
}
