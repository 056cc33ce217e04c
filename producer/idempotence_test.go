package producer

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// How the idempotent producer gets through InitProducerId answers: what retrying cannot change
// makes it ask for a new producer id, or fail the records that wait for one; what it can is
// retried with a growing backoff.

// TestRefusedEpochBumpGetsNewProducerID: a broker that refuses to bump the producer's epoch,
// forever, with an error retrying cannot change (as a restarted broker that does not know the
// producer id may) makes the producer ask at once for a new producer id, once, and log it once.
// Under the new id the sequences restart as after a bump: every record is stored once, in
// order, and the batch the broker had written while its answer was lost is not sent again.
func TestRefusedEpochBumpGetsNewProducerID(t *testing.T) {
	for _, refusal := range []*kerr.Error{kerr.UnknownProducerID, kerr.InvalidProducerEpoch, kerr.ProducerFenced, kerr.InvalidProducerIDMapping} {
		t.Run(refusal.Name, func(t *testing.T) {
			c := forgetAfterTimedOutBatch(t)
			c.Inject(mockbroker.Fault{API: protocol.KeyInitProducerID, EpochBump: true, Action: mockbroker.RespondWithError,
				ErrorCode: refusal.Code, Times: 1 << 30})
			cfg := oneBatchEachConfig(c)
			logs := new(syncBuffer)
			cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
			p := newTestProducer(t, cfg)
			const n = 6
			o := newOutcomes(n + 2)
			sendPastForgottenBatch(t, c, p, o, n)
			o.requireAllSucceededOnce(t, n+2)
			checkExactlyOnceInOrder(t, c, "t", 1, n+2)
			if md, _, _ := o.result(1); md.Offset != -1 {
				t.Errorf("record 1: offset %d, want -1: it was written before the bump and not sent again", md.Offset)
			}
			var bumps, fresh int
			for _, e := range c.Exchanges() {
				if req, ok := e.Request.(*protocol.InitProducerIDRequest); ok && req.ProducerID >= 0 {
					bumps++
				} else if ok {
					fresh++
				}
			}
			if bumps != 1 || fresh != 2 {
				t.Errorf("%d epoch bumps and %d requests for a new id; want the one refused bump, then a new id", bumps, fresh)
			}
			hs := batchHeaders(t, c, "t", 0)
			first, last := hs[0], hs[len(hs)-1]
			if last.ProducerID == first.ProducerID || last.ProducerEpoch != 0 {
				t.Errorf("the last batch went as producer %d, epoch %d; want a new id (not %d) at epoch 0", last.ProducerID, last.ProducerEpoch, first.ProducerID)
			}
			if got := strings.Count(logs.String(), refusal.Name); got != 1 {
				t.Errorf("warnings name %s %d times, want once:\n%s", refusal.Name, got, logs)
			}
		})
	}
}

// batchHeaders decodes the batches stored in a partition.
func batchHeaders(t *testing.T, c *mockbroker.Cluster, topic string, partition int32) []wire.RecordBatch {
	t.Helper()
	batches, err := c.Batches(topic, partition)
	if err != nil || len(batches) == 0 {
		t.Fatalf("%s/%d: %d batches, %v", topic, partition, len(batches), err)
	}
	hs := make([]wire.RecordBatch, len(batches))
	for i, b := range batches {
		if _, err := hs[i].Decode(b); err != nil {
			t.Fatal(err)
		}
	}
	return hs
}

// TestRefusedProducerIDFailsRecords: a broker that refuses the producer an id with an error
// retrying cannot change fails the records waiting for one soon, long before
// delivery.timeout.ms, with an error naming InitProducerId and the broker's; records sent later
// fail the same way at the next refusal, and are delivered once the broker gives an id again.
// Close returns at once.
func TestRefusedProducerIDFailsRecords(t *testing.T) {
	for _, code := range []int16{kerr.ClusterAuthorizationFailed.Code, kerr.UnsupportedVersion.Code, kerr.TransactionalIDAuthorizationFailed.Code, 999} {
		t.Run(kerr.ForCode(code).(*kerr.Error).Name, func(t *testing.T) {
			c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 2))
			c.Inject(mockbroker.Fault{API: protocol.KeyInitProducerID, Action: mockbroker.RespondWithError, ErrorCode: code, Times: 1 << 30})
			p := newTestProducer(t, testConfig(c))
			t.Cleanup(func() { closeSoon(p) })
			const n = 30
			o := newOutcomes(n)
			for first := 0; first < n; first += 10 {
				if first == 20 {
					c.ClearFaults()
				}
				for i := first; i < first+10; i++ {
					if err := p.Send(context.Background(), &Record{Topic: "t", Value: []byte(strconv.Itoa(i))}, o.cb(i)); err != nil {
						t.Fatal(err)
					}
				}
				if !o.wait(int64(first+10), 5*time.Second) {
					t.Fatalf("%d of %d callbacks within 5s (delivery.timeout.ms %v); stats %+v", o.total.Load(), first+10, p.cfg.DeliveryTimeout, p.Stats())
				}
			}
			for i := range n {
				_, err, _ := o.result(i)
				var ke *kerr.Error
				switch {
				case o.calls[i].Load() != 1:
					t.Fatalf("record %d: %d callbacks", i, o.calls[i].Load())
				case i >= 20 && err != nil:
					t.Fatalf("record %d, sent once the broker gave ids again: %v", i, err)
				case i < 20 && (!errors.As(err, &ke) || ke.Code != code || !strings.Contains(err.Error(), "InitProducerId")):
					t.Fatalf("record %d: %v; want an error naming InitProducerId around code %d", i, err, code)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := p.Close(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRetriableProducerIDErrors: InitProducerId answered a few times with an error retrying may
// change, or dropped with the connection, is retried after retry.backoff.ms doubling towards
// retry.backoff.max.ms, as the Java client backs off, and the records then go.
func TestRetriableProducerIDErrors(t *testing.T) {
	const failures = 5
	for _, f := range []mockbroker.Fault{
		{Action: mockbroker.RespondWithError, ErrorCode: kerr.CoordinatorNotAvailable.Code},
		{Action: mockbroker.RespondWithError, ErrorCode: kerr.NotCoordinator.Code},
		{Action: mockbroker.RespondWithError, ErrorCode: kerr.ConcurrentTransactions.Code},
		{Action: mockbroker.DropBeforeHandling},
	} {
		name := f.Action.String()
		if f.ErrorCode != 0 {
			name = kerr.ForCode(f.ErrorCode).(*kerr.Error).Name
		}
		t.Run(name, func(t *testing.T) {
			c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 2))
			f.API, f.Times = protocol.KeyInitProducerID, failures
			c.Inject(f)
			cfg := testConfig(c)
			cfg.RetryBackoff, cfg.RetryBackoffMax = 20*time.Millisecond, 200*time.Millisecond
			p := newTestProducer(t, cfg)
			t.Cleanup(func() { closeSoon(p) })
			const n = 20
			o := newOutcomes(n)
			o.sendAll(t, p, n)
			flushWithin(t, p, 10*time.Second)
			o.requireAllSucceededOnce(t, n)
			var at []time.Time
			for _, e := range c.Exchanges() {
				if e.Header.APIKey == protocol.KeyInitProducerID {
					at = append(at, e.At)
				}
			}
			if len(at) != failures+1 {
				t.Fatalf("%d InitProducerId requests, want %d", len(at), failures+1)
			}
			// Backoffs of 20, 40, 80, 160 and 200 ms, each give or take 20%: 400 ms at least, where
			// a flat retry.backoff.ms would take 100.
			if took := at[failures].Sub(at[0]); took < 400*time.Millisecond {
				t.Errorf("%d retries took %v; want retry.backoff.ms (%v) doubling to retry.backoff.max.ms (%v)", failures, took, cfg.RetryBackoff, cfg.RetryBackoffMax)
			}
		})
	}
}

// TestProducerIDRetriedPastDeliveryTimeout: records waiting for a producer id the broker keeps
// answering with a retriable error fail at delivery.timeout.ms, as records waiting for a leader
// do, and say what they waited for.
func TestProducerIDRetriedPastDeliveryTimeout(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 2))
	c.Inject(mockbroker.Fault{API: protocol.KeyInitProducerID, Action: mockbroker.RespondWithError, ErrorCode: kerr.CoordinatorNotAvailable.Code, Times: 1 << 30})
	cfg := testConfig(c)
	cfg.RequestTimeout = 300 * time.Millisecond
	cfg.DeliveryTimeout = 600 * time.Millisecond
	p := newTestProducer(t, cfg)
	t.Cleanup(func() { closeSoon(p) })
	const n = 10
	o := newOutcomes(n)
	start := time.Now()
	o.sendAll(t, p, n)
	for i, dte := range o.deliveryTimeouts(t, p, n, start, cfg.DeliveryTimeout, 5*time.Second) {
		if !errors.Is(dte, kerr.CoordinatorNotAvailable) || !strings.Contains(dte.Error(), "InitProducerId") {
			t.Fatalf("record %d: %v; want *DeliveryTimeoutError naming InitProducerId and COORDINATOR_NOT_AVAILABLE", i, dte)
		}
	}
}
