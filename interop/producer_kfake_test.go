package interop

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/wire"
)

// This file runs kwire's producer against franz-go's kfake, a broker written independently of
// kwire, and reads what it wrote back with franz-go's consumer: every codec with and without
// idempotence, then under kfake's own fault injection and with partition leaders moving while
// records are in flight. What kwire's callbacks said (partition, offset, timestamp) is checked
// against what the consumer reads, record by record.

// The cluster every test here starts: three brokers and a topic of four partitions, so that a
// producer talks to several leaders at once and each leader has more than one partition.
const (
	kfakeBrokers    = 3
	kfakePartitions = 4
	kfakeRecords    = 3000
)

// kfakeRun is a kfake cluster with one seeded topic, for one producer, and what the cluster saw of
// that producer's produce requests before handling them.
type kfakeRun struct {
	c     *kfake.Cluster
	addrs []string
	topic string

	mu       sync.Mutex
	requests map[int32]int      // produce requests by the broker they went to
	codecs   map[wire.Codec]int // batches sent, by the codec in their attributes
	pids     map[int64]int      // batches sent, by producer id
	bad      []string           // batches kmsg could not read
}

// startKfake starts a kfakeBrokers-broker kfake cluster with topic seeded at kfakePartitions
// partitions and opts, closed when t ends. It watches every produce request (without answering
// it, so that the cluster and its faults handle it as usual).
func startKfake(t *testing.T, topic string, opts ...kfake.Opt) *kfakeRun {
	t.Helper()
	opts = append([]kfake.Opt{kfake.NumBrokers(kfakeBrokers), kfake.SeedTopics(kfakePartitions, topic)}, opts...)
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("kfake.NewCluster: %v", err)
	}
	t.Cleanup(c.Close)
	r := &kfakeRun{
		c: c, addrs: c.ListenAddrs(), topic: topic,
		requests: map[int32]int{}, codecs: map[wire.Codec]int{}, pids: map[int64]int{},
	}
	// A control that does not answer stays installed; KeepControl is only for one that does.
	c.ControlKey(int16(kmsg.Produce), r.observe)
	return r
}

// observe notes the broker and the batches of a produce request and leaves the request to the
// cluster. It runs on the cluster's goroutine.
func (r *kfakeRun) observe(req kmsg.Request) (kmsg.Response, error, bool) {
	node := r.c.CurrentNode()
	pr := req.(*kmsg.ProduceRequest)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[node]++
	for _, rt := range pr.Topics {
		for _, rp := range rt.Partitions {
			var b kmsg.RecordBatch
			if err := b.ReadFrom(rp.Records); err != nil {
				r.bad = append(r.bad, fmt.Sprintf("%s/%d: %v", rt.Topic, rp.Partition, err))
				continue
			}
			r.codecs[wire.Codec(b.Attributes&7)]++
			r.pids[b.ProducerID]++
		}
	}
	return nil, nil, false
}

// leaders is which broker leads each partition of the run's topic now.
func (r *kfakeRun) leaders() []int32 {
	out := make([]int32, kfakePartitions)
	for p := range out {
		out[p] = r.c.LeaderFor(r.topic, int32(p))
	}
	return out
}

// kfakeProducer is a kwire producer of run's cluster (kfakeConfig), closed when t ends.
func kfakeProducer(t *testing.T, run *kfakeRun, codec wire.Codec, idempotent bool) *producer.Producer {
	t.Helper()
	return startKfakeProducer(t, kfakeConfig(run.addrs, codec, idempotent))
}

// kfakeConfig is a kwire producer's configuration for a kfake cluster at addrs: codec, idempotent
// (acks=all) or not (acks=all, idempotence off, retries on), small batches so that every partition
// gets many and requests pipeline, and short backoffs so that retries fit the test's time.
func kfakeConfig(addrs []string, codec wire.Codec, idempotent bool) producer.Config {
	cfg := producer.DefaultConfig()
	cfg.BootstrapServers = addrs
	cfg.ClientID = "kwire-kfake"
	cfg.Compression = codec
	cfg.Acks = producer.AcksAll
	cfg.Idempotence = producer.Off
	if idempotent {
		cfg.Idempotence = producer.On
	}
	cfg.BatchSize = 2048
	cfg.Linger = 2 * time.Millisecond
	cfg.RetryBackoff, cfg.RetryBackoffMax = 10*time.Millisecond, 200*time.Millisecond
	cfg.RequestTimeout = 5 * time.Second
	cfg.DeliveryTimeout = 15 * time.Second
	cfg.MaxBlock = 10 * time.Second
	return cfg
}

// startKfakeProducer starts a producer with cfg, closed when t ends.
func startKfakeProducer(t *testing.T, cfg producer.Config) *producer.Producer {
	t.Helper()
	p, err := producer.New(cfg)
	if err != nil {
		t.Fatalf("producer.New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.Close(ctx)
	})
	return p
}

// kfakeInput is n records for topic, whose values are "0" to "n-1" (the record's index, by which
// the checks find it again). Each has a key (but one in 97 has a null one, left to the sticky
// partitioner), a header carrying its index (one in five also an empty and a null header), and
// an explicit timestamp from base on (but one in ten has none: the producer stamps the time of
// Send).
func kfakeInput(topic string, n int, base time.Time) []producer.Record {
	recs := make([]producer.Record, n)
	for i := range recs {
		r := producer.Record{Topic: topic, Value: []byte(strconv.Itoa(i))}
		if i%97 != 0 {
			r.Key = fmt.Appendf(nil, "key-%03d", i%101)
		}
		r.Headers = []wire.Header{{Key: "index", Value: []byte(strconv.Itoa(i))}}
		if i%5 == 0 {
			r.Headers = append(r.Headers, wire.Header{Key: "empty", Value: []byte{}}, wire.Header{Key: "null"})
		}
		if i%10 != 3 {
			r.Timestamp = base.Add(time.Duration(i) * time.Millisecond)
		}
		recs[i] = r
	}
	return recs
}

// kfakeDeliveries is what the producer's callbacks said of each record, by the record's index.
type kfakeDeliveries struct {
	mu    sync.Mutex
	md    []producer.Metadata
	err   []error
	calls []int
	order map[int32][]int // partition -> indexes of the records its callbacks were for, in order

	start, end time.Time // before the first Send and after Flush returned
}

// callback returns record i's callback.
func (d *kfakeDeliveries) callback(i int) func(producer.Metadata, error) {
	return func(md producer.Metadata, err error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.calls[i]++
		d.md[i], d.err[i] = md, err
		if err == nil {
			d.order[md.Partition] = append(d.order[md.Partition], i)
		}
	}
}

// kfakePhases is how many parts a run's records are sent in; disruptions come between them.
const kfakePhases = 4

// produceInPhases sends recs with p in kfakePhases parts, in groups of 50 a millisecond or so
// apart so that requests are in flight all along, calling between(k) after part k (1, 2, …) has
// been queued, and flushes. It fails t if a Send or the Flush fails.
func produceInPhases(t *testing.T, p *producer.Producer, recs []producer.Record, between func(phase int)) *kfakeDeliveries {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n := len(recs)
	d := &kfakeDeliveries{md: make([]producer.Metadata, n), err: make([]error, n), calls: make([]int, n), order: map[int32][]int{}}
	d.start = time.Now()
	for phase := range kfakePhases {
		if phase > 0 && between != nil {
			between(phase)
		}
		for i := phase * n / kfakePhases; i < (phase+1)*n/kfakePhases; i++ {
			if err := p.Send(ctx, &recs[i], d.callback(i)); err != nil {
				t.Fatalf("Send of record %d: %v", i, err)
			}
			if i%50 == 49 {
				time.Sleep(time.Millisecond)
			}
		}
	}
	if err := p.Flush(ctx); err != nil {
		st := p.Stats()
		t.Fatalf("Flush: %v (delivered %d, failed %d of %d; errors %v)", err, st.Delivered, st.Failed, n, st.Errors)
	}
	d.end = time.Now()
	return d
}

// kfakeEndOffsets asks the cluster (ListOffsets, latest) where each of topic's partitions ends.
func kfakeEndOffsets(t *testing.T, kc *kgo.Client, topic string, partitions int32) []int64 {
	t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for p := range partitions {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition = p
		rp.Timestamp = -1 // latest
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(clientContext(t), kc)
	if err != nil {
		t.Fatalf("ListOffsets %s: %v", topic, err)
	}
	ends := make([]int64, partitions)
	seen := 0
	for _, st := range resp.Topics {
		for _, sp := range st.Partitions {
			if err := kerr.ErrorForCode(sp.ErrorCode); err != nil {
				t.Fatalf("ListOffsets %s/%d: %v", topic, sp.Partition, err)
			}
			if sp.Partition < 0 || sp.Partition >= partitions {
				t.Fatalf("ListOffsets %s: answer for partition %d", topic, sp.Partition)
			}
			ends[sp.Partition] = sp.Offset
			seen++
		}
	}
	if seen != int(partitions) {
		t.Fatalf("ListOffsets %s: %d partitions answered, want %d", topic, seen, partitions)
	}
	return ends
}

// consumeToEnd reads every record of topic's partitions, from the start up to the end offsets the
// cluster gives when it is called, with a new franz-go consumer (ConsumeTopics, no group) of the
// brokers at addrs. It returns each partition's records in the order the consumer gave them.
func consumeToEnd(t *testing.T, addrs []string, topic string, partitions int32) map[int32][]*kgo.Record {
	t.Helper()
	kc, err := kgo.NewClient(
		kgo.SeedBrokers(addrs...),
		kgo.ClientID("kwire-interop-consumer"),
		kgo.RetryTimeout(clientTimeout),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond),
	)
	if err != nil {
		t.Fatalf("kgo.NewClient: %v", err)
	}
	defer kc.Close()
	ends := kfakeEndOffsets(t, kc, topic, partitions)
	got := map[int32][]*kgo.Record{}
	next := make([]int64, partitions) // partition -> offset after the last record read
	done := func() bool {
		for p := range partitions {
			if next[p] < ends[p] {
				return false
			}
		}
		return true
	}
	ctx := clientContext(t)
	for !done() {
		fetches := kc.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumer of %s read up to %v of end offsets %v in %v", topic, next, ends, clientTimeout)
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			t.Fatalf("consumer of %s at %v: %s/%d: %v", topic, next, errs[0].Topic, errs[0].Partition, errs[0].Err)
		}
		for _, r := range fetches.Records() {
			if r.Partition < 0 || r.Partition >= partitions {
				t.Fatalf("consumer of %s read partition %d", topic, r.Partition)
			}
			got[r.Partition] = append(got[r.Partition], r)
			next[r.Partition] = max(next[r.Partition], r.Offset+1)
		}
	}
	return got
}

// kgoKeyPartition is the partition franz-go's default partitioner (Kafka's murmur2 of the key)
// gives key among n: where the Java client, and so kwire, must put a keyed record.
func kgoKeyPartition(topic string, key []byte, n int) int32 {
	return int32(kgo.StickyKeyPartitioner(nil).ForTopic(topic).Partition(&kgo.Record{Topic: topic, Key: key}, n))
}

// kfakeWant is what a run must have written.
type kfakeWant struct {
	codec      wire.Codec
	idempotent bool
	// exactlyOnce: each record once, in send order per partition. Without it (retries without
	// idempotence) a record may be written more than once and partitions may be out of order,
	// but none may be missing.
	exactlyOnce bool
}

// checkKfakeRun checks a producer run against its callbacks, the produce requests the cluster saw
// and what franz-go's consumer reads back.
func checkKfakeRun(t *testing.T, run *kfakeRun, p *producer.Producer, recs []producer.Record, d *kfakeDeliveries, w kfakeWant) {
	t.Helper()
	n := len(recs)
	d.mu.Lock()
	defer d.mu.Unlock()

	// Callbacks: one per record, no error, at the partition the key hashes to (Kafka's murmur2, as
	// franz-go computes it), with the record's timestamp or one taken during Send.
	var errs, reasons []string
	failed := map[string][]int{} // error -> records that failed with it
	for i, r := range recs {
		md := d.md[i]
		switch {
		case d.calls[i] != 1:
			errs = append(errs, fmt.Sprintf("record %d: %d callbacks, want 1", i, d.calls[i]))
			continue
		case d.err[i] != nil:
			why := shortError(d.err[i])
			if len(failed[why]) == 0 {
				reasons = append(reasons, why)
			}
			failed[why] = append(failed[why], i)
			continue
		case md.Topic != run.topic || md.Partition < 0 || md.Partition >= kfakePartitions || md.Offset < 0:
			errs = append(errs, fmt.Sprintf("record %d: callback said %s/%d at offset %d", i, md.Topic, md.Partition, md.Offset))
			continue
		}
		if r.Key != nil {
			if want := kgoKeyPartition(run.topic, r.Key, kfakePartitions); md.Partition != want {
				errs = append(errs, fmt.Sprintf("record %d (key %q): partition %d, franz-go's murmur2 partitioner says %d", i, r.Key, md.Partition, want))
			}
		}
		ts := md.Timestamp.UnixMilli()
		if !r.Timestamp.IsZero() && ts != r.Timestamp.UnixMilli() {
			errs = append(errs, fmt.Sprintf("record %d: callback timestamp %d, record's %d", i, ts, r.Timestamp.UnixMilli()))
		}
		if r.Timestamp.IsZero() && (ts < d.start.UnixMilli() || ts > d.end.UnixMilli()) {
			errs = append(errs, fmt.Sprintf("record %d: callback timestamp %d, want the time of Send, in [%d, %d]", i, ts, d.start.UnixMilli(), d.end.UnixMilli()))
		}
		if len(errs) > maxDiffs {
			break
		}
	}
	for _, why := range reasons {
		idx := failed[why]
		errs = append(errs, fmt.Sprintf("%d records not delivered (first %v): %s", len(idx), idx[:min(len(idx), 5)], why))
	}
	failDiffs(t, "callbacks", errs, nil)
	if t.Failed() {
		t.FailNow()
	}
	if w.exactlyOnce {
		// Callbacks come in send order per partition, at offsets counting up from 0; the first
		// break of each partition is reported.
		errs = nil
		for part, idx := range d.order {
			var early, late bool
			for j, i := range idx {
				if off := d.md[i].Offset; off != int64(j) && !early {
					early = true
					errs = append(errs, fmt.Sprintf("partition %d: callback %d was for record %d at offset %d: earlier offsets' callbacks came later", part, j, i, off))
				}
				if j > 0 && i < idx[j-1] && !late {
					late = true
					errs = append(errs, fmt.Sprintf("partition %d: callback of record %d (offset %d) came after record %d's (offset %d)", part, i, d.md[i].Offset, idx[j-1], d.md[idx[j-1]].Offset))
				}
			}
		}
		failDiffs(t, "callback order", errs, nil)
	}

	// The batches as the cluster received them: every one with the codec asked for, and a
	// producer id (one, however many epochs) only when idempotent.
	run.mu.Lock()
	if len(run.bad) > 0 {
		t.Errorf("kmsg could not read %d produced batches: %v", len(run.bad), run.bad[:min(len(run.bad), 5)])
	}
	for codec, k := range run.codecs {
		if codec != w.codec {
			t.Errorf("%d batches sent with codec %s, want %s", k, codec, w.codec)
		}
	}
	switch {
	case w.idempotent && (len(run.pids) != 1 || run.pids[-1] > 0):
		t.Errorf("idempotent producer's batches by producer id: %v, want one id", run.pids)
	case !w.idempotent && (len(run.pids) != 1 || run.pids[-1] == 0):
		t.Errorf("plain producer's batches by producer id: %v, want all -1", run.pids)
	}
	t.Logf("produce requests by broker %v; batches by codec %v, by producer id %v", run.requests, run.codecs, run.pids)
	run.mu.Unlock()

	// What franz-go's consumer reads: each record where its callback said, intact.
	got := consumeToEnd(t, run.addrs, run.topic, kfakePartitions)
	copies := make([]int, n)
	var pid int64 = -2
	errs = nil
	for part := range int32(kfakePartitions) {
		last := -1
		for j, kr := range got[part] {
			where := fmt.Sprintf("%s/%d at %d", run.topic, part, kr.Offset)
			if kr.Offset != int64(j) {
				errs = append(errs, fmt.Sprintf("%s: record %d read from the partition, want offsets 0, 1, 2, …", where, j))
			}
			i, err := strconv.Atoi(string(kr.Value))
			if err != nil || i < 0 || i >= n {
				errs = append(errs, fmt.Sprintf("%s: value %s was not produced", where, fmtBytes(kr.Value)))
				continue
			}
			copies[i]++
			if codec := wire.Codec(kr.Attrs.CompressionType()); codec != w.codec {
				errs = append(errs, fmt.Sprintf("%s: record %d read from a batch with codec %s, want %s", where, i, codec, w.codec))
			}
			switch {
			case !w.idempotent && kr.ProducerID != -1:
				errs = append(errs, fmt.Sprintf("%s: record %d has producer id %d, want -1 (not idempotent)", where, i, kr.ProducerID))
			case w.idempotent && (kr.ProducerID < 0 || pid != -2 && kr.ProducerID != pid):
				errs = append(errs, fmt.Sprintf("%s: record %d has producer id %d (others %d)", where, i, kr.ProducerID, pid))
			case w.idempotent:
				pid = kr.ProducerID
			}
			md := d.md[i]
			if w.exactlyOnce {
				if copies[i] > 1 {
					errs = append(errs, fmt.Sprintf("%s: record %d read again", where, i))
				}
				if i < last {
					errs = append(errs, fmt.Sprintf("%s: record %d after record %d: not in send order", where, i, last))
				}
				last = i
			}
			if md.Partition != part || md.Offset != kr.Offset {
				if w.exactlyOnce || md.Partition != part {
					errs = append(errs, fmt.Sprintf("%s: record %d, whose callback said %d at %d", where, i, md.Partition, md.Offset))
				}
				continue // a duplicate from a retry without idempotence; the callback's copy is checked
			}
			want := recView{Timestamp: md.Timestamp.UnixMilli(), Offset: md.Offset, Key: recs[i].Key, Value: recs[i].Value}
			for _, h := range recs[i].Headers {
				want.Headers = append(want.Headers, hdrView{Key: h.Key, Value: h.Value})
			}
			errs = append(errs, diffRecords(where+": ", []recView{kgoRecView(kr)}, []recView{want})...)
			if len(errs) > maxDiffs {
				break
			}
		}
	}
	var missing, duplicated []int
	for i, c := range copies {
		switch {
		case c == 0:
			missing = append(missing, i)
		case c > 1:
			duplicated = append(duplicated, i)
		}
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Sprintf("%d records never read back, first %v", len(missing), missing[:min(len(missing), 10)]))
	}
	if len(duplicated) > 0 && w.exactlyOnce {
		errs = append(errs, fmt.Sprintf("%d records read more than once, first %v", len(duplicated), duplicated[:min(len(duplicated), 10)]))
	}
	failDiffs(t, "franz-go consumer against kwire's callbacks", errs, nil)

	st := p.Stats()
	if st.Records != int64(n) || st.Delivered != int64(n) || st.Failed != 0 {
		t.Errorf("Stats: %d records, %d delivered, %d failed; want %d, %d, 0", st.Records, st.Delivered, st.Failed, n, n)
	}
	per := map[int32]int{}
	for part := range got {
		per[part] = len(got[part])
	}
	t.Logf("%d records read back over partitions %v (%d duplicated); %d batches, %d retries, %d requests, errors %v",
		n, per, len(duplicated), st.Batches, st.Retries, st.Requests, st.Errors)
}

// TestKwireProducerKfake produces keyed records with kwire's producer, with every codec, idempotent
// and not, to a three-broker kfake cluster, and reads them back with franz-go's consumer: every
// record once, in send order per partition, at the partition and offset its callback reported and
// at the partition Kafka's murmur2 of its key gives, with its key, value, headers (null and empty
// told apart) and timestamp; every batch carries the codec asked for, and a producer id only when
// idempotent.
func TestKwireProducerKfake(t *testing.T) {
	type kfakeCase struct {
		codec      wire.Codec
		idempotent bool
	}
	var cases []kfakeCase
	for _, codec := range wire.Codecs {
		cases = append(cases, kfakeCase{codec, true}, kfakeCase{codec, false})
	}
	for _, c := range cases {
		name := c.codec.String() + "/plain"
		if c.idempotent {
			name = c.codec.String() + "/idempotent"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			run := startKfake(t, "kwire-kfake")
			p := kfakeProducer(t, run, c.codec, c.idempotent)
			recs := kfakeInput(run.topic, kfakeRecords, time.Now().Add(-time.Hour).Truncate(time.Millisecond))
			d := produceInPhases(t, p, recs, nil)
			checkKfakeRun(t, run, p, recs, d, kfakeWant{codec: c.codec, idempotent: c.idempotent, exactlyOnce: true})
		})
	}
}

// kfakeDisruption is what is done to the cluster while a producer is sending: faults installed
// (kfake answers the next matching requests with an error instead of handling them), partition
// leaders moved, or one request stalled and then answered REQUEST_TIMED_OUT.
type kfakeDisruption struct {
	// faults are installed after the first part of the records, given the partitions' leaders then.
	faults func(leaders []int32) []kfake.Fault
	// moves shuffles the leaders after the first part, moves every partition to another broker
	// after the second, and shuffles them again after the third.
	moves bool
	// stall holds the first produce request after the first part for stallFor, so that the
	// producer sends the next batches of its partitions behind it on the same connection, and
	// then has kfake append its records but answer REQUEST_TIMED_OUT: the batches behind it land
	// after it and succeed before it is retried.
	stall bool
}

// stallFor is how long a stalled produce request is held.
const stallFor = 150 * time.Millisecond

// disruptor applies a kfakeDisruption to a run and keeps the handles of the faults it installed.
type disruptor struct {
	d   kfakeDisruption
	run *kfakeRun

	mu      sync.Mutex // the stall's fault is installed on the cluster's goroutine
	want    int        // requests the installed faults must answer
	handles []*kfake.FaultHandle
	moved   [][]int32 // the leaders after each move
}

// between is produceInPhases' hook: it disrupts the cluster after part phase.
func (ds *disruptor) between(t *testing.T, phase int) {
	run := ds.run
	if phase == 1 && ds.d.faults != nil {
		fs := ds.d.faults(run.leaders())
		h := run.c.Fault(fs...)
		ds.mu.Lock()
		for _, f := range fs {
			ds.want += f.Count
		}
		ds.handles = append(ds.handles, h)
		ds.mu.Unlock()
	}
	if phase == 1 && ds.d.stall {
		run.c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
			run.c.DropControl() // once
			time.Sleep(stallFor)
			h := run.c.Fault(kfake.Fault{
				Keys: []kmsg.Key{kmsg.Produce}, Err: kerr.RequestTimedOut, Count: 1,
				When: func(r kmsg.Request) bool { return r == req },
			})
			ds.mu.Lock()
			ds.want++
			ds.handles = append(ds.handles, h)
			ds.mu.Unlock()
			return nil, nil, false
		})
	}
	if !ds.d.moves {
		return
	}
	switch phase {
	case 2:
		for part, leader := range run.leaders() {
			if err := run.c.MoveTopicPartition(run.topic, int32(part), (leader+1)%kfakeBrokers); err != nil {
				t.Errorf("MoveTopicPartition %d: %v", part, err)
			}
		}
	default:
		run.c.ShufflePartitionLeaders()
	}
	ds.moved = append(ds.moved, run.leaders())
}

// check fails t unless every fault installed answered all the requests it was for, and, when
// leaders moved, the producer met NOT_LEADER_OR_FOLLOWER.
func (ds *disruptor) check(t *testing.T, p *producer.Producer) {
	t.Helper()
	ds.mu.Lock()
	defer ds.mu.Unlock()
	hits := 0
	for _, h := range ds.handles {
		hits += h.Hits()
	}
	if ds.d.stall && len(ds.handles) == 0 {
		t.Errorf("no produce request was stalled")
	}
	if hits != ds.want {
		t.Errorf("the faults answered %d produce requests, want all %d", hits, ds.want)
	}
	if st := p.Stats(); ds.d.moves && st.Errors["NOT_LEADER_OR_FOLLOWER"] == 0 {
		t.Errorf("leaders moved (%v) but kwire never had NOT_LEADER_OR_FOLLOWER: errors %v", ds.moved, st.Errors)
	}
	if len(ds.moved) > 0 {
		t.Logf("leaders after each move: %v", ds.moved)
	}
}

// produceFaults fails the next count produce requests, to any broker, with err.
func produceFaults(err *kerr.Error, count int) func([]int32) []kfake.Fault {
	return func([]int32) []kfake.Fault {
		return []kfake.Fault{{Keys: []kmsg.Key{kmsg.Produce}, Err: err, Count: count}}
	}
}

// leaderFaults fails the next count produce requests to partition 0's leader with err.
func leaderFaults(err *kerr.Error, count int) func([]int32) []kfake.Fault {
	return func(leaders []int32) []kfake.Fault {
		return []kfake.Fault{{Keys: []kmsg.Key{kmsg.Produce}, Nodes: []int32{leaders[0]}, Err: err, Count: count}}
	}
}

// TestKwireProducerKfakeFaults produces to kfake while kfake's fault injection fails produce
// requests (NOT_LEADER_OR_FOLLOWER; REQUEST_TIMED_OUT, which kfake answers after appending the
// records, as a broker whose replication timed out does; NOT_ENOUGH_REPLICAS, which it answers
// without appending; to every broker or to one) and while partition leaders move between brokers,
// against kfake's newest protocol (whose NOT_LEADER_OR_FOLLOWER names the new leader, KIP-951) and
// against Kafka 3.6's (without that hint). With idempotence every record must be read back exactly
// once, in send order per partition, where its callback said; without it (acks=all, retries) a
// record may be written twice after a REQUEST_TIMED_OUT, but none may be lost. Every fault must
// have been hit, and leader moves must have made kwire retry after NOT_LEADER_OR_FOLLOWER.

func TestKwireProducerKfakeFaults(t *testing.T) {
	kafka36 := kfake.MaxVersions(kversion.V3_6_0()) // Produce v9: no leader hints
	cases := []struct {
		name       string
		idempotent bool
		codec      wire.Codec
		disrupt    kfakeDisruption
		opts       []kfake.Opt
	}{
		{name: "idempotent/not-leader", idempotent: true, disrupt: kfakeDisruption{faults: produceFaults(kerr.NotLeaderForPartition, 6)}},
		{name: "idempotent/request-timed-out", idempotent: true, codec: wire.CodecLZ4, disrupt: kfakeDisruption{faults: produceFaults(kerr.RequestTimedOut, 6)}},
		{name: "idempotent/not-enough-replicas", idempotent: true, codec: wire.CodecZstd, disrupt: kfakeDisruption{faults: produceFaults(kerr.NotEnoughReplicas, 6)}},
		{name: "idempotent/one-broker-timeouts", idempotent: true, codec: wire.CodecSnappy, disrupt: kfakeDisruption{faults: leaderFaults(kerr.RequestTimedOut, 8)}},
		{name: "idempotent/mixed-faults", idempotent: true, codec: wire.CodecGzip, disrupt: kfakeDisruption{faults: func([]int32) []kfake.Fault {
			produce := []kmsg.Key{kmsg.Produce}
			return []kfake.Fault{
				{Keys: produce, Err: kerr.RequestTimedOut, Count: 3},
				{Keys: produce, Err: kerr.NotEnoughReplicas, Count: 3},
				{Keys: produce, Err: kerr.NotLeaderForPartition, Count: 3},
			}
		}}},
		{name: "idempotent/stalled-request-timed-out", idempotent: true, codec: wire.CodecLZ4, disrupt: kfakeDisruption{stall: true}},
		{name: "idempotent/leader-moves/kafka-3.6", idempotent: true, codec: wire.CodecLZ4, disrupt: kfakeDisruption{moves: true}, opts: []kfake.Opt{kafka36}},
		{name: "idempotent/leader-moves-and-timeouts/kafka-3.6", idempotent: true, disrupt: kfakeDisruption{moves: true, faults: produceFaults(kerr.RequestTimedOut, 4)}, opts: []kfake.Opt{kafka36}},
		{name: "idempotent/leader-moves/leader-hints", idempotent: true, codec: wire.CodecLZ4, disrupt: kfakeDisruption{moves: true}},
		{name: "idempotent/leader-moves-and-timeouts/leader-hints", idempotent: true, disrupt: kfakeDisruption{moves: true, faults: produceFaults(kerr.RequestTimedOut, 4)}},
		{name: "plain/not-leader", disrupt: kfakeDisruption{faults: produceFaults(kerr.NotLeaderForPartition, 6)}},
		{name: "plain/request-timed-out", codec: wire.CodecLZ4, disrupt: kfakeDisruption{faults: produceFaults(kerr.RequestTimedOut, 6)}},
		{name: "plain/stalled-request-timed-out", codec: wire.CodecSnappy, disrupt: kfakeDisruption{stall: true}},
		{name: "plain/not-enough-replicas", disrupt: kfakeDisruption{faults: produceFaults(kerr.NotEnoughReplicas, 6)}},
		{name: "plain/leader-moves/kafka-3.6", codec: wire.CodecZstd, disrupt: kfakeDisruption{moves: true}, opts: []kfake.Opt{kafka36}},
		{name: "plain/leader-moves/leader-hints", codec: wire.CodecZstd, disrupt: kfakeDisruption{moves: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := startKfake(t, "kwire-kfake-faults", c.opts...)
			p := kfakeProducer(t, run, c.codec, c.idempotent)
			recs := kfakeInput(run.topic, kfakeRecords, time.Now().Add(-time.Hour).Truncate(time.Millisecond))
			ds := &disruptor{d: c.disrupt, run: run}
			d := produceInPhases(t, p, recs, func(phase int) { ds.between(t, phase) })
			ds.check(t, p)
			checkKfakeRun(t, run, p, recs, d, kfakeWant{
				codec: c.codec, idempotent: c.idempotent,
				exactlyOnce: c.idempotent,
			})
		})
	}
}

// shortError is err's message cut to its first 200 bytes: kwire's errors end with Kafka's long
// description of the error code.
func shortError(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}
