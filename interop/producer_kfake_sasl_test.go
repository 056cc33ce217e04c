package interop

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/sasl"
)

// This file runs kwire's producer against franz-go's kfake with SASL: kfake's PLAIN and SCRAM
// servers are written independently of kwire's sasl package, so an exchange that completes here
// checks kwire's client messages, proofs and signature checks against another reading of RFC 5802
// and RFC 7677. Each mechanism runs over plaintext and TLS; franz-go's consumer, authenticated as
// the same user, reads back what kwire wrote. A run with kfake's connections.max.reauth.ms checks
// that the producer keeps working across session lifetimes (KIP-368).

// kfakeSASLRecords is how many records each run sends.
const kfakeSASLRecords = 600

// kfakeSASL is a kfake cluster with SASL user alice for the case's mechanism (and TLS with a
// test CA, whose certificate is written to caFile), and the kwire producer properties that reach
// it.
type kfakeSASL struct {
	c     *kfake.Cluster
	props map[string]string
	kgo   []kgo.Opt // franz-go's options for the same cluster and user
}

// startKfakeSASL starts the case's cluster, of two brokers, with topic seeded at three partitions.
func startKfakeSASL(t *testing.T, c saslCase, topic string, opts ...kfake.Opt) *kfakeSASL {
	t.Helper()
	opts = append([]kfake.Opt{kfake.NumBrokers(2), kfake.SeedTopics(3, topic), kfake.EnableSASL(), kfake.Superuser(c.mechanism, "alice", saslPassword)}, opts...)
	k := &kfakeSASL{props: map[string]string{
		"security.protocol": c.protocol(),
		"sasl.mechanism":    c.mechanism,
		"sasl.jaas.config":  `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="` + saslPassword + `";`,
		"linger.ms":         "2", "batch.size": "2048", "retry.backoff.ms": "10", "request.timeout.ms": "5000", "max.block.ms": "10000",
	}}
	k.kgo = []kgo.Opt{kgo.SASL(kgoMechanism(c.mechanism, "alice", saslPassword))}
	if c.tls {
		ca, err := mockbroker.NewTestCA()
		if err != nil {
			t.Fatal(err)
		}
		serverTLS, err := ca.ServerTLSConfig()
		if err != nil {
			t.Fatal(err)
		}
		caFile := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(caFile, ca.CertPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		opts = append(opts, kfake.TLS(serverTLS))
		k.props["ssl.ca.location"] = caFile
		k.kgo = append(k.kgo, kgo.DialTLSConfig(ca.ClientTLSConfig()))
	}
	cl, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("kfake.NewCluster: %v", err)
	}
	t.Cleanup(cl.Close)
	k.c = cl
	k.props["bootstrap.servers"] = strings.Join(cl.ListenAddrs(), ",")
	return k
}

// producer is a kwire producer of the cluster, configured by properties only.
func (k *kfakeSASL) producer(t *testing.T) *producer.Producer {
	t.Helper()
	cfg, err := producer.ConfigFromProperties(k.props)
	if err != nil {
		t.Fatal(err)
	}
	p, err := producer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.Close(ctx)
	})
	return p
}

// sendSASLRecords sends n records with values "0".."n-1" to topic, between(i) before record i,
// and requires every callback to succeed once.
func sendSASLRecords(t *testing.T, p *producer.Producer, topic string, n int, between func(i int)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	var failed, calls atomic.Int64
	var first atomic.Value
	for i := range n {
		if between != nil {
			between(i)
		}
		r := &producer.Record{Topic: topic, Key: fmt.Appendf(nil, "k%d", i%7), Value: []byte(strconv.Itoa(i))}
		if err := p.Send(ctx, r, func(_ producer.Metadata, err error) {
			calls.Add(1)
			if err != nil && failed.Add(1) == 1 {
				first.Store(err)
			}
		}); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != int64(n) || failed.Load() != 0 {
		t.Fatalf("%d callbacks for %d records, %d failed; first: %v", calls.Load(), n, failed.Load(), first.Load())
	}
}

// checkValues reads topic back with franz-go's consumer and requires values "0".."n-1" once
// each, increasing within each partition.
func (k *kfakeSASL) checkValues(t *testing.T, topic string, n int) {
	t.Helper()
	got := kgoConsumeWith(t, k.c.ListenAddrs()[0], topic, n, k.kgo...)
	seen := make([]bool, n)
	last := map[int32]int{}
	for _, r := range got {
		i, err := strconv.Atoi(string(r.Value))
		if err != nil || i < 0 || i >= n || seen[i] {
			t.Fatalf("%d/%d: value %q unexpected or read twice", r.Partition, r.Offset, r.Value)
		}
		if prev, ok := last[r.Partition]; ok && prev > i {
			t.Fatalf("%d/%d: record %d after record %d: out of send order", r.Partition, r.Offset, i, prev)
		}
		seen[i], last[r.Partition] = true, i
	}
	if i := slices.Index(seen, false); i >= 0 {
		t.Fatalf("record %d not read back", i)
	}
}

// TestKfakeSASL: kwire's producer authenticates to kfake with each mechanism, over plaintext and
// TLS, and everything it sends is read back.
func TestKfakeSASL(t *testing.T) {
	for _, c := range saslCases() {
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel()
			topic := c.topic("kwire-kfake")
			k := startKfakeSASL(t, c, topic)
			sendSASLRecords(t, k.producer(t), topic, kfakeSASLRecords, nil)
			k.checkValues(t, topic, kfakeSASLRecords)
		})
	}
}

// TestKfakeSASLWrongPassword: kfake refuses a wrong password by closing the connection without an
// answer (where Kafka answers SASL_AUTHENTICATION_FAILED); the producer's Send then fails by
// max.block.ms, saying the broker closed the connection during SASL authentication, without the
// password.
func TestKfakeSASLWrongPassword(t *testing.T) {
	c := saslCase{sasl.MechanismScramSHA512, false}
	k := startKfakeSASL(t, c, "refused")
	k.props["sasl.jaas.config"] = `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="wrong-` + saslPassword + `";`
	k.props["max.block.ms"] = "3000" // the error says why the last refresh failed: give one time to fail
	_, err := k.producer(t).SendSync(context.Background(), &producer.Record{Topic: "refused", Value: []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "during SASL authentication") || strings.Contains(err.Error(), saslPassword) {
		t.Fatalf("SendSync: %v", err)
	}
	t.Logf("%v", err)
}

// TestKfakeSASLReauthentication: with connections.max.reauth.ms, kfake reports a session lifetime
// in SaslAuthenticate; a producer sending for longer than a few lifetimes authenticates again
// (on new connections) and loses nothing.
func TestKfakeSASLReauthentication(t *testing.T) {
	const lifetime = 700 * time.Millisecond
	c := saslCase{sasl.MechanismScramSHA256, true}
	topic := c.topic("reauth")
	k := startKfakeSASL(t, c, topic, kfake.BrokerConfigs(map[string]string{"connections.max.reauth.ms": strconv.Itoa(int(lifetime.Milliseconds()))}))
	var handshakes atomic.Int64
	k.c.ControlKey(int16(kmsg.SASLHandshake), func(kmsg.Request) (kmsg.Response, error, bool) {
		handshakes.Add(1)
		return nil, nil, false
	})
	p := k.producer(t)
	start := time.Now()
	sendSASLRecords(t, p, topic, kfakeSASLRecords, func(i int) {
		if i%20 == 19 {
			time.Sleep(80 * time.Millisecond)
		}
	})
	took, n := time.Since(start), handshakes.Load()
	// The metadata connection, and at least one produce connection replaced before each session
	// ends (kfake may put every leader on one broker).
	if want := int64(took/lifetime) + 1; n < want+1 {
		t.Fatalf("%d SASL handshakes in %v with sessions of %v: the producer did not authenticate again", n, took, lifetime)
	}
	k.checkValues(t, topic, kfakeSASLRecords)
	if r := p.Stats().Retries; r != 0 {
		t.Fatalf("%d batches retried", r)
	}
	t.Logf("%d records in %v, %d SASL handshakes", kfakeSASLRecords, took.Round(time.Millisecond), n)
}
