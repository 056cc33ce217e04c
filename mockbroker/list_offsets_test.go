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
