package mockbroker

import (
	"runtime"
	"testing"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// parkFetches fills partition t/0 with 256 KiB of batches and sends, each on a connection of its
// own that the broker has already served once, n fetches of the whole log waiting for minExtra
// bytes more than it holds. It returns the connections, the requests' correlation ids and the
// log's size.
func parkFetches(t testing.TB, c *Cluster, n, minExtra int) (clients []*testClient, corrs []int32, logSize int) {
	t.Helper()
	tc := dialTest(t, c.Addrs()[0])
	batch := batchOf(t, -1, 0, 0, wire.CodecNone, string(make([]byte, 16<<10)))
	for range 16 {
		produce(tc, 9, 1, "t", 0, batch)
		logSize += len(batch)
	}
	req := fetchReq("t", 0, 30_000)
	req.MinBytes, req.MaxBytes, req.Topics[0].Partitions[0].PartitionMaxBytes = int32(logSize+minExtra), 50<<20, 50<<20
	for range n {
		client := dialTest(t, c.Addrs()[0])
		client.roundTrip(3, &protocol.ApiVersionsRequest{}, &protocol.ApiVersionsResponse{}) // the broker has set the connection up
		clients, corrs = append(clients, client), append(corrs, client.send(12, req))
	}
	return clients, corrs, logSize
}

// heapPer is the heap bytes the process allocates per call of f, over n calls: every goroutine's,
// the woken fetches' too.
func heapPer(n int, f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(n)
}

// TestParkedFetchesShareTheLog: every produce wakes the fetches waiting for data, and each looks
// at the log again; fifty of them must not each copy the log at every produce, which would cost
// 50 copies of 256 KiB per ten-byte produce. A produce that brings their min_bytes answers them
// all.
func TestParkedFetchesShareTheLog(t *testing.T) {
	const waiters, produces, big = 50, 20, 8 << 10
	c := NewTestCluster(t, CaptureLimit(0), Topic("t", 1))
	clients, corrs, logSize := parkFetches(t, c, waiters, big)
	tc := dialTest(t, c.Addrs()[0])
	small := batchOf(t, -1, 0, 0, wire.CodecNone, "ten bytes!")
	if per := heapPer(produces, func() { produce(tc, 9, 1, "t", 0, small) }); per > uint64(logSize/8) {
		t.Errorf("%d bytes allocated per produce with %d fetches waiting on a log of %d bytes; want under %d", per, waiters, logSize, logSize/8)
	}
	produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, string(make([]byte, big))))
	for i, client := range clients {
		var resp protocol.FetchResponse
		client.receive(corrs[i], 12, &resp)
		if p := resp.Responses[0].Partitions[0]; p.ErrorCode != 0 || len(p.Records) < logSize+big || p.HighWatermark != 16+produces+1 {
			t.Fatalf("fetch %d: error %d, %d bytes up to offset %d; want %d bytes up to %d", i, p.ErrorCode, len(p.Records), p.HighWatermark, logSize+big, 16+produces+1)
		}
	}
}

// BenchmarkParkedFetches measures a ten-byte produce while 50 fetches wait for more than the
// 256 KiB log holds: what the woken fetches allocate counts in the produce's.
func BenchmarkParkedFetches(b *testing.B) {
	c := NewTestCluster(b, CaptureLimit(0), Topic("t", 1))
	parkFetches(b, c, 50, 40<<20)
	tc := dialTest(b, c.Addrs()[0])
	small := batchOf(b, -1, 0, 0, wire.CodecNone, "ten bytes!")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		produce(tc, 9, 1, "t", 0, small)
	}
}
