package interop

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kwire-dev/kwire/sasl"
)

// This file runs `kwire produce` over SASL_SSL, as users do, against `kwire broker --tls
// --tls-ca-out … --sasl-user …` as a child process, for each mechanism: with the command's
// --tls-ca, --sasl-mechanism and --sasl-user flags, and with -X properties alone as Java users
// write them. kcat (librdkafka) and franz-go, authenticated the same way, read every line back
// where --report said it went. A wrong password makes kwire produce fail at once with the
// broker's message. Neither command's output shows the password.

// TestCLIProduceSASLSSL is the test described above.
func TestCLIProduceSASLSSL(t *testing.T) {
	bin := buildKwire(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	const partitions, n = 3, 120
	args := []string{"--listen", "127.0.0.1:0", "--tls", "--tls-ca-out", caFile, "--sasl-user", "alice:" + saslPassword, "-v"}
	for _, m := range sasl.Mechanisms() {
		args = append(args, "--topic", cliSASLTopic(m)+":3")
	}
	broker := startKwireBroker(t, bin, args...)
	addr := broker.addrs[0]
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(caFile); err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s: %v", caFile, err)
	}
	for _, m := range sasl.Mechanisms() {
		topic := cliSASLTopic(m)
		security := []string{"--tls-ca", caFile, "--sasl-mechanism", m, "--sasl-user", "alice:" + saslPassword}
		if m == sasl.MechanismScramSHA512 { // the Java way, with -X only
			security = []string{"-X", "security.protocol=SASL_SSL", "-X", "ssl.truststore.type=PEM", "-X", "ssl.truststore.location=" + caFile,
				"-X", "sasl.mechanism=" + m, "-X", `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="` + saslPassword + `";`}
		}
		t.Run(m, func(t *testing.T) {
			lines := cliLines(topic, n)
			var stdin strings.Builder
			for _, l := range lines {
				fmt.Fprintf(&stdin, "%s:%s\n", l.key, l.value)
			}
			before := time.Now().UnixMilli()
			report, stderr, err := runKwireProduceOutput(t, bin, stdin.String(), append([]string{"-t", topic, "-b", addr, "-K", ":", "--report"}, security...)...)
			if err != nil || !strings.Contains(stderr, fmt.Sprintf("%d of %d records delivered", n, n)) {
				t.Fatalf("kwire produce: %v\n%s", err, lastLines(stderr, 20))
			}
			if strings.Contains(report+stderr, saslPassword) {
				t.Fatalf("kwire produce's output shows the password:\n%s", stderr)
			}
			byLine := checkReport(t, topic, lines, report, partitions, before, time.Now().UnixMilli())

			c := saslCase{m, true}
			t.Run("kcat", func(t *testing.T) {
				kcat := requireKcat(t)
				target := &saslTarget{caFile: caFile}
				out, _ := runKcat(t, kcat, "", append([]string{"-C", "-b", addr, "-t", topic, "-o", "beginning", "-e", "-J"}, target.kcatSecurity(c, "alice", saslPassword)...)...)
				checkReadBack(t, "kcat -C over SASL_SSL", lines, byLine, kcatReads(t, out))
			})
			t.Run("franz-go", func(t *testing.T) {
				recs := kgoConsumeWith(t, addr, topic, n, kgo.SASL(kgoMechanism(m, "alice", saslPassword)), kgo.DialTLSConfig(&tls.Config{RootCAs: pool}))
				var got []cliRead
				for _, r := range recs {
					key, value := string(r.Key), string(r.Value)
					got = append(got, cliRead{partition: r.Partition, offset: r.Offset, timestamp: r.Timestamp.UnixMilli(), key: &key, value: &value})
				}
				checkReadBack(t, "franz-go consumer over SASL_SSL", lines, byLine, got)
			})
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		start := time.Now()
		_, stderr, err := runKwireProduceOutput(t, bin, "x\n", "-t", cliSASLTopic(sasl.MechanismPlain), "-b", addr, "--tls-ca", caFile,
			"--sasl-mechanism", sasl.MechanismScramSHA256, "--sasl-user", "alice:wrong-"+saslPassword)
		if err == nil || !strings.Contains(stderr, "SASL SCRAM-SHA-256: Authentication failed during authentication due to invalid credentials") {
			t.Fatalf("kwire produce with a wrong password: %v\n%s", err, stderr)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Fatalf("failed after %v", took)
		}
		if strings.Contains(stderr, saslPassword) {
			t.Fatalf("the output shows the password:\n%s", stderr)
		}
		t.Logf("%s", lastLines(stderr, 2))
	})
	broker.stop(t)
	if log := broker.stderr.String(); strings.Contains(log, saslPassword) || !strings.Contains(log, `authenticated as "alice"`) {
		t.Fatalf("kwire broker's log:\n%s", lastLines(log, 30))
	}
}

// cliSASLTopic is the topic the mechanism's run produces to.
func cliSASLTopic(mechanism string) string { return "cli-sasl-" + strings.ToLower(mechanism) }

// kcatReads decodes kcat -C -J's lines.
func kcatReads(t *testing.T, out string) []cliRead {
	t.Helper()
	var got []cliRead
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m kcatMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("kcat -C -J printed %q: %v", l, err)
		}
		got = append(got, cliRead{partition: m.Partition, offset: m.Offset, timestamp: m.Ts, key: m.Key, value: m.Payload})
	}
	return got
}
