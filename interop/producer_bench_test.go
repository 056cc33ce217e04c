package interop

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kwire-dev/kwire/interop/internal/kgoprops"
	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/wire"
)

// This file puts kwire's producer and franz-go's side by side, each sending 100-byte records
// fire-and-forget to the same in-process broker (kwire's mock broker, then franz-go's kfake) with
// the same settings, and reports records/s. Run it with
//
//	go test -run '^$' -bench Producers -benchtime 2000000x
//
// Comparing the two brokers under one client also measures how fast each broker ingests.

// benchTopic has four partitions on every broker the benchmarks start.
const benchTopic = "bench"

// producerSetting is one configuration both clients run with.
type producerSetting struct {
	name       string
	idempotent bool // acks=all with idempotence; otherwise acks=1 without
	codec      wire.Codec
}

var producerSettings = []producerSetting{
	{"acks=1/none", false, wire.CodecNone},
	{"acks=all-idempotent/none", true, wire.CodecNone},
	{"acks=1/lz4", false, wire.CodecLZ4},
	{"acks=all-idempotent/lz4", true, wire.CodecLZ4},
}

// The batch limits both clients use: Kafka's batch.size would hold back franz-go, whose
// default is 1 MB, so both get the same larger batches and linger.
const (
	benchBatchBytes = 256 << 10
	benchLinger     = 5 * time.Millisecond
	benchValueSize  = 100
)

// benchBroker starts a broker with the bench topic and returns its addresses.
type benchBroker struct {
	name  string
	start func(b *testing.B) []string
}

var benchBrokers = []benchBroker{
	{"mockbroker", func(b *testing.B) []string {
		c := mockbroker.NewTestCluster(b, mockbroker.CaptureLimit(0), mockbroker.Topic(benchTopic, 4))
		return c.Addrs()
	}},
	{"kfake", func(b *testing.B) []string {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, benchTopic))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(c.Close)
		return c.ListenAddrs()
	}},
}

func BenchmarkProducers(b *testing.B) {
	for _, broker := range benchBrokers {
		for _, s := range producerSettings {
			b.Run(fmt.Sprintf("%s/%s/kwire", broker.name, s.name), func(b *testing.B) { benchKwire(b, broker.start(b), s) })
			b.Run(fmt.Sprintf("%s/%s/franz-go", broker.name, s.name), func(b *testing.B) { benchFranz(b, broker.start(b), s) })
		}
	}
}

// benchKwire sends b.N records with kwire's producer.
func benchKwire(b *testing.B, addrs []string, s producerSetting) {
	cfg := producer.DefaultConfig()
	cfg.BootstrapServers = addrs
	cfg.Compression = s.codec
	cfg.BatchSize, cfg.Linger = benchBatchBytes, benchLinger
	cfg.Acks, cfg.Idempotence = producer.AcksLeader, producer.Off
	if s.idempotent {
		cfg.Acks, cfg.Idempotence = producer.AcksAll, producer.On
	}
	p, err := producer.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close(context.Background())
	ctx := context.Background()
	rec := producer.Record{Topic: benchTopic, Value: make([]byte, benchValueSize)}
	if _, err := p.SendSync(ctx, &rec); err != nil {
		b.Fatal(err)
	}
	startClock(b)
	for range b.N {
		if err := p.Send(ctx, &rec, nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	stopClock(b)
	if st := p.Stats(); st.Failed != 0 {
		b.Fatalf("%d records failed", st.Failed)
	}
}

// benchFranz sends b.N records with franz-go's kgo client.
func benchFranz(b *testing.B, addrs []string, s producerSetting) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(benchTopic),
		kgo.ProducerBatchMaxBytes(benchBatchBytes), kgo.ProducerLinger(benchLinger),
		kgo.ProducerBatchCompression(kgoprops.Codec(s.codec)), kgo.RequiredAcks(kgo.AllISRAcks()),
	}
	if !s.idempotent {
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	value := make([]byte, benchValueSize)
	if err := cl.ProduceSync(ctx, &kgo.Record{Value: value}).FirstErr(); err != nil {
		b.Fatal(err)
	}
	failed := make(chan error, 1)
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			select {
			case failed <- err:
			default:
			}
		}
	}
	startClock(b)
	for range b.N {
		cl.Produce(ctx, &kgo.Record{Value: value}, promise)
	}
	if err := cl.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	stopClock(b)
	select {
	case err := <-failed:
		b.Fatal(err)
	default:
	}
}

// startClock starts a benchmark's clock and its allocation count.
func startClock(b *testing.B) {
	b.SetBytes(benchValueSize)
	b.ReportAllocs()
	b.ResetTimer()
}

// stopClock stops the clock and reports records/s.
func stopClock(b *testing.B) {
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
