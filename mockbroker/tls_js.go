//go:build js

package mockbroker

import (
	"crypto/tls"
	"errors"
	"net"
)

// In the WebAssembly build a cluster serves in-memory connections, and TLS is left out so that
// crypto/tls is not linked (see tls.go): a cluster asked for TLS fails to start.

// tlsListener is never called: checkTLS refuses TLS.
func tlsListener(ln net.Listener, _ *tls.Config) net.Listener { return ln }

// tlsServer is never called: checkTLS refuses TLS.
func tlsServer(conn net.Conn, _ *tls.Config) net.Conn { return conn }

// checkTLS refuses any TLS configuration.
func checkTLS(cfg *tls.Config) error {
	if cfg != nil {
		return errors.New("mockbroker: TLS is not available in the WebAssembly build")
	}
	return nil
}

// handshakeTLS passes every connection: none is TLS.
func (cc *clientConn) handshakeTLS() bool { return true }
