package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/wire"
)

// The producer matrix against real Kafka: kwire produce and the Go API send matrixRecords records
// for every codec and every valid acks × enable.idempotence combination to topics of their own,
// the Java KafkaConsumer reads them all back (realkafka_readback_test.go), and Kafka's
// DumpLogSegments shows the batches as kwire wrote them (realkafka_logdump_test.go).

const (
	matrixRecords    = 100_000 // per topic: per codec, mode and interface
	matrixPartitions = 4
)

// matrixRuns numbers the runs of the producer tests, whose topics must be new on the shared
// broker each time (go test -count=3).
var matrixRuns atomic.Int32

// matrixPrefix starts the names of a run's topics.
func matrixPrefix() string { return fmt.Sprintf("realkafka-matrix%d-", matrixRuns.Add(1)) }

// matrixMode is a valid combination of acks and enable.idempotence. The Java client refuses
// enable.idempotence=true unless acks=all (a ConfigException), and turns idempotence off when
// enable.idempotence is unset and acks is 0 or 1: the modes with acks 0 and 1 leave it unset, so
// kwire must apply that rule. TestRealKafkaProduceIdempotenceNeedsAcksAll checks both rules.
type matrixMode struct {
	name       string
	props      []string // NAME=VALUE, as -X and Config.Set take them
	acks       int16    // as Produce requests carry it
	idempotent bool
}

var matrixModes = []matrixMode{
	{"all-idempotent", []string{"acks=all", "enable.idempotence=true"}, -1, true},
	{"all", []string{"acks=all", "enable.idempotence=false"}, -1, false},
	{"acks1", []string{"acks=1"}, 1, false},
	{"acks0", []string{"acks=0"}, 0, false},
}

// matrixTopic is one combination's topic and where kwire reported each of its records.
type matrixTopic struct {
	name  string
	cli   bool // kwire produce, else the Go API
	codec wire.Codec
	mode  matrixMode
	base  time.Time // the Go API's explicit timestamps count back from it

	partition []int32   // record i's partition, as kwire reported it
	offset    []int64   // record i's offset, as kwire reported it (-1 with acks=0)
	timestamp []int64   // record i's timestamp in ms, as kwire reported it
	order     [][]int32 // per partition, its records in the order sent: record order[p][j] is at offset j
	// keyedEnd is, per partition, where the CLI's keyless run starts: the count of keyed records.
	keyedEnd []int
}

func newMatrixTopic(prefix string, cli bool, codec wire.Codec, mode matrixMode) *matrixTopic {
	kind := "api"
	if cli {
		kind = "cli"
	}
	return &matrixTopic{
		name: fmt.Sprintf("%s%s-%s-%s", prefix, kind, codec, mode.name),
		cli:  cli, codec: codec, mode: mode,
		partition: make([]int32, matrixRecords),
		offset:    make([]int64, matrixRecords),
		timestamp: make([]int64, matrixRecords),
	}
}

// record is what record i holds, built by g.
func (m *matrixTopic) record(g *recordGen, i int) (key, value []byte, headers []wire.Header) {
	if m.cli {
		_, key, value = g.cli(i)
		return key, value, nil
	}
	key, value, headers, _ = g.api(i, m.base)
	return key, value, headers
}

// TestRealKafkaProduceMatrix produces matrixRecords records to a topic of matrixPartitions
// partitions for each interface (kwire produce, the Go API), codec (none, gzip, snappy, lz4,
// zstd) and mode (acks=all idempotent, acks=all, acks=1, acks=0), then reads all of them back with
// one Java KafkaConsumer run and dumps every segment with one DumpLogSegments run. See
// checkJavaReadBack and checkLogDump for what must hold.
func TestRealKafkaProduceMatrix(t *testing.T) {
	k := sharedKafka(t)
	bin := buildKwire(t)
	var topics []*matrixTopic
	var others []string // the topics of producers that are not idempotent
	prefix := matrixPrefix()
	for _, cli := range []bool{true, false} {
		for _, codec := range wire.Codecs {
			for _, mode := range matrixModes {
				m := newMatrixTopic(prefix, cli, codec, mode)
				topics = append(topics, m)
				if !mode.idempotent {
					others = append(others, m.name)
				}
			}
		}
	}
	sniffer := newProduceSniffer()
	sniffer.Learn(createKafkaTopics(t, k.Addr(1), matrixPartitions, others...))
	waitForLeaders(t, k.Addr(1), matrixPartitions, others...)

	start := time.Now()
	// kwire produce runs in processes of its own, the Go API in this one: side by side, they
	// keep both of CI's cores busy.
	t.Run("produce", func(t *testing.T) {
		t.Run("kwire produce", func(t *testing.T) {
			t.Parallel()
			for _, m := range topics {
				if m.cli {
					createIdempotentTopic(t, k, sniffer, m)
					produceMatrixCLI(t, bin, k.Bootstrap, m)
				}
			}
		})
		t.Run("Go API", func(t *testing.T) {
			t.Parallel()
			for _, m := range topics {
				if !m.cli {
					createIdempotentTopic(t, k, sniffer, m)
					produceMatrixAPI(t, k.Bootstrap, sniffer, m)
				}
			}
		})
	})
	if t.Failed() {
		t.FailNow()
	}
	if err := sniffer.Err(); err != nil {
		t.Fatalf("decoding what kwire's producer wrote: %v", err)
	}
	t.Logf("produced %d records to each of %d topics in %v", matrixRecords, len(topics), time.Since(start).Round(time.Millisecond))

	start = time.Now()
	t.Run("check", func(t *testing.T) {
		t.Run("Java consumer", func(t *testing.T) {
			t.Parallel()
			checkJavaReadBack(t, k, topics)
		})
		t.Run("DumpLogSegments", func(t *testing.T) {
			t.Parallel()
			checkLogDump(t, k, topics, sniffer)
		})
	})
	t.Logf("checked in %v", time.Since(start).Round(time.Millisecond))
}

// createIdempotentTopic creates m's topic if its producer is idempotent, just before it produces:
// Kafka answers NOT_LEADER_OR_FOLLOWER for a moment, which kwire must get through without a loss
// or a duplicate (see producer.TestFirstBatchRefusedIsNotOvertaken). The other topics were
// created and their leaders awaited beforehand.
func createIdempotentTopic(t *testing.T, k *kafkaCluster, sniffer *produceSniffer, m *matrixTopic) {
	t.Helper()
	if m.mode.idempotent {
		sniffer.Learn(createKafkaTopics(t, k.Addr(1), matrixPartitions, m.name))
	}
}

// produceMatrixCLI runs kwire produce twice for m's topic: the keyed lines with -K :, then the
// keyless ones, each with --report, and records what the reports say.
func produceMatrixCLI(t *testing.T, bin, bootstrap string, m *matrixTopic) {
	t.Helper()
	next := make([]int64, matrixPartitions) // the offset the next record of each partition must get
	last := make([]int, matrixPartitions)   // the last record reported in each partition
	for p := range last {
		last[p] = -1
	}
	for _, run := range []struct{ from, to int }{{0, cliKeyedRecords}, {cliKeyedRecords, matrixRecords}} {
		args := []string{"produce", "-t", m.name, "-b", bootstrap, "-z", m.codec.String(), "--report"}
		if run.from == 0 {
			args = append(args, "-K", ":")
		}
		for _, p := range m.mode.props {
			args = append(args, "-X", p)
		}
		before := time.Now().UnixMilli()
		stdout, stderr := runMatrixCLI(t, bin, cliInput(run.from, run.to), args)
		after := time.Now().UnixMilli()
		n := run.to - run.from
		if want := fmt.Sprintf("kwire produce: %d of %d records delivered to topic %s, 0 failed, 0 not sent\n", n, n, m.name); !strings.Contains(stderr, want) {
			t.Fatalf("%s: kwire produce's stderr does not say %q:\n%s", m.name, want, lastLines(stderr, 20))
		}
		m.readReport(t, stdout, run.from, run.to, before, after, next, last)
		if run.from == 0 {
			m.keyedEnd = make([]int, matrixPartitions)
			for p := range m.keyedEnd {
				m.keyedEnd[p] = int(next[p])
			}
		}
	}
	m.finish(t)
}

// runMatrixCLI runs the kwire binary with args and stdin, fails t unless it exits 0 within
// three minutes, and returns its stdout and stderr.
func runMatrixCLI(t *testing.T, bin string, stdin []byte, args []string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("kwire %s: %v\nstderr:\n%s", strings.Join(args, " "), err, lastLines(errOut.String(), 20))
	}
	return out.String(), errOut.String()
}

// readReport reads the --report lines of the CLI run that sent records [from, to): each record
// reported once, in input order per partition (the order callbacks come in), at the next offset
// of its partition (-1 with acks=0), with a timestamp within the run.
func (m *matrixTopic) readReport(t *testing.T, report string, from, to int, before, after int64, next []int64, last []int) {
	t.Helper()
	var d diffs
	seen := make([]bool, to-from)
	for line := range strings.Lines(report) {
		r, err := parseReportLine(strings.TrimSuffix(line, "\n"))
		if err != nil {
			t.Fatalf("%s: --report printed %q: %v", m.name, line, err)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(r.Input, "stdin:"))
		if err != nil || !strings.HasPrefix(r.Input, "stdin:") || n < 1 || n > to-from || seen[n-1] {
			d.add("%s: input %q is not a line of stdin reported once", line, r.Input)
			continue
		}
		seen[n-1] = true
		i := from + n - 1
		p := r.Partition
		if r.Topic != m.name || p < 0 || p >= matrixPartitions {
			d.add("%s: want topic %s, partition below %d", line, m.name, matrixPartitions)
			continue
		}
		wantOffset := next[p]
		if m.mode.acks == 0 {
			wantOffset = -1
		}
		if r.Offset != wantOffset {
			d.add("%s: offset %d, want %d", line, r.Offset, wantOffset)
		}
		if i < last[p] {
			d.add("%s: record %d reported after record %d of partition %d", line, i, last[p], p)
		}
		if r.Timestamp < before || r.Timestamp > after {
			d.add("%s: timestamp outside the run [%d, %d]", line, before, after)
		}
		last[p], next[p] = i, next[p]+1
		m.partition[i], m.offset[i], m.timestamp[i] = p, r.Offset, r.Timestamp
	}
	for n, ok := range seen {
		if !ok {
			d.add("record %d (stdin:%d) not reported", from+n, n+1)
		}
	}
	d.check(t, m.name+": kwire produce --report")
}

// parseReportLine reads one --report line, which kwire produce prints with its fields in a fixed
// order; anything else goes through encoding/json, which is too slow under -race for millions of
// lines.
func parseReportLine(line string) (reportLine, error) {
	var r reportLine
	rest, ok := strings.CutPrefix(line, `{"topic":"`)
	topic, rest, ok1 := strings.Cut(rest, `","partition":`)
	partition, rest, ok2 := strings.Cut(rest, `,"offset":`)
	offset, rest, ok3 := strings.Cut(rest, `,"timestamp":`)
	timestamp, rest, ok4 := strings.Cut(rest, `,"input":"`)
	input, ok5 := strings.CutSuffix(rest, `"}`)
	p, err1 := strconv.ParseInt(partition, 10, 32)
	o, err2 := strconv.ParseInt(offset, 10, 64)
	ts, err3 := strconv.ParseInt(timestamp, 10, 64)
	if ok && ok1 && ok2 && ok3 && ok4 && ok5 && err1 == nil && err2 == nil && err3 == nil &&
		!strings.ContainsAny(topic+input, `"\`) {
		return reportLine{Topic: topic, Partition: int32(p), Offset: o, Timestamp: ts, Input: input}, nil
	}
	err := json.Unmarshal([]byte(line), &r)
	return r, err
}

// produceMatrixAPI sends m's records with the Go API, through the sniffer, and records where the
// callbacks say each landed.
func produceMatrixAPI(t *testing.T, bootstrap string, sniffer *produceSniffer, m *matrixTopic) {
	t.Helper()
	cfg := producer.DefaultConfig()
	cfg.BootstrapServers = strings.Split(bootstrap, ",")
	cfg.ClientID = "kwire-matrix"
	cfg.Dialer = sniffer.Dial
	for _, p := range append([]string{"compression.type=" + m.codec.String()}, m.mode.props...) {
		name, value, _ := strings.Cut(p, "=")
		if err := cfg.Set(name, value); err != nil {
			t.Fatal(err)
		}
	}
	p, err := producer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	var mu sync.Mutex
	var d diffs
	last := make([]int, matrixPartitions)
	for p := range last {
		last[p] = -1
	}
	delivered := 0
	m.base = time.Now().Truncate(time.Millisecond)
	before := time.Now().UnixMilli()
	for i := range matrixRecords {
		var g recordGen // the producer's own records: nothing shared with the next
		key, value, headers, ts := g.api(i, m.base)
		r := &producer.Record{Topic: m.name, Key: key, Value: value, Headers: headers, Timestamp: ts}
		err := p.Send(ctx, r, func(md producer.Metadata, err error) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				d.add("record %d: %v", i, err)
				return
			case md.Topic != m.name || md.Partition < 0 || md.Partition >= matrixPartitions:
				d.add("record %d: delivered to %s/%d", i, md.Topic, md.Partition)
				return
			case i < last[md.Partition]:
				d.add("record %d: its callback came after record %d's, in partition %d", i, last[md.Partition], md.Partition)
			case !ts.IsZero() && !md.Timestamp.Equal(ts):
				d.add("record %d: timestamp %v, sent %v", i, md.Timestamp, ts)
			}
			last[md.Partition] = i
			m.partition[i], m.offset[i], m.timestamp[i] = md.Partition, md.Offset, md.Timestamp.UnixMilli()
			delivered++
		})
		if err != nil {
			t.Fatalf("%s: Send record %d: %v", m.name, i, err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatalf("%s: Close: %v", m.name, err)
	}
	after := time.Now().UnixMilli()
	mu.Lock()
	defer mu.Unlock()
	if delivered != matrixRecords {
		d.add("%d of %d records delivered", delivered, matrixRecords)
	}
	for i := 0; i < matrixRecords; i += 3 { // the records kwire stamped at Send
		if ts := m.timestamp[i]; ts < before || ts > after {
			d.add("record %d: timestamp %d outside the run [%d, %d]", i, ts, before, after)
		}
	}
	d.check(t, m.name+": callbacks")
	m.finish(t)
}

// finish lists each partition's records in the order sent and checks that kwire reported them at
// offsets 0, 1, 2, … of their partition (all -1 with acks=0).
func (m *matrixTopic) finish(t *testing.T) {
	t.Helper()
	m.order = make([][]int32, matrixPartitions)
	var d diffs
	for i, p := range m.partition {
		want := int64(len(m.order[p]))
		if m.mode.acks == 0 {
			want = -1
		}
		if m.offset[i] != want {
			d.add("record %d: reported at %d/%d, want offset %d", i, p, m.offset[i], want)
		}
		m.order[p] = append(m.order[p], int32(i))
	}
	d.check(t, m.name+": reported offsets")
	counts := make([]int, matrixPartitions)
	for p, o := range m.order {
		counts[p] = len(o)
	}
	t.Logf("%s: records per partition %v", m.name, counts)
}

// diffs collects mismatches, keeping the first maxDiffs of them and counting the rest.
type diffs struct {
	list []string
	n    int
}

func (d *diffs) add(format string, args ...any) {
	d.n++
	if len(d.list) < maxDiffs {
		d.list = append(d.list, fmt.Sprintf(format, args...))
	}
}

// check fails t with the mismatches, if any.
func (d *diffs) check(t *testing.T, what string) {
	t.Helper()
	if d.n > 0 {
		t.Errorf("%s: %d mismatches, the first %d:\n\t%s", what, d.n, len(d.list), strings.Join(d.list, "\n\t"))
	}
}
