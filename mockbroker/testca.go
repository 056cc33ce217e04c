package mockbroker

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// TestCA is a throwaway certificate authority, made on the fly, that issues certificates for
// tests: a server certificate for a TLS broker, an expired one, client certificates. Keys are
// ECDSA P-256; nothing is written to disk unless the caller writes the PEM out.
//
//	ca, _ := mockbroker.NewTestCA()
//	serverTLS, _ := ca.ServerTLSConfig()
//	c := mockbroker.NewTestCluster(t, mockbroker.TLS(serverTLS))
//	conn, _ := tls.Dial("tcp", c.Addrs()[0], ca.ClientTLSConfig())
type TestCA struct {
	// CertPEM is the CA's certificate in PEM: what a client trusts (librdkafka's
	// ssl.ca.location, the Java client's truststore).
	CertPEM []byte
	// Cert is the CA's certificate.
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// CertOptions says what certificate [TestCA.Issue] makes.
type CertOptions struct {
	// CommonName is the subject's common name (default "kwire test server", or "kwire test client").
	CommonName string
	// Hosts are the DNS names and IP addresses the certificate is valid for (default 127.0.0.1,
	// ::1 and localhost); ignored for client certificates.
	Hosts []string
	// Client makes a certificate for TLS client authentication instead of a server's.
	Client bool
	// NotBefore and NotAfter bound its validity (default: from an hour ago to a day from now).
	NotBefore, NotAfter time.Time
}

// IssuedCert is a certificate TestCA issued, with its private key.
type IssuedCert struct {
	CertPEM []byte          // the certificate, PEM
	KeyPEM  []byte          // its private key, PEM (PKCS #8)
	TLS     tls.Certificate // both, for a tls.Config
}

// NewTestCA makes a new CA, valid from an hour ago for a week.
func NewTestCA() (*TestCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mockbroker: test CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serialNumber(),
		Subject:               pkix.Name{CommonName: "kwire test CA", Organization: []string{"kwire"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("mockbroker: test CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("mockbroker: test CA certificate: %w", err)
	}
	return &TestCA{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Cert: cert, key: key}, nil
}

// serialNumber is a random 128-bit serial number.
func serialNumber() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	return n
}

// CertPool is a pool holding the CA's certificate: RootCAs for clients, ClientCAs for a server
// that verifies client certificates.
func (ca *TestCA) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// Issue makes a certificate signed by the CA.
func (ca *TestCA) Issue(o CertOptions) (*IssuedCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mockbroker: certificate key: %w", err)
	}
	tmpl := certTemplate(o)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("mockbroker: issuing a certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("mockbroker: encoding a certificate key: %w", err)
	}
	ic := &IssuedCert{
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
	if ic.TLS, err = tls.X509KeyPair(ic.CertPEM, ic.KeyPEM); err != nil {
		return nil, fmt.Errorf("mockbroker: certificate key pair: %w", err)
	}
	return ic, nil
}

// certTemplate is the template of a certificate with options o, defaults filled in.
func certTemplate(o CertOptions) *x509.Certificate {
	now := time.Now()
	if o.NotBefore.IsZero() {
		o.NotBefore = now.Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serialNumber(),
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if o.Client {
		tmpl.Subject = pkix.Name{CommonName: orDefault(o.CommonName, "kwire test client")}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		return tmpl
	}
	tmpl.Subject = pkix.Name{CommonName: orDefault(o.CommonName, "kwire test server")}
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	hosts := o.Hosts
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1", "::1", "localhost"}
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return tmpl
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ServerTLSConfig is a server configuration with a fresh certificate for 127.0.0.1, ::1 and
// localhost, valid now: pass it to [TLS]. To require client certificates, set its ClientAuth to
// tls.RequireAndVerifyClientCert and its ClientCAs to [TestCA.CertPool].
func (ca *TestCA) ServerTLSConfig() (*tls.Config, error) {
	return ca.serverConfig(CertOptions{})
}

// ExpiredServerTLSConfig is ServerTLSConfig with a certificate that expired a day ago, which a
// verifying client must refuse.
func (ca *TestCA) ExpiredServerTLSConfig() (*tls.Config, error) {
	now := time.Now()
	return ca.serverConfig(CertOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)})
}

func (ca *TestCA) serverConfig(o CertOptions) (*tls.Config, error) {
	ic, err := ca.Issue(o)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{ic.TLS}, MinVersion: tls.VersionTLS12}, nil
}

// ClientTLSConfig is a client configuration that trusts the CA (and nothing else), for
// tls.Dial or a Kafka client's dialer.
func (ca *TestCA) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: ca.CertPool(), MinVersion: tls.VersionTLS12}
}
