package mockbroker

import (
	"slices"
	"testing"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// timedBatch is a batch of one record per timestamp.
func timedBatch(t *testing.T, timestamps ...int64) []byte {
	t.Helper()
	b := &wire.RecordBatch{BatchHeader: wire.BatchHeader{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}}
	for _, ts := range timestamps {
		b.Records = append(b.Records, wire.Record{Timestamp: ts, Value: []byte("v")})
	}
	data, err := wire.AppendRecordBatch(nil, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func listOffset(tc *testClient, v int16, topic string, partition int32, ts int64) protocol.ListOffsetsPartitionResponse {
	tc.t.Helper()
	var resp protocol.ListOffsetsResponse
	tc.roundTrip(v, &protocol.ListOffsetsRequest{ReplicaID: -1, Topics: []protocol.ListOffsetsTopic{{Name: topic,
		Partitions: []protocol.ListOffsetsPartition{{PartitionIndex: partition, CurrentLeaderEpoch: -1, Timestamp: ts, MaxNumOffsets: 1}}}}}, &resp)
	return resp.Topics[0].Partitions[0]
}

func TestListOffsets(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	produce(tc, 9, 1, "t", 0, timedBatch(t, 100, 300, 200))
	produce(tc, 9, 1, "t", 0, timedBatch(t, 250, 400))
	for _, tt := range []struct {
		ts                 int64
		wantOffset, wantTS int64
	}{
		{latestTimestamp, 5, -1},
		{earliestTimestamp, 0, -1},
		{maxTimestamp, 4, 400},
		{0, 0, 100},
		{150, 1, 300},
		{260, 1, 300},
		{301, 4, 400},
		{401, -1, -1},
	} {
		for _, v := range []int16{1, 7, 9} {
			if tt.ts == maxTimestamp && v < 7 {
				continue
			}
			p := listOffset(tc, v, "t", 0, tt.ts)
			if p.ErrorCode != 0 || p.Offset != tt.wantOffset || p.Timestamp != tt.wantTS {
				t.Errorf("v%d timestamp %d: %+v, want offset %d timestamp %d", v, tt.ts, p, tt.wantOffset, tt.wantTS)
			}
		}
	}
	if p := listOffset(tc, 0, "t", 0, latestTimestamp); !slices.Equal(p.OldStyleOffsets, []int64{5}) {
		t.Errorf("v0 latest: %+v", p)
	}
	if p := listOffset(tc, 9, "t", 1, latestTimestamp); p.ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Errorf("missing partition: %v", kerr.ForCode(p.ErrorCode))
	}
}

// The special timestamps are answered as Kafka 4.4 answers them: each from the version that
// introduced it (UNSUPPORTED_VERSION before, and for timestamps Kafka does not know), nothing for
// the latest tiered offset, and a record found with its batch's leader epoch, nothing found with
// epoch -1; a current leader epoch other than the partition's is refused.
func TestListOffsetsAsKafka(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 2), Versions(Kafka44))
	tc := dialTest(t, c.Addrs()[0])
	produce(tc, 9, 1, "t", 0, timedBatch(t, 100, 300))
	if err := c.MoveLeader("t", 0, 0); err != nil { // epoch 1
		t.Fatal(err)
	}
	produce(tc, 9, 1, "t", 0, timedBatch(t, 500))
	for _, tt := range []struct {
		v                  int16
		partition          int32
		ts                 int64
		wantOffset, wantTS int64
		wantEpoch          int32
		wantCode           *kerr.Error
	}{
		{6, 0, maxTimestamp, -1, -1, -1, kerr.UnsupportedVersion},
		{7, 0, maxTimestamp, 2, 500, 1, nil},
		{7, 1, maxTimestamp, -1, -1, -1, nil},
		{7, 0, earliestLocalTimestamp, -1, -1, -1, kerr.UnsupportedVersion},
		{8, 0, earliestLocalTimestamp, 0, -1, 1, nil},
		{8, 0, latestTieredTimestamp, -1, -1, -1, kerr.UnsupportedVersion},
		{9, 0, latestTieredTimestamp, -1, -1, -1, nil},
		{10, 0, earliestPendingUpload, -1, -1, -1, kerr.UnsupportedVersion},
		{10, 0, -7, -1, -1, -1, kerr.UnsupportedVersion},
		{10, 0, 200, 1, 300, 0, nil},
		{10, 0, 501, -1, -1, -1, nil},
		{10, 1, latestTimestamp, 0, -1, 0, nil},
	} {
		p := listOffset(tc, tt.v, "t", tt.partition, tt.ts)
		want := int16(0)
		if tt.wantCode != nil {
			want = tt.wantCode.Code
		}
		if p.ErrorCode != want || p.Offset != tt.wantOffset || p.Timestamp != tt.wantTS || p.LeaderEpoch != tt.wantEpoch {
			t.Errorf("v%d t/%d timestamp %d: %+v, want %v, offset %d, timestamp %d, epoch %d", tt.v, tt.partition, tt.ts, p,
				tt.wantCode, tt.wantOffset, tt.wantTS, tt.wantEpoch)
		}
	}
	for epoch, want := range map[int32]*kerr.Error{0: kerr.FencedLeaderEpoch, 2: kerr.UnknownLeaderEpoch} {
		var resp protocol.ListOffsetsResponse
		tc.roundTrip(4, &protocol.ListOffsetsRequest{ReplicaID: -1, Topics: []protocol.ListOffsetsTopic{{Name: "t",
			Partitions: []protocol.ListOffsetsPartition{{CurrentLeaderEpoch: epoch, Timestamp: latestTimestamp}}}}}, &resp)
		if p := resp.Topics[0].Partitions[0]; p.ErrorCode != want.Code || p.Offset != -1 || p.LeaderEpoch != -1 {
			t.Errorf("current leader epoch %d: %+v, want %v", epoch, p, want)
		}
	}
}

// A lookup by time reads no records holding the cluster's lock: what the log notes of each batch's
// timestamps answers, or the batch's bytes are handed over to be read once the lock is released.
func TestListOffsetsLookupOutsideLock(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	produce(tc, 9, 1, "t", 0, timedBatch(t, 100, 300, 200))
	produce(tc, 9, 1, "t", 0, timedBatch(t, 250, 400))
	for _, tt := range []struct {
		ts         int64
		read       bool // whether the batch's records must be read
		wantOffset int64
	}{
		{50, false, 0}, {100, false, 0}, {150, true, 1}, {250, true, 1}, {301, true, 4}, {401, false, -1},
	} {
		var pr protocol.ListOffsetsPartitionResponse
		var l *timeLookup
		c.mu.Lock()
		log := &c.partitionAt("t", 0).log
		allocs := testing.AllocsPerRun(10, func() {
			pr = protocol.ListOffsetsPartitionResponse{Offset: -1, Timestamp: -1, LeaderEpoch: -1}
			l = log.lookupTime(tt.ts, &pr)
		})
		c.mu.Unlock()
		if (l != nil) != tt.read || allocs > 1 {
			t.Errorf("timestamp %d: lookup %v with %.0f allocations holding the lock; want one: %v", tt.ts, l, allocs, tt.read)
			continue
		}
		if l != nil {
			l.find()
		}
		if pr.Offset != tt.wantOffset {
			t.Errorf("timestamp %d: offset %d, want %d", tt.ts, pr.Offset, tt.wantOffset)
		}
	}
}
