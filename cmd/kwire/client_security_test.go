package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
)

// clientPassword is the test user's password: no output may show it.
const clientPassword = "cl13nt:Pa55"

// secureCluster is a cluster with TLS (its CA certificate written to a file) and SASL user alice
// for mechanism.
func secureCluster(t *testing.T, mechanism string) (*mockbroker.Cluster, string) {
	t.Helper()
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
	c := mockbroker.NewTestCluster(t, mockbroker.TLS(serverTLS), mockbroker.Topic("t", 2),
		mockbroker.SASLUsers(mechanism, map[string]string{"alice": clientPassword}))
	return c, caFile
}

// noPassword fails t if r's output shows the password.
func noPassword(t *testing.T, r result) {
	t.Helper()
	if strings.Contains(r.stdout+r.stderr, clientPassword) {
		t.Fatalf("the output shows the password:\n%s\n%s", r.stdout, r.stderr)
	}
}

// TestProduceSASLSSL: kwire produce reaches a SASL_SSL cluster with the flags (the password from
// the environment) and with -X properties alone (librdkafka's and Java's names), and the records
// land.
func TestProduceSASLSSL(t *testing.T) {
	c, caFile := secureCluster(t, "SCRAM-SHA-256")
	t.Setenv(saslPasswordEnv, clientPassword)
	jaas := `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="` + clientPassword + `";`
	for name, flags := range map[string][]string{
		"flags":          {"--tls-ca", caFile, "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-user", "alice"},
		"flags+password": {"--tls", "--tls-ca", caFile, "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-user", "alice:" + clientPassword},
		"librdkafka -X": {"-X", "security.protocol=SASL_SSL", "-X", "ssl.ca.location=" + caFile, "-X", "sasl.mechanism=SCRAM-SHA-256",
			"-X", "sasl.username=alice", "-X", "sasl.password=" + clientPassword},
		"Java -X": {"-X", "security.protocol=SASL_SSL", "-X", "ssl.truststore.type=PEM", "-X", "ssl.truststore.location=" + caFile,
			"-X", "sasl.mechanism=SCRAM-SHA-256", "-X", "sasl.jaas.config=" + jaas},
	} {
		t.Run(name, func(t *testing.T) {
			r := kwire(t, "a\nb\nc\n", append([]string{"produce", "-t", "t", "-b", c.Addrs()[0], "-p", "1"}, flags...)...)
			if r.code != 0 || !strings.Contains(r.stderr, "3 of 3 records delivered") {
				t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
			}
			noPassword(t, r)
		})
	}
	if recs, err := c.Records("t", 1); err != nil || len(recs) != 12 {
		t.Fatalf("partition 1: %d records, %v", len(recs), err)
	}
}

// TestProduceSASLRefused: a wrong password fails kwire produce at once, exit status 1, with the
// broker's message and without the password.
func TestProduceSASLRefused(t *testing.T) {
	c, caFile := secureCluster(t, "SCRAM-SHA-512")
	start := time.Now()
	r := wantFailure(t, 1, "a\n", []string{"produce", "-t", "t", "-b", c.Addrs()[0], "--tls-ca", caFile, "--sasl-mechanism", "SCRAM-SHA-512",
		"--sasl-user", "alice:wrong-" + clientPassword},
		"stopped sending at stdin:1", "SASL SCRAM-SHA-512: Authentication failed during authentication due to invalid credentials", "0 of 1 records delivered")
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("took %v", took)
	}
	noPassword(t, r)
}

// TestProduceSecureEmbeddedBroker: without -b, the embedded broker listens with TLS and SASL as
// the flags ask, and kwire produce authenticates to it.
func TestProduceSecureEmbeddedBroker(t *testing.T) {
	r := kwire(t, "x\ny\n", "produce", "-t", "t", "--tls", "--sasl-mechanism", "PLAIN", "--sasl-user", "alice:"+clientPassword)
	if r.code != 0 || !strings.Contains(r.stderr, `embedded mock broker at 127.0.0.1:`) ||
		!strings.Contains(r.stderr, `with TLS and SASL PLAIN for user "alice"`) || !strings.Contains(r.stderr, "2 of 2 records delivered") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	noPassword(t, r)
	r = kwire(t, "x\n", "produce", "-t", "t", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=SCRAM-SHA-512",
		"-X", `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="`+clientPassword+`";`)
	if r.code != 0 || !strings.Contains(r.stderr, `with SASL SCRAM-SHA-512 for user "bob"`) {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	noPassword(t, r)
}

// TestPerfSASLSSL: kwire perf takes the same flags.
func TestPerfSASLSSL(t *testing.T) {
	c, caFile := secureCluster(t, "PLAIN")
	out := mustRun(t, "", "perf", "-b", c.Addrs()[0], "--topic", "t", "--num-records", "500", "--record-size", "10", "--throughput", "-1",
		"--tls-ca", caFile, "--sasl-mechanism", "PLAIN", "--sasl-user", "alice:"+clientPassword)
	if !strings.Contains(out, "500 records sent") || strings.Contains(out, clientPassword) {
		t.Fatalf("kwire perf:\n%s", out)
	}
	var n int
	for p := range int32(2) {
		recs, _ := c.Records("t", p)
		n += len(recs)
	}
	if n != 500 {
		t.Fatalf("%d records in the cluster", n)
	}
}

// TestSecurityFlagErrors: misused flags are usage errors that say what is wrong, and never show
// the password.
func TestSecurityFlagErrors(t *testing.T) {
	t.Setenv(saslPasswordEnv, "")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--sasl-user", "alice:" + clientPassword}, "--sasl-user needs --sasl-mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)"},
		{[]string{"--sasl-mechanism", "PLAIN", "--sasl-user", "alice"}, `--sasl-user "alice" has no password: give USER:PASSWORD, or set $KWIRE_SASL_PASSWORD`},
		{[]string{"--sasl-mechanism", "PLAIN", "--sasl-user", ":" + clientPassword}, "--sasl-user: empty user name"},
		{[]string{"--sasl-mechanism", "SCRAM-SHA-1", "--sasl-user", "alice:" + clientPassword}, `sasl.mechanism: "SCRAM-SHA-1" is not PLAIN, SCRAM-SHA-256, SCRAM-SHA-512`},
		{[]string{"--sasl-mechanism", "GSSAPI", "--sasl-user", "alice:" + clientPassword}, "sasl.mechanism: GSSAPI (Kerberos, the Java client's default) is not supported by kwire"},
		{[]string{"-b", "127.0.0.1:1", "--sasl-mechanism", "PLAIN"}, "sasl.jaas.config: not set, nor sasl.username and sasl.password"},
		{[]string{"--tls-ca", "ca.pem"}, "a CA file (--tls-ca, ssl.ca.location) is for -b's brokers"},
		{[]string{"-b", "127.0.0.1:1", "--tls-ca", "/no/such/ca.pem"}, "ssl.ca.location: open /no/such/ca.pem"},
	}
	for _, tc := range cases {
		for _, command := range [][]string{{"produce", "-t", "t"}, {"perf", "--topic", "t", "--num-records", "1", "--record-size", "1", "--throughput", "-1"}} {
			r := wantFailure(t, 2, "x\n", append(command, tc.args...), tc.want)
			noPassword(t, r)
		}
	}
	r := wantFailure(t, 2, "x\n", []string{"produce", "-t", "t", "-b", "127.0.0.1:1", "-X", "sasl.password=" + clientPassword, "-X", "sasl.username=alice"},
		"sasl.username: set, but security.protocol is PLAINTEXT")
	noPassword(t, r)
	r = wantFailure(t, 2, "", []string{"perf", "--topic", "t", "--num-records", "1", "--record-size", "1", "--throughput", "-1", "-b", "127.0.0.1:1",
		"--producer-props", "sasl.password=" + clientPassword, "sasl.jaas.config=x"}, "sasl.jaas.config: offset 1: want a control flag")
	noPassword(t, r)
}
