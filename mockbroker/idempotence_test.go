package mockbroker

import (
	"math"
	"testing"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func TestSequenceRules(t *testing.T) {
	c := &Cluster{producers: make(map[int64]*producerState)}
	pid, epoch, code := c.initProducer(-1, -1)
	if code != 0 || epoch != 0 {
		t.Fatalf("init: %d %d %d", pid, epoch, code)
	}
	tp := topicPartition{"t", 0}
	batch := func(e int16, seq int32, n int32) *wire.BatchHeader {
		return &wire.BatchHeader{ProducerID: pid, ProducerEpoch: e, BaseSequence: seq, LastOffsetDelta: n - 1}
	}
	write := func(h *wire.BatchHeader, off int64) {
		if v := c.checkSequence(tp, h); v.code != 0 || v.dup {
			t.Fatalf("batch seq %d: %+v, want a go-ahead", h.BaseSequence, v)
		}
		c.rememberBatch(tp, h, off)
	}
	steps := []struct {
		name string
		h    *wire.BatchHeader
		want sequenceCheck
	}{
		{"a first batch may start anywhere, as Kafka takes it", batch(0, 5, 1), sequenceCheck{}},
		{"unknown producer", &wire.BatchHeader{ProducerID: 999, BaseSequence: 0}, sequenceCheck{code: kerr.UnknownProducerID.Code}},
	}
	for _, s := range steps {
		if got := c.checkSequence(tp, s.h); got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
	}
	write(batch(0, 0, 3), 0)  // seq 0..2 at offset 0
	write(batch(0, 3, 2), 3)  // seq 3..4 at offset 3
	write(batch(0, 5, 10), 5) // seq 5..14
	for _, s := range []struct {
		name string
		h    *wire.BatchHeader
		want sequenceCheck
	}{
		{"retry of an earlier batch is a duplicate", batch(0, 3, 2), sequenceCheck{dup: true, baseOffset: 3}},
		{"gap", batch(0, 16, 1), sequenceCheck{code: kerr.OutOfOrderSequenceNumber.Code}},
		{"overlap that is no retry", batch(0, 14, 2), sequenceCheck{code: kerr.OutOfOrderSequenceNumber.Code}},
		{"next in line", batch(0, 15, 1), sequenceCheck{}},
	} {
		if got := c.checkSequence(tp, s.h); got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
	}
	// Only the last five batches are remembered.
	for i, seq := int64(0), int32(15); i < 5; i, seq = i+1, seq+1 {
		write(batch(0, seq, 1), 15+i)
	}
	if got := c.checkSequence(tp, batch(0, 0, 3)); got.dup {
		t.Error("a batch older than the last five was taken for a duplicate")
	}
	// Epoch bump by InitProducerId: old epoch fenced, new epoch starts at 0.
	if _, e, code := c.initProducer(pid, 0); e != 1 || code != 0 {
		t.Fatalf("bump: epoch %d code %d", e, code)
	}
	if got := c.checkSequence(tp, batch(0, 20, 1)); got.code != kerr.InvalidProducerEpoch.Code {
		t.Errorf("stale epoch: %+v", got)
	}
	if got := c.checkSequence(tp, batch(1, 5, 1)); got.code != kerr.OutOfOrderSequenceNumber.Code {
		t.Errorf("new epoch from 5 where the old one wrote: %+v, want OUT_OF_ORDER_SEQUENCE_NUMBER", got)
	}
	if got := c.checkSequence(tp, batch(1, 0, 1)); got != (sequenceCheck{}) {
		t.Errorf("new epoch from 0: %+v", got)
	}
	if _, _, code := c.initProducer(pid, 0); code != kerr.InvalidProducerEpoch.Code {
		t.Errorf("bump from a stale epoch: code %d", code)
	}
}

func TestSequenceWraps(t *testing.T) {
	h := &wire.BatchHeader{BaseSequence: math.MaxInt32 - 1, LastOffsetDelta: 2}
	if got := lastSequence(h); got != 0 {
		t.Fatalf("last sequence %d, want 0 after wrapping", got)
	}
	if nextSequence(math.MaxInt32) != 0 {
		t.Fatal("sequence after MaxInt32 must be 0")
	}
}

func TestInitProducerID(t *testing.T) {
	c := NewTestCluster(t)
	tc := dialTest(t, c.Addrs()[0])
	init := func(v int16, req *protocol.InitProducerIDRequest) protocol.InitProducerIDResponse {
		var resp protocol.InitProducerIDResponse
		tc.roundTrip(v, req, &resp)
		return resp
	}
	first := init(0, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000})
	second := init(4, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: -1, ProducerEpoch: -1})
	if first.ErrorCode != 0 || second.ErrorCode != 0 || first.ProducerID == second.ProducerID || first.ProducerEpoch != 0 {
		t.Fatalf("two new producers: %+v, %+v", first, second)
	}
	bumped := init(4, &protocol.InitProducerIDRequest{ProducerID: first.ProducerID, ProducerEpoch: 0})
	if bumped.ErrorCode != 0 || bumped.ProducerID != first.ProducerID || bumped.ProducerEpoch != 1 {
		t.Fatalf("epoch bump: %+v", bumped)
	}
	if stale := init(4, &protocol.InitProducerIDRequest{ProducerID: first.ProducerID, ProducerEpoch: 0}); stale.ErrorCode != kerr.InvalidProducerEpoch.Code {
		t.Fatalf("bump from a stale epoch: %v", kerr.ForCode(stale.ErrorCode))
	}
	txn := "txn"
	if r := init(4, &protocol.InitProducerIDRequest{TransactionalID: &txn, ProducerID: -1, ProducerEpoch: -1}); r.ErrorCode != kerr.TransactionalIDAuthorizationFailed.Code || r.ProducerID != -1 {
		t.Fatalf("transactional: %+v", r)
	}
}
