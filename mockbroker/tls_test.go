package mockbroker

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// dialTLSTest connects to addr over TLS with cfg, as a client.
func dialTLSTest(t *testing.T, addr string, cfg *tls.Config) (*testClient, error) {
	t.Helper()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { conn.Close() })
	return &testClient{t: t, conn: conn, r: bufio.NewReader(conn)}, nil
}

func newTestCA(t *testing.T) *TestCA {
	t.Helper()
	ca, err := NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func serverTLS(t *testing.T, ca *TestCA) *tls.Config {
	t.Helper()
	cfg, err := ca.ServerTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// A client that trusts the test CA talks to a TLS broker, by IP address and by name; a plaintext
// client gets nothing.
func TestTLSWithTestCA(t *testing.T) {
	ca := newTestCA(t)
	c, logs := loggedCluster(t, TLS(serverTLS(t, ca)))
	addr := c.Addrs()[0]
	tc, err := dialTLSTest(t, addr, ca.ClientTLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	tc.metadataWorks()
	_, port, _ := net.SplitHostPort(addr)
	byName := ca.ClientTLSConfig()
	byName.ServerName = "localhost"
	if tc, err = dialTLSTest(t, "127.0.0.1:"+port, byName); err != nil {
		t.Fatalf("by name: %v", err)
	}
	tc.metadataWorks()

	plain := dialTest(t, addr)
	plain.send(3, &protocol.ApiVersionsRequest{})
	plain.expectClosed()
	logs.waitFor(t, "TLS handshake failed")
}

// A verifying client refuses an expired certificate, and one from a CA it does not trust; the
// broker logs the failed handshakes.
func TestTLSRefusedCertificates(t *testing.T) {
	ca := newTestCA(t)
	expired, err := ca.ExpiredServerTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	c, logs := loggedCluster(t, TLS(expired))
	_, err = dialTLSTest(t, c.Addrs()[0], ca.ClientTLSConfig())
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Fatalf("dialing a broker with an expired certificate: %v", err)
	}
	logs.waitFor(t, "TLS handshake failed")

	good := NewTestCluster(t, TLS(serverTLS(t, ca)))
	_, err = dialTLSTest(t, good.Addrs()[0], newTestCA(t).ClientTLSConfig())
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("dialing with another CA: %v", err)
	}
}

// A broker can require client certificates (mutual TLS) the test CA issued.
func TestTLSClientCertificates(t *testing.T) {
	ca := newTestCA(t)
	cfg := serverTLS(t, ca)
	cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, ca.CertPool()
	c := NewTestCluster(t, TLS(cfg))
	client, err := ca.Issue(CertOptions{Client: true, CommonName: "producer-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(client.CertPEM), "BEGIN CERTIFICATE") || !strings.Contains(string(client.KeyPEM), "BEGIN PRIVATE KEY") {
		t.Fatalf("PEM:\n%s\n%s", client.CertPEM, client.KeyPEM)
	}
	withCert := ca.ClientTLSConfig()
	withCert.Certificates = []tls.Certificate{client.TLS}
	tc, err := dialTLSTest(t, c.Addrs()[0], withCert)
	if err != nil {
		t.Fatal(err)
	}
	tc.metadataWorks()

	// Without a certificate TLS 1.3 completes the client's handshake; the broker's refusal
	// arrives with the first read.
	without, err := dialTLSTest(t, c.Addrs()[0], ca.ClientTLSConfig())
	if err == nil {
		without.send(3, &protocol.ApiVersionsRequest{})
		without.expectClosed()
	}
}

// SASL over TLS (SASL_SSL), and TLS over ServeConn's connection.
func TestTLSWithSASLAndServeConn(t *testing.T) {
	ca := newTestCA(t)
	c := NewTestCluster(t, TLS(serverTLS(t, ca)), SASLUsers(sasl.MechanismScramSHA512, map[string]string{"alice": alicePassword}))
	tc, err := dialTLSTest(t, c.Addrs()[0], ca.ClientTLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	tc.login(2, sasl.MechanismScramSHA512)
	tc.metadataWorks()

	client, server := net.Pipe()
	go c.ServeConn(server, 0)
	cfg := ca.ClientTLSConfig()
	cfg.ServerName = "localhost"
	conn := tls.Client(client, cfg)
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if err := conn.Handshake(); err != nil {
		t.Fatalf("TLS over ServeConn: %v", err)
	}
	pipe := &testClient{t: t, conn: conn, r: bufio.NewReader(conn)}
	pipe.login(1, sasl.MechanismScramSHA512)
	pipe.metadataWorks()
}

// The test CA's certificates are what it says: a CA, and leaves for the default hosts.
func TestTestCACertificates(t *testing.T) {
	ca := newTestCA(t)
	if !ca.Cert.IsCA || ca.Cert.NotAfter.Before(time.Now().Add(24*time.Hour)) {
		t.Fatalf("CA: IsCA %v, NotAfter %v", ca.Cert.IsCA, ca.Cert.NotAfter)
	}
	leaf, err := ca.Issue(CertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(leaf.TLS.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: ca.CertPool(), DNSName: host}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if err := cert.VerifyHostname("example.com"); err == nil {
		t.Error("valid for example.com")
	}
}
