package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// This file runs kcat, the command-line client built on librdkafka, against the mock broker: it
// produces lines with kcat -P (plain, keyed, with each codec, idempotent), consumes them back with
// kcat -C, and checks the batches the broker stored. The versions it was written against are
// Debian's kcat 1.7.1 on librdkafka 2.0.2.
//
// librdkafka decides from the broker's ApiVersions answer which codecs the broker supports, and
// when it decides a codec is unsupported it logs "Broker does not support compression type X" and
// sends the batch uncompressed, silently as far as the application can tell. Its rules before
// 2.11.1 (rd_kafka_msgset_writer_select_MsgVersion and the feature map of rdkafka_feature.c; see
// librdkafkaDeclines) want Produce v0 advertised for gzip, snappy and lz4 (librdkafka issue 4956,
// the reason Kafka 4.0 still advertises Produce v0, KAFKA-18659), FindCoordinator v0 as well for
// lz4 (its LZ4 feature stands for "broker 0.8.2 or later", recognised by FindCoordinator), and
// Produce v7 and Fetch v10 for zstd. Both of kwire's profiles advertise all of that, as Kafka 3.9
// and 4.0 do, so the tests require every batch to carry exactly the codec asked for and librdkafka
// never to decline one.

// kcatPartitions is how many partitions the kcat tests' topics get, so that "in order" is checked
// per partition across several.
const kcatPartitions = 3

// requireKcat returns kcat's path. Without kcat on PATH it skips the test, unless
// KWIRE_REQUIRE_KCAT is set (as CI sets it), in which case it fails it.
func requireKcat(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		if _, required := os.LookupEnv("KWIRE_REQUIRE_KCAT"); required {
			t.Fatalf("kcat is required (KWIRE_REQUIRE_KCAT is set) but not on PATH: %v", err)
		}
		t.Skipf("kcat not on PATH (%v); set KWIRE_REQUIRE_KCAT=1 to fail instead", err)
	}
	return path
}

// runKcat runs kcat with args and stdin, bounded by clientTimeout, and returns what it wrote to
// stdout and stderr. It fails t if kcat fails or times out.
func runKcat(t *testing.T, kcat, stdin string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, kcat, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = 2 * time.Second
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("kcat %s: %v after %v (context: %v)\nstderr:\n%s", strings.Join(args, " "), err, time.Since(start).Round(time.Millisecond), ctx.Err(), lastLines(errOut.String(), 40))
	}
	return out.String(), errOut.String()
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// kcatMessage is one message as kcat -C -J prints it. A null key or payload is JSON null.
type kcatMessage struct {
	Topic     string    `json:"topic"`
	Partition int32     `json:"partition"`
	Offset    int64     `json:"offset"`
	TsType    string    `json:"tstype"`
	Ts        int64     `json:"ts"`
	Headers   []*string `json:"headers"` // name, value, name, value, …; a null value is null
	Key       *string   `json:"key"`
	Payload   *string   `json:"payload"`
}

// kcatCase is one kcat -P run: its topic, the codec asked for with -z, whether lines are
// KEY:VALUE (-K:), whether every message gets kcatHeaders (-H) and whether the producer is
// idempotent.
type kcatCase struct {
	name       string
	codec      wire.Codec
	keyed      bool
	headers    bool
	idempotent bool
}

// kcatHeaders are the headers -H name=value gives every message: a value, an empty value, and a
// null one (-H name without '=').
var kcatHeaders = []hdrView{{Key: "trace", Value: []byte("kcat")}, {Key: "empty", Value: []byte{}}, {Key: "null-value", Value: nil}}

func (c kcatCase) topic() string { return "kcat-" + c.name }

// produceArgs are the kcat -P arguments for the case. -d msg makes librdkafka log each message
// set it sends, with the codec, and when it declines to compress.
func (c kcatCase) produceArgs(addr string) []string {
	args := []string{"-P", "-b", addr, "-t", c.topic(), "-d", "msg", "-X", "batch.num.messages=40"}
	if c.keyed {
		args = append(args, "-K:")
	}
	if c.headers {
		for _, h := range kcatHeaders {
			if h.Value == nil {
				args = append(args, "-H", h.Key)
			} else {
				args = append(args, "-H", h.Key+"="+string(h.Value))
			}
		}
	}
	if c.codec != wire.CodecNone {
		args = append(args, "-z", c.codec.String())
	}
	if c.idempotent {
		args = append(args, "-X", "enable.idempotence=true")
	}
	return args
}

// kcatLine is one input line: the key (when keyed) and value kcat must produce from it.
type kcatLine struct {
	key   *string
	value string
}

// lines are the case's input lines, compressible so that every codec shrinks even a batch of one
// (librdkafka sends a batch uncompressed when compressing does not make it smaller). Keyed lines reuse 20 keys,
// so records with one key must land in one partition.
func (c kcatCase) lines(n int) []kcatLine {
	out := make([]kcatLine, n)
	for i := range out {
		out[i].value = fmt.Sprintf("%s line %04d: %s", c.name, i, strings.Repeat("the quick brown fox jumps over the lazy dog; ", 4))
		if c.keyed {
			k := fmt.Sprintf("key-%02d", i%20)
			out[i].key = &k
		}
	}
	return out
}

// kcatStdin is lines as kcat -P reads them: one message a line, KEY:VALUE with -K:.
func kcatStdin(lines []kcatLine) string {
	var b strings.Builder
	for _, l := range lines {
		if l.key != nil {
			b.WriteString(*l.key + ":")
		}
		b.WriteString(l.value + "\n")
	}
	return b.String()
}

// TestKcatAgainstMockBroker produces with kcat -P to the default (Kafka 3.9) profile, plain,
// keyed, with each codec and idempotent, and consumes with kcat -C: every line comes back, in
// order within its partition, with its key and headers; the broker stored what kcat consumed; the
// stored batches carry the codec asked for; an idempotent producer's batches carry its producer
// id and sequences from 0 in each partition.
func TestKcatAgainstMockBroker(t *testing.T) {
	kcat := requireKcat(t)
	cl := newMockCluster(t, mockbroker.DefaultPartitions(kcatPartitions))
	cases := []kcatCase{
		{name: "plain"},
		{name: "keyed", keyed: true, headers: true},
		{name: "gzip", codec: wire.CodecGzip},
		{name: "snappy", codec: wire.CodecSnappy},
		{name: "lz4", codec: wire.CodecLZ4},
		{name: "zstd", codec: wire.CodecZstd},
		{name: "idempotent", idempotent: true},
		{name: "idempotent-keyed-zstd", codec: wire.CodecZstd, keyed: true, headers: true, idempotent: true},
		{name: "idempotent-keyed-lz4", codec: wire.CodecLZ4, keyed: true, headers: true, idempotent: true},
		{name: "idempotent-gzip", codec: wire.CodecGzip, idempotent: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runKcatCase(t, kcat, cl, c)
		})
	}
}

// TestKcatAgainstKafka40Profile runs kcat against the Kafka 4.0 profile. It advertises Produce
// from v0, as Kafka 4.0 does so that librdkafka before 2.11.1 keeps compressing (KAFKA-18659),
// while refusing Produce v0–v2: librdkafka never sends those (with message format v2 it asks for
// Produce v3 or later), and every codec is compressed as asked.
func TestKcatAgainstKafka40Profile(t *testing.T) {
	kcat := requireKcat(t)
	cl := newMockCluster(t, mockbroker.Versions(mockbroker.Kafka40), mockbroker.DefaultPartitions(kcatPartitions))
	cases := []kcatCase{
		{name: "k40-plain"},
		{name: "k40-gzip", codec: wire.CodecGzip},
		{name: "k40-snappy", codec: wire.CodecSnappy},
		{name: "k40-lz4", codec: wire.CodecLZ4},
		{name: "k40-zstd", codec: wire.CodecZstd},
		{name: "k40-idempotent-keyed-gzip", codec: wire.CodecGzip, keyed: true, headers: true, idempotent: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runKcatCase(t, kcat, cl, c)
			versions := map[int16]int{}
			for _, e := range cl.Exchanges() {
				if req, ok := e.Request.(*protocol.ProduceRequest); ok && len(req.TopicData) > 0 && req.TopicData[0].Name == c.topic() {
					versions[e.Header.APIVersion]++
				}
			}
			for v := range versions {
				if v < 3 {
					t.Errorf("kcat sent Produce v%d, which Kafka 4.0 refuses", v)
				}
			}
			t.Logf("Produce requests by version: %v", versions)
		})
	}
}

// librdkafkaDeclines says why librdkafka 2.0.2 would decline to compress with codec against a
// broker advertising adv, or "" if it would compress. The rules are its source's: a codec other
// than none needs Produce advertised within v0 up to a version of the codec's (v0 for gzip, snappy
// and lz4, v7 for zstd: rd_kafka_broker_ApiVersion_supported, which wants the ranges to overlap,
// so in effect Produce v0 for the first three); lz4 needs its LZ4 feature, which depends on
// FindCoordinator v0; zstd its ZSTD feature, which depends on Produce v7 and Fetch v10.
func librdkafkaDeclines(adv map[protocol.APIKey]protocol.VersionRange, codec wire.Codec) string {
	type need struct {
		key protocol.APIKey
		v   int16
	}
	var needs []need
	switch codec {
	case wire.CodecNone:
		return ""
	case wire.CodecGzip, wire.CodecSnappy:
		needs = []need{{protocol.KeyProduce, 0}}
	case wire.CodecLZ4:
		needs = []need{{protocol.KeyProduce, 0}, {protocol.KeyFindCoordinator, 0}}
	case wire.CodecZstd:
		needs = []need{{protocol.KeyProduce, 7}, {protocol.KeyFetch, 10}}
	}
	var missing []string
	for _, n := range needs {
		if r, ok := adv[n.key]; !ok || !r.Contains(n.v) {
			missing = append(missing, fmt.Sprintf("%s v%d not advertised (%v)", n.key, n.v, r))
		}
	}
	return strings.Join(missing, ", ")
}

// kcatRecords is how many lines each kcat run produces.
const kcatRecords = 300

// runKcatCase produces the case's lines with kcat -P, consumes them with kcat -C and checks both
// the consumed messages and the broker's batches, which must carry the codec asked for.
func runKcatCase(t *testing.T, kcat string, cl *mockbroker.Cluster, c kcatCase) {
	addr := cl.Addrs()[0]
	lines := c.lines(kcatRecords)
	before := time.Now().UnixMilli()
	_, produceLog := runKcat(t, kcat, kcatStdin(lines), c.produceArgs(addr)...)
	after := time.Now().UnixMilli()

	out, consumeLog := runKcat(t, kcat, "", "-C", "-b", addr, "-t", c.topic(), "-o", "beginning", "-e", "-J")
	var got []kcatMessage
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m kcatMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("kcat -C -J printed %q: %v", l, err)
		}
		got = append(got, m)
	}
	if len(got) != len(lines) {
		t.Fatalf("kcat -C read %d messages, kcat -P produced %d\nproducer:\n%s\nconsumer:\n%s", len(got), len(lines), lastLines(produceLog, 20), lastLines(consumeLog, 20))
	}
	checkKcatMessages(t, c, lines, got, before, after)
	checkKcatStored(t, cl, c, got)

	if why := librdkafkaDeclines(advertised(t, cl), c.codec); why != "" {
		t.Fatalf("the broker's ApiVersions make librdkafka 2.0.2 decline %s: %s", c.codec, why)
	}
	run := storedRun(t, cl, c.topic())
	run.checkCodec(t, c.codec)
	if strings.Contains(produceLog, "Broker does not support compression type") {
		t.Errorf("librdkafka declined to compress:\n%s", lastLines(produceLog, 20))
	}
	if c.idempotent {
		pid := run.checkIdempotent(t)
		t.Logf("idempotent producer id %d", pid)
	} else {
		run.checkNotIdempotent(t)
	}
	for p, hs := range run.headers {
		t.Logf("%s/%d: %d batches, codec %s", c.topic(), p, len(hs), hs[0].Attributes.Codec())
	}
}

// checkKcatMessages checks what kcat -C read against the lines kcat -P was given: each line once,
// with its key (null when not keyed), in input order within each partition at offsets 0, 1, 2, …;
// one key in one partition only; create-time timestamps from the time kcat -P ran.
func checkKcatMessages(t *testing.T, c kcatCase, lines []kcatLine, got []kcatMessage, before, after int64) {
	t.Helper()
	index := make(map[string]int, len(lines))
	for i, l := range lines {
		index[l.value] = i
	}
	seen := make([]bool, len(lines))
	last := map[int32]int{}   // partition -> last line index read from it
	next := map[int32]int64{} // partition -> next offset expected
	keyPartition := map[string]int32{}
	var errs []string
	for _, m := range got {
		if m.Payload == nil {
			errs = append(errs, fmt.Sprintf("%d/%d: null payload", m.Partition, m.Offset))
			continue
		}
		i, ok := index[*m.Payload]
		switch {
		case m.Topic != c.topic():
			errs = append(errs, fmt.Sprintf("%d/%d: topic %q", m.Partition, m.Offset, m.Topic))
		case !ok:
			errs = append(errs, fmt.Sprintf("%d/%d: payload %q was not produced", m.Partition, m.Offset, *m.Payload))
			continue
		case seen[i]:
			errs = append(errs, fmt.Sprintf("%d/%d: line %d read twice", m.Partition, m.Offset, i))
		}
		seen[i] = true
		if prev, ok := last[m.Partition]; ok && i < prev {
			errs = append(errs, fmt.Sprintf("partition %d: line %d after line %d", m.Partition, i, prev))
		}
		last[m.Partition] = i
		if m.Offset != next[m.Partition] {
			errs = append(errs, fmt.Sprintf("partition %d: offset %d, want %d", m.Partition, m.Offset, next[m.Partition]))
		}
		next[m.Partition] = m.Offset + 1
		want := lines[i].key
		switch {
		case (m.Key == nil) != (want == nil) || m.Key != nil && *m.Key != *want:
			errs = append(errs, fmt.Sprintf("%d/%d: key %s, want %s", m.Partition, m.Offset, quoteOrNull(m.Key), quoteOrNull(want)))
		case want != nil:
			if p, ok := keyPartition[*want]; ok && p != m.Partition {
				errs = append(errs, fmt.Sprintf("key %q in partitions %d and %d", *want, p, m.Partition))
			}
			keyPartition[*want] = m.Partition
		}
		var wantHeaders []hdrView
		if c.headers {
			wantHeaders = kcatHeaders
		}
		if d := diffRecords("", []recView{{Headers: kcatHeaderViews(m)}}, []recView{{Headers: wantHeaders}}); len(d) > 0 {
			errs = append(errs, fmt.Sprintf("%d/%d: %s", m.Partition, m.Offset, strings.Join(d, "; ")))
		}
		if m.TsType != "create" || m.Ts < before-1000 || m.Ts > after+1000 {
			errs = append(errs, fmt.Sprintf("%d/%d: timestamp %s %d, want create time in [%d, %d]", m.Partition, m.Offset, m.TsType, m.Ts, before, after))
		}
	}
	failDiffs(t, "kcat -C against kcat -P's input", errs, nil)
	t.Logf("%s: %d lines over partitions %v", c.topic(), len(got), next)
}

// checkKcatStored checks that the broker stored, partition by partition, exactly what kcat -C read.
func checkKcatStored(t *testing.T, cl *mockbroker.Cluster, c kcatCase, got []kcatMessage) {
	t.Helper()
	byPartition := map[int32][]recView{}
	for _, m := range got {
		v := recView{Offset: m.Offset, Timestamp: m.Ts, Value: []byte(*m.Payload), Headers: kcatHeaderViews(m)}
		if m.Key != nil {
			v.Key = []byte(*m.Key)
		}
		byPartition[m.Partition] = append(byPartition[m.Partition], v)
	}
	for p := range partitionCount(cl, c.topic()) {
		stored := storedRecords(t, cl, c.topic(), p)
		failDiffs(t, fmt.Sprintf("%s/%d: Cluster.Records against kcat -C", c.topic(), p), diffRecords("", stored, byPartition[p]), nil)
	}
}

// kcatHeaderViews are the headers kcat -C -J printed for m.
func kcatHeaderViews(m kcatMessage) []hdrView {
	var hs []hdrView
	for i := 0; i+1 < len(m.Headers); i += 2 {
		var h hdrView
		if k := m.Headers[i]; k != nil {
			h.Key = *k
		}
		if v := m.Headers[i+1]; v != nil {
			h.Value = []byte(*v)
		}
		hs = append(hs, h)
	}
	return hs
}

func quoteOrNull(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}

// TestKcatOffsets starts kcat consumers where librdkafka must ask the broker for offsets
// (ListOffsets): from the tail (-o -N, the latest offset less N) and by time (-o s@TS, the first
// record at or after TS), and asks for an offset by time directly (kcat -Q).
func TestKcatOffsets(t *testing.T) {
	kcat := requireKcat(t)
	cl := newMockCluster(t)
	addr, topic := cl.Addrs()[0], "kcat-offsets"
	var early, late strings.Builder
	for i := range 100 {
		fmt.Fprintf(&early, "early %d\n", i)
	}
	for i := range 5 {
		fmt.Fprintf(&late, "late %d\n", i)
	}
	runKcat(t, kcat, early.String(), "-P", "-b", addr, "-t", topic, "-X", "batch.num.messages=30")
	time.Sleep(5 * time.Millisecond)
	mid := time.Now().UnixMilli()
	time.Sleep(5 * time.Millisecond)
	runKcat(t, kcat, late.String(), "-P", "-b", addr, "-t", topic)

	consume := func(offset string) []string {
		out, _ := runKcat(t, kcat, "", "-C", "-b", addr, "-t", topic, "-o", offset, "-e", "-f", "%o %s\n")
		return strings.Split(strings.TrimSpace(out), "\n")
	}
	if got, want := consume("-7"), []string{"98 early 98", "99 early 99", "100 late 0", "101 late 1", "102 late 2", "103 late 3", "104 late 4"}; !slices.Equal(got, want) {
		t.Errorf("kcat -C -o -7: got %q, want %q", got, want)
	}
	if got, want := consume(fmt.Sprintf("s@%d", mid)), []string{"100 late 0", "101 late 1", "102 late 2", "103 late 3", "104 late 4"}; !slices.Equal(got, want) {
		t.Errorf("kcat -C -o s@%d: got %q, want %q", mid, got, want)
	}
	out, _ := runKcat(t, kcat, "", "-Q", "-b", addr, "-t", fmt.Sprintf("%s:0:%d", topic, mid))
	if want := fmt.Sprintf("%s [0] offset 100", topic); strings.TrimSpace(out) != want {
		t.Errorf("kcat -Q: got %q, want %q", strings.TrimSpace(out), want)
	}
}
