package producer

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
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

// TestSplitHalvesTakeNoRecords: the halves of a batch split after MESSAGE_TOO_LARGE are sealed,
// like the batch they come from: a record sent while the first half is in flight (and the second
// waits for it, as the partition's first batches go one at a time) goes into a new batch, and
// every record is stored once, in order.
func TestSplitHalvesTakeNoRecords(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1), mockbroker.MessageMaxBytes(300))
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Action: mockbroker.DelayResponse, Delay: 300 * time.Millisecond, Times: 1 << 30})
	p := newTestProducer(t, testConfig(c))
	o := newOutcomes(3)
	send := func(i int) {
		v := append([]byte(strconv.Itoa(i)+" "), make([]byte, 150)...) // two records do not fit in 300 bytes
		if err := p.Send(context.Background(), &Record{Topic: "t", Value: v}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
	send(0)
	send(1)
	waitUntil(t, func() bool { return p.Stats().Splits > 0 }, func() string { return "the batch was not split" })
	send(2)
	flushWithin(t, p, 10*time.Second)
	o.requireAllSucceededOnce(t, 3)
	recs, err := c.Records("t", 0)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for _, r := range recs {
		stored = append(stored, strings.Fields(string(r.Value))[0])
	}
	if !slices.Equal(stored, []string{"0", "1", "2"}) {
		t.Fatalf("stored %v, want [0 1 2]", stored)
	}
}
