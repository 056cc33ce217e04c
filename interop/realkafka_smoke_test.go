package interop

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/producer"
)

// TestRealKafkaStarts is the smallest check of the real-Kafka harness: the shared broker starts,
// says where it listens, and takes a record from kwire's producer at offset 0 of a new topic.
func TestRealKafkaStarts(t *testing.T) {
	k := sharedKafka(t)
	if k.Bootstrap == "" || k.SASLSSL == "" || k.CAFile == "" || k.Password == "" || k.Nodes() != 1 {
		t.Fatalf("cluster.env lacks something: %+v", k.env)
	}
	cfg := producer.DefaultConfig()
	cfg.BootstrapServers = strings.Split(k.Bootstrap, ",")
	p, err := producer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	defer p.Close(ctx)
	md, err := p.SendSync(ctx, &producer.Record{Topic: "realkafka-starts", Value: []byte("hello, Kafka")})
	if err != nil {
		t.Fatal(err)
	}
	if md.Partition != 0 || md.Offset != 0 {
		t.Errorf("landed at %d/%d, want 0/0 in a new topic", md.Partition, md.Offset)
	}
}
