package interop

import (
	"context"
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The clients_*_test.go files run real, unmodified Kafka clients against kwire's mock broker
// (mockbroker), started in this process: kcat (librdkafka) as a separate program, franz-go's kgo
// and IBM's sarama as libraries. Nothing on the client side is mocked or hijacked; what a client
// produces is checked both as the broker stored it (Cluster.Batches and Cluster.Records, decoded
// by kwire) and as the same or another client consumes it back. This file holds what they share.

// clientTimeout bounds each client run: one producer or consumer, or one kcat process.
const clientTimeout = 30 * time.Second

// newMockCluster starts a mock cluster for t, closed when t ends, whose log (connections it closed
// and why, refused produces) goes to the test's output.
func newMockCluster(t *testing.T, opts ...mockbroker.Option) *mockbroker.Cluster {
	t.Helper()
	logger := log.New(testLogWriter{t}, "mockbroker: ", 0)
	return mockbroker.NewTestCluster(t, append([]mockbroker.Option{mockbroker.Logger(logger)}, opts...)...)
}

// testLogWriter writes each log line to a test's log. The cluster logs only from its connection
// goroutines, which Cluster.Close waits for, so no line arrives after the test has ended.
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// clientContext is a context bounded by clientTimeout, cancelled when t ends.
func clientContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	t.Cleanup(cancel)
	return ctx
}

// partitionCount is how many partitions topic has on cl (0 if it does not exist).
func partitionCount(cl *mockbroker.Cluster, topic string) int32 {
	var n int32
	for {
		if _, err := cl.Batches(topic, n); err != nil {
			return n
		}
		n++
	}
}

// storedHeaders reads the header of every batch the broker stored for topic/p, oldest first.
func storedHeaders(t *testing.T, cl *mockbroker.Cluster, topic string, p int32) []wire.BatchHeader {
	t.Helper()
	batches, err := cl.Batches(topic, p)
	if err != nil {
		t.Fatalf("Batches(%s, %d): %v", topic, p, err)
	}
	hs := make([]wire.BatchHeader, len(batches))
	for i, raw := range batches {
		if hs[i], err = wire.ReadBatchHeader(raw); err != nil {
			t.Fatalf("%s/%d: stored batch %d: %v\n%s", topic, p, i, err, dumpBatch(raw))
		}
	}
	return hs
}

// storedBatches reads topic/p's stored batches as the broker serves them, failing t if there are
// none.
func storedBatches(t *testing.T, cl *mockbroker.Cluster, topic string, p int32) [][]byte {
	t.Helper()
	batches, err := cl.Batches(topic, p)
	if err != nil {
		t.Fatalf("Batches(%s, %d): %v", topic, p, err)
	}
	if len(batches) == 0 {
		t.Fatalf("the broker stored no batches in %s/%d", topic, p)
	}
	return batches
}

// storedRecords is what Cluster.Records gives for topic/p, as views comparable with
// expectedRecords: absolute timestamps and offsets, null and empty told apart.
func storedRecords(t *testing.T, cl *mockbroker.Cluster, topic string, p int32) []recView {
	t.Helper()
	recs, err := cl.Records(topic, p)
	if err != nil {
		t.Fatalf("Records(%s, %d): %v", topic, p, err)
	}
	views := make([]recView, len(recs))
	for i, r := range recs {
		v := recView{Timestamp: r.Timestamp, Offset: r.Offset, Key: r.Key, Value: r.Value}
		for _, h := range r.Headers {
			v.Headers = append(v.Headers, hdrView{Key: h.Key, Value: h.Value})
		}
		views[i] = v
	}
	return views
}

// producerRun is what one producer wrote to one topic, as the broker stored it: the batches'
// headers, partition by partition.
type producerRun struct {
	topic   string
	headers map[int32][]wire.BatchHeader
}

// storedRun collects the headers of every batch stored in topic's partitions.
func storedRun(t *testing.T, cl *mockbroker.Cluster, topic string) producerRun {
	t.Helper()
	run := producerRun{topic: topic, headers: map[int32][]wire.BatchHeader{}}
	for p := range partitionCount(cl, topic) {
		if hs := storedHeaders(t, cl, topic, p); len(hs) > 0 {
			run.headers[p] = hs
		}
	}
	if len(run.headers) == 0 {
		t.Fatalf("the broker stored no batches for %s", topic)
	}
	return run
}

// checkCodec fails t unless every stored batch of the run carries codec in its attributes.
func (run producerRun) checkCodec(t *testing.T, codec wire.Codec) {
	t.Helper()
	for p, hs := range run.headers {
		for i, h := range hs {
			if h.Attributes.Codec() != codec {
				t.Errorf("%s/%d batch %d (offset %d, %d records): attributes %s, want codec %s", run.topic, p, i, h.BaseOffset, h.NumRecords, h.Attributes, codec)
			}
		}
	}
}

// checkIdempotent fails t unless the run's batches are one idempotent producer's: one producer id
// (>= 0) and epoch (>= 0) throughout, and in each partition base sequences that start at 0 and run
// on by each batch's record count, as Kafka's sequence checks require.
func (run producerRun) checkIdempotent(t *testing.T) (producerID int64) {
	t.Helper()
	producerID, epoch := int64(-2), int16(-2)
	for p, hs := range run.headers {
		var next int32
		for i, h := range hs {
			what := fmt.Sprintf("%s/%d batch %d", run.topic, p, i)
			if producerID == -2 {
				producerID, epoch = h.ProducerID, h.ProducerEpoch
			}
			switch {
			case h.ProducerID < 0 || h.ProducerEpoch < 0:
				t.Errorf("%s: producer id %d epoch %d, want an idempotent producer's (>= 0)", what, h.ProducerID, h.ProducerEpoch)
			case h.ProducerID != producerID || h.ProducerEpoch != epoch:
				t.Errorf("%s: producer id %d epoch %d, other batches %d epoch %d", what, h.ProducerID, h.ProducerEpoch, producerID, epoch)
			}
			if h.BaseSequence != next {
				t.Errorf("%s: base sequence %d, want %d", what, h.BaseSequence, next)
			}
			next = h.BaseSequence + h.NumRecords
		}
	}
	return producerID
}

// checkNotIdempotent fails t unless no stored batch carries a producer id or epoch.
func (run producerRun) checkNotIdempotent(t *testing.T) {
	t.Helper()
	for p, hs := range run.headers {
		for i, h := range hs {
			if h.ProducerID != wire.NoProducerID || h.ProducerEpoch != wire.NoProducerEpoch || h.BaseSequence != wire.NoSequence {
				t.Errorf("%s/%d batch %d: producer id %d epoch %d sequence %d from a plain producer, want -1", run.topic, p, i, h.ProducerID, h.ProducerEpoch, h.BaseSequence)
			}
		}
	}
}

// advertised is the API version ranges the broker sent in its first captured ApiVersions
// response: what a client decided its features from.
func advertised(t *testing.T, cl *mockbroker.Cluster) map[protocol.APIKey]protocol.VersionRange {
	t.Helper()
	for _, e := range cl.Exchanges() {
		if resp, ok := e.Response.(*protocol.ApiVersionsResponse); ok && resp.ErrorCode == 0 {
			out := make(map[protocol.APIKey]protocol.VersionRange, len(resp.APIKeys))
			for _, k := range resp.APIKeys {
				out[k.APIKey] = protocol.VersionRange{Min: k.MinVersion, Max: k.MaxVersion}
			}
			return out
		}
	}
	t.Fatalf("no ApiVersions exchange captured")
	return nil
}
