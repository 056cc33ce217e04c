package interop

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/producer"
)

// TestRealKafkaProduceIdempotenceNeedsAcksAll checks kwire against the Java client's rule for
// enable.idempotence with acks 0 and 1. Set to true, all three refuse it: producer.New with a
// ConfigError naming acks, kwire produce with a non-zero exit naming both properties, the Java
// KafkaProducer with a ConfigException. Left unset, both producers turn idempotence off: their
// batches in the log (DumpLogSegments) carry no producer id.
func TestRealKafkaProduceIdempotenceNeedsAcksAll(t *testing.T) {
	k := sharedKafka(t)
	bin := buildKwire(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var topics []string
	prefix := matrixPrefix()
	for _, acks := range []string{"0", "1"} {
		topics = append(topics, prefix+"java-acks"+acks, prefix+"kwire-acks"+acks)
	}
	createKafkaTopics(t, k.Addr(1), 1, topics...)
	waitForLeaders(t, k.Addr(1), 1, topics...)
	for i, acks := range []string{"0", "1"} {
		javaTopic, kwireTopic := topics[2*i], topics[2*i+1]
		cfg := producer.DefaultConfig()
		cfg.BootstrapServers = strings.Split(k.Bootstrap, ",")
		if err := cfg.Set("acks", acks); err != nil {
			t.Fatal(err)
		}
		unset := cfg
		if err := cfg.Set("enable.idempotence", "true"); err != nil {
			t.Fatal(err)
		}
		_, err := producer.New(cfg)
		var ce *producer.ConfigError
		if !errors.As(err, &ce) || ce.Property != "acks" {
			t.Errorf("producer.New with enable.idempotence=true acks=%s: %v, want a ConfigError for acks", acks, err)
		}

		cmd := exec.CommandContext(ctx, bin, "produce", "-t", kwireTopic, "-b", k.Bootstrap, "-X", "enable.idempotence=true", "-X", "acks="+acks)
		cmd.Stdin = strings.NewReader("never sent\n")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "acks") || !strings.Contains(string(out), "enable.idempotence") {
			t.Errorf("kwire produce -X enable.idempotence=true -X acks=%s: %v, output %q; want a failure naming acks and enable.idempotence", acks, err, out)
		}

		_, err = javaProduce(ctx, t, k.Bootstrap, javaTopic, 1, "--property", "enable.idempotence=true", "--property", "acks="+acks)
		if err == nil || !strings.Contains(err.Error(), "ConfigException") {
			t.Errorf("the Java producer with enable.idempotence=true acks=%s: %v, want a ConfigException", acks, err)
		}

		if _, err := javaProduce(ctx, t, k.Bootstrap, javaTopic, 10, "--property", "acks="+acks); err != nil {
			t.Fatal(err)
		}
		p, err := producer.New(unset)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			if err := p.Send(ctx, &producer.Record{Topic: kwireTopic, Value: []byte(strconv.Itoa(i))}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var files []string
	for _, topic := range topics {
		files = append(files, filepath.Join(k.LogDir(1), topic+"-0", "00000000000000000000.log"))
	}
	batches := map[string]int{} // per partition dumped
	var partition string
	err := kafkaJavaLines(ctx, t, "org.apache.kafka.tools.DumpLogSegments", func(line []byte) error {
		if dumped, ok := strings.CutPrefix(string(line), "Dumping "); ok {
			partition = filepath.Base(filepath.Dir(dumped))
			batches[partition] = 0
			return nil
		}
		f := dumpFields(string(line))
		if _, ok := f["baseOffset"]; !ok {
			return nil
		}
		batches[partition]++
		if f["producerId"] != "-1" || f["producerEpoch"] != "-1" || f["baseSequence"] != "-1" {
			t.Errorf("%s: a batch of an acks=0 or 1 producer without enable.idempotence has producer id %s, epoch %s, base sequence %s, want -1: %s", partition, f["producerId"], f["producerEpoch"], f["baseSequence"], line)
		}
		return nil
	}, "--files", strings.Join(files, ","))
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range topics {
		if batches[topic+"-0"] == 0 {
			t.Errorf("DumpLogSegments shows no batch of %s-0: %v", topic, batches)
		}
	}
	t.Logf("batches without a producer id, by partition: %v", batches)
}
