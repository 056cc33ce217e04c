package mockbroker

import (
	"math"
	"testing"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func TestSequenceRules(t *testing.T) {
	part := &partition{}
	const pid = 1001
	batch := func(e int16, seq int32, n int32) *wire.BatchHeader {
		return &wire.BatchHeader{ProducerID: pid, ProducerEpoch: e, BaseSequence: seq, LastOffsetDelta: n - 1, MaxTimestamp: int64(seq)}
	}
	write := func(h *wire.BatchHeader, off int64) {
		t.Helper()
		if v := checkSequence(part, h); v.code != 0 || v.dup != nil {
			t.Fatalf("batch seq %d: %+v, want a go-ahead", h.BaseSequence, v)
		}
		rememberBatch(part, h, off, h.MaxTimestamp)
	}
	check := func(name string, h *wire.BatchHeader, code int16, dupOffset int64) {
		t.Helper()
		got := checkSequence(part, h)
		if got.code != code || (got.dup == nil) != (dupOffset < 0) || got.dup != nil && (got.dup.baseOffset != dupOffset || got.dup.maxTimestamp != int64(h.BaseSequence)) {
			t.Errorf("%s: %+v, want code %d, duplicate of offset %d", name, got, code, dupOffset)
		}
	}
	check("a producer the partition does not know starts anywhere", batch(0, 5, 1), 0, -1)
	write(batch(0, 0, 3), 0)  // seq 0..2 at offset 0
	write(batch(0, 3, 2), 3)  // seq 3..4 at offset 3
	write(batch(0, 5, 10), 5) // seq 5..14
	check("retry of an earlier batch is a duplicate", batch(0, 3, 2), 0, 3)
	check("gap", batch(0, 16, 1), kerr.OutOfOrderSequenceNumber.Code, -1)
	check("overlap that is no retry", batch(0, 14, 2), kerr.OutOfOrderSequenceNumber.Code, -1)
	check("next in line", batch(0, 15, 1), 0, -1)
	// Only the last five batches are remembered.
	for i, seq := int64(0), int32(15); i < 5; i, seq = i+1, seq+1 {
		write(batch(0, seq, 1), 15+i)
	}
	check("a batch older than the last five", batch(0, 0, 3), kerr.OutOfOrderSequenceNumber.Code, -1)
	// A new epoch (the producer bumps it itself, KIP-360) starts at 0 and fences the old one.
	check("new epoch from 1", batch(1, 1, 1), kerr.OutOfOrderSequenceNumber.Code, -1)
	write(batch(1, 0, 1), 20)
	check("stale epoch", batch(0, 20, 1), kerr.InvalidProducerEpoch.Code, -1)
	check("a retry at the stale epoch", batch(0, 19, 1), kerr.InvalidProducerEpoch.Code, -1)
	// Forgotten sequences (the ForgetSequences fault) keep the epoch: the next batch must be 0.
	forgetSequences(part)
	check("after forgetting, the next batch", batch(1, 1, 1), kerr.OutOfOrderSequenceNumber.Code, -1)
	check("after forgetting, sequence 0", batch(1, 0, 1), 0, -1)
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

// InitProducerId gives an idempotent producer a new id at epoch 0, whatever id and epoch it sends,
// as Kafka does; an id without an epoch, or an epoch without an id, is INVALID_REQUEST.
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
	again := init(4, &protocol.InitProducerIDRequest{ProducerID: first.ProducerID, ProducerEpoch: 0})
	if again.ErrorCode != 0 || again.ProducerID == first.ProducerID || again.ProducerID == second.ProducerID || again.ProducerEpoch != 0 {
		t.Fatalf("with the id and epoch held: %+v, want a new id at epoch 0", again)
	}
	if half := init(4, &protocol.InitProducerIDRequest{ProducerID: first.ProducerID, ProducerEpoch: -1}); half.ErrorCode != kerr.InvalidRequest.Code || half.ProducerID != -1 {
		t.Fatalf("an id without an epoch: %+v", half)
	}
	txn := "txn"
	if r := init(4, &protocol.InitProducerIDRequest{TransactionalID: &txn, ProducerID: -1, ProducerEpoch: -1}); r.ErrorCode != kerr.TransactionalIDAuthorizationFailed.Code || r.ProducerID != -1 {
		t.Fatalf("transactional: %+v", r)
	}
}

// A fault with EpochBump answers only InitProducerId requests that carry a producer id, and is not
// used up by those asking for a new one.
func TestInitProducerIDEpochBumpFault(t *testing.T) {
	c := NewTestCluster(t)
	c.Inject(Fault{API: protocol.KeyInitProducerID, EpochBump: true, Action: RespondWithError, ErrorCode: kerr.UnknownProducerID.Code})
	tc := dialTest(t, c.Addrs()[0])
	init := func(id int64, epoch int16) protocol.InitProducerIDResponse {
		var resp protocol.InitProducerIDResponse
		tc.roundTrip(4, &protocol.InitProducerIDRequest{ProducerID: id, ProducerEpoch: epoch}, &resp)
		return resp
	}
	first := init(-1, -1)
	bump := init(first.ProducerID, first.ProducerEpoch)
	again := init(first.ProducerID, first.ProducerEpoch)
	if first.ErrorCode != 0 || bump.ErrorCode != kerr.UnknownProducerID.Code || again.ErrorCode != 0 {
		t.Fatalf("new id %+v, bump %+v, bump again %+v; want the fault to answer the first bump only", first, bump, again)
	}
}

// A retry of an idempotent batch is answered as Kafka answers it: with the original batch's base
// offset and largest timestamp (the broker's append time on a log-append-time topic), where a
// first write answers log-append time -1 on a create-time topic.
func TestProduceRetryAnswersTheOriginal(t *testing.T) {
	c := NewTestCluster(t, Topic("create", 1), LogAppendTimeTopic("append", 1))
	tc := dialTest(t, c.Addrs()[0])
	for _, topic := range []string{"create", "append"} {
		batch := batchOf(t, 7, 0, 0, wire.CodecNone, "a", "b")
		first := produce(tc, 9, -1, topic, 0, batch)
		retry := produce(tc, 9, -1, topic, 0, batch)
		want := first.LogAppendTimeMs
		if topic == "create" {
			want = 1000 // batchOf's timestamps
			if first.LogAppendTimeMs != -1 {
				t.Errorf("%s: first write answers log-append time %d, want -1", topic, first.LogAppendTimeMs)
			}
		}
		if first.ErrorCode != 0 || retry.ErrorCode != 0 || retry.BaseOffset != first.BaseOffset || retry.LogAppendTimeMs != want || retry.LogStartOffset != 0 {
			t.Errorf("%s: first %+v, retry %+v; want the retry at offset %d, time %d", topic, first, retry, first.BaseOffset, want)
		}
	}
}
