package producer

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// testPassword is alice's password; no error, log line or printed configuration may show it.
const testPassword = "s3cret:Pa55=w0rd"

// syncBuffer is a buffer for logs written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// securityCase is one listener: its protocol and, for SASL, its mechanism.
type securityCase struct {
	protocol  SecurityProtocol
	mechanism string
}

func (sc securityCase) String() string {
	if sc.mechanism == "" {
		return sc.protocol.String()
	}
	return sc.protocol.String() + "/" + sc.mechanism
}

// securityCases are every protocol, with every mechanism for the SASL ones.
func securityCases() []securityCase {
	cases := []securityCase{{SecurityPlaintext, ""}, {SecuritySSL, ""}}
	for _, p := range []SecurityProtocol{SecuritySASLPlaintext, SecuritySASLSSL} {
		for _, m := range sasl.Mechanisms() {
			cases = append(cases, securityCase{p, m})
		}
	}
	return cases
}

// secureTarget is a mock cluster with a listener of one case: its CA (with TLS) written to a
// file, its log, and user alice for the mechanism (with SASL).
type secureTarget struct {
	c      *mockbroker.Cluster
	ca     *mockbroker.TestCA
	caFile string
	logs   *syncBuffer
}

// newSecureTarget starts the case's cluster; serverTLS, when not nil, replaces the server
// configuration signed by the target's CA.
func newSecureTarget(t *testing.T, sc securityCase, serverTLS func(*mockbroker.TestCA) *tls.Config, opts ...mockbroker.Option) *secureTarget {
	t.Helper()
	st := &secureTarget{logs: new(syncBuffer)}
	opts = append([]mockbroker.Option{mockbroker.Logger(log.New(st.logs, "", 0))}, opts...)
	if sc.protocol.UsesTLS() {
		st.ca = newTestCA(t)
		st.caFile = writeTemp(t, "ca.pem", st.ca.CertPEM)
		var cfg *tls.Config
		if serverTLS != nil {
			cfg = serverTLS(st.ca)
		} else {
			var err error
			if cfg, err = st.ca.ServerTLSConfig(); err != nil {
				t.Fatal(err)
			}
		}
		opts = append(opts, mockbroker.TLS(cfg))
	}
	if sc.mechanism != "" {
		opts = append(opts, mockbroker.SASLUsers(sc.mechanism, map[string]string{"alice": testPassword, "bob": "bobs-password"}))
	}
	st.c = mockbroker.NewTestCluster(t, opts...)
	return st
}

// newTestCA makes a test CA.
func newTestCA(t *testing.T) *mockbroker.TestCA {
	t.Helper()
	ca, err := mockbroker.NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// writeTemp writes data to a file name in a temporary directory and returns its path.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// properties are the Java properties connecting to the target as user with password: the
// protocol, the CA file, the mechanism and the credentials.
func (st *secureTarget) properties(sc securityCase, user, password string) map[string]string {
	props := map[string]string{
		"bootstrap.servers":  strings.Join(st.c.Addrs(), ","),
		"security.protocol":  sc.protocol.String(),
		"retry.backoff.ms":   "5",
		"request.timeout.ms": "5000",
		"max.block.ms":       "10000",
	}
	if sc.protocol.UsesTLS() {
		props["ssl.ca.location"] = st.caFile
	}
	if sc.mechanism != "" {
		props["sasl.mechanism"] = sc.mechanism
		props["sasl.username"], props["sasl.password"] = user, password
	}
	return props
}

// config is the target's configuration from properties, with a logger writing to logs at debug
// level.
func (st *secureTarget) config(t *testing.T, props map[string]string, logs *syncBuffer) Config {
	t.Helper()
	cfg, err := ConfigFromProperties(props)
	if err != nil {
		t.Fatal(err)
	}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return cfg
}

// requireNoPassword fails t if text shows testPassword.
func requireNoPassword(t *testing.T, what, text string) {
	t.Helper()
	if strings.Contains(text, testPassword) {
		t.Fatalf("%s shows the password:\n%s", what, text)
	}
}

// TestSecurityProtocols produces to a listener of every protocol, with every SASL mechanism, over
// two brokers, configured by Java properties only: the records land once each, in order; SASL
// connections authenticate with SaslHandshake v1 and SaslAuthenticate v2 as alice; no log shows
// the password.
func TestSecurityProtocols(t *testing.T) {
	for _, sc := range securityCases() {
		t.Run(sc.String(), func(t *testing.T) {
			t.Parallel()
			st := newSecureTarget(t, sc, nil, mockbroker.NumBrokers(2), mockbroker.Topic("t", 4))
			logs := new(syncBuffer)
			p := newTestProducer(t, st.config(t, st.properties(sc, "alice", testPassword), logs))
			sendNumbered(t, p, "t", 400, nil)
			checkExactlyOnceInOrder(t, st.c, "t", 4, 400)
			p.Close(context.Background())
			checkAuthentications(t, st.c, sc)
			if sc.mechanism != "" && !strings.Contains(st.logs.String(), `authenticated as "alice" with `+sc.mechanism) {
				t.Fatalf("the broker's log does not say alice authenticated:\n%s", st.logs.String())
			}
			requireNoPassword(t, "the producer's log", logs.String())
			requireNoPassword(t, "the broker's log", st.logs.String())
		})
	}
}

// checkAuthentications requires every connection of a SASL case to have authenticated with
// SaslHandshake v1 and SaslAuthenticate v2 before any other request but ApiVersions, and none
// without SASL to have tried.
func checkAuthentications(t *testing.T, c *mockbroker.Cluster, sc securityCase) {
	t.Helper()
	authenticated := map[int64]bool{}
	for _, e := range c.Exchanges() {
		switch k := e.Header.APIKey; {
		case k == protocol.KeySaslHandshake:
			if sc.mechanism == "" || e.Header.APIVersion != 1 || e.Request.(*protocol.SaslHandshakeRequest).Mechanism != sc.mechanism {
				t.Fatalf("connection %d: SaslHandshake v%d %+v", e.Conn, e.Header.APIVersion, e.Request)
			}
		case k == protocol.KeySaslAuthenticate:
			if e.Header.APIVersion != 2 {
				t.Fatalf("connection %d: SaslAuthenticate v%d, want v2", e.Conn, e.Header.APIVersion)
			}
			if e.Response.(*protocol.SaslAuthenticateResponse).ErrorCode == 0 {
				authenticated[e.Conn] = true
			}
		case k != protocol.KeyApiVersions && sc.mechanism != "" && !authenticated[e.Conn]:
			t.Fatalf("connection %d: %s before authenticating", e.Conn, k)
		}
	}
	if sc.mechanism != "" && len(authenticated) == 0 {
		t.Fatal("no connection authenticated")
	}
}

// authFailure requires err to be an *AuthenticationError for mechanism naming the broker, with
// message in its text and no password, and returns it.
func authFailure(t *testing.T, err error, mechanism, message string) *AuthenticationError {
	t.Helper()
	var ae *AuthenticationError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T), want an *AuthenticationError", err, err)
	}
	if ae.Mechanism != mechanism || ae.Broker == "" || !strings.Contains(err.Error(), message) {
		t.Fatalf("error %q (broker %q, mechanism %q), want mechanism %s and %q", err, ae.Broker, ae.Mechanism, mechanism, message)
	}
	requireNoPassword(t, "the error", err.Error())
	return ae
}

// sendFailsFast sends one record and requires Send (or its callback) to fail within two seconds,
// though max.block.ms and delivery.timeout.ms are far longer, and returns the error.
func sendFailsFast(t *testing.T, p *Producer) error {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := p.SendSync(ctx, &Record{Topic: "t", Value: []byte("v")})
	if err == nil {
		t.Fatal("the record was delivered")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("failed after %v: %v; want at once", took, err)
	}
	return err
}

// countRequests counts the requests of API key the cluster answered.
func countRequests(c *mockbroker.Cluster, key protocol.APIKey) int {
	n := 0
	for _, e := range c.Exchanges() {
		if e.Header.APIKey == key {
			n++
		}
	}
	return n
}

// TestSASLRefused: a wrong password, or an unknown user, fails Send at once with an
// *AuthenticationError that names the broker and mechanism, carries the broker's message and
// matches sasl.ErrAuthenticationFailed and SASL_AUTHENTICATION_FAILED; sending again fails too,
// without a storm of attempts; no error or log shows the password.
func TestSASLRefused(t *testing.T) {
	cases := []struct {
		sc             securityCase
		user, password string
		message        string
	}{
		{securityCase{SecuritySASLSSL, sasl.MechanismScramSHA256}, "alice", "wrong-" + testPassword, "invalid credentials with SASL mechanism SCRAM-SHA-256"},
		{securityCase{SecuritySASLSSL, sasl.MechanismScramSHA512}, "mallory", testPassword, "invalid credentials with SASL mechanism SCRAM-SHA-512"},
		{securityCase{SecuritySASLPlaintext, sasl.MechanismPlain}, "alice", "wrong-" + testPassword, "Invalid username or password"},
		{securityCase{SecuritySASLPlaintext, sasl.MechanismPlain}, "mallory", testPassword, "Invalid username or password"},
	}
	for _, tc := range cases {
		t.Run(tc.sc.String()+"/"+tc.user, func(t *testing.T) {
			t.Parallel()
			st := newSecureTarget(t, tc.sc, nil, mockbroker.Topic("t", 1))
			props := st.properties(tc.sc, tc.user, tc.password)
			props["max.block.ms"], props["delivery.timeout.ms"] = "30000", "60000"
			logs := new(syncBuffer)
			p := newTestProducer(t, st.config(t, props, logs))
			start := time.Now()
			err := sendFailsFast(t, p)
			ae := authFailure(t, err, tc.sc.mechanism, tc.message)
			if ae.Broker != st.c.Addrs()[0] {
				t.Errorf("broker %q, want %q", ae.Broker, st.c.Addrs()[0])
			}
			if !errors.Is(err, sasl.ErrAuthenticationFailed) || !errors.Is(err, kerr.SaslAuthenticationFailed) {
				t.Errorf("%v: errors.Is sasl.ErrAuthenticationFailed %v, kerr.SaslAuthenticationFailed %v", err,
					errors.Is(err, sasl.ErrAuthenticationFailed), errors.Is(err, kerr.SaslAuthenticationFailed))
			}
			if _, err := p.PartitionsFor(context.Background(), "t"); !errors.As(err, &ae) {
				t.Errorf("PartitionsFor: %v, want the authentication error", err)
			}
			for range 20 {
				sendFailsFast(t, p)
			}
			time.Sleep(300 * time.Millisecond)
			// One attempt, then at most one per retry.backoff.max.ms (1 s) however many sends fail.
			took := time.Since(start)
			if n, most := countRequests(st.c, protocol.KeySaslHandshake), 2+int(took/time.Second); n > most {
				t.Errorf("%d authentication attempts in %v for 22 failed sends, want at most %d: a retry storm", n, took, most)
			}
			if n := countRequests(st.c, protocol.KeyMetadata); n != 0 {
				t.Errorf("%d metadata requests answered", n)
			}
			t.Logf("%v", err)
			p.Close(context.Background())
			requireNoPassword(t, "the producer's log", logs.String())
			requireNoPassword(t, "the broker's log", st.logs.String())
		})
	}
}

// TestSASLRefusalDetails: an unknown mechanism, SASL against a listener without it, and no SASL
// against a listener that requires it each say so.
func TestSASLRefusalDetails(t *testing.T) {
	t.Run("mechanism not enabled", func(t *testing.T) {
		sc := securityCase{SecuritySASLPlaintext, sasl.MechanismScramSHA512}
		st := newSecureTarget(t, sc, nil, mockbroker.Topic("t", 1))
		props := st.properties(sc, "alice", testPassword)
		props["sasl.mechanism"] = sasl.MechanismPlain
		err := sendFailsFast(t, newTestProducer(t, st.config(t, props, nil)))
		authFailure(t, err, sasl.MechanismPlain, "the broker does not enable PLAIN (it enables SCRAM-SHA-512)")
		if !errors.Is(err, kerr.UnsupportedSaslMechanism) || errors.Is(err, sasl.ErrAuthenticationFailed) {
			t.Fatalf("%v: want UNSUPPORTED_SASL_MECHANISM, not a refusal of the credentials", err)
		}
	})
	t.Run("listener without SASL", func(t *testing.T) {
		st := newSecureTarget(t, securityCase{SecuritySSL, ""}, nil, mockbroker.Topic("t", 1))
		props := st.properties(securityCase{SecuritySASLSSL, sasl.MechanismScramSHA256}, "alice", testPassword)
		err := sendFailsFast(t, newTestProducer(t, st.config(t, props, nil)))
		authFailure(t, err, sasl.MechanismScramSHA256, "takes no SASL (ILLEGAL_SASL_STATE)")
	})
	t.Run("listener requires SASL", func(t *testing.T) {
		t.Parallel()
		sc := securityCase{SecuritySASLPlaintext, sasl.MechanismScramSHA256}
		st := newSecureTarget(t, sc, nil, mockbroker.Topic("t", 1))
		props := st.properties(securityCase{SecurityPlaintext, ""}, "", "")
		props["max.block.ms"] = "2000" // the error says why the last refresh failed: give one time to fail
		_, err := newTestProducer(t, st.config(t, props, nil)).SendSync(context.Background(), &Record{Topic: "t", Value: []byte("v")})
		if err == nil || !strings.Contains(err.Error(), "does its listener require SASL (security.protocol SASL_PLAINTEXT or SASL_SSL)?") {
			t.Fatalf("SendSync: %v, want a hint that the listener requires SASL", err)
		}
		t.Logf("%v", err)
	})
}

// TestSASLHandshakeV0: against a broker without SaslAuthenticate (Kafka before 1.0), the producer
// authenticates with SaslHandshake v0 and bare tokens; a wrong password, which such a broker
// answers by closing the connection, is an authentication failure.
func TestSASLHandshakeV0(t *testing.T) {
	profile := mockbroker.VersionProfile{Advertised: map[protocol.APIKey]protocol.VersionRange{}}
	for k, r := range mockbroker.Kafka40.Advertised {
		if k != protocol.KeySaslAuthenticate {
			profile.Advertised[k] = r
		}
	}
	for _, m := range sasl.Mechanisms() {
		t.Run(m, func(t *testing.T) {
			sc := securityCase{SecuritySASLSSL, m}
			st := newSecureTarget(t, sc, nil, mockbroker.Topic("t", 2), mockbroker.Versions(profile))
			p := newTestProducer(t, st.config(t, st.properties(sc, "alice", testPassword), nil))
			sendNumbered(t, p, "t", 50, nil)
			checkExactlyOnceInOrder(t, st.c, "t", 2, 50)
			for _, e := range st.c.Exchanges() {
				if e.Header.APIKey == protocol.KeySaslHandshake && e.Header.APIVersion != 0 {
					t.Fatalf("SaslHandshake v%d, want v0", e.Header.APIVersion)
				}
			}
			wrong := newTestProducer(t, st.config(t, st.properties(sc, "alice", "wrong"), nil))
			err := sendFailsFast(t, wrong)
			authFailure(t, err, m, "closed the connection during SASL authentication")
			if !errors.Is(err, sasl.ErrAuthenticationFailed) {
				t.Fatalf("%v: not sasl.ErrAuthenticationFailed", err)
			}
		})
	}
}

// TestTLSRefused: a broker certificate from another CA, an expired one, or one for another host
// fails Send at once with a TLS *AuthenticationError naming the x509 failure.
func TestTLSRefused(t *testing.T) {
	other := newTestCA(t)
	otherFile := writeTemp(t, "other-ca.pem", other.CertPEM)
	cases := []struct {
		name      string
		serverTLS func(*mockbroker.TestCA) *tls.Config
		props     map[string]string
		message   string
		check     func(error) bool
	}{
		{"unknown CA", nil, map[string]string{"ssl.ca.location": otherFile}, "x509: certificate signed by unknown authority",
			func(err error) bool { var ua x509.UnknownAuthorityError; return errors.As(err, &ua) }},
		{"expired", expiredServer, nil, "x509: certificate has expired",
			func(err error) bool {
				var ci x509.CertificateInvalidError
				return errors.As(err, &ci) && ci.Reason == x509.Expired
			}},
		{"another host", serverFor("kafka.example.com"), nil, "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
			func(err error) bool { var he x509.HostnameError; return errors.As(err, &he) }},
		{"SASL_SSL, unknown CA", nil, map[string]string{"ssl.ca.location": otherFile, "security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
			"sasl.username": "alice", "sasl.password": testPassword}, "x509: certificate signed by unknown authority",
			func(err error) bool { var ua x509.UnknownAuthorityError; return errors.As(err, &ua) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := securityCase{SecuritySSL, ""}
			st := newSecureTarget(t, sc, tc.serverTLS, mockbroker.Topic("t", 1))
			props := st.properties(sc, "", "")
			for k, v := range tc.props {
				props[k] = v
			}
			err := sendFailsFast(t, newTestProducer(t, st.config(t, props, nil)))
			authFailure(t, err, "TLS", tc.message)
			if !tc.check(err) {
				t.Fatalf("%v (%T): not the x509 error expected", err, errors.Unwrap(err))
			}
			t.Logf("%v", err)
		})
	}
}

// expiredServer is a server configuration with an expired certificate.
func expiredServer(ca *mockbroker.TestCA) *tls.Config {
	cfg, err := ca.ExpiredServerTLSConfig()
	if err != nil {
		panic(err)
	}
	return cfg
}

// serverFor returns a server configuration with a certificate for host only.
func serverFor(host string) func(*mockbroker.TestCA) *tls.Config {
	return func(ca *mockbroker.TestCA) *tls.Config {
		ic, err := ca.Issue(mockbroker.CertOptions{Hosts: []string{host}})
		if err != nil {
			panic(err)
		}
		return &tls.Config{Certificates: []tls.Certificate{ic.TLS}}
	}
}

// TestTLSHostnameSettings: a broker certificate for another host passes with
// ssl.endpoint.identification.algorithm empty, with ssl.server.name naming its host, and with
// ssl.insecure.skip.verify; without the hostname check the chain is still verified.
func TestTLSHostnameSettings(t *testing.T) {
	sc := securityCase{SecuritySSL, ""}
	st := newSecureTarget(t, sc, serverFor("kafka.example.com"), mockbroker.Topic("t", 1))
	for _, settings := range []map[string]string{
		{"ssl.endpoint.identification.algorithm": ""},
		{"ssl.endpoint.identification.algorithm": "none"},
		{"ssl.server.name": "kafka.example.com"},
		{"ssl.insecure.skip.verify": "true", "ssl.ca.location": ""},
	} {
		t.Run(fmt.Sprint(settings), func(t *testing.T) {
			props := st.properties(sc, "", "")
			for k, v := range settings {
				props[k] = v
			}
			p := newTestProducer(t, st.config(t, props, nil))
			sendNumbered(t, p, "t", 10, nil)
		})
	}
	other := newTestCA(t)
	props := st.properties(sc, "", "")
	props["ssl.endpoint.identification.algorithm"] = ""
	props["ssl.ca.location"] = writeTemp(t, "other.pem", other.CertPEM)
	err := sendFailsFast(t, newTestProducer(t, st.config(t, props, nil)))
	authFailure(t, err, "TLS", "x509: certificate signed by unknown authority")
}

// TestMutualTLS: a broker that requires client certificates takes the producer's, given as
// librdkafka's certificate and key files or as a Java PEM keystore; without one, the producer
// fails at once, saying the broker refused the handshake.
func TestMutualTLS(t *testing.T) {
	ca := newTestCA(t)
	client, err := ca.Issue(mockbroker.CertOptions{Client: true})
	if err != nil {
		t.Fatal(err)
	}
	certFile := writeTemp(t, "client.pem", client.CertPEM)
	keyFile := writeTemp(t, "client.key", client.KeyPEM)
	keystore := writeTemp(t, "keystore.pem", append(append([]byte{}, client.KeyPEM...), client.CertPEM...))
	mtls := func(*mockbroker.TestCA) *tls.Config {
		cfg, err := ca.ServerTLSConfig()
		if err != nil {
			panic(err)
		}
		cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, ca.CertPool()
		return cfg
	}
	for _, sc := range []securityCase{{SecuritySSL, ""}, {SecuritySASLSSL, sasl.MechanismScramSHA512}} {
		t.Run(sc.String(), func(t *testing.T) {
			st := newSecureTarget(t, sc, mtls, mockbroker.Topic("t", 2))
			for name, files := range map[string]map[string]string{
				"certificate and key": {"ssl.certificate.location": certFile, "ssl.key.location": keyFile},
				"PEM keystore":        {"ssl.keystore.type": "PEM", "ssl.keystore.location": keystore},
			} {
				props := st.properties(sc, "alice", testPassword)
				props["ssl.ca.location"] = writeTemp(t, "ca.pem", ca.CertPEM)
				for k, v := range files {
					props[k] = v
				}
				p := newTestProducer(t, st.config(t, props, nil))
				sendNumbered(t, p, "t", 20, nil)
				t.Logf("%s: delivered", name)
			}
			props := st.properties(sc, "alice", testPassword)
			props["ssl.ca.location"] = writeTemp(t, "ca.pem", ca.CertPEM)
			err := sendFailsFast(t, newTestProducer(t, st.config(t, props, nil)))
			authFailure(t, err, "TLS", "the broker refused the handshake: tls: certificate required (does the broker require a client certificate?")
		})
	}
}

// TestTLSAgainstPlaintextAndBack: TLS to a plaintext listener, and plaintext to a TLS one, fail
// with a hint at security.protocol.
func TestTLSAgainstPlaintextAndBack(t *testing.T) {
	plain := newSecureTarget(t, securityCase{SecurityPlaintext, ""}, nil, mockbroker.Topic("t", 1))
	secure := newSecureTarget(t, securityCase{SecuritySSL, ""}, nil, mockbroker.Topic("t", 1))
	for _, tc := range []struct {
		name  string
		props map[string]string
		want  string
	}{
		{"SSL to PLAINTEXT", func() map[string]string {
			p := plain.properties(securityCase{SecuritySSL, ""}, "", "")
			p["ssl.ca.location"] = secure.caFile
			return p
		}(), "is its listener PLAINTEXT or SASL_PLAINTEXT?"},
		{"PLAINTEXT to SSL", secure.properties(securityCase{SecurityPlaintext, ""}, "", ""), "is its listener SSL or SASL_SSL (security.protocol)?"},
		// Java's TLS (Kafka's SSL listeners) answers bytes that are not TLS with an alert, which
		// reads as a size prefix of 0x15030300; Go's closes the connection.
		{"PLAINTEXT to SSL that alerts", map[string]string{"bootstrap.servers": alertingListener(t)}, "is its listener SSL or SASL_SSL (security.protocol)?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.props["max.block.ms"] = "2000" // the error says why the last refresh failed: give one time to fail
			_, err := newTestProducer(t, plain.config(t, tc.props, nil)).SendSync(context.Background(), &Record{Topic: "t", Value: []byte("v")})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("SendSync: %v, want %q", err, tc.want)
			}
			t.Logf("%v", err)
		})
	}
}

// alertingListener is the address of a listener that answers whatever a connection sends with a
// TLS alert record (fatal, unexpected_message), as Java's TLS does to bytes that are not TLS,
// and closes it.
func alertingListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.Read(make([]byte, 512))
				conn.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a})
			}()
		}
	}()
	return ln.Addr().String()
}

// TestTLSGoConfigOverDialer: Config.TLS alone (no files) secures connections the Dialer makes, here
// over net.Pipe, with ssl.server.name naming the host the broker's certificate is for; SASL
// authenticates over it.
func TestTLSGoConfigOverDialer(t *testing.T) {
	sc := securityCase{SecuritySASLSSL, sasl.MechanismScramSHA256}
	st := newSecureTarget(t, sc, nil, mockbroker.NumBrokers(2), mockbroker.Topic("t", 3))
	cfg, d := pipeConfig(st.c)
	cfg.SecurityProtocol = SecuritySASLSSL
	cfg.TLS = st.ca.ClientTLSConfig()
	cfg.SSLServerName = "localhost"
	cfg.SASLMechanism = sasl.MechanismScramSHA256
	cfg.SASLJAASConfig = Secret(`org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="` + testPassword + `";`)
	p := newTestProducer(t, cfg)
	sendNumbered(t, p, "t", 300, nil)
	checkExactlyOnceInOrder(t, st.c, "t", 3, 300)
	if d.total() < 2 {
		t.Fatalf("%d connections through the dialer", d.total())
	}
	if cfg.TLS.ServerName != "" || cfg.TLS.ClientSessionCache != nil {
		t.Fatal("the producer changed the caller's tls.Config")
	}
}

// TestAuthFailureOnProduceConnection: when the connection to a partition's leader fails to
// authenticate (here its address leads to a cluster that does not know alice's password), the
// records for that leader's partitions fail at once with the *AuthenticationError; those for the
// other leader are delivered.
func TestAuthFailureOnProduceConnection(t *testing.T) {
	sc := securityCase{SecuritySASLPlaintext, sasl.MechanismScramSHA256}
	good := newSecureTarget(t, sc, nil, mockbroker.NumBrokers(2), mockbroker.Topic("t", 2))
	impostor := mockbroker.NewTestCluster(t, mockbroker.SASLUsers(sc.mechanism, map[string]string{"alice": "another password"}))
	props := good.properties(sc, "alice", testPassword)
	props["bootstrap.servers"] = good.c.Addrs()[0]
	cfg := good.config(t, props, nil)
	cfg.DeliveryTimeout, cfg.Linger = time.Minute, 0
	refused := good.c.Addrs()[1]
	cfg.Dialer = func(ctx context.Context, addr string) (net.Conn, error) {
		if addr != refused {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		}
		client, server := net.Pipe()
		go impostor.ServeConn(server, 0)
		return client, nil
	}
	p := newTestProducer(t, cfg)
	leaders, err := p.PartitionsFor(context.Background(), "t")
	if err != nil {
		t.Fatal(err)
	}
	if leaders[0].Leader == leaders[1].Leader {
		t.Fatalf("leaders %v: want one partition on each broker", leaders)
	}
	o := newOutcomes(40)
	start := time.Now()
	for i := range 40 {
		part := int32(i % 2)
		if err := p.Send(context.Background(), &Record{Topic: "t", Partition: ToPartition(part), Value: []byte{byte(i)}}, o.cb(i)); err != nil {
			t.Fatal(err)
		}
	}
	if !o.wait(40, 10*time.Second) {
		t.Fatal("not every record completed")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("records took %v to complete", took)
	}
	for i := range 40 {
		_, err, _ := o.result(i)
		if leaders[i%2].Leader == 1 {
			authFailure(t, err, sc.mechanism, "invalid credentials")
		} else if err != nil {
			t.Fatalf("record %d to partition %d (leader %d): %v", i, i%2, leaders[i%2].Leader, err)
		}
	}
}
