package interop

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/wire"
)

// TestKwireProducerKfakeRestart: kwire's idempotent producer sends to a one-broker kfake cluster
// that is closed mid-run, with requests in flight (it stops answering them first), and replaced by
// a new one on the same port that knows nothing of the producer: neither the log nor the producer
// id and its sequences. The new cluster answers the producer's next batch
// OUT_OF_ORDER_SEQUENCE_NUMBER (KAFKA-15591: an empty log takes only sequence 0 from a producer it
// does not know), and it refuses the epoch bump that follows with UNKNOWN_PRODUCER_ID, as kwire
// broker did: the producer must ask for a new id rather than retry the bump forever.
//
// Every record is acknowledged once. Those the new cluster acknowledged are in its log once each,
// in order, and none the old cluster acknowledged is written again. (A batch the old cluster
// wrote whose answer was lost with it is written again by the new one: no producer can know, and
// the old log went with its cluster.)
func TestKwireProducerKfakeRestart(t *testing.T) {
	const (
		topic      = "restart"
		partitions = 2
		n          = 4000
		chunks     = 20
		killAfter  = 8  // the chunk after which the old cluster closes
		backAfter  = 11 // the chunk after which the new one starts
	)
	old, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic))
	if err != nil {
		t.Fatalf("kfake.NewCluster: %v", err)
	}
	t.Cleanup(old.Close)
	addr := old.ListenAddrs()[0]
	_, portText, err := net.SplitHostPort(addr)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil {
		t.Fatalf("kfake listens on %q", addr)
	}
	p := restartProducer(t, addr)

	var bumps, newIDs atomic.Int32
	var restarted *kfake.Cluster
	d := &restartDeliveries{md: make([]producer.Metadata, n), err: make([]error, n), calls: make([]int, n)}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var dying atomic.Bool
	old.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		if !dying.Load() {
			return nil, nil, false
		}
		old.KeepControl()
		return nil, nil, true // left unanswered: in flight when the cluster goes
	})
	for k := range chunks {
		dying.Store(k == killAfter)
		for i := k * n / chunks; i < (k+1)*n/chunks; i++ {
			r := &producer.Record{Topic: topic, Partition: producer.ToPartition(int32(i % partitions)), Value: []byte(strconv.Itoa(i))}
			if err := p.Send(ctx, r, d.callback(i)); err != nil {
				t.Fatalf("Send of record %d: %v", i, err)
			}
		}
		switch k {
		case killAfter:
			time.Sleep(20 * time.Millisecond) // the chunk goes out, unanswered
			old.Close()
		case backAfter:
			restarted = restartKfake(t, port, topic, partitions, &bumps, &newIDs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.Flush(ctx); err != nil {
		st := p.Stats()
		t.Fatalf("Flush: %v (delivered %d, failed %d of %d; errors %v; %d epoch bumps refused, %d new ids)",
			err, st.Delivered, st.Failed, n, st.Errors, bumps.Load(), newIDs.Load())
	}
	d.requireDelivered(t, fmt.Sprintf("the new cluster refused %d epoch bumps and gave %d new ids", bumps.Load(), newIDs.Load()))
	if bumps.Load() == 0 || newIDs.Load() == 0 {
		t.Fatalf("the new cluster refused %d epoch bumps and gave %d new ids: the run did not test the recovery", bumps.Load(), newIDs.Load())
	}
	d.check(t, consumeToEnd(t, restarted.ListenAddrs(), topic, partitions), partitions)
}

// restartProducer is an idempotent kwire producer of the broker at addr, with small batches so that
// requests are in flight when the broker goes, and a delivery.timeout.ms far longer than the run.
func restartProducer(t *testing.T, addr string) *producer.Producer {
	t.Helper()
	cfg := kfakeConfig([]string{addr}, wire.CodecNone, true)
	cfg.ClientID = "kwire-kfake-restart"
	cfg.DeliveryTimeout = 20 * time.Second
	return startKfakeProducer(t, cfg)
}

// restartKfake starts a new one-broker kfake cluster on port with topic, which answers an
// InitProducerId that carries a producer id with UNKNOWN_PRODUCER_ID (counted in bumps) and leaves
// those asking for a new id (counted in newIDs) to kfake.
func restartKfake(t *testing.T, port int, topic string, partitions int32, bumps, newIDs *atomic.Int32) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.SeedTopics(partitions, topic))
	if err != nil {
		t.Fatalf("kfake.NewCluster on port %d again: %v", port, err)
	}
	t.Cleanup(c.Close)
	c.ControlKey(int16(kmsg.InitProducerID), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		r := req.(*kmsg.InitProducerIDRequest)
		if r.ProducerID < 0 {
			newIDs.Add(1)
			return nil, nil, false
		}
		bumps.Add(1)
		resp := r.ResponseKind().(*kmsg.InitProducerIDResponse)
		resp.ProducerID, resp.ProducerEpoch, resp.ErrorCode = -1, -1, kerr.UnknownProducerID.Code
		return resp, nil, true
	})
	return c
}

// restartDeliveries is what the producer's callbacks said of each record, by the record's index.
type restartDeliveries struct {
	mu    sync.Mutex
	md    []producer.Metadata
	err   []error
	calls []int
}

func (d *restartDeliveries) callback(i int) func(producer.Metadata, error) {
	return func(md producer.Metadata, err error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.calls[i]++
		d.md[i], d.err[i] = md, err
	}
}

// requireDelivered requires every record to be acknowledged once; why says what happened if not.
func (d *restartDeliveries) requireDelivered(t *testing.T, why string) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.calls {
		if d.calls[i] != 1 || d.err[i] != nil {
			t.Fatalf("record %d: %d callbacks, last error %v; want one success (%s)", i, d.calls[i], d.err[i], why)
		}
	}
}

// check requires the new cluster's log (logs, by partition) to hold records of the partition they
// were sent to, each once, in send order, where their callbacks say; and the records acknowledged
// by the old cluster, absent from that log, to come before those in it.
func (d *restartDeliveries) check(t *testing.T, logs map[int32][]*kgo.Record, partitions int32) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	inNew := map[int]bool{}
	firstNew := make([]int, partitions) // per partition, the first record in the new log
	for p := range partitions {
		firstNew[p] = len(d.calls)
		last := -1
		for _, r := range logs[p] {
			i, err := strconv.Atoi(string(r.Value))
			switch {
			case err != nil || i < 0 || i >= len(d.calls) || int32(i)%partitions != p:
				t.Fatalf("the new cluster's %d@%d holds %q, not a record sent there", p, r.Offset, r.Value)
			case i <= last:
				t.Fatalf("the new cluster's partition %d holds record %d at %d after record %d: written twice or out of order", p, i, r.Offset, last)
			case d.md[i].Offset >= 0 && (d.md[i].Partition != p || d.md[i].Offset != r.Offset):
				t.Fatalf("record %d: callback says %d@%d, the new cluster has it at %d@%d", i, d.md[i].Partition, d.md[i].Offset, p, r.Offset)
			}
			if last < 0 {
				firstNew[p] = i
			}
			last = i
			inNew[i] = true
		}
	}
	var old int
	for i := range d.calls {
		if inNew[i] {
			continue
		}
		old++
		if p := int32(i) % partitions; i > firstNew[p] {
			t.Fatalf("record %d, acknowledged by the old cluster, comes after record %d, the first of partition %d in the new one", i, firstNew[p], p)
		}
	}
	if old == 0 || len(inNew) == 0 {
		t.Fatalf("%d records acknowledged by the old cluster and %d by the new one; want some of each", old, len(inNew))
	}
	t.Logf("%d records acknowledged by the old cluster, %d by the new one", old, len(inNew))
}
