package producer

import (
	"sync"
	"sync/atomic"
	"time"
)

// stats are the producer's counters, updated as it works.
type stats struct {
	records          atomic.Int64 // records accepted by Send
	delivered        atomic.Int64
	failed           atomic.Int64
	batches          atomic.Int64 // batches sent (first attempts)
	batchBytes       atomic.Int64 // their bytes on the wire
	uncompressed     atomic.Int64 // their bytes before compression
	retries          atomic.Int64 // batches sent again
	splits           atomic.Int64 // batches split after MESSAGE_TOO_LARGE
	requests         atomic.Int64
	inflight         atomic.Int64
	latencyTotalNano atomic.Int64 // produce request latencies, summed
	latencyMaxNano   atomic.Int64

	mu     sync.Mutex
	errors map[string]int64 // failed attempts by error name
}

// Stats is a snapshot of a producer's counters.
type Stats struct {
	Records          int64 // accepted by Send
	Delivered        int64 // acknowledged (or sent, with acks=0)
	Failed           int64 // failed for good
	Batches          int64 // sent, counting each batch once
	BatchBytes       int64 // the bytes of those batches on the wire
	AvgBatchSize     float64
	CompressionRatio float64 // uncompressed over compressed bytes of the batches
	Retries          int64   // batches sent again
	Splits           int64   // batches split in two after the broker answered MESSAGE_TOO_LARGE
	Requests         int64   // produce requests completed
	InFlight         int64   // produce requests awaiting an answer
	BufferBytes      int64   // bytes of buffer.memory in use
	AvgLatency       time.Duration
	MaxLatency       time.Duration
	Errors           map[string]int64 // failed attempts by error, e.g. NOT_LEADER_OR_FOLLOWER
}

// noteError counts one failed attempt.
func (s *stats) noteError(name string) {
	s.mu.Lock()
	if s.errors == nil {
		s.errors = map[string]int64{}
	}
	s.errors[name]++
	s.mu.Unlock()
}

// noteLatency counts one completed request.
func (s *stats) noteLatency(d time.Duration) {
	s.requests.Add(1)
	s.latencyTotalNano.Add(int64(d))
	for {
		old := s.latencyMaxNano.Load()
		if int64(d) <= old || s.latencyMaxNano.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

// Stats returns the producer's counters now.
func (p *Producer) Stats() Stats {
	s := &p.stats
	out := Stats{
		Records: s.records.Load(), Delivered: s.delivered.Load(), Failed: s.failed.Load(),
		Batches: s.batches.Load(), BatchBytes: s.batchBytes.Load(), Retries: s.retries.Load(),
		Splits:   s.splits.Load(),
		Requests: s.requests.Load(), InFlight: s.inflight.Load(),
		BufferBytes: p.mem.used(p.cfg.BufferMemory), MaxLatency: time.Duration(s.latencyMaxNano.Load()),
	}
	if out.Batches > 0 {
		out.AvgBatchSize = float64(out.BatchBytes) / float64(out.Batches)
	}
	if out.BatchBytes > 0 {
		out.CompressionRatio = float64(s.uncompressed.Load()) / float64(out.BatchBytes)
	}
	if out.Requests > 0 {
		out.AvgLatency = time.Duration(s.latencyTotalNano.Load() / out.Requests)
	}
	s.mu.Lock()
	out.Errors = make(map[string]int64, len(s.errors))
	for k, v := range s.errors {
		out.Errors[k] = v
	}
	s.mu.Unlock()
	return out
}
