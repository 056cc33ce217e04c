package producer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/kerr"
)

// TestSplitOnMessageTooLarge: batches larger than the broker's message.max.bytes are split until
// they fit, and every record lands once, in order, with its own offset.
func TestSplitOnMessageTooLarge(t *testing.T) {
	for _, idem := range []Toggle{On, Off} {
		t.Run(map[Toggle]string{On: "idempotent", Off: "plain"}[idem], func(t *testing.T) {
			c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1), mockbroker.MessageMaxBytes(300))
			cfg := testConfig(c)
			cfg.Idempotence = idem
			if idem == Off {
				cfg.MaxInFlight = 1 // without idempotence, retries reorder batches in flight
			}
			cfg.BatchSize = 4096
			cfg.Linger = 50 * time.Millisecond // batches fill up
			p := newTestProducer(t, cfg)
			mds := sendNumbered(t, p, "t", 2000, nil)
			checkExactlyOnceInOrder(t, c, "t", 1, 2000)
			for i, md := range mds {
				if md.Offset != int64(i) {
					t.Fatalf("record %d: offset %d", i, md.Offset)
				}
			}
			flushWithin(t, p, 10*time.Second) // the last batch's memory comes back after its callbacks
			if s := p.Stats(); s.Splits == 0 || s.Delivered != 2000 || s.BufferBytes != 0 {
				t.Fatalf("stats: %+v", s)
			}
		})
	}
}

// TestSingleRecordTooLarge: a record that alone exceeds message.max.bytes fails with
// MESSAGE_TOO_LARGE, at once, without retries.
func TestSingleRecordTooLarge(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1), mockbroker.MessageMaxBytes(100))
	p := newTestProducer(t, testConfig(c))
	_, err := p.SendSync(context.Background(), &Record{Topic: "t", Value: make([]byte, 200)})
	if !errors.Is(err, kerr.MessageTooLarge) {
		t.Fatalf("got %v, want MESSAGE_TOO_LARGE", err)
	}
	if s := p.Stats(); s.Retries != 0 || s.Failed != 1 {
		t.Fatalf("stats: %+v", s)
	}
}
