package interop

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	franzsasl "github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire"
)

// This file runs kcat (librdkafka) and franz-go against the mock broker with SASL, over plaintext
// (SASL_PLAINTEXT) and TLS (SASL_SSL, the broker's certificate from a test CA the clients trust),
// with each of PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512: each produces, then consumes back what it
// produced. A wrong password fails, and says so. The broker is the embedded cluster, and once the
// kwire broker command, as users run it.

// saslPassword is the test user's password; the tests check that it never shows in a log.
const saslPassword = "pa55:w0rd"

// saslCase is one listener (plaintext or TLS) and one mechanism.
type saslCase struct {
	mechanism string
	tls       bool
}

// protocol is the case's security.protocol.
func (c saslCase) protocol() string {
	if c.tls {
		return "SASL_SSL"
	}
	return "SASL_PLAINTEXT"
}

func (c saslCase) name() string { return c.protocol() + "/" + c.mechanism }

func (c saslCase) topic(client string) string {
	return strings.ToLower(client + "-" + c.protocol() + "-" + c.mechanism)
}

// saslCases are every listener with every mechanism.
func saslCases() []saslCase {
	var cases []saslCase
	for _, tls := range []bool{false, true} {
		for _, m := range sasl.Mechanisms() {
			cases = append(cases, saslCase{m, tls})
		}
	}
	return cases
}

// saslTarget is a cluster for a case: its bootstrap address and, with TLS, the CA that signed its
// certificate, also written to caFile for kcat.
type saslTarget struct {
	cl     *mockbroker.Cluster
	addr   string
	ca     *mockbroker.TestCA
	caFile string
	logs   *strings.Builder
}

// newSASLTarget starts a cluster with user alice for the case's mechanism, with TLS if asked.
func newSASLTarget(t *testing.T, c saslCase) *saslTarget {
	t.Helper()
	opts := []mockbroker.Option{mockbroker.SASLUsers(c.mechanism, map[string]string{"alice": saslPassword})}
	target := &saslTarget{}
	if c.tls {
		ca, err := mockbroker.NewTestCA()
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := ca.ServerTLSConfig()
		if err != nil {
			t.Fatal(err)
		}
		target.ca, target.caFile = ca, filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(target.caFile, ca.CertPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		opts = append(opts, mockbroker.TLS(cfg))
	}
	target.cl = newMockCluster(t, opts...)
	target.addr = target.cl.Addrs()[0]
	return target
}

// saslRecords are n records with distinct values.
func saslRecords(n int) []wire.Record {
	recs := make([]wire.Record, n)
	for i := range recs {
		recs[i] = wire.Record{Key: fmt.Appendf(nil, "k%d", i%3), Value: fmt.Appendf(nil, "secure value %d", i), Timestamp: time.Now().UnixMilli()}
	}
	return recs
}

// ---- franz-go ----

// kgoMechanism is franz-go's implementation of mechanism.
func kgoMechanism(mechanism, user, password string) franzsasl.Mechanism {
	switch mechanism {
	case sasl.MechanismPlain:
		return plain.Auth{User: user, Pass: password}.AsMechanism()
	case sasl.MechanismScramSHA256:
		return scram.Auth{User: user, Pass: password}.AsSha256Mechanism()
	}
	return scram.Auth{User: user, Pass: password}.AsSha512Mechanism()
}

// kgoSecurity are the kgo options for the case, as user with password.
func (s *saslTarget) kgoSecurity(c saslCase, user, password string) []kgo.Opt {
	opts := []kgo.Opt{kgo.SASL(kgoMechanism(c.mechanism, user, password)), kgo.AllowAutoTopicCreation()}
	if c.tls {
		opts = append(opts, kgo.DialTLSConfig(s.ca.ClientTLSConfig()))
	}
	return opts
}

// kgoConsumeWith reads n records of topic from the start with a new kgo consumer with opts.
func kgoConsumeWith(t *testing.T, addr, topic string, n int, opts ...kgo.Opt) []*kgo.Record {
	t.Helper()
	ctx := clientContext(t)
	consumer, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.RetryTimeout(clientTimeout)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	var got []*kgo.Record
	for len(got) < n {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("kgo consumer read %d of %d records of %s in %v", len(got), n, topic, clientTimeout)
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			t.Fatalf("kgo consumer: %v", errs[0].Err)
		}
		got = append(got, fetches.Records()...)
	}
	return got
}

// checkKgoValues requires got to hold recs' values in order.
func checkKgoValues(t *testing.T, recs []wire.Record, got []*kgo.Record) {
	t.Helper()
	if len(got) != len(recs) {
		t.Fatalf("consumed %d records, produced %d", len(got), len(recs))
	}
	for i, r := range got {
		if string(r.Value) != string(recs[i].Value) || string(r.Key) != string(recs[i].Key) {
			t.Fatalf("record %d: %q=%q, want %q=%q", i, r.Key, r.Value, recs[i].Key, recs[i].Value)
		}
	}
}

// TestKgoSASL produces and consumes with franz-go, authenticated, for every listener and mechanism.
func TestKgoSASL(t *testing.T) {
	for _, c := range saslCases() {
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel()
			target := newSASLTarget(t, c)
			security := target.kgoSecurity(c, "alice", saslPassword)
			producer := newKgoClient(t, target.cl, security...)
			recs := saslRecords(20)
			kgoProduce(t, producer, c.topic("kgo"), recs)
			checkKgoValues(t, recs, kgoConsumeWith(t, target.addr, c.topic("kgo"), len(recs), security...))
		})
	}
}

// TestKgoSASLRefused: with a wrong password franz-go's requests fail with the broker's
// SASL_AUTHENTICATION_FAILED and its message, which shows no password; with no SASL at all they
// fail too (the broker closes the connection). Nothing is produced either way.
func TestKgoSASLRefused(t *testing.T) {
	for _, c := range []saslCase{{sasl.MechanismScramSHA256, true}, {sasl.MechanismPlain, false}} {
		t.Run(c.name(), func(t *testing.T) {
			target := newSASLTarget(t, c)
			for _, tc := range []struct {
				name string
				opts []kgo.Opt
				want string
			}{
				{"wrong password", target.kgoSecurity(c, "alice", "wrong-"+saslPassword), "SASL_AUTHENTICATION_FAILED"},
				{"no SASL", target.kgoSecurity(c, "alice", saslPassword)[1:], ""}, // kgo.SASL left out
			} {
				kc := newKgoClient(t, target.cl, append(tc.opts, kgo.RequestRetries(0))...)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, kc)
				cancel()
				if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), saslPassword) {
					t.Fatalf("%s: metadata: %v, want an error with %q", tc.name, err, tc.want)
				}
				t.Logf("%s: %v", tc.name, err)
				ctx, cancel = context.WithTimeout(context.Background(), 2*time.Second)
				err = kc.ProduceSync(ctx, &kgo.Record{Topic: c.topic("refused"), Value: []byte("x")}).FirstErr()
				cancel()
				if err == nil {
					t.Fatalf("%s: produced", tc.name)
				}
			}
			if partitionCount(target.cl, c.topic("refused")) != 0 {
				t.Fatal("the topic exists: something got through")
			}
		})
	}
}

// ---- kcat ----

// kcatSecurity are kcat's -X options for the case, as user with password.
func (s *saslTarget) kcatSecurity(c saslCase, user, password string) []string {
	args := []string{"-X", "security.protocol=" + c.protocol(), "-X", "sasl.mechanisms=" + c.mechanism,
		"-X", "sasl.username=" + user, "-X", "sasl.password=" + password}
	if c.tls {
		args = append(args, "-X", "ssl.ca.location="+s.caFile)
	}
	return args
}

// kcatRoundTrip produces lines to topic with kcat -P and consumes them back with kcat -C, both
// with security args, and requires the same lines, in order (the topic has one partition).
func kcatRoundTrip(t *testing.T, kcat, addr, topic string, security []string) {
	t.Helper()
	var lines []string
	for i := range 25 {
		lines = append(lines, fmt.Sprintf("line %d over %s", i, topic))
	}
	runKcat(t, kcat, strings.Join(lines, "\n")+"\n", append([]string{"-P", "-b", addr, "-t", topic}, security...)...)
	out, log := runKcat(t, kcat, "", append([]string{"-C", "-b", addr, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"}, security...)...)
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if !slices.Equal(got, lines) {
		t.Fatalf("kcat -C read %d lines, want the %d produced\n%s\nlog:\n%s", len(got), len(lines), out, lastLines(log, 20))
	}
}

// TestKcatSASL produces and consumes with kcat, authenticated, for every listener and mechanism.
func TestKcatSASL(t *testing.T) {
	kcat := requireKcat(t)
	for _, c := range saslCases() {
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel()
			target := newSASLTarget(t, c)
			kcatRoundTrip(t, kcat, target.addr, c.topic("kcat"), target.kcatSecurity(c, "alice", saslPassword))
		})
	}
}

// TestKcatSASLWrongPassword: kcat with a wrong password fails, and librdkafka reports the broker's
// message; no password appears in it.
func TestKcatSASLWrongPassword(t *testing.T) {
	kcat := requireKcat(t)
	for _, c := range []saslCase{{sasl.MechanismScramSHA512, true}, {sasl.MechanismPlain, false}} {
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel()
			target := newSASLTarget(t, c)
			ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
			defer cancel()
			args := append([]string{"-L", "-b", target.addr, "-m", "3"}, target.kcatSecurity(c, "alice", "wrong-password")...)
			out, err := exec.CommandContext(ctx, kcat, args...).CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("kcat -L with a wrong password: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "Authentication failed") {
				t.Fatalf("kcat does not report the authentication failure:\n%s", out)
			}
			if strings.Contains(string(out), saslPassword) {
				t.Fatalf("the password shows:\n%s", out)
			}
			t.Logf("kcat: %s", lastLines(string(out), 3))
		})
	}
}

// ---- kwire broker ----

// TestSASLClientsAgainstKwireBroker runs `kwire broker --tls --tls-ca-out … --sasl-user …` and has
// kcat and franz-go authenticate to it over SASL_SSL with each mechanism, trusting the CA
// certificate the command wrote; its log never shows the password.
func TestSASLClientsAgainstKwireBroker(t *testing.T) {
	bin := buildKwire(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	b := startKwireBroker(t, bin, "--listen", "127.0.0.1:0", "--tls", "--tls-ca-out", caFile, "--sasl-user", "alice:"+saslPassword, "-v")
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	addr := b.addrs[0]
	for _, m := range sasl.Mechanisms() {
		c := saslCase{m, true}
		t.Run("kcat/"+m, func(t *testing.T) {
			kcat := requireKcat(t)
			target := &saslTarget{addr: addr, caFile: caFile}
			kcatRoundTrip(t, kcat, addr, c.topic("kcat-cli"), target.kcatSecurity(c, "alice", saslPassword))
		})
		t.Run("kgo/"+m, func(t *testing.T) {
			security := []kgo.Opt{kgo.SASL(kgoMechanism(m, "alice", saslPassword)), kgo.DialTLSConfig(&tls.Config{RootCAs: pool}), kgo.AllowAutoTopicCreation()}
			producer, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr), kgo.RetryTimeout(clientTimeout)}, security...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer producer.Close()
			recs := saslRecords(10)
			kgoProduce(t, producer, c.topic("kgo-cli"), recs)
			checkKgoValues(t, recs, kgoConsumeWith(t, addr, c.topic("kgo-cli"), len(recs), security...))
		})
	}
	b.stop(t)
	if log := b.stderr.String(); strings.Contains(log, saslPassword) || !strings.Contains(log, `authenticated as "alice"`) {
		t.Fatalf("kwire broker's log:\n%s", lastLines(log, 30))
	}
}
