package producer

import (
	"log/slog"
	"strings"
	"testing"

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
