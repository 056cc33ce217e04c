package producer

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// testConfig is a config for a cluster with short timeouts, so failing tests fail fast.
func testConfig(c *mockbroker.Cluster) Config {
	cfg := DefaultConfig()
	cfg.BootstrapServers = c.Addrs()
	cfg.RetryBackoff = 5 * time.Millisecond
	cfg.RetryBackoffMax = 50 * time.Millisecond
	cfg.RequestTimeout = 2 * time.Second
	cfg.DeliveryTimeout = 20 * time.Second
	cfg.MaxBlock = 10 * time.Second
	return cfg
}

func newTestProducer(t *testing.T, cfg Config) *Producer {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	return p
}

// waitUntil polls cond until it holds, and fails the test with what() if it does not within 5 s.
func waitUntil(t *testing.T, cond func() bool, what func() string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(what())
		}
	}
}

// sendNumbered sends n records whose values are "0".."n-1" to topic, keyed by key(i) (nil: no
// key), and waits for all of them; it fails the test on any error.
func sendNumbered(t *testing.T, p *Producer, topic string, n int, key func(int) []byte) []Metadata {
	t.Helper()
	return sendNumberedFrom(t, p, topic, 0, n, key)
}

// sendNumberedFrom is sendNumbered for the records numbered first to n-1; their metadata is at
// index i-first.
func sendNumberedFrom(t *testing.T, p *Producer, topic string, first, n int, key func(int) []byte) []Metadata {
	t.Helper()
	ctx := context.Background()
	mds := make([]Metadata, n-first)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i := first; i < n; i++ {
		wg.Add(1)
		var k []byte
		if key != nil {
			k = key(i)
		}
		err := p.Send(ctx, &Record{Topic: topic, Key: k, Value: []byte(strconv.Itoa(i))}, func(md Metadata, err error) {
			defer wg.Done()
			mds[i-first] = md
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("record %d: %w", i, err))
				mu.Unlock()
			}
		})
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d records failed, first: %v", len(errs), errs[0])
	}
	return mds
}

// checkExactlyOnceInOrder reads every partition of topic and requires values 0..n-1 each exactly
// once, increasing within each partition.
func checkExactlyOnceInOrder(t *testing.T, c *mockbroker.Cluster, topic string, partitions int32, n int) {
	t.Helper()
	seen := make([]int, n)
	for p := range partitions {
		recs, err := c.Records(topic, p)
		if err != nil {
			t.Fatal(err)
		}
		last := -1
		for _, r := range recs {
			v, err := strconv.Atoi(string(r.Value))
			if err != nil || v < 0 || v >= n {
				t.Fatalf("partition %d: unexpected value %q", p, r.Value)
			}
			seen[v]++
			if v <= last {
				t.Fatalf("partition %d: %d after %d: reordered", p, v, last)
			}
			last = v
		}
	}
	for v, count := range seen {
		if count != 1 {
			t.Fatalf("record %d stored %d times", v, count)
		}
	}
}

func TestProduceHappyPath(t *testing.T) {
	for _, codec := range wire.Codecs {
		t.Run(codec.String(), func(t *testing.T) {
			c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(3), mockbroker.Topic("t", 6))
			cfg := testConfig(c)
			cfg.Compression = codec
			p := newTestProducer(t, cfg)
			mds := sendNumbered(t, p, "t", 5000, func(i int) []byte { return []byte{byte(i % 7)} })
			checkExactlyOnceInOrder(t, c, "t", 6, 5000)
			for i, md := range mds {
				if md.Offset < 0 || md.Partition != KeyPartition([]byte{byte(i % 7)}, 6) {
					t.Fatalf("record %d: %+v", i, md)
				}
			}
			batches, _ := c.Batches("t", 0)
			var h wire.RecordBatch
			if _, err := h.Decode(batches[0]); err != nil || h.Attributes.Codec() != codec || h.ProducerID < 0 || h.BaseSequence != 0 {
				t.Fatalf("first stored batch: %+v, %v", h.BatchHeader, err)
			}
			if s := p.Stats(); s.Delivered != 5000 || s.Failed != 0 {
				t.Fatalf("stats: %+v", s)
			}
		})
	}
}

func TestProduceSyncAutoCreatesTopic(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.DefaultPartitions(3))
	p := newTestProducer(t, testConfig(c))
	md, err := p.SendSync(context.Background(), &Record{Topic: "new", Value: []byte("v"), Partition: ToPartition(2)})
	if err != nil || md.Partition != 2 || md.Offset != 0 {
		t.Fatalf("%+v, %v", md, err)
	}
	parts, err := p.PartitionsFor(context.Background(), "new")
	if err != nil || len(parts) != 3 {
		t.Fatalf("PartitionsFor: %v, %v", parts, err)
	}
}

// TestIdempotenceUnderFaults: lost acknowledgements, dropped connections and retriable errors make
// the producer retry, and with idempotence every record still lands once, in order.
func TestIdempotenceUnderFaults(t *testing.T) {
	for _, f := range []mockbroker.Fault{
		{API: protocol.KeyProduce, Action: mockbroker.DropAfterHandling, Times: 3},
		{API: protocol.KeyProduce, Action: mockbroker.TimeoutAfterHandling, Times: 3},
		{API: protocol.KeyProduce, Action: mockbroker.DropBeforeHandling, Times: 3},
		{API: protocol.KeyProduce, Action: mockbroker.RespondWithError, ErrorCode: kerr.NotLeaderOrFollower.Code, Times: 3},
		{API: protocol.KeyProduce, Action: mockbroker.RespondWithError, ErrorCode: kerr.NotEnoughReplicas.Code, Times: 3},
	} {
		t.Run(fmt.Sprintf("%v-%d", f.Action, f.ErrorCode), func(t *testing.T) {
			c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(2), mockbroker.Topic("t", 4))
			cfg := testConfig(c)
			cfg.BatchSize = 1024 // many batches, several in flight
			p := newTestProducer(t, cfg)
			// Connections, the producer id, and a batch in each partition: a broker takes a
			// producer's first batch on a partition at any sequence, as Kafka does, so that a
			// fault on it could not be told from a lost acknowledgement.
			sendNumbered(t, p, "t", 200, func(i int) []byte { return []byte(strconv.Itoa(i)) })
			c.Inject(f)
			sendNumberedFrom(t, p, "t", 200, 3000, nil)
			checkExactlyOnceInOrder(t, c, "t", 4, 3000)
			if s := p.Stats(); s.Retries == 0 {
				t.Fatalf("no retries: %+v", s)
			}
		})
	}
}

// TestLostAcksDuplicateWithoutIdempotence: without idempotence a lost acknowledgement makes the
// retry write the records again; nothing is lost, but duplicates appear, which is why
// idempotence exists.
func TestLostAcksDuplicateWithoutIdempotence(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	cfg := testConfig(c)
	cfg.Idempotence = Off
	p := newTestProducer(t, cfg)
	sendNumbered(t, p, "warm-up", 10, nil)
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.TimeoutAfterHandling, Times: 1})
	sendNumbered(t, p, "t", 100, nil)
	recs, _ := c.Records("t", 0)
	seen := map[string]int{}
	for _, r := range recs {
		seen[string(r.Value)]++
	}
	if len(seen) != 100 || len(recs) <= 100 {
		t.Fatalf("%d distinct of 100 records, %d stored: want all, with duplicates", len(seen), len(recs))
	}
}

// TestSendCopiesRecord reuses one record and one value buffer for every Send, as kwire perf does:
// each record keeps the value it had when it was sent.
func TestSendCopiesRecord(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	p := newTestProducer(t, testConfig(c))
	value := make([]byte, 3)
	rec := Record{Topic: "t", Key: value[:1], Value: value, Headers: []wire.Header{{Key: "h", Value: value}}}
	for i := range 100 {
		copy(value, fmt.Sprintf("%03d", i))
		if err := p.Send(context.Background(), &rec, nil); err != nil {
			t.Fatal(err)
		}
	}
	copy(value, "xxx")
	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	records, err := c.Records("t", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range records {
		want := fmt.Sprintf("%03d", i)
		if string(r.Value) != want || string(r.Key) != want[:1] || string(r.Headers[0].Value) != want {
			t.Fatalf("record %d: key %q value %q header %q, want the value %q as sent", i, r.Key, r.Value, r.Headers[0].Value, want)
		}
	}
	if len(records) != 100 {
		t.Fatalf("%d records stored, want 100", len(records))
	}
}

func TestAcksNone(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 2))
	cfg := testConfig(c)
	cfg.Acks = AcksNone
	p := newTestProducer(t, cfg)
	mds := sendNumbered(t, p, "t", 1000, nil)
	if mds[0].Offset != -1 {
		t.Fatalf("acks=0 reported offset %d", mds[0].Offset)
	}
	stored := func() int {
		a, _ := c.Records("t", 0)
		b, _ := c.Records("t", 1)
		return len(a) + len(b)
	}
	waitUntil(t, func() bool { return stored() == 1000 },
		func() string { return fmt.Sprintf("%d records stored, want 1000", stored()) })
}

func TestSendErrors(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	cfg := testConfig(c)
	cfg.MaxRequestSize = 1000
	p := newTestProducer(t, cfg)
	if err := p.Send(context.Background(), &Record{Topic: "t", Value: make([]byte, 2000)}, nil); err == nil {
		t.Fatal("a record over max.request.size was accepted")
	}
	if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte("x"), Partition: ToPartition(5)}, nil); err == nil {
		t.Fatal("a record for a missing partition was accepted")
	}
	p.Close(context.Background())
	if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte("x")}, nil); err != ErrClosed {
		t.Fatalf("send after close: %v", err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// TestTimestampAfterMetadata: a record without a timestamp gets the time Send has the topic's
// metadata, as the Java producer stamps it after waiting for metadata, not the time Send began.
func TestTimestampAfterMetadata(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	const delay = 300 * time.Millisecond
	c.Inject(mockbroker.Fault{API: protocol.KeyMetadata, Action: mockbroker.DelayResponse, Delay: delay})
	p := newTestProducer(t, testConfig(c))
	start := time.Now()
	md, err := p.SendSync(context.Background(), &Record{Topic: "t", Value: []byte("v")})
	if err != nil {
		t.Fatal(err)
	}
	// The metadata came delay after start at the earliest; half of it leaves room for the clock.
	if earliest := start.Add(delay / 2); md.Timestamp.Before(earliest) {
		t.Fatalf("timestamp %v, %v after Send began: stamped before the metadata came, %v after", md.Timestamp, md.Timestamp.Sub(start), delay)
	}
}
