package producer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// stallProduce makes the cluster hold every produce answer for a minute: the records of the
// requests stay in flight, their buffer memory taken.
func stallProduce(c *mockbroker.Cluster) {
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: time.Minute, Times: 1 << 30})
}

// fillBuffer sends records that each take a whole batch until Send would block; it returns how
// many it sent.
func fillBuffer(t *testing.T, p *Producer, cfg Config, value []byte) int {
	t.Helper()
	batches := int(cfg.BufferMemory) / cfg.BatchSize
	for i := range batches {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := p.Send(ctx, &Record{Topic: "t", Value: value}, nil)
		cancel()
		if err != nil {
			t.Fatalf("record %d of the %d that fit in buffer.memory: %v", i, batches, err)
		}
	}
	waitUntil(t, func() bool { return p.Stats().BufferBytes >= cfg.BufferMemory }, // every batch reserved
		func() string { return fmt.Sprintf("buffer not full: %+v", p.Stats()) })
	return batches
}

// TestMaxBlockBufferFull: with buffer.memory taken by batches a broker does not answer, Send waits
// for room up to max.block.ms and fails with a timeout, without calling the record's callback; a
// cancelled ctx ends the wait sooner, with the ctx's error.
func TestMaxBlockBufferFull(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	cfg := testConfig(c)
	cfg.BatchSize = 1024
	cfg.BufferMemory = 4 * 1024
	cfg.MaxBlock = 300 * time.Millisecond
	cfg.Linger = 20 * time.Millisecond
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	if _, err := p.SendSync(context.Background(), &Record{Topic: "t", Value: []byte("warm-up")}); err != nil {
		t.Fatal(err)
	}
	stallProduce(c)
	value := make([]byte, 700) // one record to a batch
	fillBuffer(t, p, cfg, value)

	var called atomic.Int32
	cb := func(Metadata, error) { called.Add(1) }
	start := time.Now()
	err := p.Send(context.Background(), &Record{Topic: "t", Value: value}, cb)
	waited := time.Since(start)
	switch {
	case err == nil:
		t.Fatal("Send found room in a full buffer.memory")
	case !errors.Is(err, context.DeadlineExceeded):
		t.Fatalf("Send: %v, want a timeout", err)
	case waited < cfg.MaxBlock:
		t.Fatalf("Send gave up after %v, before max.block.ms (%v)", waited, cfg.MaxBlock)
	case waited > 10*time.Second:
		t.Fatalf("Send waited %v, max.block.ms is %v", waited, cfg.MaxBlock)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	err = p.Send(ctx, &Record{Topic: "t", Value: value}, cb)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 10*time.Second {
		t.Fatalf("Send with a cancelled ctx: %v after %v, want context.Canceled", err, time.Since(start))
	}
	time.Sleep(20 * time.Millisecond)
	if n := called.Load(); n != 0 {
		t.Fatalf("callbacks of records Send refused were called %d times", n)
	}
	if s := p.Stats(); s.Records != int64(cfg.BufferMemory)/int64(cfg.BatchSize)+1 {
		t.Fatalf("stats count refused records as accepted: %+v", s)
	}
}

// TestMaxBlockBufferWaitEndsWhenRoomFrees: a Send waiting for buffer memory goes through as soon
// as the batches holding it complete.
func TestMaxBlockBufferWaitEndsWhenRoomFrees(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	cfg := testConfig(c)
	cfg.BatchSize = 1024
	cfg.BufferMemory = 4 * 1024
	cfg.Linger = 20 * time.Millisecond // not 0: see TestMaxBlockBufferFull
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	if _, err := p.SendSync(context.Background(), &Record{Topic: "t", Value: []byte("warm-up")}); err != nil {
		t.Fatal(err)
	}
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 300 * time.Millisecond, Times: 1 << 30})
	value := make([]byte, 700)
	n := fillBuffer(t, p, cfg, value)
	start := time.Now()
	if err := p.Send(context.Background(), &Record{Topic: "t", Value: value}, nil); err != nil {
		t.Fatalf("Send after the stall: %v", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("Send did not wait for room (%v)", d)
	}
	c.ClearFaults()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.Delivered != int64(n)+2 || s.Failed != 0 || s.BufferBytes != 0 {
		t.Fatalf("stats: %+v", s)
	}
}

// TestMaxBlockMissingTopic: metadata for a topic that does not exist, with auto-creation off,
// fails Send (and PartitionsFor) after max.block.ms with a timeout that names the broker's error.
func TestMaxBlockMissingTopic(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.AutoCreateTopics(false))
	cfg := testConfig(c)
	cfg.MaxBlock = 300 * time.Millisecond
	p := newTestProducer(t, cfg)
	var called atomic.Int32
	start := time.Now()
	err := p.Send(context.Background(), &Record{Topic: "missing", Value: []byte("x")}, func(Metadata, error) { called.Add(1) })
	waited := time.Since(start)
	switch {
	case err == nil:
		t.Fatal("Send to a missing topic succeeded")
	case !errors.Is(err, context.DeadlineExceeded):
		t.Fatalf("Send: %v, want a timeout", err)
	case !errors.Is(err, kerr.UnknownTopicOrPartition):
		t.Fatalf("Send: %v does not name the broker's UNKNOWN_TOPIC_OR_PARTITION", err)
	case waited < cfg.MaxBlock:
		t.Fatalf("Send gave up after %v, before max.block.ms (%v)", waited, cfg.MaxBlock)
	case waited > 10*time.Second:
		t.Fatalf("Send waited %v, max.block.ms is %v", waited, cfg.MaxBlock)
	}
	if _, err := p.PartitionsFor(context.Background(), "missing"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PartitionsFor: %v", err)
	}
	// A caller's earlier deadline wins over max.block.ms.
	cfg.MaxBlock = 10 * time.Second
	p2 := newTestProducer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := p2.Send(ctx, &Record{Topic: "missing", Value: []byte("x")}, nil); err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("Send with a 100ms ctx: %v after %v", err, time.Since(start))
	}
	if called.Load() != 0 {
		t.Fatal("the callback of a refused record was called")
	}
	// Once the topic exists, the same producer finds it.
	if err := c.CreateTopic("missing", 1); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if _, err := p.SendSync(ctx2, &Record{Topic: "missing", Value: []byte("x")}); err != nil {
		t.Fatalf("after the topic was created: %v", err)
	}
}

// TestFlushWaitsForEverything: Flush sends lingering batches at once and returns only when every
// record sent before it has completed, callbacks included; a Flush whose ctx ends first says so.
func TestFlushWaitsForEverything(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(2), mockbroker.Topic("t", 4))
	cfg := testConfig(c)
	cfg.Linger = 10 * time.Second // nothing goes out before Flush unless a batch fills
	cfg.DeliveryTimeout = 30 * time.Second
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	ctx := context.Background()

	const n = 3000
	o := newOutcomes(n)
	for i := range n {
		if err := p.Send(ctx, &Record{Topic: "t", Value: []byte(strconv.Itoa(i)), Partition: ToPartition(int32(i % 4))}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.Flush(fctx); err != nil {
		t.Fatalf("Flush: %v (linger.ms %v)", err, cfg.Linger)
	}
	if got := o.total.Load(); got != n {
		t.Fatalf("Flush returned with %d of %d callbacks called", got, n)
	}
	o.requireAllSucceededOnce(t, n)
	checkExactlyOnceInOrder(t, c, "t", 4, n)
	t.Logf("Flush took %v", time.Since(start))

	// Slow answers: Flush waits for them; a Flush with a shorter ctx returns its error first.
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 400 * time.Millisecond, Times: 1 << 30})
	o2 := newOutcomes(100)
	for i := range 100 {
		if err := p.Send(ctx, &Record{Topic: "t", Value: []byte("slow")}, o2.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if err := p.Flush(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Flush with a 50ms ctx during 400ms answers: %v", err)
	}
	start = time.Now()
	if err := p.Flush(fctx); err != nil {
		t.Fatal(err)
	}
	if got := o2.total.Load(); got != 100 {
		t.Fatalf("Flush returned with %d of 100 callbacks called", got)
	}
	o2.requireAllSucceededOnce(t, 100)
	c.ClearFaults()
	// Nothing to wait for: Flush returns at once.
	start = time.Now()
	if err := p.Flush(fctx); err != nil || time.Since(start) > time.Second {
		t.Fatalf("idle Flush: %v after %v", err, time.Since(start))
	}
}

// TestFlushConcurrentSends: while other goroutines keep sending, a Flush returns once the records
// that were sent before it began are complete.
func TestFlushConcurrentSends(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 2))
	cfg := testConfig(c)
	cfg.Linger = 20 * time.Millisecond
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := p.Send(ctx, &Record{Topic: "t", Value: []byte(fmt.Sprintf("bg-%d-%d", g, i))}, nil); err != nil {
					t.Errorf("background send: %v", err)
					return
				}
				if i%100 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	for round := range 5 {
		const n = 200
		o := newOutcomes(n)
		for i := range n {
			if err := p.Send(ctx, &Record{Topic: "t", Value: []byte(strconv.Itoa(i))}, o.cb(i)); err != nil {
				t.Fatal(err)
			}
		}
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := p.Flush(fctx)
		cancel()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if got := o.total.Load(); got != n {
			t.Fatalf("round %d: Flush returned with %d of %d callbacks called", round, got, n)
		}
		o.requireAllSucceededOnce(t, n)
	}
}

// TestCloseUnderLoad: goroutines send while Close runs with a short deadline. Close returns; every
// record Send accepted has its callback called exactly once and every record it refused never;
// records whose callback said success are in the log, once; after Close, Send says ErrClosed and
// Close again does nothing.
func TestCloseUnderLoad(t *testing.T) {
	for round := range 3 {
		t.Run(strconv.Itoa(round), func(t *testing.T) { closeUnderLoad(t, round, true) })
	}
}

// TestCloseWithRecordsPending is TestCloseUnderLoad with the sending goroutines done before Close
// begins, many of their records still lingering, queued or in flight (slow answers in round 2).
func TestCloseWithRecordsPending(t *testing.T) {
	for round := range 3 {
		t.Run(strconv.Itoa(round), func(t *testing.T) { closeUnderLoad(t, round, false) })
	}
}

// closeUnderLoad runs TestCloseUnderLoad (whileSending) or TestCloseWithRecordsPending.
func closeUnderLoad(t *testing.T, round int, whileSending bool) {
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(2), mockbroker.Topic("t", 4), mockbroker.CaptureLimit(0))
	cfg := testConfig(c)
	cfg.BatchSize = 2048
	cfg.Linger = time.Duration(5*round+5) * time.Millisecond // 5ms or more: see TestMaxBlockBufferFull
	if round == 2 {
		// Slow answers: much is in flight when Close's deadline passes.
		c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 100 * time.Millisecond, Times: 1 << 30})
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const goroutines = 8
	perG := 5000
	if !whileSending {
		perG = 1000
	}
	type result struct {
		accepted  bool
		sendErr   error
		calls     atomic.Int32
		err       error
		md        Metadata
		callbacks sync.Mutex
	}
	results := make([][]result, goroutines)
	var wg sync.WaitGroup
	var sent atomic.Int64
	for g := range goroutines {
		results[g] = make([]result, perG)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perG {
				r := &results[g][i]
				err := p.Send(context.Background(), &Record{Topic: "t", Key: []byte{byte(g)}, Value: []byte(fmt.Sprintf("%d-%d", g, i))}, func(md Metadata, err error) {
					r.callbacks.Lock()
					r.md, r.err = md, err
					r.callbacks.Unlock()
					r.calls.Add(1)
				})
				r.accepted, r.sendErr = err == nil, err
				if err != nil {
					return // closed: the rest are not sent
				}
				sent.Add(1)
			}
		}()
	}
	if whileSending {
		for sent.Load() < int64(goroutines*perG/10) {
			time.Sleep(time.Millisecond)
		}
	} else {
		wg.Wait()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	closed := make(chan error, 1)
	start := time.Now()
	go func() { closed <- p.Close(ctx) }()
	select {
	case err := <-closed:
		t.Logf("Close: %v after %v, with %d records sent", err, time.Since(start), sent.Load())
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10s")
	}
	wg.Wait()
	if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte("late")}, func(Metadata, error) { t.Error("callback of a record sent after Close") }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after Close: %v, want ErrClosed", err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	var accepted int64
	for g := range goroutines {
		for i := range perG {
			r := &results[g][i]
			if r.accepted {
				accepted++
			} else if r.sendErr != nil && !errors.Is(r.sendErr, ErrClosed) {
				t.Errorf("record %d-%d: Send: %v, want ErrClosed", g, i, r.sendErr)
			}
		}
	}
	// Callbacks run on the producer's goroutines: give them a moment.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var called int64
		for g := range goroutines {
			for i := range perG {
				if results[g][i].calls.Load() > 0 {
					called++
				}
			}
		}
		if called >= accepted || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // a second call, if any, would come now
	succeeded := map[string]bool{}
	var failed, missing, twice int
	var firstMissing string
	for g := range goroutines {
		for i := range perG {
			r := &results[g][i]
			calls := r.calls.Load()
			switch {
			case !r.accepted && calls != 0:
				t.Errorf("record %d-%d: Send refused it (%v) but its callback was called %d times", g, i, r.sendErr, calls)
			case r.accepted && calls == 0:
				if missing == 0 {
					firstMissing = fmt.Sprintf("%d-%d", g, i)
				}
				missing++
			case calls > 1:
				twice++
			}
			r.callbacks.Lock()
			err := r.err
			r.callbacks.Unlock()
			switch {
			case r.accepted && calls > 0 && err == nil:
				succeeded[fmt.Sprintf("%d-%d", g, i)] = true
			case r.accepted && calls > 0:
				if !errors.Is(err, ErrClosed) {
					t.Errorf("record %d-%d failed with %v, want ErrClosed", g, i, err)
				}
				failed++
			}
		}
	}
	t.Logf("%d records accepted: %d delivered, %d failed, %d without callback", accepted, len(succeeded), failed, missing)
	if missing > 0 {
		t.Errorf("%d accepted records never had their callback called (first: %s)", missing, firstMissing)
	}
	if twice > 0 {
		t.Errorf("%d records had their callback called more than once", twice)
	}
	stored := map[string]int{}
	for part := range int32(4) {
		recs, err := c.Records("t", part)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			stored[string(r.Value)]++
		}
	}
	for v := range succeeded {
		if stored[v] != 1 {
			t.Errorf("record %s: callback said delivered, stored %d times", v, stored[v])
		}
	}
	for v, n := range stored {
		if n != 1 {
			t.Errorf("record %s stored %d times", v, n)
		}
	}
	if s := p.Stats(); s.BufferBytes != 0 {
		t.Errorf("buffer memory still held after Close: %+v", s)
	}
}

// gatePartitioner holds the Send of a record keyed "gated" inside the partitioner, after Send has
// checked that the producer is open and before it appends, until release is closed.
type gatePartitioner struct {
	entered chan struct{}
	release chan struct{}
}

func (g *gatePartitioner) Partition(topic string, key []byte, partitions int32) int32 {
	if string(key) == "gated" {
		close(g.entered)
		<-g.release
	}
	return 0
}

// TestSendRacingClose: a Send that is under way when Close runs either fails (ErrClosed, and its
// callback is never called) or is accepted and its callback called, exactly once. Here a slow
// partitioner holds the Send while Close completes; a batch lingering on the partition must not
// take the record in after Close failed it.
func TestSendRacingClose(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	lost := 0
	for round := range 10 {
		gate := &gatePartitioner{entered: make(chan struct{}), release: make(chan struct{})}
		cfg := testConfig(c)
		cfg.Partitioner = gate
		cfg.Linger = 10 * time.Second // the open batch lingers until Close
		cfg.DeliveryTimeout = 30 * time.Second
		p, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var openCalls, gatedCalls atomic.Int32
		if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte("open")}, func(Metadata, error) { openCalls.Add(1) }); err != nil {
			t.Fatal(err)
		}
		sendErr := make(chan error, 1)
		go func() {
			sendErr <- p.Send(context.Background(), &Record{Topic: "t", Key: []byte("gated"), Value: []byte("gated")}, func(Metadata, error) { gatedCalls.Add(1) })
		}()
		<-gate.entered
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // Close without waiting: what is buffered fails with ErrClosed
		p.Close(ctx)
		close(gate.release)
		var err2 error
		select {
		case err2 = <-sendErr:
		case <-time.After(10 * time.Second):
			t.Fatal("Send held across Close did not return within 10s")
		}
		deadline := time.Now().Add(2 * time.Second)
		for (err2 == nil && gatedCalls.Load() == 0 || openCalls.Load() == 0) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(10 * time.Millisecond)
		switch g, o := gatedCalls.Load(), openCalls.Load(); {
		case o != 1:
			t.Fatalf("round %d: the lingering record's callback was called %d times", round, o)
		case err2 != nil && !errors.Is(err2, ErrClosed):
			t.Fatalf("round %d: Send racing Close: %v, want ErrClosed", round, err2)
		case err2 != nil && g != 0:
			t.Fatalf("round %d: Send failed (%v) but its callback was called %d times", round, err2, g)
		case err2 == nil && g == 0:
			lost++
			t.Errorf("round %d: Send racing Close returned nil, but its callback was never called", round)
		case err2 == nil && g != 1:
			t.Fatalf("round %d: the callback was called %d times", round, g)
		}
	}
	if lost > 0 {
		t.Logf("%d of 10 records accepted during Close were lost without a callback", lost)
	}
}

// TestCloseFailsInSendOrder: the records Close fails (in flight, queued and lingering) have their
// callbacks called in send order, as a partition's callbacks always are, each once with ErrClosed.
func TestCloseFailsInSendOrder(t *testing.T) {
	for _, idem := range []Toggle{On, Off} {
		t.Run(map[Toggle]string{On: "idempotent", Off: "plain"}[idem], func(t *testing.T) {
			c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
			cfg := testConfig(c)
			cfg.Idempotence = idem
			cfg.BatchSize = 1024
			cfg.Linger = 10 * time.Second // the last batch lingers until Close
			cfg.DeliveryTimeout = time.Minute
			p := newTestProducer(t, cfg)
			if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte("warm-up")}, nil); err != nil {
				t.Fatal(err)
			}
			flushWithin(t, p, 10*time.Second) // acknowledged: several batches may go in flight at once
			stallProduce(c)
			const n = 200
			var mu sync.Mutex
			var order []int
			var errs []error
			value := make([]byte, 300) // two records to a batch
			for i := range n {
				err := p.Send(context.Background(), &Record{Topic: "t", Value: value}, func(_ Metadata, err error) {
					mu.Lock()
					order, errs = append(order, i), append(errs, err)
					mu.Unlock()
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			waitUntil(t, func() bool { return p.Stats().InFlight > 0 }, func() string { return "nothing in flight" })
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // what is buffered fails at once
			p.Close(ctx)
			mu.Lock()
			defer mu.Unlock()
			if len(order) != n {
				t.Fatalf("%d callbacks after Close, want %d", len(order), n)
			}
			for k, i := range order {
				if i != k {
					t.Fatalf("callback %d was record %d's: Close failed records out of send order (first callbacks: %v)", k, i, order[:min(k+5, n)])
				}
				if !errors.Is(errs[k], ErrClosed) {
					t.Fatalf("record %d: %v, want ErrClosed", i, errs[k])
				}
			}
		})
	}
}
