package interop

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The Java client, the reference (kafka-clients 4.4.0, from interop/kafka), against kwire's mock
// broker: the Java KafkaProducer, idempotent with acks=all, writes with every codec; the Java
// KafkaConsumer (assign and seek, no group) reads everything back, asks for offsets and seeks.
// clients_java_exchanges_test.go checks what the two said to the broker.

// TestJavaClientMockBroker has the Java producer write 1,000 records with every codec into a
// three-broker mock cluster in this process, each topic's three partitions led by a different
// broker; it checks the records as the broker stored them and as the Java consumer reads them
// back, one batch a fetch, and seeks them. The leaders of one topic move while its producer runs,
// those of another while the consumer reads; the clients get no error but the
// NOT_LEADER_OR_FOLLOWER those moves cause.
func TestJavaClientMockBroker(t *testing.T) {
	requireKafka(t)
	runs := javaRuns("java-mock", 3, 1000)
	movedProducing, movedReading := runs[wire.CodecNone], runs[wire.CodecLZ4]
	movedProducing.throughput = 500 // two seconds, to move its leaders during the run
	var fetches atomic.Int64
	opts := []mockbroker.Option{mockbroker.NumBrokers(3), mockbroker.ReplicationFactor(3), mockbroker.AutoCreateTopics(false),
		mockbroker.OnExchange(func(e mockbroker.Exchange) {
			if e.Header.APIKey == protocol.KeyFetch {
				fetches.Add(1)
			}
		})}
	for _, r := range runs {
		opts = append(opts, mockbroker.Topic(r.topic, r.partitions))
	}
	cl := newMockCluster(t, opts...)
	bootstrap := strings.Join(cl.Addrs(), ",")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	moved := moveLeadersWhen(ctx, cl, movedProducing, func() bool { return countStored(cl, movedProducing) >= movedProducing.records/4 })
	produceAll(ctx, t, bootstrap, runs)
	if err := <-moved; err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		r.checkAcks(t)
		final := int32(0)
		if r == movedProducing {
			final = 1
		}
		batches := r.checkStored(t, cl, final)
		t.Logf("%s: %d records in %d batches, by partition %v", r.topic, r.records, batches, r.partitionSizes())
	}

	readCtx, stopMoving := context.WithCancel(ctx)
	moved = moveLeadersWhen(readCtx, cl, movedReading, func() bool { return fetches.Load() >= 20 })
	javaReadBack(ctx, t, bootstrap, runs, "fetch.max.bytes=1")
	stopMoving()
	if err := <-moved; err != nil {
		t.Fatal(err)
	}
	checkJavaExchanges(t, cl.Exchanges(), movedProducing.topic, movedReading.topic)
}

// TestJavaClientKwireBroker does the same with zstd and gzip, without moving leaders, against
// `kwire broker`, the program users run, with three brokers advertising Kafka 4.0's API
// versions; its consumer reads committed records only.
func TestJavaClientKwireBroker(t *testing.T) {
	requireKafka(t)
	runs := javaRuns("java-kwire", 3, 1000)
	runs = []*javaRun{runs[wire.CodecZstd], runs[wire.CodecGzip]}
	args := []string{"--listen", "127.0.0.1:0", "--brokers", "3", "--replication-factor", "3", "--kafka", "4.0", "--no-auto-create"}
	for _, r := range runs {
		args = append(args, "--topic", fmt.Sprintf("%s:%d", r.topic, r.partitions))
	}
	b := startKwireBroker(t, buildKwire(t), args...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bootstrap := strings.Join(b.addrs, ",")
	produceAll(ctx, t, bootstrap, runs)
	for _, r := range runs {
		r.checkAcks(t)
		t.Logf("%s: %d records, by partition %v", r.topic, r.records, r.partitionSizes())
	}
	javaReadBack(ctx, t, bootstrap, runs, "isolation.level=read_committed")
	b.stop(t)
}

// javaReadBack reads the runs' topics from the beginning with the Java consumer, with props, and
// checks every record; then it has the consumer seek the first run's topic.
func javaReadBack(ctx context.Context, t *testing.T, bootstrap string, runs []*javaRun, props ...string) {
	t.Helper()
	var topics []string
	for _, r := range runs {
		topics = append(topics, r.topic)
	}
	records, err := javaConsume(ctx, t, bootstrap, topics, props...)
	if err != nil {
		t.Fatal(err)
	}
	checkConsumed(t, runs, records)
	runs[0].checkSeek(ctx, t, bootstrap, props...)
}

// javaRun is one Java producer run into a topic of its own: Produce.java's records (see its
// doc), each with headers, every javaNullEvery-th value null, keys when keys > 0, timestamps
// counting from ts0.
type javaRun struct {
	topic      string
	partitions int32
	codec      wire.Codec
	records    int
	keys       int   // distinct keys; 0: every key null
	ts0        int64 // record i's timestamp is ts0+i
	throughput int   // records a second; 0: as fast as the producer goes

	acks   []javaAck
	slots  map[int32][]int   // by partition, the record acknowledged at each offset
	epochs map[int32][]int32 // by partition, the leader epoch of each offset's batch; nil: all 0
}

const (
	javaValueSize = 40
	javaNullEvery = 7
)

// javaRuns is one run of n records per codec into topics named prefix-CODEC of partitions
// partitions; none, lz4 and zstd send keyed records, gzip and snappy null keys.
func javaRuns(prefix string, partitions int32, n int) []*javaRun {
	ts0 := time.Now().Add(-time.Hour).UnixMilli()
	var runs []*javaRun
	for _, c := range wire.Codecs {
		r := &javaRun{topic: prefix + "-" + c.String(), partitions: partitions, codec: c, records: n, ts0: ts0}
		if c != wire.CodecGzip && c != wire.CodecSnappy {
			r.keys = 13
		}
		runs = append(runs, r)
	}
	return runs
}

// produce runs the Java producer for r.
func (r *javaRun) produce(ctx context.Context, t testing.TB, bootstrap string) error {
	args := []string{"--value-size", strconv.Itoa(javaValueSize), "--headers", "true",
		"--null-values", strconv.Itoa(javaNullEvery), "--timestamp", strconv.FormatInt(r.ts0, 10),
		"--property", "enable.idempotence=true", "--property", "acks=all",
		"--property", "compression.type=" + r.codec.String()}
	if r.keys > 0 {
		args = append(args, "--keys", strconv.Itoa(r.keys))
	}
	if r.throughput > 0 {
		args = append(args, "--throughput", strconv.Itoa(r.throughput))
	}
	acks, err := javaProduce(ctx, t, bootstrap, r.topic, r.records, args...)
	r.acks = acks
	if err == nil && len(acks) != r.records {
		err = fmt.Errorf("%s: %d acknowledgements for %d records", r.topic, len(acks), r.records)
	}
	return err
}

// produceAll runs the runs' producers at once and fails t if any fails.
func produceAll(ctx context.Context, t *testing.T, bootstrap string, runs []*javaRun) {
	t.Helper()
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	for i, r := range runs {
		wg.Go(func() { errs[i] = r.produce(ctx, t, bootstrap) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// moveLeadersWhen moves the leadership of each of r's partitions to the next of three brokers,
// which bumps its leader epoch, as soon as ready reports true; the channel returns nil then, or
// an error if ctx ends first.
func moveLeadersWhen(ctx context.Context, cl *mockbroker.Cluster, r *javaRun, ready func() bool) <-chan error {
	done := make(chan error, 1)
	go func() {
		for !ready() {
			select {
			case <-ctx.Done():
				done <- fmt.Errorf("%s: its leaders were to move mid-run, but the run ended first", r.topic)
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
		for p := range r.partitions {
			if err := cl.MoveLeader(r.topic, p, (p+1)%3); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	return done
}

// countStored counts the records cl stored for r.
func countStored(cl *mockbroker.Cluster, r *javaRun) int {
	n := 0
	for p := range r.partitions {
		batches, _ := cl.Batches(r.topic, p)
		for _, b := range batches {
			if h, err := wire.ReadBatchHeader(b); err == nil {
				n += int(h.NumRecords)
			}
		}
	}
	return n
}

// checkAcks checks that every record was acknowledged, each partition's at offsets 0, 1, 2… in
// the order sent, and notes which record is at each offset.
func (r *javaRun) checkAcks(t *testing.T) {
	t.Helper()
	r.slots = map[int32][]int{}
	for _, a := range r.acks {
		if a.Err != "" {
			t.Fatalf("%s: record %d failed: %s", r.topic, a.Seq, a.Err)
		}
		slots := r.slots[a.Partition]
		if a.Partition < 0 || a.Partition >= r.partitions || a.Offset != int64(len(slots)) {
			t.Fatalf("%s: record %d acknowledged at %d/%d, want offset %d of one of %d partitions (the next in send order)",
				r.topic, a.Seq, a.Partition, a.Offset, len(slots), r.partitions)
		}
		r.slots[a.Partition] = append(slots, a.Seq)
	}
}

// partitionSizes is how many records each partition got.
func (r *javaRun) partitionSizes() []int {
	sizes := make([]int, r.partitions)
	for p := range sizes {
		sizes[p] = len(r.slots[int32(p)])
	}
	return sizes
}

// checkStored checks the batches cl stored for r: every record in a batch of r's codec, in
// offset order, written by one idempotent producer (its id, epoch 0, sequences counting from 0
// in each partition), stamped with the leader epoch of the time, from 0 to final. It notes the
// leader epoch of each record.
func (r *javaRun) checkStored(t *testing.T, cl *mockbroker.Cluster, final int32) (batches int) {
	t.Helper()
	producerID := int64(-1)
	r.epochs = map[int32][]int32{}
	for p := range r.partitions {
		slots := r.slots[p]
		var next int64
		epoch := int32(0)
		for i, h := range storedHeaders(t, cl, r.topic, p) {
			where := fmt.Sprintf("%s/%d batch %d", r.topic, p, i)
			if producerID < 0 {
				producerID = h.ProducerID
			}
			last := next + int64(h.NumRecords) - 1
			switch {
			case h.Magic != 2 || h.Attributes != wire.Attributes(0).WithCodec(r.codec):
				t.Fatalf("%s: magic %d attributes %v, want magic 2 and %v alone", where, h.Magic, h.Attributes, r.codec)
			case h.BaseOffset != next || h.NumRecords < 1 || h.LastOffsetDelta != h.NumRecords-1 || last >= int64(len(slots)):
				t.Fatalf("%s: base offset %d, %d records, last offset delta %d; want base offset %d of %d records", where, h.BaseOffset, h.NumRecords, h.LastOffsetDelta, next, len(slots))
			case producerID < 0 || h.ProducerID != producerID || h.ProducerEpoch != 0 || int64(h.BaseSequence) != next:
				t.Fatalf("%s: producer %d epoch %d base sequence %d, want producer %d epoch 0 base sequence %d", where, h.ProducerID, h.ProducerEpoch, h.BaseSequence, producerID, next)
			case h.PartitionLeaderEpoch < epoch || h.PartitionLeaderEpoch > final:
				t.Fatalf("%s: partition leader epoch %d after %d, want %d to %d", where, h.PartitionLeaderEpoch, epoch, epoch, final)
			case h.BaseTimestamp != r.ts0+int64(slots[next]) || h.MaxTimestamp != r.ts0+int64(slots[last]):
				t.Fatalf("%s: timestamps %d to %d, want those of records %d to %d", where, h.BaseTimestamp, h.MaxTimestamp, slots[next], slots[last])
			}
			epoch = h.PartitionLeaderEpoch
			for range h.NumRecords {
				r.epochs[p] = append(r.epochs[p], epoch)
			}
			next = last + 1
			batches++
		}
		if next != int64(len(slots)) {
			t.Fatalf("%s/%d: %d records stored, %d acknowledged", r.topic, p, next, len(slots))
		}
		if next > 0 && epoch != final {
			t.Fatalf("%s/%d: the last batch has leader epoch %d, want %d", r.topic, p, epoch, final)
		}
	}
	return batches
}

// want is record seq as Produce sent it.
func (r *javaRun) want(seq int) javaRecord {
	rec := javaRecord{Topic: r.topic, Timestamp: r.ts0 + int64(seq), TimestampType: "CreateTime",
		Headers: []javaHeader{{Key: "seq", Value: []byte(strconv.Itoa(seq))}, {Key: "null"}}}
	if seq%javaNullEvery != javaNullEvery-1 {
		rec.Value = fmt.Appendf(nil, "%010d%s", seq, strings.Repeat("x", javaValueSize-10))
	}
	if r.keys > 0 {
		rec.Key = fmt.Appendf(nil, "key-%d", seq%r.keys)
	}
	return rec
}

// checkRecord compares a record read with the one acknowledged at its partition and offset.
func (r *javaRun) checkRecord(t *testing.T, got javaRecord) {
	t.Helper()
	slots := r.slots[got.Partition]
	if got.Topic != r.topic || got.Offset < 0 || got.Offset >= int64(len(slots)) {
		t.Fatalf("read %s/%d offset %d, where %s has %d records", got.Topic, got.Partition, got.Offset, r.topic, len(slots))
	}
	seq := slots[got.Offset]
	want := r.want(seq)
	epoch := int32(0)
	if r.epochs != nil {
		epoch = r.epochs[got.Partition][got.Offset]
	}
	where := fmt.Sprintf("%s/%d offset %d (record %d)", got.Topic, got.Partition, got.Offset, seq)
	switch {
	case got.Timestamp != want.Timestamp || got.TimestampType != want.TimestampType:
		t.Fatalf("%s: timestamp %d (%s), want %d (%s)", where, got.Timestamp, got.TimestampType, want.Timestamp, want.TimestampType)
	case !equalNullable(got.Key, want.Key) || !equalNullable(got.Value, want.Value):
		t.Fatalf("%s: key %s value %s, want %s and %s", where, showNullable(got.Key), showNullable(got.Value), showNullable(want.Key), showNullable(want.Value))
	case !slices.EqualFunc(got.Headers, want.Headers, func(a, b javaHeader) bool { return a.Key == b.Key && equalNullable(a.Value, b.Value) }):
		t.Fatalf("%s: headers %+v, want %+v", where, got.Headers, want.Headers)
	case r.keys > 0 && (got.KeyPartition == nil || *got.KeyPartition != got.Partition):
		t.Fatalf("%s: key %q is the Java partitioner's for partition %v", where, got.Key, got.KeyPartition)
	case got.LeaderEpoch == nil || *got.LeaderEpoch != epoch:
		t.Fatalf("%s: leader epoch %v, want %d", where, showEpoch(got.LeaderEpoch), epoch)
	}
}

// equalNullable is bytes.Equal that tells null from empty.
func equalNullable(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func showNullable(b []byte) string {
	if b == nil {
		return "null"
	}
	return strconv.Quote(string(b))
}

func showEpoch(e *int32) string {
	if e == nil {
		return "null"
	}
	return strconv.Itoa(int(*e))
}

// checkConsumed checks records, as read from the beginning of the runs' topics: every record
// acknowledged read exactly once, each partition's in offset order, as it was sent.
func checkConsumed(t *testing.T, runs []*javaRun, records []javaRecord) {
	t.Helper()
	byTopic := map[string]*javaRun{}
	next := map[string]map[int32]int64{}
	for _, r := range runs {
		byTopic[r.topic], next[r.topic] = r, map[int32]int64{}
	}
	for _, got := range records {
		r := byTopic[got.Topic]
		if r == nil {
			t.Fatalf("read a record of topic %q, which no run wrote", got.Topic)
		}
		if want := next[got.Topic][got.Partition]; got.Offset != want {
			t.Fatalf("read %s/%d offset %d, want offset %d (each record once, in order)", got.Topic, got.Partition, got.Offset, want)
		}
		r.checkRecord(t, got)
		next[got.Topic][got.Partition]++
	}
	for _, r := range runs {
		for p, slots := range r.slots {
			if n := next[r.topic][p]; n != int64(len(slots)) {
				t.Errorf("%s/%d: read %d records, %d acknowledged", r.topic, p, n, len(slots))
			}
		}
	}
}

// checkSeek has the Java consumer, with props, look up r's offsets (beginning, end, and
// offsetsForTimes before, amid and after its records) and read partition 0 from its middle,
// partition 1 from its end and partition 2 from the offset offsetsForTimes finds a third of the
// way in.
func (r *javaRun) checkSeek(ctx context.Context, t *testing.T, bootstrap string, props ...string) {
	t.Helper()
	n := int64(r.records)
	times := []int64{r.ts0 - 1, r.ts0 + n/2, r.ts0 + n}
	mid := int64(len(r.slots[0]) / 2)
	from := []string{fmt.Sprintf("0:%d", mid), "1:end", fmt.Sprintf("2:time:%d", r.ts0+n/3)}
	offsets, records, err := javaSeek(ctx, t, bootstrap, r.topic, times, from, props...)
	if err != nil {
		t.Fatal(err)
	}
	if len(offsets) != int(r.partitions) {
		t.Fatalf("%s: offsets of %d partitions, want %d", r.topic, len(offsets), r.partitions)
	}
	next := map[int32]int64{0: mid, 1: int64(len(r.slots[1])), 2: r.offsetForTime(2, r.ts0+n/3)}
	for _, o := range offsets {
		if end := int64(len(r.slots[o.Partition])); o.Begin != 0 || o.End != end {
			t.Errorf("%s/%d: beginning and end offsets %d and %d, want 0 and %d", r.topic, o.Partition, o.Begin, o.End, end)
		}
		if o.Position == nil || *o.Position != next[o.Partition] {
			t.Errorf("%s/%d: position %s after the seek, want %d", r.topic, o.Partition, showOffset(o.Position), next[o.Partition])
		}
		for i, got := range o.Times {
			offset, ts := r.offsetForTime(o.Partition, times[i]), int64(-1)
			if offset < int64(len(r.slots[o.Partition])) {
				ts = r.ts0 + int64(r.slots[o.Partition][offset])
			} else {
				offset = -1
			}
			if *got[0] != times[i] || derefOr(got[1], -1) != offset || derefOr(got[2], -1) != ts {
				t.Errorf("%s/%d: offsetsForTimes(%d) found offset %s timestamp %s, want %d and %d", r.topic, o.Partition, times[i], showOffset(got[1]), showOffset(got[2]), offset, ts)
			}
		}
	}
	for _, got := range records {
		if got.Partition == 1 || got.Offset != next[got.Partition] {
			t.Fatalf("after the seeks read %s/%d offset %d, want offset %d", got.Topic, got.Partition, got.Offset, next[got.Partition])
		}
		r.checkRecord(t, got)
		next[got.Partition]++
	}
	for _, p := range []int32{0, 2} {
		if end := int64(len(r.slots[p])); next[p] != end {
			t.Errorf("%s/%d: read to offset %d after the seek, want to its end %d", r.topic, p, next[p], end)
		}
	}
}

// offsetForTime is the offset of partition p's first record at or after ts, or its end offset.
func (r *javaRun) offsetForTime(p int32, ts int64) int64 {
	for o, seq := range r.slots[p] {
		if r.ts0+int64(seq) >= ts {
			return int64(o)
		}
	}
	return int64(len(r.slots[p]))
}

// derefOr is *p, or def when p is nil.
func derefOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func showOffset(o *int64) string {
	if o == nil {
		return "null"
	}
	return strconv.FormatInt(*o, 10)
}
