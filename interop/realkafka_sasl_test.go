package interop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/sasl"
)

// This file runs kwire's producer against the real broker's SASL_SSL listener (kafka.sh: PLAIN,
// SCRAM-SHA-256 and SCRAM-SHA-512 for user kwire, a certificate for 127.0.0.1 and localhost from
// a throw-away CA), through the Go API and `kwire produce`, trusting only that CA and verifying
// the broker's name as the Java client does by default. The Java KafkaConsumer, over SASL_SSL
// too, reads every record back where kwire said it went. Refusals (a wrong password, a user the
// broker knows for another mechanism only, a certificate that is not trusted or names another
// host) must fail at once rather than after max.block.ms, naming the mechanism (or TLS), and no
// password may show in any output, error or debug log.

// realSASLRecords is how many records each producing run sends.
const realSASLRecords = 300

// realSASLRun numbers the runs of this file's tests in one process, so that each (go test
// -count=N shares one broker) writes to topics of its own.
var realSASLRun atomic.Int64

// jaasConfig is sasl.jaas.config for user and password with the login module of mechanism.
func jaasConfig(mechanism, user, password string) string {
	module := "org.apache.kafka.common.security.scram.ScramLoginModule"
	if mechanism == sasl.MechanismPlain {
		module = "org.apache.kafka.common.security.plain.PlainLoginModule"
	}
	return fmt.Sprintf(`%s required username="%s" password="%s";`, module, user, password)
}

// realSASLProps are the Java properties for the shared broker's SASL_SSL listener as Java users
// write them: a PEM truststore holding the CA, the credentials in sasl.jaas.config, and Java's
// default host name verification (https).
func realSASLProps(k *kafkaCluster, mechanism, user, password string) map[string]string {
	return map[string]string{
		"bootstrap.servers":       k.SASLSSL,
		"security.protocol":       "SASL_SSL",
		"ssl.truststore.type":     "PEM",
		"ssl.truststore.location": k.CAFile,
		"sasl.mechanism":          mechanism,
		"sasl.jaas.config":        jaasConfig(mechanism, user, password),
	}
}

// localhostSASLSSL is the SASL_SSL listener by the name localhost, which the certificate names
// beside 127.0.0.1.
func localhostSASLSSL(t *testing.T, k *kafkaCluster) string {
	t.Helper()
	_, port, err := net.SplitHostPort(strings.Split(k.SASLSSL, ",")[0])
	if err != nil {
		t.Fatalf("SASL_SSL listener %q: %v", k.SASLSSL, err)
	}
	return net.JoinHostPort("localhost", port)
}

// realSASLCase is how one mechanism's runs give their settings: the Go API by properties, kwire
// produce by flags, each mechanism another way of writing them.
type realSASLCase struct {
	mechanism string
	props     func(k *kafkaCluster) map[string]string
	flags     func(k *kafkaCluster) []string
}

var realSASLCases = []realSASLCase{
	{
		mechanism: sasl.MechanismPlain,
		// Java's way.
		props: func(k *kafkaCluster) map[string]string {
			return realSASLProps(k, sasl.MechanismPlain, k.Username, k.Password)
		},
		// The shortcut flags, the password from $KWIRE_SASL_PASSWORD.
		flags: func(k *kafkaCluster) []string {
			return []string{"--tls-ca", k.CAFile, "--sasl-mechanism", sasl.MechanismPlain, "--sasl-user", k.Username}
		},
	},
	{
		mechanism: sasl.MechanismScramSHA256,
		// librdkafka's names.
		props: func(k *kafkaCluster) map[string]string {
			return map[string]string{"bootstrap.servers": k.SASLSSL, "security.protocol": "SASL_SSL", "ssl.ca.location": k.CAFile,
				"sasl.mechanism": sasl.MechanismScramSHA256, "sasl.username": k.Username, "sasl.password": k.Password}
		},
		flags: func(k *kafkaCluster) []string {
			return []string{"--tls-ca", k.CAFile, "--sasl-mechanism", sasl.MechanismScramSHA256, "--sasl-user", k.Username + ":" + k.Password}
		},
	},
	{
		mechanism: sasl.MechanismScramSHA512,
		props: func(k *kafkaCluster) map[string]string {
			return realSASLProps(k, sasl.MechanismScramSHA512, k.Username, k.Password)
		},
		// Java's way, with -X only.
		flags: func(k *kafkaCluster) []string {
			var flags []string
			for name, value := range realSASLProps(k, sasl.MechanismScramSHA512, k.Username, k.Password) {
				if name != "bootstrap.servers" {
					flags = append(flags, "-X", name+"="+value)
				}
			}
			return flags
		},
	},
}

// TestRealKafkaSASLSSL produces realSASLRecords keyed records over SASL_SSL with each mechanism,
// with the Go API (to 127.0.0.1, the certificate's IP address) and with kwire produce --report
// (to localhost, its DNS name), then reads every topic back with one Java KafkaConsumer over
// SASL_SSL (SCRAM-SHA-512, a PEM truststore): each record once, with its key, at the partition,
// offset and timestamp kwire reported. Neither the commands' output nor the producer's debug log
// shows the password.
func TestRealKafkaSASLSSL(t *testing.T) {
	k := sharedKafka(t)
	bin := buildKwire(t)
	t.Setenv("KWIRE_SASL_PASSWORD", k.Password) // for PLAIN's --sasl-user without a password
	run := realSASLRun.Add(1)
	type written struct {
		lines  []cliLine
		byLine []reportLine
	}
	topics := map[string]written{}
	for _, c := range realSASLCases {
		t.Run(c.mechanism+"/go", func(t *testing.T) {
			topic := fmt.Sprintf("realkafka-sasl-%d-%s-go", run, strings.ToLower(c.mechanism))
			lines := cliLines(topic, realSASLRecords)
			topics[topic] = written{lines, produceRealGo(t, c.props(k), topic, lines, k.Password)}
		})
		t.Run(c.mechanism+"/cli", func(t *testing.T) {
			topic := fmt.Sprintf("realkafka-sasl-%d-%s-cli", run, strings.ToLower(c.mechanism))
			lines := cliLines(topic, realSASLRecords)
			var stdin strings.Builder
			for _, l := range lines {
				fmt.Fprintf(&stdin, "%s:%s\n", l.key, l.value)
			}
			before := time.Now().UnixMilli()
			args := append([]string{"-t", topic, "-b", localhostSASLSSL(t, k), "-K", ":", "--report"}, c.flags(k)...)
			report, stderr, err := runKwireProduceOutput(t, bin, stdin.String(), args...)
			if err != nil || !strings.Contains(stderr, fmt.Sprintf("%d of %d records delivered", len(lines), len(lines))) {
				t.Fatalf("kwire produce over SASL_SSL with %s: %v\n%s", c.mechanism, err, lastLines(stderr, 20))
			}
			if strings.Contains(report+stderr, k.Password) {
				t.Fatalf("kwire produce's output shows the password:\n%s", stderr)
			}
			topics[topic] = written{lines, checkReport(t, topic, lines, report, 1, before, time.Now().UnixMilli())}
		})
	}
	if t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var props []string
	for name, value := range realSASLProps(k, sasl.MechanismScramSHA512, k.Username, k.Password) {
		if name != "bootstrap.servers" {
			props = append(props, name+"="+value)
		}
	}
	start := time.Now()
	records, err := javaConsume(ctx, t, k.SASLSSL, slices.Sorted(maps.Keys(topics)), props...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the Java consumer read %d records of %d topics over SASL_SSL in %v", len(records), len(topics), time.Since(start).Round(time.Millisecond))
	byTopic := map[string][]cliRead{}
	for _, r := range records {
		byTopic[r.Topic] = append(byTopic[r.Topic], cliRead{partition: r.Partition, offset: r.Offset, timestamp: r.Timestamp,
			key: bytesOrNil(r.Key), value: bytesOrNil(r.Value)})
	}
	for _, topic := range slices.Sorted(maps.Keys(topics)) {
		w := topics[topic]
		checkReadBack(t, "the Java consumer over SASL_SSL, "+topic, w.lines, w.byLine, byTopic[topic])
	}
}

// produceRealGo sends lines to topic with a producer configured by props alone, logging at debug
// level, and returns where each line went, as kwire produce's --report says it. The producer's
// log must not show password.
func produceRealGo(t *testing.T, props map[string]string, topic string, lines []cliLine, password string) []reportLine {
	t.Helper()
	var log lockedBuffer
	p := newRealProducer(t, props, &log)
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	var mu sync.Mutex
	byLine := make([]reportLine, len(lines))
	var errs []error
	for i, l := range lines {
		r := &producer.Record{Topic: topic, Key: []byte(l.key), Value: []byte(l.value)}
		err := p.Send(ctx, r, func(md producer.Metadata, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("line %d: %w", i+1, err))
			}
			byLine[i] = reportLine{Topic: md.Topic, Partition: md.Partition, Offset: md.Offset, Timestamp: md.Timestamp.UnixMilli(), Input: fmt.Sprintf("stdin:%d", i+1)}
		})
		if err != nil {
			t.Fatalf("Send line %d: %v", i+1, err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), password) {
		t.Fatalf("the producer's debug log shows the password:\n%s", log.String())
	}
	return byLine
}

// newRealProducer is a producer configured by props, logging at debug level to log, closed when
// t ends.
func newRealProducer(t *testing.T, props map[string]string, log *lockedBuffer) *producer.Producer {
	t.Helper()
	cfg, err := producer.ConfigFromProperties(props)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := producer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.Close(ctx)
	})
	return p
}

// bytesOrNil is b as a string, nil for nil.
func bytesOrNil(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}
