package simulator

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// Brokers is how many brokers a simulation's cluster has: broker 0 leads the topic's partition,
// broker 1 follows it and takes over when the leader moves.
const Brokers = 2

// run is one simulation under way.
type run struct {
	s       *Settings
	rec     *recorder
	cluster *mockbroker.Cluster
	moved   atomic.Bool // the leader moved, for FaultMoveLeader
}

// Run runs one simulation: it starts a mock cluster, arms the fault, sends the records with a new
// producer connected in memory, waits for every callback (at most delivery.timeout.ms and
// request.timeout.ms, or until ctx ends), closes both and reads the partition log. The Result's
// Err is set when the run could not start, e.g. for a configuration the producer refuses.
func Run(ctx context.Context, s *Settings) *Result {
	r := &run{s: s, rec: newRecorder()}
	c, err := mockbroker.NewCluster(mockbroker.NumBrokers(Brokers), mockbroker.ReplicationFactor(Brokers),
		mockbroker.Topic(Topic, 1), mockbroker.CaptureLimit(0), mockbroker.OnExchange(r.onExchange))
	if err != nil {
		return &Result{Settings: s, Err: fmt.Errorf("starting the mock cluster: %w", err)}
	}
	r.cluster = c
	defer c.Close()
	r.rec.nameBrokers(c.Addrs())
	p, err := producer.New(r.config())
	if err != nil {
		return &Result{Settings: s, Err: configInputError(err)}
	}
	r.armFault()
	r.send(ctx, p)
	r.awaitDelayed(ctx)
	r.rec.setClosing()
	closeCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	p.Close(closeCtx)
	cancel()
	c.Close() // waits for the connections' handlers, whose exchanges the result needs
	batches, err := c.Batches(Topic, 0)
	if err != nil {
		return &Result{Settings: s, Err: err}
	}
	return r.result(batches)
}

// config is the producer's configuration: the settings', bootstrapped from broker 0 through the
// in-memory dialer, logging to the timeline.
func (r *run) config() producer.Config {
	cfg := r.s.config()
	cfg.BootstrapServers = r.cluster.Addrs()[:1]
	cfg.Dialer = (&pipeDialer{cluster: r.cluster, rec: r.rec}).dial
	cfg.Logger = slog.New(logHandler{r.rec})
	return cfg
}

// armFault declares the settings' fault to the cluster and notes it on the timeline.
func (r *run) armFault() {
	info := r.s.Fault.Info()
	if f, ok := r.s.Fault.declared(r.s); ok {
		r.cluster.Inject(f)
		times := "the first produce request"
		if f.Times > 1 {
			times = fmt.Sprintf("the first %d produce requests", f.Times)
		}
		r.rec.note(KindFault, -1, ToneWarn, "Fault armed for %s to %s: %s %s", times, Topic, info.Label, "("+info.Broker+").")
	}
	if r.s.Fault == FaultMoveLeader {
		r.rec.note(KindFault, -1, ToneWarn, "Fault armed: %s, once the producer has read the metadata.", info.Label)
	}
}

// send sends every record and waits until each callback ran, or delivery.timeout.ms and a
// request.timeout.ms more have passed, or ctx ended.
func (r *run) send(ctx context.Context, p *producer.Producer) {
	ctx, cancel := context.WithTimeout(ctx, r.s.DeliveryTimeout+r.s.RequestTimeout+time.Second)
	defer cancel()
	r.rec.note(KindApplication, -1, ToneNone, "The application sends %d %s to %s.", len(r.s.Records), plural(len(r.s.Records), "record"), Topic)
	for i := range r.s.Records {
		w := &r.s.Records[i]
		rec := &producer.Record{Topic: Topic, Key: w.Key, Value: w.Value, Headers: w.Headers, Timestamp: time.UnixMilli(w.Timestamp)}
		if err := p.Send(ctx, rec, r.callback(i)); err != nil {
			r.rec.callback(Callback{Index: i, At: r.rec.since(time.Now()), Offset: -1, Err: "not sent: " + err.Error()})
		}
	}
	if err := p.Flush(ctx); err != nil {
		r.rec.note(KindProducer, -1, ToneBad, "The simulation stopped waiting for the callbacks: %v", err)
	}
}

// awaitDelayed waits, under FaultDelay, until the broker has sent the answers it held back (to a
// producer that gave up on them), so that the timeline shows them; at most until ctx ends.
func (r *run) awaitDelayed(ctx context.Context) {
	f, ok := r.s.Fault.declared(r.s)
	if !ok || f.Action != mockbroker.DelayResponse {
		return
	}
	var until time.Time
	for _, sent := range r.rec.producesSent(f.Times) {
		if due := sent.Add(f.Delay + 20*time.Millisecond); due.After(until) {
			until = due
		}
	}
	select {
	case <-time.After(time.Until(until)):
	case <-ctx.Done():
	}
}

// callback is record i's callback: it keeps the outcome.
func (r *run) callback(i int) func(producer.Metadata, error) {
	return func(md producer.Metadata, err error) {
		c := Callback{Index: i, At: r.rec.since(time.Now()), Partition: md.Partition, Offset: md.Offset}
		if err != nil {
			c.Err = r.rec.names.Replace(err.Error())
		}
		r.rec.callback(c)
	}
}

// onExchange keeps every exchange, and moves the leader after the first Metadata answer that
// names the topic when the fault says so.
func (r *run) onExchange(e mockbroker.Exchange) {
	r.rec.exchange(e)
	if r.s.Fault != FaultMoveLeader || e.Header.APIKey != protocol.KeyMetadata || !namesTopic(e.Response) || !r.moved.CompareAndSwap(false, true) {
		return
	}
	if err := r.cluster.MoveLeader(Topic, 0, 1); err != nil {
		r.rec.note(KindFault, -1, ToneBad, "Moving the leader failed: %v", err)
		return
	}
	r.rec.note(KindFault, 1, ToneWarn, "The leader of %s/0 moves from broker 0 to broker 1 (leader epoch 1), after broker 0 told the producer it leads.", Topic)
}

// namesTopic reports whether a Metadata response describes the simulation's topic.
func namesTopic(m protocol.Message) bool {
	resp, ok := m.(*protocol.MetadataResponse)
	if !ok {
		return false
	}
	for _, t := range resp.Topics {
		if t.Name != nil && *t.Name == Topic && len(t.Partitions) > 0 {
			return true
		}
	}
	return false
}

// plural is word, made plural unless n is 1.
func plural(n int, word string) string {
	switch {
	case n == 1:
		return word
	case strings.HasSuffix(word, "ch"), strings.HasSuffix(word, "s"):
		return word + "es"
	}
	return word + "s"
}
