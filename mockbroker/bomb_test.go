package mockbroker

import (
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// bombBatch builds the batch s describes.
func bombBatch(t testing.TB, s bomb.Spec) []byte {
	t.Helper()
	b, err := bomb.Batch(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A small batch that decodes into millions of records or headers is refused with INVALID_RECORD,
// for a bounded cost: nothing for the 14 KB batch of 19M records, whose count says it all,
// and a few times the 40 MB that 20M headers decompress into (127 MB in buffers that double, more
// under the race detector, which drops pooled decompressors; decoding them took 5 GB).
func TestProduceRefusesBombs(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	for _, tt := range []struct {
		name  string
		spec  bomb.Spec
		bound uint64
	}{
		{"19M records", bomb.Spec{Records: 19_000_000}, 1 << 20},
		{"20M headers", bomb.Spec{Records: 1, Headers: 20_000_000}, 5 * 40e6},
	} {
		batch := bombBatch(t, tt.spec)
		var code int16
		n := bomb.Allocated(func() { code = produce(tc, 9, 1, "t", 0, batch).ErrorCode })
		if code != kerr.InvalidRecord.Code || n > tt.bound {
			t.Errorf("%s in %d bytes: %v, %d bytes allocated; want %v within %d", tt.name, len(batch), kerr.ForCode(code), n, kerr.InvalidRecord, tt.bound)
		}
	}
	if recs, _ := c.Records("t", 0); len(recs) != 0 {
		t.Errorf("%d records stored", len(recs))
	}
}

// A batch of a million records is stored without decoding its records, and a ListOffsets by a
// timestamp inside it finds the record without decoding them all: each costs a few times the
// batch's 10 MB decompressed, where decoding its records takes 100 MB.
func TestLargeBatchBounded(t *testing.T) {
	const bound = 64 << 20
	c := NewTestCluster(t, Topic("t", 1), MessageMaxBytes(4<<20))
	tc := dialTest(t, c.Addrs()[0])
	batch := bombBatch(t, bomb.Spec{Records: 1 << 20, Sequential: true, Timestamps: true})
	var code int16
	if n := bomb.Allocated(func() { code = produce(tc, 9, 1, "t", 0, batch).ErrorCode }); code != 0 || n > bound {
		t.Errorf("produce: %v, %d bytes allocated", kerr.ForCode(code), n)
	}
	const ts = 700_000
	for _, v := range []int16{1, 9} {
		var offset, timestamp int64
		n := bomb.Allocated(func() {
			p := listOffset(tc, v, "t", 0, ts)
			offset, timestamp = p.Offset, p.Timestamp
		})
		if offset != ts || timestamp != ts || n > bound {
			t.Errorf("v%d: offset %d, timestamp %d, %d bytes allocated; want %d within %d", v, offset, timestamp, n, ts, bound)
		}
	}
}

// What one request may decode is bounded across its partitions: of two batches of a million empty
// records (110 MB decoded each), the second is refused.
func TestProduceRequestBudget(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 2))
	batch := bombBatch(t, bomb.Spec{Records: 1 << 20, Sequential: true})
	req := produceReq(1, "t", 0, batch)
	req.TopicData[0].PartitionData = append(req.TopicData[0].PartitionData, protocol.ProducePartition{Index: 1, Records: batch})
	var resp protocol.ProduceResponse
	dialTest(t, c.Addrs()[0]).roundTrip(9, req, &resp)
	prs := resp.Responses[0].PartitionResponses
	if prs[0].ErrorCode != 0 || prs[1].ErrorCode != kerr.InvalidRecord.Code {
		t.Fatalf("%v, then %v; want success, then %v", kerr.ForCode(prs[0].ErrorCode), kerr.ForCode(prs[1].ErrorCode), kerr.InvalidRecord)
	}
}
