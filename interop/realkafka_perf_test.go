package interop

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file compares three producers at equal settings, each as its own process with the same
// flags and summary line: `kwire perf`, Kafka's own kafka-producer-perf-test
// (org.apache.kafka.tools.ProducerPerformance, the Java producer) and franz-go's (cmd/kgo-perf);
// each into a real Kafka broker and into `kwire broker`. The README's Performance table is its
// output:
//
//	go test -run TestPerformanceTable -count=1 -timeout 60m -v -perf-all -perf-records 2000000 -perf-out table.md
//
// Without -perf-all it runs one setting per broker with -perf-records (default 20,000): a check,
// in CI, that every producer runs and says what it did, not a measurement (CI runs it under -race
// on a busy machine). No figure is asserted.

var (
	perfRecords = flag.Int("perf-records", 20_000, "records each producer sends in TestPerformanceTable")
	perfAll     = flag.Bool("perf-all", false, "run every setting of the README's Performance table")
	perfOut     = flag.String("perf-out", "", "write TestPerformanceTable's Markdown tables to this file")
)

// perfRecordSize and perfPartitions are the README table's: 100-byte records, 3 partitions.
const (
	perfRecordSize = 100
	perfPartitions = 3
)

// perfSetting is one row's producer properties, the same for the three producers.
type perfSetting struct {
	acks, codec, batch, linger string
}

func (s perfSetting) props() []string {
	idempotent := strconv.FormatBool(s.acks == "all")
	return []string{"acks=" + s.acks, "enable.idempotence=" + idempotent, "compression.type=" + s.codec,
		"batch.size=" + s.batch, "linger.ms=" + s.linger}
}

func (s perfSetting) String() string {
	acks := "acks=1"
	if s.acks == "all" {
		acks = "acks=all, idempotent"
	}
	return fmt.Sprintf("%s | %s | %s / %s", acks, s.codec, s.batch, s.linger)
}

func perfSettings() []perfSetting {
	var all []perfSetting
	for _, size := range [][2]string{{"16384", "5"}, {"1048576", "0"}} {
		for _, acks := range []string{"1", "all"} {
			for _, codec := range []string{"none", "lz4"} {
				all = append(all, perfSetting{acks, codec, size[0], size[1]})
			}
		}
	}
	if !*perfAll {
		return []perfSetting{{"all", "lz4", "16384", "5"}}
	}
	return all
}

// perfResult is a producer's summary line, as the three tools print it.
type perfResult struct {
	records              int64
	perSec, mbPerSec     float64
	avgLatency, p99      float64
	line, producer, into string
}

var perfSummary = regexp.MustCompile(`(?m)^(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, (\d+) ms 99th, \d+ ms 99\.9th\.$`)

func parsePerf(out string) (perfResult, error) {
	m := perfSummary.FindStringSubmatch(out)
	if m == nil {
		return perfResult{}, fmt.Errorf("no summary line in Kafka's format in:\n%s", out)
	}
	var r perfResult
	r.line = m[0]
	r.records, _ = strconv.ParseInt(m[1], 10, 64)
	r.perSec, _ = strconv.ParseFloat(m[2], 64)
	r.mbPerSec, _ = strconv.ParseFloat(m[3], 64)
	r.avgLatency, _ = strconv.ParseFloat(m[4], 64)
	r.p99, _ = strconv.ParseFloat(m[5], 64)
	return r, nil
}

// perfProducers are the three tools, each run with the same arguments.
type perfProducer struct {
	name string
	run  func(ctx context.Context, t *testing.T, args []string) (string, error)
}

func perfProducers(t *testing.T) []perfProducer {
	kwire := buildKwire(t)
	kgoPerf := t.TempDir() + "/kgo-perf"
	if out, err := exec.Command("go", "build", "-o", kgoPerf, "./cmd/kgo-perf").CombinedOutput(); err != nil {
		t.Fatalf("go build kgo-perf: %v\n%s", err, out)
	}
	command := func(bin string, args ...string) func(context.Context, *testing.T, []string) (string, error) {
		return func(ctx context.Context, t *testing.T, more []string) (string, error) {
			out, err := exec.CommandContext(ctx, bin, append(args, more...)...).CombinedOutput()
			return string(out), err
		}
	}
	return []perfProducer{
		{"kwire perf", command(kwire, "perf")},
		{"Java ProducerPerformance", func(ctx context.Context, t *testing.T, args []string) (string, error) {
			out, err := kafkaJava(ctx, t, "org.apache.kafka.tools.ProducerPerformance", args...)
			return string(out), err
		}},
		{"franz-go kgo-perf", command(kgoPerf)},
	}
}

// perfBroker starts a broker with topic (perfPartitions partitions) and returns its bootstrap
// address.
type perfBroker struct {
	name  string
	start func(t *testing.T, topic string) string
}

func perfBrokers(t *testing.T) []perfBroker {
	k := startKafka(t, 1)
	kwire := buildKwire(t)
	return []perfBroker{
		{"Apache Kafka 4.4.0", func(t *testing.T, topic string) string {
			createKafkaTopics(t, k.Addr(1), perfPartitions, topic)
			return k.Bootstrap
		}},
		{"kwire broker", func(t *testing.T, topic string) string {
			// A broker of its own for each run: it keeps every record in memory.
			b := startKwireBroker(t, kwire, "--listen", "127.0.0.1:0", "--topic", fmt.Sprintf("%s:%d", topic, perfPartitions))
			return b.addrs[0]
		}},
	}
}

// TestPerformanceTable runs each producer at each setting into each broker and prints the
// tables of records/s.
func TestPerformanceTable(t *testing.T) {
	requireKafka(t)
	t.Setenv("KAFKA_HEAP_OPTS", "-Xmx512M") // as kafka-producer-perf-test.sh runs the Java tool
	producers, brokers, settings := perfProducers(t), perfBrokers(t), perfSettings()
	results := map[string]perfResult{}
	run := 0
	for _, b := range brokers {
		for _, s := range settings {
			for _, p := range producers {
				run++
				topic := fmt.Sprintf("perf-%d", run)
				bootstrap := b.start(t, topic)
				args := append([]string{"--topic", topic, "--num-records", strconv.Itoa(*perfRecords),
					"--record-size", strconv.Itoa(perfRecordSize), "--throughput", "-1",
					"--producer-props", "bootstrap.servers=" + bootstrap}, s.props()...)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				out, err := p.run(ctx, t, args)
				cancel()
				if err != nil {
					t.Fatalf("%s into %s, %s: %v\n%s", p.name, b.name, s, err, out)
				}
				r, err := parsePerf(out)
				if err != nil {
					t.Fatalf("%s into %s, %s: %v", p.name, b.name, s, err)
				}
				if r.records != int64(*perfRecords) {
					t.Fatalf("%s into %s, %s: %d records sent, want %d", p.name, b.name, s, r.records, *perfRecords)
				}
				t.Logf("%s into %s, %s: %s", p.name, b.name, s, r.line)
				results[b.name+"|"+s.String()+"|"+p.name] = r
			}
		}
	}
	table := perfTables(brokers, settings, producers, results)
	t.Logf("%d records of %d bytes, %d partitions, records/s:\n%s", *perfRecords, perfRecordSize, perfPartitions, table)
	if *perfOut != "" {
		if err := os.WriteFile(*perfOut, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// perfTables renders the results: records/s of each producer into each broker, with kwire's
// ratios to the others; then each broker's ingest under franz-go.
func perfTables(brokers []perfBroker, settings []perfSetting, producers []perfProducer, results map[string]perfResult) string {
	var b strings.Builder
	b.WriteString("| broker | acks | codec | batch.size / linger.ms | kwire perf | Java ProducerPerformance | franz-go | kwire ÷ Java | kwire ÷ franz-go |\n")
	b.WriteString("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, br := range brokers {
		for _, s := range settings {
			get := func(p perfProducer) perfResult { return results[br.name+"|"+s.String()+"|"+p.name] }
			kw, java, franz := get(producers[0]), get(producers[1]), get(producers[2])
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %.2f× | %.2f× |\n", br.name, s,
				perfCell(kw), perfCell(java), perfCell(franz), kw.perSec/java.perSec, kw.perSec/franz.perSec)
		}
	}
	b.WriteString("\nBroker ingest, the same producer into each broker (records/s):\n\n")
	b.WriteString("| producer | acks | codec | batch.size / linger.ms | into " + brokers[0].name + " | into " + brokers[1].name + " | ratio |\n")
	b.WriteString("| --- | --- | --- | --- | ---: | ---: | ---: |\n")
	for _, p := range []perfProducer{producers[2], producers[0]} {
		for _, s := range settings {
			real, mock := results[brokers[0].name+"|"+s.String()+"|"+p.name], results[brokers[1].name+"|"+s.String()+"|"+p.name]
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %.2f× |\n", p.name, s, perfCell(real), perfCell(mock), mock.perSec/real.perSec)
		}
	}
	return b.String()
}

// perfCell is records/s with the average latency.
func perfCell(r perfResult) string {
	return fmt.Sprintf("%s (%.0f ms)", groupThousands(int64(r.perSec)), r.avgLatency)
}

// groupThousands writes n with commas between groups of three digits.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
