package producer

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// soakRecords is how many records the soak tests send; raise it for a long run, e.g.
//
//	go test -race -run TestSoakRandomErrorResponses ./producer/ -soak 1000000
var soakRecords = flag.Int("soak", 50000, "records TestSoakRandomFaults and TestSoakRandomErrorResponses send")

// outcomes counts the callbacks of records numbered 0..n-1 and keeps the last outcome of each.
type outcomes struct {
	calls []atomic.Int32
	total atomic.Int64 // callbacks so far, every call counted

	mu   sync.Mutex
	mds  []Metadata
	errs []error
	at   []time.Time
}

func newOutcomes(n int) *outcomes {
	return &outcomes{calls: make([]atomic.Int32, n), mds: make([]Metadata, n), errs: make([]error, n), at: make([]time.Time, n)}
}

// cb is record i's callback.
func (o *outcomes) cb(i int) func(Metadata, error) {
	return func(md Metadata, err error) {
		o.calls[i].Add(1)
		o.mu.Lock()
		o.mds[i], o.errs[i], o.at[i] = md, err, time.Now()
		o.mu.Unlock()
		o.total.Add(1)
	}
}

// sendAll sends records 0 to n-1 to topic "t", each valued its number, with their callbacks
// into o.
func (o *outcomes) sendAll(t *testing.T, p *Producer, n int) {
	t.Helper()
	for i := range n {
		if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte(strconv.Itoa(i))}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// wait waits until at least want callbacks were called, or timeout; it reports whether they were.
func (o *outcomes) wait(want int64, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for o.total.Load() < want {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// result is record i's outcome.
// deliveryTimeouts waits up to within for the callbacks of records 0 to n-1, sent from start on,
// and returns their errors: each record must have had one callback, failed with a
// *DeliveryTimeoutError, and not before timeout.
func (o *outcomes) deliveryTimeouts(t *testing.T, p *Producer, n int, start time.Time, timeout, within time.Duration) []*DeliveryTimeoutError {
	t.Helper()
	if !o.wait(int64(n), within) {
		t.Fatalf("%d of %d callbacks within %v (delivery.timeout.ms %v); stats %+v", o.total.Load(), n, within, timeout, p.Stats())
	}
	errs := make([]*DeliveryTimeoutError, n)
	for i := range n {
		_, err, at := o.result(i)
		switch {
		case o.calls[i].Load() != 1:
			t.Fatalf("record %d: %d callbacks", i, o.calls[i].Load())
		case !errors.As(err, &errs[i]):
			t.Fatalf("record %d: %v (%T), want *DeliveryTimeoutError", i, err, err)
		case at.Sub(start) < timeout:
			t.Fatalf("record %d failed after %v, before delivery.timeout.ms", i, at.Sub(start))
		}
	}
	return errs
}

func (o *outcomes) result(i int) (Metadata, error, time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.mds[i], o.errs[i], o.at[i]
}

// requireAllSucceededOnce fails the test unless records 0..n-1 each had exactly one callback, a
// success.
func (o *outcomes) requireAllSucceededOnce(t *testing.T, n int) {
	t.Helper()
	failed := 0
	var first error
	for i := range n {
		if c := o.calls[i].Load(); c != 1 {
			t.Fatalf("record %d: callback called %d times, want 1", i, c)
		}
		if _, err, _ := o.result(i); err != nil {
			if failed == 0 {
				first = fmt.Errorf("record %d: %w", i, err)
			}
			failed++
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d records failed, first: %v", failed, n, first)
	}
}

// checkOffsets requires every record whose callback gave an offset to be stored at that offset of
// that partition, and returns how many were checked.
func (o *outcomes) checkOffsets(t *testing.T, c *mockbroker.Cluster, topic string, partitions int32) int {
	t.Helper()
	byOffset := make([]map[int64]string, partitions)
	for p := range partitions {
		recs, err := c.Records(topic, p)
		if err != nil {
			t.Fatal(err)
		}
		byOffset[p] = make(map[int64]string, len(recs))
		for _, r := range recs {
			byOffset[p][r.Offset] = string(r.Value)
		}
	}
	checked := 0
	for i := range o.mds {
		md, err, _ := o.result(i)
		if err != nil || md.Offset < 0 || o.calls[i].Load() == 0 {
			continue
		}
		if md.Topic != topic || md.Partition < 0 || md.Partition >= partitions {
			t.Fatalf("record %d: metadata %+v", i, md)
		}
		if got, ok := byOffset[md.Partition][md.Offset]; !ok || got != strconv.Itoa(i) {
			t.Fatalf("record %d: callback says %s/%d@%d, the log has %q there (present: %v)", i, topic, md.Partition, md.Offset, got, ok)
		}
		checked++
	}
	return checked
}

// produceCounter counts produce requests (any outcome) naming a topic, via OnExchange.
type produceCounter struct {
	mu      sync.Mutex
	byTopic map[string]int
	brokers map[string]map[int32]int // topic/partition "t/0" to broker to requests
	hook    atomic.Pointer[func(mockbroker.Exchange)]
}

func newProduceCounter() *produceCounter {
	return &produceCounter{byTopic: map[string]int{}, brokers: map[string]map[int32]int{}}
}

func (pc *produceCounter) option() mockbroker.Option {
	return mockbroker.OnExchange(func(e mockbroker.Exchange) {
		if e.Header.APIKey != protocol.KeyProduce {
			return
		}
		req, ok := e.Request.(*protocol.ProduceRequest)
		if !ok {
			return
		}
		pc.mu.Lock()
		for _, td := range req.TopicData {
			pc.byTopic[td.Name]++
			for _, pd := range td.PartitionData {
				k := td.Name + "/" + strconv.Itoa(int(pd.Index))
				if pc.brokers[k] == nil {
					pc.brokers[k] = map[int32]int{}
				}
				pc.brokers[k][e.Broker]++
			}
		}
		pc.mu.Unlock()
		if h := pc.hook.Load(); h != nil {
			(*h)(e)
		}
	})
}

func (pc *produceCounter) requests(topic string) int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.byTopic[topic]
}

func (pc *produceCounter) requestsTo(topic string, partition, broker int32) int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.brokers[topic+"/"+strconv.Itoa(int(partition))][broker]
}

// closeSoon closes p within a short deadline, whatever is still pending.
func closeSoon(p *Producer) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	p.Close(ctx)
}

// TestDeliveryTimeoutRetriableForever: a partition whose leader answers NOT_ENOUGH_REPLICAS to
// every produce (fewer in-sync replicas than min.insync.replicas) fails its records, each once,
// with *DeliveryTimeoutError around the broker's error, no sooner than delivery.timeout.ms and
// well before anything else would end them. (TestRecoveryAfterExpiredBatch checks what follows.)
func TestDeliveryTimeoutRetriableForever(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(2), mockbroker.ReplicationFactor(2),
		mockbroker.MinInsyncReplicas(2), mockbroker.Topic("t", 1))
	cfg := testConfig(c)
	cfg.RequestTimeout = 300 * time.Millisecond
	cfg.DeliveryTimeout = 600 * time.Millisecond
	p := newTestProducer(t, cfg)
	sendNumbered(t, p, "warm-up", 10, nil)
	if err := c.SetInSyncReplicas("t", 0, 1); err != nil {
		t.Fatal(err)
	}
	const n = 50
	o := newOutcomes(n)
	start := time.Now()
	for i := range n {
		if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte(strconv.Itoa(i))}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			time.Sleep(20 * time.Millisecond) // several batches, created at different times
		}
	}
	for i, dte := range o.deliveryTimeouts(t, p, n, start, cfg.DeliveryTimeout, 10*time.Second) {
		switch {
		case dte.Topic != "t" || dte.Partition != 0 || dte.Timeout != cfg.DeliveryTimeout:
			t.Fatalf("record %d: %+v", i, dte)
		case dte.Last != nil && !errors.Is(dte, kerr.NotEnoughReplicas):
			t.Fatalf("record %d: %v: the last error is not NOT_ENOUGH_REPLICAS", i, dte)
		case i < 10 && !errors.Is(dte, kerr.NotEnoughReplicas):
			// The first batch was certainly attempted; later ones may have waited behind it,
			// never sent, and have no last error to wrap.
			t.Fatalf("record %d: %v: the last error, NOT_ENOUGH_REPLICAS, is not wrapped", i, dte)
		}
	}
	if recs, _ := c.Records("t", 0); len(recs) != 0 {
		t.Fatalf("%d records stored while the partition refused them", len(recs))
	}
	s := p.Stats()
	if s.Retries == 0 || s.Failed != n || s.Errors["NOT_ENOUGH_REPLICAS"] == 0 {
		t.Fatalf("stats: %+v", s)
	}
}

// TestDeliveryTimeoutKeepsLastError: the *DeliveryTimeoutError of a record whose attempts failed
// wraps the last failure (its Last field: "the last failure, if an attempt failed"), here
// NOT_ENOUGH_REPLICAS, also when delivery.timeout.ms passes while the batch waits in the queue for
// its retry backoff, as the backoff here makes sure it does.
func TestDeliveryTimeoutKeepsLastError(t *testing.T) {
	_, p, cfg := expireInQueue(t)
	_, err := p.SendSync(context.Background(), &Record{Topic: "t", Value: []byte("x")})
	var dte *DeliveryTimeoutError
	if !errors.As(err, &dte) || !errors.Is(err, kerr.NotEnoughReplicas) {
		t.Fatalf("%v: want *DeliveryTimeoutError around NOT_ENOUGH_REPLICAS (delivery.timeout.ms %v)", err, cfg.DeliveryTimeout)
	}
}

// TestRecoveryAfterExpiredBatch: once the broker takes records again, the first record after a
// batch expired (its sequence sent, then given up) is delivered: the idempotent producer must
// close the sequence gap (bump its epoch), as it does when a batch fails after an attempt, rather
// than send on from the gap and meet OUT_OF_ORDER_SEQUENCE_NUMBER until that record expires too.
func TestRecoveryAfterExpiredBatch(t *testing.T) {
	c, p, cfg := expireInQueue(t)
	_, err := p.SendSync(context.Background(), &Record{Topic: "t", Value: []byte("lost")})
	var dte *DeliveryTimeoutError
	if !errors.As(err, &dte) {
		t.Fatalf("%v: want *DeliveryTimeoutError", err)
	}
	if err := c.SetInSyncReplicas("t", 0, 2); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	md, err := p.SendSync(ctx, &Record{Topic: "t", Value: []byte("after")})
	if err != nil || md.Offset != 0 {
		t.Fatalf("the first record after the replicas came back: %+v, %v (delivery.timeout.ms %v); stats %+v", md, err, cfg.DeliveryTimeout, p.Stats())
	}
}

// expireInQueue starts a producer whose topic t refuses writes with NOT_ENOUGH_REPLICAS, with a
// retry backoff that makes a record's delivery.timeout.ms pass while its batch waits in the queue
// for the second retry: sent at 0 and about 400ms, due again at about 800ms, expired at 600ms.
func expireInQueue(t *testing.T) (*mockbroker.Cluster, *Producer, Config) {
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(2), mockbroker.ReplicationFactor(2),
		mockbroker.MinInsyncReplicas(2), mockbroker.Topic("t", 1))
	cfg := testConfig(c)
	cfg.RequestTimeout = 300 * time.Millisecond
	cfg.DeliveryTimeout = 600 * time.Millisecond
	cfg.RetryBackoff = 400 * time.Millisecond
	cfg.RetryBackoffMax = 400 * time.Millisecond
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := p.SendSync(ctx, &Record{Topic: "warm-up", Value: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetInSyncReplicas("t", 0, 1); err != nil {
		t.Fatal(err)
	}
	return c, p, cfg
}

// TestDeliveryTimeoutUnansweredRequests: a broker that holds every produce answer past
// request.timeout.ms makes each attempt fail as a network timeout, and the records fail with
// *DeliveryTimeoutError around that *NetworkError after delivery.timeout.ms.
func TestDeliveryTimeoutUnansweredRequests(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 2))
	cfg := testConfig(c)
	cfg.RequestTimeout = 200 * time.Millisecond
	cfg.DeliveryTimeout = 700 * time.Millisecond
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	sendNumbered(t, p, "warm-up", 10, nil)
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Topic: "t", Action: mockbroker.DelayResponse, Delay: time.Minute, Times: 1 << 30})
	const n = 20
	o := newOutcomes(n)
	start := time.Now()
	for i := range n {
		if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte(strconv.Itoa(i)), Partition: ToPartition(int32(i % 2))}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
	if !o.wait(n, 10*time.Second) {
		t.Fatalf("%d of %d callbacks within 10s (delivery.timeout.ms %v); stats %+v", o.total.Load(), n, cfg.DeliveryTimeout, p.Stats())
	}
	for i := range n {
		_, err, at := o.result(i)
		var dte *DeliveryTimeoutError
		var ne *NetworkError
		switch {
		case o.calls[i].Load() != 1:
			t.Fatalf("record %d: %d callbacks", i, o.calls[i].Load())
		case !errors.As(err, &dte):
			t.Fatalf("record %d: %v (%T), want *DeliveryTimeoutError", i, err, err)
		case at.Sub(start) < cfg.DeliveryTimeout:
			t.Fatalf("record %d failed after %v, before delivery.timeout.ms", i, at.Sub(start))
		case !errors.As(err, &ne):
			t.Fatalf("record %d: %v: the last error is not the request timeout (Last: %v)", i, err, dte.Last)
		}
	}
}

// TestNonRetriableErrorFailsAtOnce: a non-retriable produce error fails the batch with that error,
// unwrapped by any timeout, after one request and long before delivery.timeout.ms; later records
// to the partition are delivered (idempotence bumps the epoch past the sequence gap).
func TestNonRetriableErrorFailsAtOnce(t *testing.T) {
	for _, code := range []*kerr.Error{kerr.InvalidRecord, kerr.TopicAuthorizationFailed} {
		t.Run(code.Name, func(t *testing.T) {
			pc := newProduceCounter()
			c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1), pc.option())
			cfg := testConfig(c)
			cfg.Linger = 50 * time.Millisecond // the records share one batch
			p := newTestProducer(t, cfg)
			sendNumbered(t, p, "warm-up", 10, nil)
			c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Topic: "t", Action: mockbroker.RespondWithError, ErrorCode: code.Code, Times: 1})
			const n = 5
			o := newOutcomes(n)
			start := time.Now()
			o.sendAll(t, p, n)
			if !o.wait(n, 5*time.Second) {
				t.Fatalf("%d of %d callbacks within 5s; stats %+v", o.total.Load(), n, p.Stats())
			}
			for i := range n {
				_, err, _ := o.result(i)
				var dte *DeliveryTimeoutError
				var ke *kerr.Error
				switch {
				case !errors.Is(err, code):
					t.Fatalf("record %d: %v, want %s", i, err, code.Name)
				case errors.As(err, &dte):
					t.Fatalf("record %d: a non-retriable error became a delivery timeout: %v", i, err)
				case !errors.As(err, &ke) || ke.Code != code.Code:
					t.Fatalf("record %d: %v is not a *kerr.Error", i, err)
				}
			}
			if d := time.Since(start); d > cfg.DeliveryTimeout/2 {
				t.Fatalf("failed after %v", d)
			}
			time.Sleep(50 * time.Millisecond) // a retry, if any, would be on its way
			if got := pc.requests("t"); got != 1 {
				t.Fatalf("%d produce requests for the batch, want 1 (no retries)", got)
			}
			if s := p.Stats(); s.Retries != 0 || s.Failed != n || s.Errors[code.Name] != 1 {
				t.Fatalf("stats: %+v", s)
			}
			if recs, _ := c.Records("t", 0); len(recs) != 0 {
				t.Fatalf("%d records stored", len(recs))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if md, err := p.SendSync(ctx, &Record{Topic: "t", Value: []byte("next")}); err != nil || md.Offset != 0 {
				t.Fatalf("the next record: %+v, %v", md, err)
			}
		})
	}
}

// pacedSend sends n numbered records to topic from one goroutine in chunks, calling between(k)
// before chunk k, so that a test can change the cluster mid-stream. It fails the test if Send
// fails.
func pacedSend(t *testing.T, p *Producer, topic string, n, chunks int, partition func(i int) Partition, o *outcomes, between func(k int)) {
	t.Helper()
	per := (n + chunks - 1) / chunks
	for k := 0; k*per < n; k++ {
		between(k)
		for i := k * per; i < min(n, (k+1)*per); i++ {
			r := &Record{Topic: topic, Value: []byte(strconv.Itoa(i))}
			if partition != nil {
				r.Partition = partition(i)
			}
			if err := p.Send(context.Background(), r, o.cb(i)); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLeaderMove: partitions' leaders move mid-stream (the old leader answers
// NOT_LEADER_OR_FOLLOWER naming the new one); with idempotence every record lands exactly once,
// in order, at the offset its callback reports, and the new leaders get the traffic.
//
// Before Produce v10 the old leader's answer is a bare NOT_LEADER_OR_FOLLOWER and the producer must
// refresh its metadata; from v10 (KIP-951) the answer also names the new leader (current_leader
// and node_endpoints), which the producer may use directly but must not ignore.
func TestLeaderMove(t *testing.T) {
	for _, version := range []int16{9, 11} {
		t.Run(fmt.Sprintf("produce-v%d", version), func(t *testing.T) {
			if version >= 10 {
			}
			leaderMove(t, version)
		})
	}
}

// leaderMove runs TestLeaderMove against brokers that serve Produce up to maxProduce.
func leaderMove(t *testing.T, maxProduce int16) {
	profile := mockbroker.VersionProfile{Advertised: maps.Clone(mockbroker.Kafka39.Advertised)}
	profile.Advertised[protocol.KeyProduce] = protocol.VersionRange{Min: 3, Max: maxProduce}
	pc := newProduceCounter()
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(3), mockbroker.Topic("t", 3), pc.option(), mockbroker.Versions(profile))
	cfg := testConfig(c)
	cfg.DeliveryTimeout = 10 * time.Second
	cfg.BatchSize = 1024
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	sendNumbered(t, p, "warm-up", 10, nil)
	const n = 6000
	o := newOutcomes(n)
	move := func(partition, broker int32) {
		if err := c.MoveLeader("t", partition, broker); err != nil {
			t.Fatal(err)
		}
	}
	pacedSend(t, p, "t", n, 30, func(i int) Partition { return ToPartition(int32(i % 3)) }, o, func(k int) {
		switch k {
		case 10: // 0→1, 1→2
			move(0, 1)
			move(1, 2)
		case 20: // again, and back
			move(0, 2)
			move(1, 1)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("%v; %d of %d callbacks; stats %+v", err, o.total.Load(), n, p.Stats())
	}
	o.requireAllSucceededOnce(t, n)
	checkExactlyOnceInOrder(t, c, "t", 3, n)
	if got := o.checkOffsets(t, c, "t", 3); got == 0 {
		t.Fatal("no callback gave an offset")
	}
	for _, want := range []struct{ partition, broker int32 }{{0, 1}, {0, 2}, {1, 2}, {1, 1}, {2, 2}} {
		if pc.requestsTo("t", want.partition, want.broker) == 0 {
			t.Errorf("no produce request for t/%d went to broker %d", want.partition, want.broker)
		}
	}
}

// TestBrokerRestart: a broker stops mid-stream and comes back; every record is acknowledged, and
// with idempotence stored exactly once, in order, at the offset its callback reports.
func TestBrokerRestart(t *testing.T) {
	for _, brokers := range []int{1, 2} {
		t.Run(fmt.Sprintf("brokers=%d", brokers), func(t *testing.T) {
			c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(brokers), mockbroker.Topic("t", 4))
			cfg := testConfig(c)
			cfg.BatchSize = 1024
			p := newTestProducer(t, cfg)
			sendNumbered(t, p, "warm-up", 10, nil)
			const n, chunks = 4000, 20
			o := newOutcomes(n)
			var restarted time.Time
			pacedSend(t, p, "t", n, chunks, func(i int) Partition { return ToPartition(int32(i % 4)) }, o, func(k int) {
				switch k {
				case 5:
					if err := c.StopBroker(0); err != nil {
						t.Fatal(err)
					}
				case 12:
					restarted = time.Now()
					if err := c.RestartBroker(0); err != nil {
						t.Fatal(err)
					}
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := p.Flush(ctx); err != nil {
				t.Fatalf("%v; %d of %d callbacks; stats %+v", err, o.total.Load(), n, p.Stats())
			}
			o.requireAllSucceededOnce(t, n)
			checkExactlyOnceInOrder(t, c, "t", 4, n)
			o.checkOffsets(t, c, "t", 4)
			// Records sent while broker 0 was down to partitions it leads (all of them with one
			// broker; 0 and 2 with two) could only be acknowledged after it came back.
			per := n / chunks
			for i := 5 * per; i < 12*per; i++ {
				if brokers == 2 && i%2 == 1 {
					continue
				}
				if _, _, at := o.result(i); at.Before(restarted) {
					t.Fatalf("record %d, sent while broker 0 was stopped, was acknowledged before it restarted", i)
				}
			}
		})
	}
}

// TestProduceThrottle: a broker answering with throttle_time_ms makes the producer hold its next
// request to that broker until the time has passed (KIP-219), and records are still delivered.
func TestProduceThrottle(t *testing.T) {
	const throttle = 100 * time.Millisecond
	var mu sync.Mutex
	var arrivals []time.Time
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 2), mockbroker.ProduceThrottle(int32(throttle/time.Millisecond)),
		mockbroker.OnExchange(func(e mockbroker.Exchange) {
			if e.Header.APIKey == protocol.KeyProduce {
				mu.Lock()
				arrivals = append(arrivals, e.At)
				mu.Unlock()
			}
		}))
	cfg := testConfig(c)
	p := newTestProducer(t, cfg)
	ctx := context.Background()
	if _, err := p.SendSync(ctx, &Record{Topic: "t", Value: []byte("warm-up")}); err != nil {
		t.Fatal(err)
	}
	// One request at a time: each must wait out the throttle of the answer before it.
	const sequential = 5
	start := time.Now()
	for i := range sequential {
		if _, err := p.SendSync(ctx, &Record{Topic: "t", Value: []byte(strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < sequential*throttle*9/10 {
		t.Fatalf("%d sequential sends took %v: the throttle (%v each) was not honoured", sequential, d, throttle)
	}
	mu.Lock()
	for i := 1; i < len(arrivals); i++ {
		if gap := arrivals[i].Sub(arrivals[i-1]); gap < throttle*9/10 {
			t.Errorf("produce request %d came %v after the one before, within its throttle time", i, gap)
		}
	}
	mu.Unlock()
	// Many records at once: all delivered, though every request waits out the throttle before it.
	const n = 2000
	o := newOutcomes(n)
	for i := range n {
		if err := p.Send(ctx, &Record{Topic: "t", Value: []byte(strconv.Itoa(i))}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
	fctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := p.Flush(fctx); err != nil {
		t.Fatal(err)
	}
	o.requireAllSucceededOnce(t, n)
	if s := p.Stats(); s.Delivered != n+sequential+1 {
		t.Fatalf("stats: %+v", s)
	}
}

// soakFaults are the faults TestSoakRandomFaults draws from.
var soakFaults = []mockbroker.Fault{
	{API: protocol.KeyProduce, Action: mockbroker.DropBeforeHandling},
	{API: protocol.KeyProduce, Action: mockbroker.DropAfterHandling},
	{API: protocol.KeyProduce, Action: mockbroker.TimeoutAfterHandling},
	{API: protocol.KeyProduce, Action: mockbroker.RespondWithError, ErrorCode: kerr.NotLeaderOrFollower.Code},
	{API: protocol.KeyProduce, Action: mockbroker.RespondWithError, ErrorCode: kerr.NotEnoughReplicas.Code},
}

// TestSoakRandomFaults: about 5% of produce requests meet a random fault (a dropped connection
// before or after the write, a timeout after the write, NOT_LEADER_OR_FOLLOWER,
// NOT_ENOUGH_REPLICAS); with idempotence every record is acknowledged once, stored exactly once,
// in order per partition, at the offset its callback reports. -soak N sets the record count.
func TestSoakRandomFaults(t *testing.T) {
	runSoak(t, *soakRecords, soakFaults, 0.05, uint64(time.Now().UnixNano()), 5*time.Millisecond)
}

// TestSoakRandomErrorResponses is TestSoakRandomFaults without the faults that drop the
// connection: about 5% of produce requests time out after the write, or answer
// NOT_LEADER_OR_FOLLOWER or NOT_ENOUGH_REPLICAS. -soak N sets the record count.
func TestSoakRandomErrorResponses(t *testing.T) {
	runSoak(t, *soakRecords, soakFaults[2:], 0.05, uint64(time.Now().UnixNano()), 5*time.Millisecond)
}

// runSoak sends n numbered records through a 3-broker cluster while a rate of the produce
// requests arms one of faults for the next produce request, and checks the outcome.
func runSoak(t *testing.T, n int, faults []mockbroker.Fault, rate float64, seed uint64, linger time.Duration) {
	t.Logf("seed %d, %d records", seed, n)
	var rngMu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, 0x50a4))
	injected := make([]atomic.Int64, len(faults))
	var cluster atomic.Pointer[mockbroker.Cluster]
	pc := newProduceCounter()
	hook := func(mockbroker.Exchange) {
		rngMu.Lock()
		hit, which := rng.Float64() < rate, rng.IntN(len(faults))
		rngMu.Unlock()
		if c := cluster.Load(); hit && c != nil {
			injected[which].Add(1)
			c.Inject(faults[which])
		}
	}
	pc.hook.Store(&hook)
	const partitions = 6
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(3), mockbroker.Topic("soak", partitions), mockbroker.CaptureLimit(0), pc.option())
	cfg := testConfig(c)
	cfg.BatchSize = 1024
	cfg.Linger = linger
	cfg.DeliveryTimeout = 30 * time.Second
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	cluster.Store(c)
	o := newOutcomes(n)
	start := time.Now()
	for i := range n {
		r := &Record{Topic: "soak", Key: []byte(strconv.Itoa(i % 97)), Value: []byte(strconv.Itoa(i))}
		if err := p.Send(context.Background(), r, o.cb(i)); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second+time.Duration(n)*100*time.Microsecond)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("%v; %d of %d callbacks; stats %+v", err, o.total.Load(), n, p.Stats())
	}
	took := time.Since(start)
	cluster.Store(nil)
	c.ClearFaults()
	counts := make([]int64, len(faults))
	var total int64
	for i := range injected {
		counts[i] = injected[i].Load()
		total += counts[i]
	}
	s := p.Stats()
	t.Logf("%d records in %v; %d produce requests; faults injected %v; retries %d; errors %v",
		n, took, pc.requests("soak"), counts, s.Retries, s.Errors)
	o.requireAllSucceededOnce(t, n)
	checkExactlyOnceInOrder(t, c, "soak", partitions, n)
	if checked := o.checkOffsets(t, c, "soak", partitions); checked == 0 {
		t.Fatal("no callback gave an offset")
	}
	if total == 0 {
		t.Fatal("no faults were injected")
	}
}

// TestNoEmptyBatches: a producer never sends a batch without records (the broker refuses it with
// INVALID_RECORD, which fails the batch and, with idempotence, the sequence). Records that each
// fill a batch, with linger.ms=0, make Send open a new batch for every record while the sender is
// busy closing them.
func TestNoEmptyBatches(t *testing.T) {
	var empty, batches atomic.Int64
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 2), mockbroker.CaptureLimit(0),
		mockbroker.OnExchange(func(e mockbroker.Exchange) {
			req, ok := e.Request.(*protocol.ProduceRequest)
			if !ok {
				return
			}
			for _, td := range req.TopicData {
				for _, pd := range td.PartitionData {
					var h wire.RecordBatch
					if _, err := h.Decode(pd.Records); err == nil && h.NumRecords == 0 {
						empty.Add(1)
					}
					batches.Add(1)
				}
			}
		}))
	cfg := testConfig(c)
	cfg.Linger = 0
	cfg.BatchSize = 1024
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	const n = 3000
	o := newOutcomes(n)
	value := make([]byte, 600)
	for i := range n {
		v := append(strconv.AppendInt(nil, int64(i), 10), value...)
		if err := p.Send(context.Background(), &Record{Topic: "t", Value: v, Partition: ToPartition(int32(i % 2))}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("%v; stats %+v", err, p.Stats())
	}
	if e := empty.Load(); e > 0 {
		t.Fatalf("%d of %d batches sent had no records; stats %+v", e, batches.Load(), p.Stats())
	}
	o.requireAllSucceededOnce(t, n)
}

// TestEpochBumpKeepsUnresolvedBatches: a batch whose write was not acknowledged (the connection
// dropped after the broker wrote it) waits for its retry while another partition's batch fails
// for good, which makes the idempotent producer bump its epoch. The retry must not be written
// again: the record is stored once.
func TestEpochBumpKeepsUnresolvedBatches(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(2), mockbroker.Topic("a", 1), mockbroker.Topic("b", 1))
	if err := c.MoveLeader("b", 0, 1); err != nil { // a/0 on broker 0, b/0 on broker 1
		t.Fatal(err)
	}
	cfg := testConfig(c)
	cfg.RetryBackoff = 300 * time.Millisecond // a's retry comes well after b's failure
	cfg.RetryBackoffMax = 300 * time.Millisecond
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, topic := range []string{"a", "b"} {
		if _, err := p.SendSync(ctx, &Record{Topic: topic, Value: []byte("warm-up")}); err != nil {
			t.Fatal(err)
		}
	}
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Topic: "a", Action: mockbroker.DropAfterHandling})
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Topic: "b", Action: mockbroker.RespondWithError, ErrorCode: kerr.InvalidRecord.Code})
	o := newOutcomes(2)
	for i, topic := range []string{"a", "b"} {
		if err := p.Send(ctx, &Record{Topic: topic, Value: []byte("x")}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err, _ := o.result(1); !errors.Is(err, kerr.InvalidRecord) {
		t.Fatalf("b: %v, want INVALID_RECORD", err)
	}
	if _, err, _ := o.result(0); err != nil {
		t.Fatalf("a: %v", err)
	}
	recs, _ := c.Records("a", 0)
	if len(recs) != 2 {
		var vals []string
		for _, r := range recs {
			vals = append(vals, fmt.Sprintf("%d:%s", r.Offset, r.Value))
		}
		t.Fatalf("a/0 holds %v: the record whose ack was lost was written again after the epoch bump", vals)
	}
}

// TestDroppedConnectionsDoNotStall: a broker that drops the connection while several produce
// requests are in flight on it, again and again, must not wedge the producer: each in-flight
// request that failed with the connection frees its max.in.flight slot, whatever connection the
// slot has by the time the sender hears of it. (Five lost slots would stop all sending to the
// broker until delivery.timeout.ms fails everything.)
func TestDroppedConnectionsDoNotStall(t *testing.T) {
	for _, action := range []mockbroker.FaultAction{mockbroker.DropBeforeHandling, mockbroker.DropAfterHandling} {
		t.Run(action.String(), func(t *testing.T) {
			c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 6), mockbroker.CaptureLimit(0))
			cfg := testConfig(c)
			cfg.BatchSize = 1024
			cfg.Linger = 2 * time.Millisecond
			cfg.DeliveryTimeout = 8 * time.Second
			p := newTestProducer(t, cfg)
			t.Cleanup(func() { closeSoon(p) })
			sendNumbered(t, p, "warm-up", 10, nil)
			const n = 12000
			o := newOutcomes(n)
			pacedSend(t, p, "t", n, 24, func(i int) Partition { return ToPartition(int32(i % 6)) }, o, func(k int) {
				if k > 0 {
					c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: action})
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := p.Flush(ctx); err != nil {
				t.Fatalf("%v; stats %+v", err, p.Stats())
			}
			o.requireAllSucceededOnce(t, n)
			checkExactlyOnceInOrder(t, c, "t", 6, n)
			if err := p.Close(ctx); err != nil {
				t.Fatal(err)
			}
			// The sender has stopped (Close waited for it): its slots can be read. With nothing in
			// flight, none may count a request.
			for id, slot := range p.sender.brokers {
				if slot.inflight != 0 {
					t.Fatalf("broker %d: slot counts %d requests in flight after everything completed", id, slot.inflight)
				}
			}
		})
	}
}

// closeGate holds the Close of the connections its dial made, once the broker closed them (a
// read or write failed), until it opens, as closing a connection to a broker that went away can take a
// while: meanwhile the requests pending on it have not failed yet.
type closeGate struct {
	ch   chan struct{}
	once sync.Once
}

func newCloseGate() *closeGate { return &closeGate{ch: make(chan struct{})} }

func (g *closeGate) open() { g.once.Do(func() { close(g.ch) }) }

// dial is a [Config.Dialer].
func (g *closeGate) dial(ctx context.Context, addr string) (net.Conn, error) {
	nc, err := new(net.Dialer).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &gatedConn{Conn: nc, gate: g}, nil
}

type gatedConn struct {
	net.Conn
	gate   *closeGate
	broken atomic.Bool
}

func (c *gatedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.broken.Store(true)
	}
	return n, err
}

func (c *gatedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		c.broken.Store(true)
	}
	return n, err
}

func (c *gatedConn) Close() error {
	if c.broken.Load() {
		<-c.gate.ch
	}
	return c.Conn.Close()
}

// waitForRecords waits until topic/partition holds at least n records.
func waitForRecords(t *testing.T, c *mockbroker.Cluster, topic string, partition int32, n int) {
	t.Helper()
	waitUntil(t, func() bool { recs, err := c.Records(topic, partition); return err == nil && len(recs) >= n },
		func() string { return fmt.Sprintf("%s/%d never held %d records", topic, partition, n) })
}

// waitForLeader waits until p's metadata says broker leads topic/partition.
func waitForLeader(t *testing.T, p *Producer, topic string, partition, broker int32) {
	t.Helper()
	var parts []PartitionInfo
	var err error
	waitUntil(t, func() bool {
		parts, err = p.PartitionsFor(context.Background(), topic)
		return err == nil && len(parts) > int(partition) && parts[partition].Leader == broker
	}, func() string {
		return fmt.Sprintf("the producer never saw broker %d lead %s/%d (%v, %v)", broker, topic, partition, parts, err)
	})
}

// TestNoNewConnectionBeforeOldCallsFail: the broker writes a batch and drops the connection
// before answering, and the producer's side of it is slow to close. The producer must not send
// that partition's later batches on a new connection meanwhile: written behind the dropped
// batch, they would push it out of the five batches the broker remembers, and its retry could
// then never be told apart from a gap (OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms).
func TestNoNewConnectionBeforeOldCallsFail(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	gate := newCloseGate()
	defer gate.open() // before the producer closes
	cfg := oneBatchEachConfig(c)
	cfg.Dialer = gate.dial
	p := newTestProducer(t, cfg)
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DropAfterHandling})
	const n = 20
	o := newOutcomes(n)
	sendOneBatchEach(t, p, o, 0, 1)
	waitForRecords(t, c, "t", 0, 1)
	for i := 1; i < n; i++ {
		sendOneBatchEach(t, p, o, i, i+1)
		time.Sleep(2 * time.Millisecond) // a request each, were they sent
	}
	gate.open()
	flushWithin(t, p, 10*time.Second)
	o.requireAllSucceededOnce(t, n)
	checkExactlyOnceInOrder(t, c, "t", 1, n)
	if md, _, _ := o.result(0); md.Offset != 0 {
		t.Errorf("record 0: offset %d, want 0: its retry should be the broker's duplicate of the dropped batch", md.Offset)
	}
}

// TestSeqBefore: sequence order across the wrap from MaxInt32 to 0.
func TestSeqBefore(t *testing.T) {
	for _, c := range []struct {
		a, b int32
		want bool
	}{
		{0, 1, true},
		{1, 0, false},
		{5, 5, false},
		{math.MaxInt32, 0, true},
		{math.MaxInt32 - 3, 2, true},
		{2, math.MaxInt32 - 3, false},
		{0, math.MaxInt32 / 2, true},
		{0, math.MaxInt32/2 + 1, false},
	} {
		if got := seqBefore(c.a, c.b); got != c.want {
			t.Errorf("seqBefore(%d, %d) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// oneBatchEachConfig is testConfig for sendOneBatchEach, with a delivery.timeout.ms short enough
// that a stuck batch fails the test soon.
func oneBatchEachConfig(c *mockbroker.Cluster) Config {
	cfg := testConfig(c)
	cfg.Linger = 0
	cfg.BatchSize = 1024
	cfg.DeliveryTimeout = 3 * time.Second
	return cfg
}

// sendOneBatchEach sends records first..last-1 to t/0, each in a batch of its own (a key as
// large as half batch.size), with o's callbacks.
func sendOneBatchEach(t *testing.T, p *Producer, o *outcomes, first, last int) {
	t.Helper()
	key := make([]byte, p.cfg.BatchSize/2)
	for i := first; i < last; i++ {
		r := &Record{Topic: "t", Key: key, Value: []byte(strconv.Itoa(i)), Partition: ToPartition(0)}
		if err := p.Send(context.Background(), r, o.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func flushWithin(t *testing.T, p *Producer, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("%v; stats %+v", err, p.Stats())
	}
}

// TestEpochBumpWhenBrokerForgetsSequences: a leader that lost the producer's latest sequences
// (an unclean election) answers its next batch OUT_OF_ORDER_SEQUENCE_NUMBER. That batch is next
// in line, so the producer asks for a new epoch and restarts its sequences (KIP-360), and nothing
// is lost or written twice; the broker answers a producer that is not transactional with a new
// producer id at epoch 0, as Kafka does, whatever id and epoch it sends. Before that, a batch
// acknowledged on its retry after a later one must not move the producer's idea of the last
// acknowledged sequence back, or the next batch would not look next in line and would be retried
// unchanged until delivery.timeout.ms. (Record 0 is acknowledged first: until a partition has
// acknowledged a batch, the next one waits for it.)
func TestEpochBumpWhenBrokerForgetsSequences(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	cfg := oneBatchEachConfig(c)
	p := newTestProducer(t, cfg)
	const n = 11
	o := newOutcomes(n)
	sendOneBatchEach(t, p, o, 0, 1)
	flushWithin(t, p, 10*time.Second)
	// Record 1 is written but answered REQUEST_TIMED_OUT, late: record 2, sent meanwhile, is
	// acknowledged before 1's retry, which is a duplicate.
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.TimeoutAfterHandling})
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 100 * time.Millisecond})
	sendOneBatchEach(t, p, o, 1, 2)
	time.Sleep(20 * time.Millisecond)
	sendOneBatchEach(t, p, o, 2, 3)
	flushWithin(t, p, 10*time.Second)
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.ForgetSequences})
	sendOneBatchEach(t, p, o, 3, n)
	flushWithin(t, p, 10*time.Second)
	o.requireAllSucceededOnce(t, n)
	checkExactlyOnceInOrder(t, c, "t", 1, n)
	batches, err := c.Batches("t", 0)
	if err != nil {
		t.Fatal(err)
	}
	var first, h wire.RecordBatch
	if _, err := first.Decode(batches[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Decode(batches[3]); err != nil {
		t.Fatal(err)
	}
	if h.ProducerID == first.ProducerID || h.ProducerEpoch != 0 || h.BaseSequence != 0 {
		t.Errorf("record 3 went as producer %d, epoch %d, sequence %d; want a new producer id (not %d) at epoch 0, sequence 0",
			h.ProducerID, h.ProducerEpoch, h.BaseSequence, first.ProducerID)
	}
}

// TestDroppedBatchGoesFirstToNewLeader: the leader writes a batch and drops the connection
// before answering, and the producer's side of it is slow to close. Meanwhile leadership moves.
// The partition's later batches wait for the dropped one's outcome: its retry is the first the
// new leader gets, which knows it (the producer's state moves with the partition) and answers
// it as a duplicate, with its offset; nothing is written twice.
func TestDroppedBatchGoesFirstToNewLeader(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(2), mockbroker.Topic("t", 1))
	gate := newCloseGate()
	defer gate.open() // before the producer closes
	cfg := oneBatchEachConfig(c)
	cfg.MetadataMaxAge = 20 * time.Millisecond // the producer learns of the move by itself
	cfg.Dialer = gate.dial
	p := newTestProducer(t, cfg)
	const n = 10
	o := newOutcomes(n)
	sendOneBatchEach(t, p, o, 0, 1)
	if !o.wait(1, 5*time.Second) {
		t.Fatalf("record 0 not acknowledged; stats %+v", p.Stats())
	}
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DropAfterHandling})
	sendOneBatchEach(t, p, o, 1, 2)
	waitForRecords(t, c, "t", 0, 2)
	if err := c.MoveLeader("t", 0, 1); err != nil {
		t.Fatal(err)
	}
	waitForLeader(t, p, "t", 0, 1)
	sendOneBatchEach(t, p, o, 2, n)
	time.Sleep(100 * time.Millisecond) // room for records 2.. to go to broker 1, were they allowed
	if recs, _ := c.Records("t", 0); len(recs) != 2 {
		t.Errorf("%d records written before record 1's outcome was known, want 2", len(recs))
	}
	gate.open()
	flushWithin(t, p, 10*time.Second)
	o.requireAllSucceededOnce(t, n)
	checkExactlyOnceInOrder(t, c, "t", 1, n)
	if md, _, _ := o.result(1); md.Offset != 1 {
		t.Errorf("record 1: offset %d, want 1, the duplicate's", md.Offset)
	}
}

// TestRefusedBatchOvertakenFails: record 1's first attempt is refused with
// NOT_LEADER_OR_FOLLOWER, answered late, and record 2, sent meanwhile, reaches a leader that has
// forgotten the producer (as after retention removed its batches), which takes it at any
// sequence. Record 1 was never written and can no longer be in order: it fails with
// OUT_OF_ORDER_SEQUENCE_NUMBER instead of passing for written, and the others land once, in order.
func TestRefusedBatchOvertakenFails(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	p := newTestProducer(t, oneBatchEachConfig(c))
	const n = 5
	o := newOutcomes(n)
	sendOneBatchEach(t, p, o, 0, 1)
	flushWithin(t, p, 10*time.Second)
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.RespondWithError, ErrorCode: kerr.NotLeaderOrFollower.Code})
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 100 * time.Millisecond})
	// Record 1's request uses one up without effect (it is refused before anything is written);
	// record 2's is handled after the forgetting.
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.ForgetProducers, Times: 2})
	sendOneBatchEach(t, p, o, 1, n)
	flushWithin(t, p, 10*time.Second)
	for i := range n {
		_, err, _ := o.result(i)
		switch {
		case o.calls[i].Load() != 1:
			t.Fatalf("record %d: callback called %d times, want 1", i, o.calls[i].Load())
		case i == 1 && !errors.Is(err, kerr.OutOfOrderSequenceNumber):
			t.Errorf("record 1: %v, want OUT_OF_ORDER_SEQUENCE_NUMBER: it was never written", err)
		case i != 1 && err != nil:
			t.Errorf("record %d: %v", i, err)
		}
	}
	recs, err := c.Records("t", 0)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, r := range recs {
		values = append(values, string(r.Value))
	}
	if want := []string{"0", "2", "3", "4"}; !slices.Equal(values, want) {
		t.Errorf("the log holds %q, want %q", values, want)
	}
}

// TestWrittenBatchForgottenBehindAcknowledgedOne: a batch is written but answered
// REQUEST_TIMED_OUT, late, and the next one, sent meanwhile, is acknowledged; then the leader
// forgets the producer's sequences (ForgetSequences, as after an unclean election). A later
// batch was acknowledged, which the broker allows only after this one, so the first was written:
// it succeeds, without an offset, and is not written again, whether the broker's
// OUT_OF_ORDER_SEQUENCE_NUMBER answers its retry or the batch after those two, which makes the
// producer bump its epoch and renumber what waits.
func TestWrittenBatchForgottenBehindAcknowledgedOne(t *testing.T) {
	for _, c := range []struct {
		name     string
		inFlight int // records sent with record 2, before record 1's retry
	}{
		{"answered to its retry", 0},
		{"answered to the next batch", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := forgetAfterTimedOutBatch(t)
			p := newTestProducer(t, oneBatchEachConfig(cl))
			n := 3 + c.inFlight
			o := newOutcomes(n + 2)
			sendPastForgottenBatch(t, cl, p, o, n)
			o.requireAllSucceededOnce(t, n+2)
			checkExactlyOnceInOrder(t, cl, "t", 1, n+2)
			if md, _, _ := o.result(1); md.Offset != -1 {
				t.Errorf("record 1: offset %d, want -1: the broker no longer knew it", md.Offset)
			}
			if s := p.Stats(); s.Errors["OUT_OF_ORDER_SEQUENCE_NUMBER"] == 0 {
				t.Errorf("errors %v: the broker never answered OUT_OF_ORDER_SEQUENCE_NUMBER", s.Errors)
			}
		})
	}
}

// sendPastForgottenBatch sends records 0 to n+1 to forgetAfterTimedOutBatch's cluster, a batch
// each, with o's callbacks: record 1 is written but answered REQUEST_TIMED_OUT, late, records 2 to
// n-1 go meanwhile, then the leader forgets the producer's sequences and records n and n+1 follow.
func sendPastForgottenBatch(t *testing.T, c *mockbroker.Cluster, p *Producer, o *outcomes, n int) {
	t.Helper()
	sendOneBatchEach(t, p, o, 0, 1)
	flushWithin(t, p, 10*time.Second)
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.TimeoutAfterHandling})
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 100 * time.Millisecond})
	sendOneBatchEach(t, p, o, 1, 2)
	time.Sleep(20 * time.Millisecond)
	sendOneBatchEach(t, p, o, 2, n)
	flushWithin(t, p, 10*time.Second)
	sendOneBatchEach(t, p, o, n, n+2)
	flushWithin(t, p, 10*time.Second)
}

// forgetAfterTimedOutBatch starts a cluster with topic t whose leader forgets the producers'
// sequences once it has answered, after a produce request with faults, a produce request without
// any; for a producer with oneBatchEachConfig.
func forgetAfterTimedOutBatch(t *testing.T) *mockbroker.Cluster {
	var c *mockbroker.Cluster
	var armed, forgot atomic.Bool
	forgetAfterNext := mockbroker.OnExchange(func(e mockbroker.Exchange) {
		if e.Header.APIKey != protocol.KeyProduce {
			return
		}
		if len(e.Faults) > 0 {
			armed.Store(true)
		} else if armed.Load() && forgot.CompareAndSwap(false, true) {
			c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.ForgetSequences})
		}
	})
	c = mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1), forgetAfterNext)
	return c
}
