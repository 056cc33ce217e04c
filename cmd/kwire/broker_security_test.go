package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// rawClient sends requests and reads responses on one connection, for the broker's security tests.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	corr int32
}

// roundTrip sends req at version and decodes the response into resp; it reports false if the
// broker closed the connection instead of answering.
func (c *rawClient) roundTrip(version int16, req, resp protocol.Message) bool {
	c.t.Helper()
	c.corr++
	c.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.conn.Write(protocol.AppendRequest(nil, &protocol.RequestHeader{APIKey: req.Key(), APIVersion: version, CorrelationID: c.corr}, req)); err != nil {
		return false
	}
	var size [4]byte
	if _, err := io.ReadFull(c.conn, size[:]); err != nil {
		return false
	}
	frame := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(c.conn, frame); err != nil {
		c.t.Fatal(err)
	}
	_, body, err := protocol.ReadResponseHeader(frame, req.Key(), version)
	if err == nil {
		err = resp.Decode(body, version)
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return true
}

// login authenticates with mechanism (SaslHandshake v1, SaslAuthenticate v2) and returns the
// error code and message of the last answer.
func (c *rawClient) login(mechanism, user, password string) (int16, string) {
	c.t.Helper()
	var hs protocol.SaslHandshakeResponse
	if !c.roundTrip(1, &protocol.SaslHandshakeRequest{Mechanism: mechanism}, &hs) || hs.ErrorCode != 0 {
		c.t.Fatalf("SaslHandshake %s: %v %v", mechanism, kerr.ForCode(hs.ErrorCode), hs.Mechanisms)
	}
	client, err := sasl.NewClient(mechanism, user, password)
	if err != nil {
		c.t.Fatal(err)
	}
	msg, err := client.Start()
	for done := false; !done; {
		if err != nil {
			c.t.Fatal(err)
		}
		var resp protocol.SaslAuthenticateResponse
		if !c.roundTrip(2, &protocol.SaslAuthenticateRequest{AuthBytes: msg}, &resp) {
			c.t.Fatal("connection closed during SaslAuthenticate")
		}
		if resp.ErrorCode != 0 {
			return resp.ErrorCode, *resp.ErrorMessage
		}
		msg, done, err = client.Next(resp.AuthBytes)
	}
	return 0, ""
}

// dialCA connects to addr over TLS, trusting the CA certificate in the PEM file caFile.
func dialCA(t *testing.T, addr, caFile string) *rawClient {
	t.Helper()
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("%s holds no certificate:\n%s", caFile, pemBytes)
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatalf("TLS to %s with the CA from --tls-ca-out: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawClient{t: t, conn: conn}
}

// kwire broker --tls --sasl-…: a client trusting the CA it wrote authenticates with each enabled
// mechanism and is served; a wrong password is refused; a mechanism not enabled is refused; the
// ready line is as without security, and the log never shows a password.
func TestBrokerTLSAndSASL(t *testing.T) {
	const password = "pa:ss-w0rd"
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	cmd, stdout, stderr := startKwire(t, "broker", "--listen", "127.0.0.1:0", "--tls", "--tls-ca-out", caFile,
		"--sasl-mechanism", "SCRAM-SHA-256,PLAIN", "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-user", "alice:"+password, "--sasl-user", "bob:b", "-v")
	if !stdout.Scan() {
		t.Fatalf("no ready line; stderr:\n%s", stderr)
	}
	addr, ok := strings.CutPrefix(stdout.Text(), "ready ")
	if !ok || strings.Contains(addr, ",") {
		t.Fatalf("first line %q, want ready and one address", stdout.Text())
	}
	for _, m := range []string{"SCRAM-SHA-256", "PLAIN", "SCRAM-SHA-512"} {
		c := dialCA(t, addr, caFile)
		if code, msg := c.login(m, "alice", password); code != 0 {
			t.Fatalf("%s: %v: %s", m, kerr.ForCode(code), msg)
		}
		var md protocol.MetadataResponse
		if !c.roundTrip(12, &protocol.MetadataRequest{}, &md) || len(md.Brokers) != 1 {
			t.Fatalf("%s: metadata after authenticating: %+v", m, md)
		}
	}
	wrong := dialCA(t, addr, caFile)
	if code, msg := wrong.login("SCRAM-SHA-256", "alice", "not-"+password); code != kerr.SaslAuthenticationFailed.Code || strings.Contains(msg, password) {
		t.Fatalf("wrong password: %v: %s", kerr.ForCode(code), msg)
	}
	unauthenticated := dialCA(t, addr, caFile)
	if unauthenticated.roundTrip(12, &protocol.MetadataRequest{}, new(protocol.MetadataResponse)) {
		t.Fatal("metadata answered before authentication")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v; stderr:\n%s", err, stderr)
	}
	log := stderr.String()
	for _, want := range []string{`authenticated as "alice" with SCRAM-SHA-512`, `wrong password for user "alice"`, "Metadata before SASL authentication"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, password) {
		t.Fatalf("the log shows the password:\n%s", log)
	}
}

// kwire broker --sasl-user without --tls is SASL_PLAINTEXT with all three mechanisms.
func TestBrokerSASLPlaintextDefaultsToAllMechanisms(t *testing.T) {
	cmd, stdout, stderr := startKwire(t, "broker", "--listen", "127.0.0.1:0", "--sasl-user", "alice:secret")
	if !stdout.Scan() {
		t.Fatalf("no ready line; stderr:\n%s", stderr)
	}
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(stdout.Text(), "ready "), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := &rawClient{t: t, conn: conn}
	var hs protocol.SaslHandshakeResponse
	c.roundTrip(1, &protocol.SaslHandshakeRequest{Mechanism: "GSSAPI"}, &hs)
	if hs.ErrorCode != kerr.UnsupportedSaslMechanism.Code || strings.Join(hs.Mechanisms, ",") != "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512" {
		t.Fatalf("got %v %v", kerr.ForCode(hs.ErrorCode), hs.Mechanisms)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v; stderr:\n%s", err, stderr)
	}
}

func TestBrokerSecurityFlagErrors(t *testing.T) {
	wantFailure(t, 2, "", []string{"broker", "--tls-ca-out", "ca.pem"}, "--tls-ca-out needs --tls")
	wantFailure(t, 2, "", []string{"broker", "--sasl-mechanism", "PLAIN"}, "needs at least one --sasl-user")
	wantFailure(t, 2, "", []string{"broker", "--sasl-mechanism", "GSSAPI", "--sasl-user", "a:b"}, `"GSSAPI"`, "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512")
	wantFailure(t, 2, "", []string{"broker", "--sasl-mechanism", "PLAIN,", "--sasl-user", "a:b"}, "empty value")
	wantFailure(t, 2, "", []string{"broker", "--sasl-user", ":pw"}, "empty user name")
	wantFailure(t, 2, "", []string{"broker", "--sasl-user", "alice:"}, `"alice": empty password`)
	r := wantFailure(t, 2, "", []string{"broker", "--sasl-user", "secret-with-no-colon"}, "want USER:PASSWORD")
	if strings.Contains(r.stderr, "secret-with-no-colon") {
		t.Fatalf("the error shows what may be a password: %s", r.stderr)
	}
	wantFailure(t, 1, "", []string{"broker", "--listen", "127.0.0.1:0", "--tls", "--tls-ca-out", filepath.Join(t.TempDir(), "no", "such", "dir", "ca.pem")}, "--tls-ca-out")
}
