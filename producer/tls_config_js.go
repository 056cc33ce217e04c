//go:build js

package producer

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// In the WebAssembly build (the browser playground) connections are in memory, and TLS is left out
// so that crypto/tls's client and x509 are not linked (see tls_config.go): a configuration that
// asks for TLS fails at New.

// errNoTLS is why TLS fails in the WebAssembly build.
var errNoTLS = errors.New("TLS is not available in kwire's WebAssembly build")

// clientTLSConfig refuses TLS.
func (c *Config) clientTLSConfig() (*tls.Config, error) {
	return nil, configErrorf("security.protocol", "%v", errNoTLS)
}

// handshakeTLS is never called: clientTLSConfig refuses TLS.
func handshakeTLS(_ context.Context, nc net.Conn, _ string, _ *tls.Config, _ time.Duration) (net.Conn, error) {
	nc.Close()
	return nil, errNoTLS
}

// isTLS reports false: no connection is TLS.
func isTLS(net.Conn) bool { return false }
