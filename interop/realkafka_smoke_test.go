package interop

import (
	"context"
	"fmt"
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

// TestRealKafkaJavaClient runs the Java programs the other tests use: Produce writes keyed records
// with headers and some null values, Consume reads them back as they were written.
func TestRealKafkaJavaClient(t *testing.T) {
	k := sharedKafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const topic, n = "realkafka-java-client", 1000
	acks, err := javaProduce(ctx, t, k.Bootstrap, topic, n, "--keys", "7", "--headers", "true", "--null-values", "10", "--value-size", "20")
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != n {
		t.Fatalf("%d acknowledgements for %d records", len(acks), n)
	}
	records, err := javaConsume(ctx, t, k.Bootstrap, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != n {
		t.Fatalf("read %d records, want %d", len(records), n)
	}
	for i, r := range records {
		a := acks[i]
		if a.Err != "" || r.Partition != a.Partition || r.Offset != a.Offset {
			t.Fatalf("record %d read at %d/%d, acknowledged as %+v", i, r.Partition, r.Offset, a)
		}
		wantValue := fmt.Sprintf("%010dxxxxxxxxxx", i)
		if i%10 == 9 {
			if r.Value != nil {
				t.Fatalf("record %d: value %q, want null", i, r.Value)
			}
		} else if string(r.Value) != wantValue {
			t.Fatalf("record %d: value %q, want %q", i, r.Value, wantValue)
		}
		if string(r.Key) != fmt.Sprintf("key-%d", i%7) || r.KeyPartition == nil || *r.KeyPartition != 0 {
			t.Fatalf("record %d: key %q (partition %v)", i, r.Key, r.KeyPartition)
		}
		if len(r.Headers) != 2 || string(r.Headers[0].Value) != fmt.Sprint(i) || r.Headers[1].Key != "null" || r.Headers[1].Value != nil {
			t.Fatalf("record %d: headers %+v", i, r.Headers)
		}
	}
}
