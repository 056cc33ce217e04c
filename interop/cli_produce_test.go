package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// This file runs the kwire command as users do: it builds the binary, starts `kwire broker` as a
// child process, pipes lines into `kwire produce`, and reads them back with kcat (librdkafka) and
// franz-go, checking both against the --report lines kwire produce printed.

// buildKwire builds the kwire command (through the interop module's replace directive, so from
// the working tree) into a directory removed when t ends, and returns the binary's path.
func buildKwire(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go") // go test puts its own GOROOT/bin first on PATH
	if err != nil {
		t.Fatalf("no go command to build kwire with: %v", err)
	}
	bin := t.TempDir() + "/kwire"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, "github.com/kwire-dev/kwire/cmd/kwire").CombinedOutput()
	if err != nil {
		t.Fatalf("go build kwire: %v\n%s", err, out)
	}
	return bin
}

// kwireBroker is a running `kwire broker` child process.
type kwireBroker struct {
	cmd     *exec.Cmd
	addrs   []string      // from its ready line
	stderr  bytes.Buffer  // read only once the process has been waited for
	drained chan struct{} // closed when its stdout reached EOF
	exited  bool
}

// startKwireBroker runs `kwire broker` with args and waits (up to 10 s) for its ready line. The
// process is killed when t ends unless stop has ended it.
func startKwireBroker(t *testing.T, bin string, args ...string) *kwireBroker {
	t.Helper()
	b := &kwireBroker{cmd: exec.Command(bin, append([]string{"broker"}, args...)...), drained: make(chan struct{})}
	b.cmd.Stderr = &b.stderr
	stdout, err := b.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start kwire broker: %v", err)
	}
	t.Cleanup(func() {
		if !b.exited {
			b.cmd.Process.Kill()
			b.wait(5 * time.Second)
		}
	})
	ready := make(chan string, 1)
	go func() {
		defer close(b.drained)
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		ready <- line
		io.Copy(io.Discard, r) // nothing more is expected; keep the pipe from filling up
	}()
	select {
	case line := <-ready:
		addrs, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
		if !ok || addrs == "" {
			b.cmd.Process.Kill()
			b.wait(5 * time.Second)
			t.Fatalf("kwire broker printed %q, want \"ready HOST:PORT,...\"\nstderr:\n%s", line, b.stderr.String())
		}
		b.addrs = strings.Split(addrs, ",")
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		b.wait(5 * time.Second)
		t.Fatalf("kwire broker not ready in 10s\nstderr:\n%s", b.stderr.String())
	}
	return b
}

// wait waits up to d for the process to exit, after its stdout has been read to the end, and
// returns Wait's error (or a timeout error).
func (b *kwireBroker) wait(d time.Duration) error {
	done := make(chan error, 1)
	go func() {
		<-b.drained
		done <- b.cmd.Wait()
	}()
	select {
	case err := <-done:
		b.exited = true
		return err
	case <-time.After(d):
		return fmt.Errorf("did not exit in %v", d)
	}
}

// stop sends the broker SIGTERM and fails t unless it exits with status 0 within 10 s.
func (b *kwireBroker) stop(t *testing.T) {
	t.Helper()
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM to kwire broker: %v", err)
	}
	if err := b.wait(10 * time.Second); err != nil {
		t.Fatalf("kwire broker after SIGTERM: %v, want exit status 0\nstderr:\n%s", err, b.stderr.String())
	}
	if code := b.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("kwire broker exited with status %d after SIGTERM, want 0", code)
	}
}

// reportLine is one line of kwire produce --report: where one input line was delivered.
type reportLine struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Timestamp int64  `json:"timestamp"`
	Input     string `json:"input"`
}

// cliLine is one line of kwire produce's input: KEY:VALUE.
type cliLine struct{ key, value string }

// cliLines are n input lines over 17 keys; the values are unique and themselves hold colons, which
// -K : must leave in the value (it splits at the first one only).
func cliLines(topic string, n int) []cliLine {
	out := make([]cliLine, n)
	for i := range out {
		out[i] = cliLine{
			key:   fmt.Sprintf("customer-%02d", i%17),
			value: fmt.Sprintf("%s %03d: qty:%d note: %s", topic, i, i%7+1, strings.Repeat("fragile, this side up; ", 3)),
		}
	}
	return out
}

// cliProduceCase is one kwire produce run: its topic, its flags beyond -t and -b, and what the
// batches must carry.
type cliProduceCase struct {
	name       string
	topic      string
	flags      []string
	codec      wire.Codec
	idempotent bool
}

// TestCLIProduce builds kwire, starts `kwire broker --listen 127.0.0.1:0` with two three-partition
// topics as a child process, and pipes a few hundred KEY:VALUE lines into `kwire produce -K :
// --report` (lz4 with the default idempotent acks=all producer; zstd with acks=1 and idempotence
// off). Each run must exit 0, say on stderr that every record was delivered, and print one
// --report JSON object (exactly topic, partition, offset, timestamp, input) per line: every input
// line once, each key's lines in the partition Kafka's murmur2 of the key gives, at offsets
// 0, 1, 2, … per partition in input order. kcat -C and franz-go's consumer must then read every
// line back exactly once, with its key, at the partition, offset and timestamp the report gave,
// from batches with the codec asked for. Finally the broker must exit 0 on SIGTERM.
func TestCLIProduce(t *testing.T) {
	bin := buildKwire(t)
	broker := startKwireBroker(t, bin, "--listen", "127.0.0.1:0", "--topic", "orders:3", "--topic", "payments:3")
	addr := strings.Join(broker.addrs, ",")
	const n, partitions = 300, 3
	cases := []cliProduceCase{
		{name: "lz4-idempotent", topic: "orders", flags: []string{"-K", ":", "-z", "lz4", "--report"}, codec: wire.CodecLZ4, idempotent: true},
		{name: "zstd-acks1", topic: "payments", flags: []string{"-K", ":", "-z", "zstd", "-X", "acks=1", "-X", "enable.idempotence=false", "-X", "linger.ms=20", "--report"}, codec: wire.CodecZstd},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := cliLines(c.topic, n)
			var stdin strings.Builder
			for _, l := range lines {
				fmt.Fprintf(&stdin, "%s:%s\n", l.key, l.value)
			}
			before := time.Now().UnixMilli()
			report := runKwireProduce(t, bin, stdin.String(), append([]string{"-t", c.topic, "-b", addr}, c.flags...)...)
			after := time.Now().UnixMilli()
			byLine := checkReport(t, c.topic, lines, report, partitions, before, after)

			t.Run("kcat", func(t *testing.T) {
				kcat := requireKcat(t)
				out, log := runKcat(t, kcat, "", "-C", "-b", addr, "-t", c.topic, "-o", "beginning", "-e", "-J")
				var got []cliRead
				for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
					if l == "" {
						continue
					}
					var m kcatMessage
					if err := json.Unmarshal([]byte(l), &m); err != nil {
						t.Fatalf("kcat -C -J printed %q: %v", l, err)
					}
					r := cliRead{partition: m.Partition, offset: m.Offset, timestamp: m.Ts, key: m.Key, value: m.Payload}
					if m.TsType != "create" {
						t.Errorf("%d/%d: timestamp type %q, want create", m.Partition, m.Offset, m.TsType)
					}
					got = append(got, r)
				}
				if len(got) != n {
					t.Logf("kcat stderr:\n%s", lastLines(log, 20))
				}
				checkReadBack(t, "kcat -C", lines, byLine, got)
			})

			t.Run("franz-go", func(t *testing.T) {
				var got []cliRead
				var errs []string
				for p, recs := range consumeToEnd(t, broker.addrs, c.topic, partitions) {
					for _, r := range recs {
						key, value := string(r.Key), string(r.Value)
						got = append(got, cliRead{partition: p, offset: r.Offset, timestamp: r.Timestamp.UnixMilli(), key: &key, value: &value})
						if codec := wire.Codec(r.Attrs.CompressionType()); codec != c.codec {
							errs = append(errs, fmt.Sprintf("%d/%d: batch codec %s, want %s", p, r.Offset, codec, c.codec))
						}
						if (r.ProducerID >= 0) != c.idempotent {
							errs = append(errs, fmt.Sprintf("%d/%d: producer id %d, idempotent %v", p, r.Offset, r.ProducerID, c.idempotent))
						}
					}
				}
				failDiffs(t, "franz-go consumer: batches", errs, nil)
				checkReadBack(t, "franz-go consumer", lines, byLine, got)
			})
		})
	}
	broker.stop(t)
}

// runKwireProduce runs kwire produce with args and stdin, bounded by clientTimeout, fails t unless
// it exits 0 and says every line was delivered, and returns its stdout.
func runKwireProduce(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	stdout, stderr, err := runKwireProduceOutput(t, bin, stdin, args...)
	if err != nil {
		t.Fatalf("kwire produce %s: %v (within %v)\nstderr:\n%s", strings.Join(args, " "), err, clientTimeout, lastLines(stderr, 20))
	}
	n := strings.Count(stdin, "\n")
	topic := args[slices.Index(args, "-t")+1]
	if want := fmt.Sprintf("kwire produce: %d of %d records delivered to topic %s", n, n, topic); !strings.Contains(stderr, want) {
		t.Errorf("kwire produce's stderr does not say %q:\n%s", want, lastLines(stderr, 20))
	}
	return stdout
}

// runKwireProduceOutput runs kwire produce with args and stdin, bounded by clientTimeout, and
// returns its stdout, its stderr and how it ended.
func runKwireProduceOutput(t *testing.T, bin, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"produce"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// checkReport checks kwire produce --report's output for lines produced to topic, and returns the
// report line of each input line, by index. Each line must be a JSON object with exactly the
// documented fields; every input line is reported once; per partition the offsets run 0, 1, 2, …
// in input order (and the report lists them in that order, as callbacks come); each key's lines
// go to the partition murmur2 gives it (as franz-go computes it); timestamps fall within the run.
func checkReport(t *testing.T, topic string, lines []cliLine, report string, partitions int32, before, after int64) []reportLine {
	t.Helper()
	byLine := make([]reportLine, len(lines))
	seen := make([]bool, len(lines))
	next := map[int32]int64{}
	lastLine := map[int32]int{}
	var errs []string
	fields := []string{"input", "offset", "partition", "timestamp", "topic"}
	for _, l := range strings.Split(strings.TrimSuffix(report, "\n"), "\n") {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &raw); err != nil {
			t.Fatalf("--report printed %q: %v", l, err)
		}
		if keys := slices.Sorted(maps.Keys(raw)); !slices.Equal(keys, fields) {
			errs = append(errs, fmt.Sprintf("%s: fields %v, want %v", l, keys, fields))
		}
		var r reportLine
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("--report printed %q: %v", l, err)
		}
		var i int
		if _, err := fmt.Sscanf(r.Input, "stdin:%d", &i); err != nil || i < 1 || i > len(lines) {
			errs = append(errs, fmt.Sprintf("%s: input %q is not stdin:1 to stdin:%d", l, r.Input, len(lines)))
			continue
		}
		i-- // lines count from 1
		switch {
		case seen[i]:
			errs = append(errs, fmt.Sprintf("%s: line %d reported again", l, i+1))
		case r.Topic != topic || r.Partition < 0 || r.Partition >= partitions:
			errs = append(errs, fmt.Sprintf("%s: want topic %s, partition below %d", l, topic, partitions))
		case r.Offset != next[r.Partition]:
			errs = append(errs, fmt.Sprintf("%s: offset %d, want %d: the partition's lines are not reported in input order at offsets 0, 1, 2, …", l, r.Offset, next[r.Partition]))
		}
		if prev, ok := lastLine[r.Partition]; ok && i < prev {
			errs = append(errs, fmt.Sprintf("%s: line %d after line %d in partition %d", l, i+1, prev+1, r.Partition))
		}
		if want := kgoKeyPartition(topic, []byte(lines[i].key), int(partitions)); r.Partition != want {
			errs = append(errs, fmt.Sprintf("%s: key %q in partition %d, murmur2 gives %d", l, lines[i].key, r.Partition, want))
		}
		if r.Timestamp < before || r.Timestamp > after {
			errs = append(errs, fmt.Sprintf("%s: timestamp outside the run [%d, %d]", l, before, after))
		}
		seen[i], byLine[i] = true, r
		lastLine[r.Partition] = i
		next[r.Partition] = r.Offset + 1
		if len(errs) > maxDiffs {
			break
		}
	}
	for i, ok := range seen {
		if !ok {
			errs = append(errs, fmt.Sprintf("line %d (%s:%s) not reported", i+1, lines[i].key, lines[i].value))
			break
		}
	}
	failDiffs(t, "kwire produce --report", errs, nil)
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%s: %d lines reported over partitions %v (next offsets)", topic, len(lines), next)
	return byLine
}

// cliRead is one record as a consumer read it back. A null key or value is nil.
type cliRead struct {
	partition  int32
	offset     int64
	timestamp  int64
	key, value *string
}

// checkReadBack checks what consumer read, in its order, against the input lines and the report:
// each line once, with its key, at the partition, offset and timestamp reported, in input order
// within each partition.
func checkReadBack(t *testing.T, consumer string, lines []cliLine, byLine []reportLine, got []cliRead) {
	t.Helper()
	index := make(map[string]int, len(lines))
	for i, l := range lines {
		index[l.value] = i
	}
	seen := make([]bool, len(lines))
	last := map[int32]int{}
	var errs []string
	for _, r := range got {
		where := fmt.Sprintf("%d/%d", r.partition, r.offset)
		if r.value == nil {
			errs = append(errs, where+": null value")
			continue
		}
		i, ok := index[*r.value]
		switch {
		case !ok:
			errs = append(errs, fmt.Sprintf("%s: value %q was not produced", where, *r.value))
			continue
		case seen[i]:
			errs = append(errs, fmt.Sprintf("%s: line %d read again", where, i+1))
		}
		seen[i] = true
		if r.key == nil || *r.key != lines[i].key {
			errs = append(errs, fmt.Sprintf("%s: line %d has key %s, want %q", where, i+1, quoteOrNull(r.key), lines[i].key))
		}
		if rep := byLine[i]; rep.Partition != r.partition || rep.Offset != r.offset || rep.Timestamp != r.timestamp {
			errs = append(errs, fmt.Sprintf("%s: line %d with timestamp %d; --report said %d/%d with timestamp %d", where, i+1, r.timestamp, rep.Partition, rep.Offset, rep.Timestamp))
		}
		if prev, ok := last[r.partition]; ok && i < prev {
			errs = append(errs, fmt.Sprintf("%s: line %d after line %d", where, i+1, prev+1))
		}
		last[r.partition] = i
		if len(errs) > maxDiffs {
			break
		}
	}
	missing := 0
	for _, ok := range seen {
		if !ok {
			missing++
		}
	}
	if missing > 0 {
		errs = append(errs, fmt.Sprintf("%d of %d lines not read back", missing, len(lines)))
	}
	failDiffs(t, consumer+" against kwire produce's input and --report", errs, nil)
	t.Logf("%s read %d records", consumer, len(got))
}
