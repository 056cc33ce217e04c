package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// checkJavaReadBack reads every matrix topic with one run of the Java KafkaConsumer (Consume.java)
// and checks, record by record, against what was sent and what kwire reported: in each partition
// the records in the order sent, each once, at offsets 0, 1, 2, … (the offsets kwire reported,
// unless acks=0), with the key, value (null vs empty), headers (null header values included) and
// CreateTime timestamp sent, and each keyed record in the partition the Java partitioner picks for
// its key ("kp"), which kwire reported too.
func checkJavaReadBack(t *testing.T, k *kafkaCluster, topics []*matrixTopic) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c := &readBackChecker{topics: map[string]*matrixTopic{}, read: map[*matrixTopic][]int{}}
	args := []string{"--bootstrap", k.Bootstrap, "--timeout-ms", "300000", "--property", "max.poll.records=10000"}
	for _, m := range topics {
		c.topics[m.name] = m
		c.read[m] = make([]int, matrixPartitions)
		args = append(args, "--topic", m.name)
	}
	if err := kafkaJavaLines(ctx, t, "dev.kwire.interop.Consume", c.line, args...); err != nil {
		t.Fatal(err)
	}
	for _, m := range topics {
		for p, n := range c.read[m] {
			if want := len(m.order[p]); n != want {
				c.d.add("%s/%d: read %d records, %d were sent", m.name, p, n, want)
			}
		}
	}
	c.d.check(t, "the Java consumer against what kwire sent and reported")
	t.Logf("the Java consumer read %d records of %d topics, %d of them compared field by field after a byte mismatch", c.total, len(topics), c.slow)
}

// readBackChecker checks Consume's lines as they come.
type readBackChecker struct {
	topics map[string]*matrixTopic
	read   map[*matrixTopic][]int // per partition, the records read so far
	d      diffs
	want   []byte // the line expected, reused
	gen    recordGen
	total  int
	slow   int // lines compared as decoded JSON because their bytes differed
}

// line checks one record as Consume printed it. The fast path compares it with the line Consume
// prints for the record expected there; a line that differs is decoded and compared field by
// field, so that only a difference in what was read fails.
func (c *readBackChecker) line(line []byte) error {
	c.total++
	m, p, ok := c.route(line)
	if !ok {
		r, err := parseConsumeLine(line)
		if err != nil {
			return fmt.Errorf("Consume printed %q: %w", line, err)
		}
		if m, ok = c.topics[r.Topic]; !ok || r.Partition < 0 || r.Partition >= matrixPartitions {
			c.d.add("a record of %s/%d, not a partition of the test's", r.Topic, r.Partition)
			return nil
		}
		p = r.Partition
	}
	j := c.read[m][p]
	c.read[m][p]++
	if j >= len(m.order[p]) {
		c.d.add("%s/%d: a record more than the %d sent: %s", m.name, p, len(m.order[p]), line)
		return nil
	}
	c.want = m.appendConsumeLine(c.want[:0], &c.gen, p, j)
	if bytes.Equal(line, c.want) {
		return nil
	}
	c.slow++
	got, err := parseConsumeLine(line)
	if err != nil {
		return fmt.Errorf("Consume printed %q: %w", line, err)
	}
	for _, diff := range diffJavaRecord(got, m.consumeRecord(&c.gen, p, j)) {
		c.d.add("%s/%d offset %d (record %d): %s", m.name, p, j, m.order[p][j], diff)
	}
	return nil
}

// route reads the topic and partition at the start of a line as Consume prints it.
func (c *readBackChecker) route(line []byte) (*matrixTopic, int32, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(`{"t":"`))
	name, rest, ok1 := bytes.Cut(rest, []byte(`","p":`))
	partition, _, ok2 := bytes.Cut(rest, []byte(`,`))
	if !ok || !ok1 || !ok2 {
		return nil, 0, false
	}
	m, ok := c.topics[string(name)]
	p, err := strconv.ParseInt(string(partition), 10, 32)
	if !ok || err != nil || p < 0 || p >= matrixPartitions {
		return nil, 0, false
	}
	return m, int32(p), true
}

// consumeRecord is the record expected at offset j of partition p.
func (m *matrixTopic) consumeRecord(g *recordGen, p int32, j int) javaRecord {
	i := int(m.order[p][j])
	key, value, headers := m.record(g, i)
	r := javaRecord{Topic: m.name, Partition: p, Offset: int64(j), Timestamp: m.timestamp[i], TimestampType: "CreateTime",
		LeaderEpoch: new(int32), Key: key, Value: value}
	for _, h := range headers {
		r.Headers = append(r.Headers, javaHeader{h.Key, h.Value})
	}
	if key != nil {
		r.KeyPartition = &p
	}
	return r
}

// appendConsumeLine appends the line Consume prints for the record expected at offset j of
// partition p (the names in the matrix need no JSON escaping).
func (m *matrixTopic) appendConsumeLine(dst []byte, g *recordGen, p int32, j int) []byte {
	i := int(m.order[p][j])
	key, value, headers := m.record(g, i)
	dst = append(dst, `{"t":"`...)
	dst = append(dst, m.name...)
	dst = append(dst, `","p":`...)
	dst = strconv.AppendInt(dst, int64(p), 10)
	dst = append(dst, `,"o":`...)
	dst = strconv.AppendInt(dst, int64(j), 10)
	dst = append(dst, `,"ts":`...)
	dst = strconv.AppendInt(dst, m.timestamp[i], 10)
	dst = append(dst, `,"tt":"CreateTime","le":0,"k":`...)
	dst = appendBase64OrNull(dst, key)
	dst = append(dst, `,"v":`...)
	dst = appendBase64OrNull(dst, value)
	dst = append(dst, `,"h":[`...)
	for n, h := range headers {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `["`...)
		dst = append(dst, h.Key...)
		dst = append(dst, `",`...)
		dst = appendBase64OrNull(dst, h.Value)
		dst = append(dst, ']')
	}
	dst = append(dst, `],"kp":`...)
	if key == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendInt(dst, int64(p), 10)
	}
	return append(dst, '}')
}

func appendBase64OrNull(dst, b []byte) []byte {
	if b == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// diffJavaRecord lists the fields where got and want differ; a null key, value or header value
// differs from an empty one.
func diffJavaRecord(got, want javaRecord) []string {
	var out []string
	field := func(name string, g, w any) {
		out = append(out, fmt.Sprintf("%s: read %v, want %v", name, g, w))
	}
	if got.Topic != want.Topic || got.Partition != want.Partition || got.Offset != want.Offset {
		field("topic/partition/offset", fmt.Sprintf("%s/%d/%d", got.Topic, got.Partition, got.Offset), fmt.Sprintf("%s/%d/%d", want.Topic, want.Partition, want.Offset))
	}
	if got.Timestamp != want.Timestamp || got.TimestampType != want.TimestampType {
		field("timestamp", fmt.Sprint(got.TimestampType, " ", got.Timestamp), fmt.Sprint(want.TimestampType, " ", want.Timestamp))
	}
	if g, w := int32OrNull(got.LeaderEpoch), int32OrNull(want.LeaderEpoch); g != w {
		field("leader epoch", g, w)
	}
	if !equalNullable(got.Key, want.Key) {
		field("key", quoteBytes(got.Key), quoteBytes(want.Key))
	}
	if !equalNullable(got.Value, want.Value) {
		field("value", quoteBytes(got.Value), quoteBytes(want.Value))
	}
	if !equalHeaders(got.Headers, want.Headers) {
		field("headers", formatHeaders(got.Headers), formatHeaders(want.Headers))
	}
	if g, w := int32OrNull(got.KeyPartition), int32OrNull(want.KeyPartition); g != w {
		field("the Java partitioner's partition for the key (kwire's is the one read)", g, w)
	}
	return out
}

func equalHeaders(a, b []javaHeader) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || !equalNullable(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func quoteBytes(b []byte) string {
	if b == nil {
		return "null"
	}
	return strconv.Quote(string(b))
}

func formatHeaders(hs []javaHeader) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, h := range hs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q=%s", h.Key, quoteBytes(h.Value))
	}
	return b.String() + "]"
}

func int32OrNull(p *int32) string {
	if p == nil {
		return "null"
	}
	return strconv.Itoa(int(*p))
}

// kafkaJavaLines runs a main class as kafkaJava does, but hands each line it prints to each as
// it comes instead of keeping the output, for programs that print millions of lines. An error
// from each stops the program and is returned.
func kafkaJavaLines(ctx context.Context, t testing.TB, class string, each func(line []byte) error, args ...string) error {
	t.Helper()
	requireKafka(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{kafkaScript, "run", class}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("java %s: %w", class, err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var eachErr error
	for sc.Scan() {
		if eachErr = each(sc.Bytes()); eachErr != nil {
			cancel()
			break
		}
	}
	if eachErr == nil {
		eachErr = sc.Err()
	}
	waitErr := cmd.Wait()
	switch {
	case eachErr != nil:
		return fmt.Errorf("java %s: %w", class, eachErr)
	case waitErr != nil:
		return fmt.Errorf("java %s: %w\n%s", class, waitErr, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		t.Logf("java %s: %s", class, stderr.Bytes())
	}
	return nil
}
