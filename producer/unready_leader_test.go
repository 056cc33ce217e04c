package producer

import (
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
