//go:build !js

package producer

// The TLS client side: the configuration New builds from Config.TLS and the ssl.* settings, read
// once from PEM files as the Java client reads its stores at construction, and the handshake
// every connection makes with it, over whatever connection the Dialer (or TCP) gave. It is left
// out of the WebAssembly build (see tls_config_js.go), whose connections are in memory, so that
// the playground does not download crypto/tls's client and x509.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// tlsSessionCacheSize is how many TLS sessions the producer keeps for resumption, which makes
// reconnecting (and replacing connections whose SASL session ends) cheaper.
const tlsSessionCacheSize = 64

// clientTLSConfig builds the TLS client configuration: a copy of Config.TLS (or an empty one)
// with the CA certificates, the client certificate and the verification settings applied. Errors
// are *ConfigError naming the property.
func (c *Config) clientTLSConfig() (*tls.Config, error) {
	tc := &tls.Config{}
	if c.TLS != nil {
		tc = c.TLS.Clone()
	}
	if path, prop := c.caFile(); path != "" {
		pool, err := loadCertPool(path)
		if err != nil {
			return nil, configErrorf(prop, "%v", err)
		}
		tc.RootCAs = pool
	}
	if certPath, keyPath, prop := c.clientCertFiles(); certPath != "" {
		cert, err := loadKeyPair(certPath, keyPath)
		if err != nil {
			return nil, configErrorf(prop, "%v", err)
		}
		tc.Certificates = append(tc.Certificates, cert)
	}
	if c.SSLServerName != "" {
		tc.ServerName = c.SSLServerName
	}
	switch {
	case c.SSLInsecureSkipVerify:
		tc.InsecureSkipVerify = true
	case c.SSLSkipHostnameVerification && !tc.InsecureSkipVerify:
		verifyWithoutHostname(tc)
	}
	if tc.ClientSessionCache == nil {
		tc.ClientSessionCache = tls.NewLRUClientSessionCache(tlsSessionCacheSize)
	}
	return tc, nil
}

// caFile is the file of CA certificates and the property that names it.
func (c *Config) caFile() (path, property string) {
	if c.SSLTruststoreLocation != "" {
		return c.SSLTruststoreLocation, "ssl.truststore.location"
	}
	return c.SSLCALocation, "ssl.ca.location"
}

// clientCertFiles are the files of the client certificate and its key (one file for a PEM
// keystore), and the property that names the certificate.
func (c *Config) clientCertFiles() (certPath, keyPath, property string) {
	if c.SSLKeystoreLocation != "" {
		return c.SSLKeystoreLocation, c.SSLKeystoreLocation, "ssl.keystore.location"
	}
	return c.SSLCertificateLocation, c.SSLKeyLocation, "ssl.certificate.location"
}

// loadCertPool reads a PEM file of certificates into a pool.
func loadCertPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate (kwire reads PEM, not JKS or PKCS12)", path)
	}
	return pool, nil
}

// loadKeyPair reads a certificate chain and its private key from PEM files, which may be one
// file holding both. Encrypted keys are refused with a way out.
func loadKeyPair(certPath, keyPath string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM := certPEM
	if keyPath != certPath {
		if keyPEM, err = os.ReadFile(keyPath); err != nil {
			return tls.Certificate{}, err
		}
	}
	if encryptedKey(keyPEM) {
		return tls.Certificate{}, fmt.Errorf("the private key in %s is encrypted; kwire reads unencrypted keys only (openssl pkey -in KEY -out PLAIN-KEY)", keyPath)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s and %s: %w", certPath, keyPath, err)
	}
	return cert, nil
}

// encryptedKey reports whether a PEM file holds an encrypted private key: PKCS #8's, or the
// legacy form with a Proc-Type header.
func encryptedKey(data []byte) bool {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return false
		}
		if block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
			return true
		}
	}
}

// verifyWithoutHostname makes tc verify the broker's certificate chain against its roots (the
// system's when nil) without checking that the certificate names the host:
// ssl.endpoint.identification.algorithm empty. crypto/tls can only skip both, so tc skips both
// and verifies the chain itself.
func verifyWithoutHostname(tc *tls.Config) {
	roots, now, next := tc.RootCAs, tc.Time, tc.VerifyConnection
	tc.InsecureSkipVerify = true
	tc.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: the broker sent no certificate")
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		if now != nil {
			opts.CurrentTime = now()
		}
		for _, cert := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(cert)
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
		}
		if next != nil {
			return next(cs)
		}
		return nil
	}
}

// handshakeTLS runs the client side of TLS over nc to the broker at addr, within timeout. Without
// a server name configured, the broker's host is verified and sent in SNI. On failure nc is
// closed.
func handshakeTLS(ctx context.Context, nc net.Conn, addr string, base *tls.Config, timeout time.Duration) (net.Conn, error) {
	cfg := base
	if cfg.ServerName == "" {
		cfg = base.Clone()
		cfg.ServerName = addr
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cfg.ServerName = host
		}
	}
	tc := tls.Client(nc, cfg)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		nc.Close()
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("TLS handshake not done within request.timeout.ms (%v)", timeout)
		}
		return nil, err
	}
	return tc, nil
}

// isTLS reports whether nc is a TLS connection.
func isTLS(nc net.Conn) bool {
	_, ok := nc.(*tls.Conn)
	return ok
}
