package producer

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// These tests are about leaders that cannot take a partition's batches yet: one not ready for a
// new topic, one that is down. Both were found against Apache Kafka 4.4 (interop's fault tests).

// TestFirstBatchOfPartitionGoesAlone: until a partition has acknowledged a batch of the producer's
// epoch, only one of its batches is in flight. Kafka takes any sequence first from a producer it
// has no state for on a partition, so when the first batch met NOT_LEADER_OR_FOLLOWER (a new
// topic's leader not ready yet) and a later one, already in flight, got there once it was, the
// later one was written first; the first was then answered OUT_OF_ORDER_SEQUENCE_NUMBER, taken
// for written because a later batch had been acknowledged, and lost. Here the broker holds its
// NOT_LEADER_OR_FOLLOWER answer to the first batch long enough for more to follow, were they
// allowed to.
func TestFirstBatchOfPartitionGoesAlone(t *testing.T) {
	release := make(chan struct{})
	var releaseOnce sync.Once
	var held atomic.Bool
	hold := mockbroker.OnExchange(func(e mockbroker.Exchange) {
		if r, ok := e.Request.(*protocol.ProduceRequest); ok && r.TopicData[0].Name == "t" && held.CompareAndSwap(false, true) {
			<-release
		}
	})
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1), hold)
	defer releaseOnce.Do(func() { close(release) }) // before the cluster closes
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Topic: "t", Action: mockbroker.RespondWithError, ErrorCode: kerr.NotLeaderOrFollower.Code})
	p := newTestProducer(t, oneBatchEachConfig(c))
	const n = 10
	o := newOutcomes(n)
	sendOneBatchEach(t, p, o, 0, n)
	waitUntil(t, held.Load, func() string { return "the first produce request never came" })
	time.Sleep(100 * time.Millisecond) // room for the other batches to go, were they allowed
	inflight := p.Stats().InFlight
	releaseOnce.Do(func() { close(release) })
	flushWithin(t, p, 10*time.Second)
	if inflight != 1 {
		t.Errorf("%d requests in flight before the partition's first batch was answered, want 1", inflight)
	}
	o.requireAllSucceededOnce(t, n)
	checkExactlyOnceInOrder(t, c, "t", 1, n)
	if s := p.Stats(); s.Errors["NOT_LEADER_OR_FOLLOWER"] != 1 || s.Errors["OUT_OF_ORDER_SEQUENCE_NUMBER"] != 0 {
		t.Errorf("errors %v, want the one NOT_LEADER_OR_FOLLOWER", s.Errors)
	}
}

// TestBatchesFillBehindUnavailableLeader: records sent while a partition's leader is down wait in
// full batches, as the Java client's do, not in a batch per linger.ms: past its linger the open
// batch keeps taking records while another batch waits before it.
func TestBatchesFillBehindUnavailableLeader(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	cfg := testConfig(c)
	cfg.Linger = 2 * time.Millisecond
	p := newTestProducer(t, cfg)
	sendNumbered(t, p, "t", 1, nil)
	if err := c.StopBroker(0); err != nil {
		t.Fatal(err)
	}
	before := p.Stats().Batches
	const n = 200 // some 4 KiB: one batch.size holds them all
	o := newOutcomes(n)
	for i := range n {
		if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte(strconv.Itoa(i + 1))}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond / 2) // several lingers go by
	}
	if err := c.RestartBroker(0); err != nil {
		t.Fatal(err)
	}
	flushWithin(t, p, 10*time.Second)
	o.requireAllSucceededOnce(t, n)
	// The batch open when the leader went away closes at its linger and waits; every record
	// after it goes in the next batch, which closes once that one has gone.
	if got := p.Stats().Batches - before; got != 2 {
		t.Errorf("%d records sent while the leader was down went in %d batches, want 2", n, got)
	}
}

// TestNoBatchToNewLeaderBeforeOldAnswers: after a leader move, a partition's later batches wait
// until those in flight to the old leader are answered. Sent to the new leader meanwhile, they
// would get there before the batches the old one turns away (NOT_LEADER_OR_FOLLOWER), and be
// answered OUT_OF_ORDER_SEQUENCE_NUMBER, as Kafka 4.4 did under kwire's producer when
// kafka-leader-election moved leaders mid-run. Here the old leader holds its answer to a batch
// until the producer has seen the move and had a later batch to send.
func TestNoBatchToNewLeaderBeforeOldAnswers(t *testing.T) {
	release := make(chan struct{})
	var releaseOnce sync.Once
	var held atomic.Bool
	hold := mockbroker.OnExchange(func(e mockbroker.Exchange) {
		if len(e.Faults) > 0 && held.CompareAndSwap(false, true) {
			<-release
		}
	})
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(2), mockbroker.Topic("t", 1), hold)
	defer releaseOnce.Do(func() { close(release) }) // before the cluster closes
	cfg := oneBatchEachConfig(c)
	cfg.MetadataMaxAge = 20 * time.Millisecond // the producer learns of the move by itself
	p := newTestProducer(t, cfg)
	const n = 6
	o := newOutcomes(n)
	sendOneBatchEach(t, p, o, 0, 1)
	if !o.wait(1, 5*time.Second) {
		t.Fatalf("record 0 not acknowledged; stats %+v", p.Stats())
	}
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Brokers: []int32{0}, Action: mockbroker.RespondWithError, ErrorCode: kerr.NotLeaderOrFollower.Code})
	sendOneBatchEach(t, p, o, 1, 2)
	waitUntil(t, held.Load, func() string { return "record 1's produce request never came" })
	if err := c.MoveLeader("t", 0, 1); err != nil {
		t.Fatal(err)
	}
	waitForLeader(t, p, "t", 0, 1)
	sendOneBatchEach(t, p, o, 2, n)
	time.Sleep(100 * time.Millisecond) // room for records 2.. to go to broker 1, were they allowed
	releaseOnce.Do(func() { close(release) })
	flushWithin(t, p, 10*time.Second)
	o.requireAllSucceededOnce(t, n)
	checkExactlyOnceInOrder(t, c, "t", 1, n)
	if s := p.Stats(); s.Errors["OUT_OF_ORDER_SEQUENCE_NUMBER"] != 0 {
		t.Errorf("errors %v: batches went to the new leader before the old one had answered", s.Errors)
	}
}
