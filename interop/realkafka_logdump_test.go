package interop

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// checkLogDump runs Kafka's DumpLogSegments --deep-iteration once over every segment of the
// matrix topics and checks what it prints of each batch and record:
//
//   - every batch: magic 2, the codec asked for, a valid CRC, not transactional nor control, at
//     the offset where the one before it ended, with as many record lines as its count, its
//     CreateTime the largest of its records' timestamps;
//   - idempotent producers: a producer id and epoch, the same for all the batches of one producer
//     (the two CLI runs of a topic are two producers), base and last sequences that number the
//     producer's records of the partition from 0; others: producer id, epoch and sequences -1;
//   - batches of the Go API: exactly the batches kwire's Produce requests carried (as the sniffer
//     decoded them), in order, with the same producer id, epoch, base sequence, count, last offset
//     delta, codec, transactional flag, CRC, max timestamp and size;
//   - every record: its offset, timestamp, key and value sizes (-1 for null), sequence, and header
//     keys as sent.
func checkLogDump(t *testing.T, k *kafkaCluster, topics []*matrixTopic, sniffer *produceSniffer) {
	t.Helper()
	c := &logDumpChecker{parts: map[topicPartition]*dumpPartition{}, producers: map[*matrixTopic]*[2]dumpProducer{}}
	var files []string
	for _, m := range topics {
		c.producers[m] = &[2]dumpProducer{}
		for p := range int32(matrixPartitions) {
			dir := filepath.Join(k.LogDir(1), fmt.Sprintf("%s-%d", m.name, p))
			segments, err := filepath.Glob(filepath.Join(dir, "*.log"))
			if err != nil || len(segments) == 0 {
				t.Fatalf("no segment files in %s (%v)", dir, err)
			}
			files = append(files, segments...)
			tp := topicPartition{m.name, p}
			sent, resent := dedupeResends(sniffer.Batches(tp))
			if resent > 0 {
				t.Logf("%s/%d: kwire sent %d batches again (retries)", m.name, p, resent)
			}
			c.parts[tp] = &dumpPartition{m: m, p: p, dir: dir, sent: sent}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	err := kafkaJavaLines(ctx, t, "org.apache.kafka.tools.DumpLogSegments", c.line,
		"--deep-iteration", "--files", strings.Join(files, ","))
	if err != nil {
		t.Fatal(err)
	}
	c.endBatch()
	for tp, dp := range c.parts {
		if !dp.dumped {
			c.d.add("%s/%d: not in DumpLogSegments' output", tp.topic, tp.partition)
			continue
		}
		if want := int64(len(dp.m.order[dp.p])); dp.next != want {
			c.d.add("%s/%d: batches up to offset %d, %d records were sent", tp.topic, tp.partition, dp.next, want)
		}
		if !dp.m.cli && dp.batches != len(dp.sent) {
			c.d.add("%s/%d: %d batches in the log, kwire sent %d", tp.topic, tp.partition, dp.batches, len(dp.sent))
		}
	}
	for m, runs := range c.producers {
		if m.mode.idempotent && m.cli && runs[0].id == runs[1].id {
			c.d.add("%s: both kwire produce runs have producer id %d", m.name, runs[0].id)
		}
	}
	c.d.check(t, "DumpLogSegments against what kwire sent")
	for _, line := range c.other {
		t.Logf("DumpLogSegments also printed: %s", line)
	}
	t.Logf("DumpLogSegments showed %d batches and %d records in %d files; %d record lines compared field by field after a byte mismatch", c.batches, c.records, len(files), c.slow)
}

// logDumpChecker checks DumpLogSegments' lines as they come.
type logDumpChecker struct {
	parts     map[topicPartition]*dumpPartition
	producers map[*matrixTopic]*[2]dumpProducer // the CLI's two runs of each topic
	cur       *dumpPartition                    // the partition of the file being dumped
	batch     *dumpedBatch                      // the batch whose records come next
	d         diffs
	other     []string // lines neither a file, a batch nor a record
	want      []byte   // the record line expected, reused
	gen       recordGen

	batches, records, slow int
}

// dumpPartition is one partition of a matrix topic as the dump goes through it.
type dumpPartition struct {
	m       *matrixTopic
	p       int32
	dir     string
	sent    []sentBatch // Go API: the batches kwire wrote, resends left out
	dumped  bool
	next    int64 // where the next batch must start
	batches int
}

// dumpedBatch is the batch whose record lines are being read.
type dumpedBatch struct {
	dp           *dumpPartition
	base, count  int64
	baseSequence int32 // -1 unless idempotent
	seen         int64 // record lines read
}

// dumpProducer is the producer id and epoch of a kwire produce run, once a batch has shown them.
type dumpProducer struct {
	seen  bool
	id    int64
	epoch int64
}

// line checks one line of the dump: a segment file's name, a batch, or a record.
func (c *logDumpChecker) line(b []byte) error {
	if bytes.HasPrefix(b, []byte("| ")) {
		c.recordLine(b)
		return nil
	}
	line := string(b)
	switch {
	case strings.HasPrefix(line, "baseOffset: "):
		c.batchLine(line)
	case strings.HasPrefix(line, "Dumping "):
		c.endBatch()
		c.cur = c.partitionOf(strings.TrimPrefix(line, "Dumping "))
	case strings.HasPrefix(line, "Log starting offset: "):
	default:
		if len(c.other) < maxDiffs {
			c.other = append(c.other, line)
		}
	}
	return nil
}

// partitionOf is the partition whose segment path is.
func (c *logDumpChecker) partitionOf(path string) *dumpPartition {
	dir := filepath.Dir(path)
	i := strings.LastIndexByte(filepath.Base(dir), '-')
	p, err := strconv.ParseInt(filepath.Base(dir)[i+1:], 10, 32)
	dp, ok := c.parts[topicPartition{filepath.Base(dir)[:max(i, 0)], int32(p)}]
	if i < 0 || err != nil || !ok || dp.dir != dir {
		c.d.add("dumping %s, not a segment of the test's", path)
		return nil
	}
	dp.dumped = true
	return dp
}

// dumpFields reads a line of "name: value" pairs; a value runs to the next word that ends in ':',
// so "headerKeys: [a, b]" has the value "[a, b]".
func dumpFields(line string) map[string]string {
	f := map[string]string{}
	name := ""
	for word := range strings.SplitSeq(line, " ") {
		if strings.HasSuffix(word, ":") && len(word) > 1 {
			name = strings.TrimSuffix(word, ":")
			f[name] = ""
			continue
		}
		if name == "" {
			continue
		}
		if f[name] != "" {
			word = f[name] + " " + word
		}
		f[name] = word
	}
	return f
}

// batchLine checks a batch line against what was sent and sets up its record lines.
func (c *logDumpChecker) batchLine(line string) {
	c.endBatch()
	c.batches++
	dp := c.cur
	if dp == nil {
		return
	}
	m := dp.m
	f := dumpFields(line)
	where := fmt.Sprintf("%s/%d batch %d at offset %s", m.name, dp.p, dp.batches, f["baseOffset"])
	num := func(name string) int64 {
		n, err := strconv.ParseInt(f[name], 10, 64)
		if err != nil {
			c.d.add("%s: %s %q is not a number: %s", where, name, f[name], line)
		}
		return n
	}
	base, last, count := num("baseOffset"), num("lastOffset"), num("count")
	records := int64(len(m.order[dp.p]))
	if base != dp.next || count < 1 || last != base+count-1 || last >= records {
		c.d.add("%s: offsets %d to %d (count %d), want a batch from %d, within the %d records sent", where, base, last, count, dp.next, records)
		dp.next = max(dp.next, last+1)
		return
	}
	dp.next = base + count
	dp.batches++
	var maxTS int64 = -1
	for j := base; j <= last; j++ {
		maxTS = max(maxTS, m.timestamp[m.order[dp.p][j]])
	}
	want := map[string]string{
		"magic": "2", "compresscodec": m.codec.String(), "isvalid": "true",
		"isTransactional": "false", "isControl": "false", "CreateTime": strconv.FormatInt(maxTS, 10),
		"producerId": "-1", "producerEpoch": "-1", "baseSequence": "-1", "lastSequence": "-1",
	}
	baseSequence := int32(-1)
	if m.mode.idempotent {
		runStart := int64(0) // this producer's first offset in the partition
		if m.cli && base >= int64(m.keyedEnd[dp.p]) {
			runStart = int64(m.keyedEnd[dp.p])
		}
		baseSequence = int32(base - runStart)
		want["baseSequence"] = strconv.Itoa(int(baseSequence))
		want["lastSequence"] = strconv.Itoa(int(baseSequence) + int(count) - 1)
		delete(want, "producerId")
		delete(want, "producerEpoch")
		if m.cli {
			c.checkCLIProducer(where, m, dp, base, count, num("producerId"), num("producerEpoch"))
		}
	}
	if !m.cli {
		c.checkSent(where, dp, f, base, want)
	}
	for name, w := range want {
		if g, ok := f[name]; g != w {
			c.d.add("%s: %s %q (present %v), want %q: %s", where, name, g, ok, w, line)
		}
	}
	c.batch = &dumpedBatch{dp: dp, base: base, count: count, baseSequence: baseSequence}
}

// checkCLIProducer checks that a batch of a kwire produce run carries its run's producer id and
// epoch, and lies within the run.
func (c *logDumpChecker) checkCLIProducer(where string, m *matrixTopic, dp *dumpPartition, base, count, id, epoch int64) {
	run := 0
	if base >= int64(m.keyedEnd[dp.p]) {
		run = 1
	} else if base+count > int64(m.keyedEnd[dp.p]) {
		c.d.add("%s: %d records, across the end of the first run's records (%d)", where, count, m.keyedEnd[dp.p])
	}
	pr := &c.producers[m][run]
	switch {
	case id < 0 || epoch < 0:
		c.d.add("%s: producer id %d, epoch %d from an idempotent producer", where, id, epoch)
	case !pr.seen:
		*pr = dumpProducer{true, id, epoch}
	case pr.id != id || pr.epoch != epoch:
		c.d.add("%s: producer id %d epoch %d, the run's other batches have %d epoch %d", where, id, epoch, pr.id, pr.epoch)
	}
}

// checkSent adds to want what the Go API's Produce request carried for the batch: the dump must
// show the batch as written.
func (c *logDumpChecker) checkSent(where string, dp *dumpPartition, f map[string]string, base int64, want map[string]string) {
	k := dp.batches - 1
	if k >= len(dp.sent) {
		c.d.add("%s: kwire sent only %d batches to the partition", where, len(dp.sent))
		return
	}
	s := dp.sent[k]
	if s.acks != dp.m.mode.acks || s.transactionalID != nil {
		c.d.add("%s: sent in a Produce request with acks %d, transactional id %v; want acks %d, none", where, s.acks, s.transactionalID, dp.m.mode.acks)
	}
	if s.Attributes&wire.AttrControl != 0 || s.Attributes&wire.AttrLogAppendTime != 0 {
		c.d.add("%s: sent with attributes %v", where, s.Attributes)
	}
	if dp.m.mode.idempotent && (s.ProducerID < 0 || s.ProducerEpoch < 0) {
		c.d.add("%s: sent with producer id %d, epoch %d by an idempotent producer", where, s.ProducerID, s.ProducerEpoch)
	}
	if dp.m.mode.idempotent && s.BaseSequence != int32(base) {
		c.d.add("%s: sent with base sequence %d, the producer's first record in the partition is offset 0", where, s.BaseSequence)
	}
	for name, v := range map[string]string{
		"producerId":      strconv.FormatInt(s.ProducerID, 10),
		"producerEpoch":   strconv.Itoa(int(s.ProducerEpoch)),
		"baseSequence":    strconv.Itoa(int(s.BaseSequence)),
		"count":           strconv.Itoa(int(s.NumRecords)),
		"lastOffset":      strconv.FormatInt(base+int64(s.LastOffsetDelta), 10),
		"compresscodec":   s.Attributes.Codec().String(),
		"isTransactional": strconv.FormatBool(s.Attributes&wire.AttrTransactional != 0),
		"crc":             strconv.FormatUint(uint64(s.CRC), 10),
		"CreateTime":      strconv.FormatInt(s.MaxTimestamp, 10),
		"size":            strconv.Itoa(s.Size()),
	} {
		if w, ok := want[name]; ok && w != v {
			c.d.add("%s: kwire sent %s %s, want %s", where, name, v, w)
		}
		want[name] = v
	}
}

// endBatch checks that the batch before had as many record lines as its count.
func (c *logDumpChecker) endBatch() {
	b := c.batch
	c.batch = nil
	if b != nil && b.seen != b.count {
		c.d.add("%s/%d batch at offset %d: %d record lines, count %d", b.dp.m.name, b.dp.p, b.base, b.seen, b.count)
	}
}

// recordLine checks a record line: the fast path compares its bytes with the line expected; a
// line that differs is read into fields, as the line expected is, and compared field by field.
func (c *logDumpChecker) recordLine(line []byte) {
	c.records++
	b := c.batch
	if b == nil {
		if c.cur != nil {
			c.d.add("a record line outside a batch: %s", line)
		}
		return
	}
	b.seen++
	if b.seen > b.count {
		return
	}
	m, p := b.dp.m, b.dp.p
	offset := b.base + b.seen - 1
	i := int(m.order[p][offset])
	sequence := int64(-1)
	if b.baseSequence >= 0 {
		sequence = int64(b.baseSequence) + b.seen - 1
	}
	c.want = c.appendRecordLine(c.want[:0], m, i, offset, sequence)
	if bytes.Equal(line, c.want) {
		return
	}
	c.slow++
	got, want := dumpFields(string(line[2:])), dumpFields(string(c.want[2:]))
	for name, w := range want {
		if g := got[name]; g != w {
			c.d.add("%s/%d offset %d (record %d): %s %q, want %q: %s", m.name, p, offset, i, name, g, w, line)
		}
	}
}

// appendRecordLine appends the line DumpLogSegments --deep-iteration prints for record i at
// offset, with sequence (-1 without idempotence): sizes are -1 for null.
func (c *logDumpChecker) appendRecordLine(dst []byte, m *matrixTopic, i int, offset, sequence int64) []byte {
	key, value, headers := m.record(&c.gen, i)
	dst = append(dst, "| offset: "...)
	dst = strconv.AppendInt(dst, offset, 10)
	dst = append(dst, " CreateTime: "...)
	dst = strconv.AppendInt(dst, m.timestamp[i], 10)
	dst = append(dst, " keySize: "...)
	dst = strconv.AppendInt(dst, int64(nullableLen(key)), 10)
	dst = append(dst, " valueSize: "...)
	dst = strconv.AppendInt(dst, int64(nullableLen(value)), 10)
	dst = append(dst, " sequence: "...)
	dst = strconv.AppendInt(dst, sequence, 10)
	dst = append(dst, " headerKeys: ["...)
	for n, h := range headers {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, h.Key...)
	}
	return append(dst, ']')
}

func nullableLen(b []byte) int {
	if b == nil {
		return -1
	}
	return len(b)
}

// dedupeResends leaves out the batches sent again (the same records, producer and sequence as one
// sent before), and counts them.
func dedupeResends(batches []sentBatch) ([]sentBatch, int) {
	type identity struct {
		crc       uint32
		producer  int64
		sequence  int32
		count     int32
		timestamp int64
	}
	seen := map[identity]bool{}
	var out []sentBatch
	for _, b := range batches {
		id := identity{b.CRC, b.ProducerID, b.BaseSequence, b.NumRecords, b.BaseTimestamp}
		if !seen[id] {
			seen[id] = true
			out = append(out, b)
		}
	}
	return out, len(batches) - len(out)
}
