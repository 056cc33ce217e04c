package producer

import (
	"context"
	"testing"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
)

// BenchmarkProduce measures fire-and-forget sends of 100-byte records to an in-process mock
// broker, flushed at the end, as kwire perf does.
func BenchmarkProduce(b *testing.B) {
	for _, bc := range []struct {
		name  string
		acks  Acks
		codec wire.Codec
	}{
		{"acks=1/none", AcksLeader, wire.CodecNone},
		{"acks=all-idempotent/none", AcksAll, wire.CodecNone},
		{"acks=1/lz4", AcksLeader, wire.CodecLZ4},
		{"acks=all-idempotent/lz4", AcksAll, wire.CodecLZ4},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := mockbroker.NewTestCluster(b, mockbroker.CaptureLimit(0), mockbroker.Topic("bench", 4))
			cfg := DefaultConfig()
			cfg.BootstrapServers = c.Addrs()
			cfg.Acks, cfg.Compression = bc.acks, bc.codec
			cfg.BatchSize = 256 << 10
			p, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close(context.Background())
			ctx := context.Background()
			value := make([]byte, 100)
			rec := Record{Topic: "bench", Value: value}
			if _, err := p.SendSync(ctx, &rec); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(100)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := p.Send(ctx, &rec, nil); err != nil {
					b.Fatal(err)
				}
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			if s := p.Stats(); s.Failed != 0 {
				b.Fatalf("%d records failed", s.Failed)
			}
		})
	}
}
