package mockbroker

import (
	"bytes"
	"log"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// createTopic creates topic name with one partition and configs, as a client would, and fails the
// test unless the answer is want (nil for none).
func createTopic(tc *testClient, name string, want *kerr.Error, configs ...protocol.CreateTopicsConfig) protocol.CreateTopicsTopicResult {
	tc.t.Helper()
	var resp protocol.CreateTopicsResponse
	tc.roundTrip(5, &protocol.CreateTopicsRequest{TimeoutMs: 1000, Topics: []protocol.CreateTopicsTopic{
		{Name: name, NumPartitions: 1, ReplicationFactor: 1, Configs: configs}}}, &resp)
	res := resp.Topics[0]
	if res.ErrorCode != codeOf(want) {
		tc.t.Fatalf("creating %s with %v: %v (%v), want %v", name, configs, kerr.ForCode(res.ErrorCode), derefOr(res.ErrorMessage), want)
	}
	return res
}

// codeOf is the code of err, 0 for nil.
func codeOf(err *kerr.Error) int16 {
	if err == nil {
		return 0
	}
	return err.Code
}

func derefOr(s *string) string {
	if s == nil {
		return "no message"
	}
	return *s
}

func topicConfig(name, value string) protocol.CreateTopicsConfig {
	return protocol.CreateTopicsConfig{Name: name, Value: &value}
}

// wantLogStart checks, as a consumer sees them, that topic/p starts at start and ends at end: a
// Fetch below the start is OFFSET_OUT_OF_RANGE, one at it reads from it (or nothing if the log is
// empty), and ListOffsets' earliest and latest are start and end.
func wantLogStart(tc *testClient, topic string, p int32, start, end int64) {
	tc.t.Helper()
	if got := listOffset(tc, 9, topic, p, earliestTimestamp); got.ErrorCode != 0 || got.Offset != start {
		tc.t.Errorf("%s/%d: earliest offset %d (%v), want %d", topic, p, got.Offset, kerr.ForCode(got.ErrorCode), start)
	}
	if got := listOffset(tc, 9, topic, p, latestTimestamp); got.ErrorCode != 0 || got.Offset != end {
		tc.t.Errorf("%s/%d: latest offset %d (%v), want %d", topic, p, got.Offset, kerr.ForCode(got.ErrorCode), end)
	}
	fetchAt := func(offset int64) protocol.FetchPartitionResponse {
		req := fetchReq(topic, offset, 0)
		req.Topics[0].Partitions[0].Partition = p
		var resp protocol.FetchResponse
		tc.roundTrip(12, req, &resp)
		return resp.Responses[0].Partitions[0]
	}
	if start > 0 {
		if got := fetchAt(start - 1); got.ErrorCode != kerr.OffsetOutOfRange.Code {
			tc.t.Errorf("%s/%d: fetch at %d, below the log start: %v, want OFFSET_OUT_OF_RANGE", topic, p, start-1, kerr.ForCode(got.ErrorCode))
		}
	}
	got := fetchAt(start)
	if got.ErrorCode != 0 || got.LogStartOffset != start || got.HighWatermark != end {
		tc.t.Fatalf("%s/%d: fetch at the log start %d: %v, log start %d, high watermark %d", topic, p, start, kerr.ForCode(got.ErrorCode), got.LogStartOffset, got.HighWatermark)
	}
	var b wire.RecordBatch
	switch _, err := b.Decode(got.Records); {
	case start == end && len(got.Records) != 0:
		tc.t.Errorf("%s/%d: fetch at the end of an empty log read %d bytes", topic, p, len(got.Records))
	case start < end && (err != nil || b.BaseOffset != start):
		tc.t.Errorf("%s/%d: fetch at the log start %d read a batch at %d (%v)", topic, p, start, b.BaseOffset, err)
	}
}

// TestRetentionBytes: a partition deletes its oldest batches while the rest hold its topic's
// retention.bytes (the cluster's log.retention.bytes unless the topic sets its own), as Kafka
// deletes segments: it keeps at most retention.bytes and a batch.
func TestRetentionBytes(t *testing.T) {
	batch := batchOf(t, -1, 0, 0, wire.CodecNone, "x")
	size := int64(len(batch))
	for _, tt := range []struct {
		name      string
		opts      []Option
		configs   []protocol.CreateTopicsConfig
		wantStart int64 // after four batches
	}{
		{"no limit, the default", nil, nil, 0},
		{"log.retention.bytes of two batches", []Option{LogRetentionBytes(2 * size)}, nil, 2},
		{"a byte more than two batches keeps three", []Option{LogRetentionBytes(2*size + 1)}, nil, 1},
		{"a byte less than a batch keeps one", []Option{LogRetentionBytes(size - 1)}, nil, 3},
		{"retention.bytes of the topic", nil, []protocol.CreateTopicsConfig{topicConfig("retention.bytes", strconv.FormatInt(3*size, 10))}, 1},
		{"retention.bytes 0 keeps nothing", nil, []protocol.CreateTopicsConfig{topicConfig("retention.bytes", "0")}, 4},
		{"the topic's -1 overrides the cluster's", []Option{LogRetentionBytes(size)}, []protocol.CreateTopicsConfig{topicConfig("retention.bytes", "-1")}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewTestCluster(t, tt.opts...)
			tc := dialTest(t, c.Addrs()[0])
			createTopic(tc, "t", nil, tt.configs...)
			for i := range int64(4) {
				if pr := produce(tc, 9, 1, "t", 0, batch); pr.ErrorCode != 0 || pr.BaseOffset != i {
					t.Fatalf("batch %d: %v at offset %d", i, kerr.ForCode(pr.ErrorCode), pr.BaseOffset)
				}
			}
			wantLogStart(tc, "t", 0, tt.wantStart, 4)
			records, err := c.Records("t", 0)
			if err != nil || int64(len(records)) != 4-tt.wantStart {
				t.Fatalf("Records: %d, %v; want %d", len(records), err, 4-tt.wantStart)
			}
		})
	}
}

// TestRetentionTime: once log.retention.check.interval.ms has passed, the next use of a partition
// (a produce, a fetch, a ListOffsets, Records) deletes its batches whose largest timestamp is
// older than retention.ms, from the oldest up to the first that is not; a batch without
// timestamps counts from its append, one of a log-append-time topic from the broker's time.
func TestRetentionTime(t *testing.T) {
	now := time.Now().UnixMilli()
	hours := func(h ...float64) []int64 {
		var ts []int64
		for _, x := range h {
			ts = append(ts, now-int64(x*float64(time.Hour.Milliseconds())))
		}
		return ts
	}
	lat := topicConfig("message.timestamp.type", "LogAppendTime")
	uses := map[string]func(t *testing.T, tc *testClient, c *Cluster){
		"produce": func(t *testing.T, tc *testClient, c *Cluster) {
			produce(tc, 9, 1, "t", 0, timedBatch(t, now))
		},
		"fetch": func(t *testing.T, tc *testClient, c *Cluster) {
			tc.roundTrip(12, fetchReq("t", 0, 0), &protocol.FetchResponse{})
		},
		"ListOffsets": func(t *testing.T, tc *testClient, c *Cluster) {
			listOffset(tc, 9, "t", 0, maxTimestamp)
		},
		"Records": func(t *testing.T, tc *testClient, c *Cluster) {
			c.Records("t", 0)
		},
	}
	for _, tt := range []struct {
		name        string
		opts        []Option
		configs     []protocol.CreateTopicsConfig
		batches     [][]int64 // each batch's timestamps
		checkDue    bool      // log.retention.check.interval.ms has passed
		wantDeleted int       // batches
	}{
		{"7 days by default", nil, nil, [][]int64{hours(24 * 8), hours(24 * 6)}, true, 1},
		{"up to the first batch that has not expired", []Option{LogRetentionTime(time.Hour)}, nil,
			[][]int64{hours(3), hours(2, 2.5), hours(0.5), hours(4)}, true, 2},
		{"the largest timestamp counts", []Option{LogRetentionTime(time.Hour)}, nil, [][]int64{hours(3, 0.5, 3)}, true, 0},
		{"not before the check is due", []Option{LogRetentionTime(time.Hour)}, nil, [][]int64{hours(3)}, false, 0},
		{"the topic's retention.ms", nil, []protocol.CreateTopicsConfig{topicConfig("retention.ms", "3600000")}, [][]int64{hours(2), hours(0.5)}, true, 1},
		{"retention.ms -1 keeps everything", []Option{LogRetentionTime(time.Hour)}, []protocol.CreateTopicsConfig{topicConfig("retention.ms", "-1")}, [][]int64{hours(1e6)}, true, 0},
		{"no timestamps: from the append", []Option{LogRetentionTime(time.Hour)}, nil, [][]int64{{-1, -1}}, true, 0},
		{"log-append time: from the broker's time", []Option{LogRetentionTime(time.Hour)}, []protocol.CreateTopicsConfig{lat}, [][]int64{hours(3)}, true, 0},
	} {
		for use, do := range uses {
			t.Run(tt.name+", at a "+use, func(t *testing.T) {
				c := NewTestCluster(t, tt.opts...)
				tc := dialTest(t, c.Addrs()[0])
				createTopic(tc, "t", nil, tt.configs...)
				for i, ts := range tt.batches {
					if pr := produce(tc, 9, 1, "t", 0, timedBatch(t, ts...)); pr.ErrorCode != 0 {
						t.Fatalf("batch %d: %v", i, kerr.ForCode(pr.ErrorCode))
					}
				}
				end := int64(0)
				for _, ts := range tt.batches {
					end += int64(len(ts))
				}
				if tt.checkDue {
					c.mu.Lock()
					c.topics["t"].partitions[0].log.nextCheck = 0 // as if log.retention.check.interval.ms had passed
					c.mu.Unlock()
				}
				do(t, tc, c)
				if use == "produce" {
					end++
				}
				start := int64(0)
				for _, ts := range tt.batches[:tt.wantDeleted] {
					start += int64(len(ts))
				}
				wantLogStart(tc, "t", 0, start, end)
			})
		}
	}
}

// TestRetentionCheckInterval: with log.retention.check.interval.ms 0, every use checks.
func TestRetentionCheckInterval(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1), LogRetentionTime(time.Hour), LogRetentionCheckInterval(0))
	tc := dialTest(t, c.Addrs()[0])
	produce(tc, 9, 1, "t", 0, timedBatch(t, time.Now().Add(-2*time.Hour).UnixMilli()))
	wantLogStart(tc, "t", 0, 1, 1)
}

// TestMaxLogBytes: past MaxLogBytes the cluster deletes its oldest batches, of whichever
// partitions, and says so once.
func TestMaxLogBytes(t *testing.T) {
	batch := batchOf(t, -1, 0, 0, wire.CodecNone, strings.Repeat("x", 500))
	perBatch := storedBatchSize + int64(cap(append([]byte(nil), batch...)))
	for _, tt := range []struct {
		name       string
		batches    int64   // the limit is the memory of this many batches
		less       int64   // less this many bytes
		order      []int32 // the partition of each batch
		wantStarts []int64
		wantEnds   []int64
	}{
		{"round robin", 4, 0, []int32{0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, []int64{2, 2, 2}, []int64{4, 3, 3}},
		{"one partition after another", 4, 0, []int32{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, []int64{5, 1, 0}, []int64{5, 5, 0}},
		{"an idle partition goes first", 3, 0, []int32{2, 0, 0, 0, 0, 0}, []int64{2, 0, 1}, []int64{5, 0, 1}},
		{"under the limit", 10, 0, []int32{0, 1, 2, 0}, []int64{0, 0, 0}, []int64{2, 1, 1}},
		{"less than a batch keeps none", 1, 1, []int32{0, 1}, []int64{1, 1, 0}, []int64{1, 1, 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			limit := tt.batches*perBatch - tt.less
			c := NewTestCluster(t, Topic("t", 3), MaxLogBytes(limit), Logger(log.New(&logged, "", 0)))
			tc := dialTest(t, c.Addrs()[0])
			for i, p := range tt.order {
				if pr := produce(tc, 9, 1, "t", p, batch); pr.ErrorCode != 0 {
					t.Fatalf("batch %d to t/%d: %v", i, p, kerr.ForCode(pr.ErrorCode))
				}
			}
			for p := range int32(3) {
				wantLogStart(tc, "t", p, tt.wantStarts[p], tt.wantEnds[p])
			}
			c.mu.Lock()
			held := c.store.memory
			c.mu.Unlock()
			if held > limit {
				t.Errorf("the logs take %d bytes, more than the limit %d", held, limit)
			}
			c.Close() // for the log to be whole
			want := 0
			if slices.ContainsFunc(tt.wantStarts, func(s int64) bool { return s > 0 }) {
				want = 1
			}
			if n := strings.Count(logged.String(), "more than MaxLogBytes"); n != want {
				t.Errorf("logged %d times that the logs take more than MaxLogBytes, want %d:\n%s", n, want, logged.String())
			}
		})
	}
}

// TestMaxLogBytesCopiesBatches: with a MaxLogBytes a stored batch is an allocation of its own,
// whose memory is known, not a slice of its request, which it would keep whole.
func TestMaxLogBytesCopiesBatches(t *testing.T) {
	for _, tt := range []struct {
		opts       []Option
		wantShared bool
	}{
		{nil, true},
		{[]Option{MaxLogBytes(1 << 30)}, false},
	} {
		c := NewTestCluster(t, append(tt.opts, Topic("t", 1))...)
		produce(dialTest(t, c.Addrs()[0]), 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "a"))
		request := c.Exchanges()[0].RequestBytes
		c.mu.Lock()
		stored := c.topics["t"].partitions[0].log.batches[0].data
		c.mu.Unlock()
		if shared := within(stored, request); shared != tt.wantShared {
			t.Errorf("options %v: the stored batch is a slice of the request: %v, want %v", tt.opts, shared, tt.wantShared)
		}
	}
}

// TestMaxLogBytesDeletesOldestFirst appends batches of random sizes to random partitions: the
// logs always take at most the limit, their accounts add up, and what they keep is the latest
// batches of the cluster, whichever partitions have them.
func TestMaxLogBytesDeletesOldestFirst(t *testing.T) {
	const partitions, limit = 20, 1 << 20
	c := NewTestCluster(t, Topic("t", partitions), MaxLogBytes(limit))
	rng := rand.New(rand.NewPCG(1, 2))
	c.mu.Lock()
	defer c.mu.Unlock()
	tp := c.topics["t"]
	for i := range 5000 {
		part := tp.partitions[rng.IntN(partitions)]
		batch := checkedBatch{data: make([]byte, rng.IntN(64<<10)+1)}
		part.log.append(c.newStoredBatch(&batch, tp, 0, 0), 0)
		c.stored(tp, part, 0)
		var seqs []uint64
		var sum int64
		for _, p := range tp.partitions {
			sum += p.log.memory
			for _, sb := range p.log.batches {
				seqs = append(seqs, sb.seq)
			}
		}
		slices.Sort(seqs)
		switch {
		case c.store.memory > limit || sum != c.store.memory:
			t.Fatalf("append %d: the logs take %d bytes, %d by the cluster's account; limit %d", i, sum, c.store.memory, limit)
		case len(seqs) == 0 || seqs[len(seqs)-1] != c.store.seq || seqs[len(seqs)-1]-seqs[0] != uint64(len(seqs)-1):
			t.Fatalf("append %d: the logs keep batches %v, not the latest", i, seqs)
		}
	}
}

// TestDropFrontKeepsReaders: deleting a log's oldest batches changes nothing a reader took, and
// the log lets go of the deleted ones in steps, never keeping more than a sixteenth of its memory
// for them.
func TestDropFrontKeepsReaders(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var l partitionLog
	for range 1000 {
		l.append(storedBatch{data: make([]byte, rng.IntN(4096)+1)}, rng.Int32N(3))
	}
	for len(l.batches) > 0 {
		taken := l.batches[:min(len(l.batches), 10)]
		want := slices.Clone(taken)
		n := rng.IntN(min(len(l.batches), 5)) + 1
		wantStart := l.highWatermark
		if n < len(l.batches) {
			wantStart = l.batches[n].baseOffset
		}
		l.dropFront(n)
		var sum int64
		for i := range l.batches {
			sum += l.batches[i].memory()
		}
		switch {
		case !slices.EqualFunc(taken, want, func(a, b storedBatch) bool { return a.baseOffset == b.baseOffset && &a.data[0] == &b.data[0] }):
			t.Fatal("a reader's batches changed")
		case l.logStart != wantStart || l.memory != sum:
			t.Fatalf("log start %d, memory %d; want %d, %d", l.logStart, l.memory, wantStart, sum)
		case l.dead > l.memory/16:
			t.Fatalf("%d bytes of deleted batches kept for %d of the log's", l.dead, l.memory)
		}
	}
}

// TestIdempotentProducerAfterRetention: when retention deletes an idempotent producer's batches,
// the partition keeps its state, as Kafka does since 2.4 (KAFKA-7190): its next batch is taken,
// a retry of one of its last five answered with the original offset, a gap refused.
func TestIdempotentProducerAfterRetention(t *testing.T) {
	for name, opts := range map[string][]Option{
		"retention.bytes": {LogRetentionBytes(0)},
		"retention.ms":    {LogRetentionTime(time.Hour), LogRetentionCheckInterval(0)},
		"MaxLogBytes":     {MaxLogBytes(1)},
	} {
		t.Run(name, func(t *testing.T) {
			c := NewTestCluster(t, append(opts, Topic("t", 1))...)
			tc := dialTest(t, c.Addrs()[0])
			var init protocol.InitProducerIDResponse
			tc.roundTrip(4, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: -1, ProducerEpoch: -1}, &init)
			for _, step := range []struct {
				seq    int32
				code   *kerr.Error
				offset int64
			}{
				{0, nil, 0}, {1, nil, 1}, {2, nil, 2},
				{1, nil, 1}, // a retry
				{4, kerr.OutOfOrderSequenceNumber, -1},
				{3, nil, 3},
			} {
				// Timestamped 1000, the batches are long expired.
				pr := produce(tc, 9, -1, "t", 0, batchOf(t, init.ProducerID, init.ProducerEpoch, step.seq, wire.CodecNone, "a"))
				if pr.ErrorCode != codeOf(step.code) || pr.BaseOffset != step.offset {
					t.Fatalf("sequence %d: %v at offset %d, want %v at %d", step.seq, kerr.ForCode(pr.ErrorCode), pr.BaseOffset, step.code, step.offset)
				}
			}
			wantLogStart(tc, "t", 0, 4, 4)
		})
	}
}

// TestRetentionConfigs: CreateTopics takes retention.bytes and retention.ms as Kafka does, any
// LONG for the first, at least -1 for the second, and reports them as Kafka does (checked against
// it by interop's TestRealKafkaMockDiff): a topic's as given, the cluster's from its configuration.
func TestRetentionConfigs(t *testing.T) {
	for _, tt := range []struct {
		name               string
		opts               []Option
		configs            []protocol.CreateTopicsConfig
		want               *kerr.Error
		wantBytes, wantMs  string
		bytesSrc, msSource int8
	}{
		{"Kafka's defaults", nil, nil, nil, "-1", "604800000", sourceDefault, sourceDefault},
		{"the cluster's", []Option{LogRetentionBytes(1 << 20), LogRetentionTime(time.Hour)}, nil, nil, "1048576", "3600000", sourceStaticBroker, sourceStaticBroker},
		{"the topic's", []Option{LogRetentionBytes(1 << 20)}, []protocol.CreateTopicsConfig{topicConfig("retention.bytes", "-5"), topicConfig("retention.ms", "-1")},
			nil, "-5", "-1", sourceTopic, sourceTopic},
		{"spaces around a number, reported as given", nil, []protocol.CreateTopicsConfig{topicConfig("retention.ms", " 1000 ")}, nil, "-1", " 1000 ", sourceDefault, sourceTopic},
		{"retention.ms not a number", nil, []protocol.CreateTopicsConfig{topicConfig("retention.ms", "1h")}, kerr.InvalidConfig, "", "", 0, 0},
		{"retention.ms below -1", nil, []protocol.CreateTopicsConfig{topicConfig("retention.ms", "-2")}, kerr.InvalidConfig, "", "", 0, 0},
		{"retention.bytes not a number", nil, []protocol.CreateTopicsConfig{topicConfig("retention.bytes", "1.5")}, kerr.InvalidConfig, "", "", 0, 0},
		{"retention.bytes beyond a LONG", nil, []protocol.CreateTopicsConfig{topicConfig("retention.bytes", "9223372036854775808")}, kerr.InvalidConfig, "", "", 0, 0},
		{"retention.bytes empty", nil, []protocol.CreateTopicsConfig{topicConfig("retention.bytes", "")}, kerr.InvalidConfig, "", "", 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewTestCluster(t, tt.opts...)
			res := createTopic(dialTest(t, c.Addrs()[0]), "t", tt.want, tt.configs...)
			if tt.want != nil {
				if res.ErrorMessage == nil || !strings.Contains(*res.ErrorMessage, "for configuration retention.") {
					t.Errorf("message %q does not name the config", derefOr(res.ErrorMessage))
				}
				return
			}
			for _, cfg := range res.Configs {
				want, source := map[string]string{"retention.bytes": tt.wantBytes, "retention.ms": tt.wantMs}[cfg.Name], map[string]int8{"retention.bytes": tt.bytesSrc, "retention.ms": tt.msSource}[cfg.Name]
				if want != "" && (cfg.Value == nil || *cfg.Value != want || cfg.ConfigSource != source) {
					t.Errorf("%s: %q from source %d, want %q from %d", cfg.Name, derefOr(cfg.Value), cfg.ConfigSource, want, source)
				}
			}
		})
	}
}

// TestMaxLogBytesLogsEachEpisode: the cluster says once that its logs took more than MaxLogBytes,
// and again only after they have fallen under half of it.
func TestMaxLogBytesLogsEachEpisode(t *testing.T) {
	var logged bytes.Buffer
	c := NewTestCluster(t, Topic("t", 1), MaxLogBytes(10<<10), Logger(log.New(&logged, "", 0)))
	c.mu.Lock()
	defer c.mu.Unlock()
	tp := c.topics["t"]
	part := tp.partitions[0]
	appendKiB := func(n int) {
		for range n {
			part.log.append(c.newStoredBatch(&checkedBatch{data: make([]byte, 1000)}, tp, 0, 0), 0)
			c.stored(tp, part, 0)
		}
	}
	for _, step := range []struct {
		name      string
		do        func()
		wantLines int
	}{
		{"over the limit", func() { appendKiB(20) }, 1},
		{"still over it", func() { appendKiB(20) }, 1},
		{"down to a little over half of it", func() { c.drop(part, len(part.log.batches)-5); appendKiB(1) }, 1},
		{"over it again", func() { appendKiB(10) }, 1},
		{"down to a third of it", func() { c.drop(part, len(part.log.batches)-3); appendKiB(1) }, 1},
		{"over it once more", func() { appendKiB(10) }, 2},
	} {
		step.do()
		if n := strings.Count(logged.String(), "more than MaxLogBytes"); n != step.wantLines {
			t.Fatalf("%s: logged %d times, want %d:\n%s", step.name, n, step.wantLines, logged.String())
		}
	}
}
