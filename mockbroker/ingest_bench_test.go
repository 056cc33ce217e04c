package mockbroker

import (
	"fmt"
	"testing"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// BenchmarkIngest measures how fast the broker takes produce requests (acks=1, v9) of batches of
// 100-byte records from one connection with five requests in flight, as a producer sends them:
// the mock broker should never be what limits a producer benchmark. Each op is one request. With
// a MaxLogBytes, each batch is copied and the oldest deleted.
func BenchmarkIngest(b *testing.B) {
	for _, bench := range []struct {
		perBatch int
		maxLog   int64
	}{{100, 0}, {1000, 0}, {100, 64 << 20}, {1000, 64 << 20}} {
		perBatch := bench.perBatch
		b.Run(fmt.Sprintf("records=%d/MaxLogBytes=%dMiB", perBatch, bench.maxLog>>20), func(b *testing.B) {
			c := NewTestCluster(b, CaptureLimit(0), Topic("t", 1), MaxLogBytes(bench.maxLog))
			tc := dialTest(b, c.Addrs()[0])
			req := ingestRequest(b, perBatch)
			const version, inflight = 9, 5
			id := "bench"
			frame := protocol.AppendRequest(nil, &protocol.RequestHeader{APIKey: protocol.KeyProduce, APIVersion: version, ClientID: &id}, req)
			b.SetBytes(int64(len(frame)))
			b.ReportAllocs()
			b.ResetTimer()
			werr := make(chan error, 1)
			slots := make(chan struct{}, inflight)
			go func() {
				for range b.N {
					slots <- struct{}{}
					if _, err := tc.conn.Write(frame); err != nil {
						werr <- err
						return
					}
				}
				werr <- nil
			}()
			var resp protocol.ProduceResponse
			for range b.N {
				tc.receive(0, version, &resp)
				if code := resp.Responses[0].PartitionResponses[0].ErrorCode; code != 0 {
					b.Fatalf("error code %d", code)
				}
				<-slots
			}
			if err := <-werr; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N*perBatch)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// ingestRequest is a produce request with one uncompressed batch of n 100-byte records.
func ingestRequest(b *testing.B, n int) *protocol.ProduceRequest {
	batch := wire.RecordBatch{BatchHeader: wire.BatchHeader{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}}
	for range n {
		batch.Records = append(batch.Records, wire.Record{Timestamp: 1700000000000, Value: make([]byte, 100)})
	}
	records, err := wire.AppendRecordBatch(nil, &batch, 0)
	if err != nil {
		b.Fatal(err)
	}
	return &protocol.ProduceRequest{Acks: 1, TimeoutMs: 30000, TopicData: []protocol.ProduceTopic{
		{Name: "t", PartitionData: []protocol.ProducePartition{{Index: 0, Records: records}}},
	}}
}
