//go:build !js

package mockbroker

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"
)

// TLS lives in this file, and only here, so that the WebAssembly build, where a broker serves
// in-memory connections and never TLS (see tls_js.go), does not link crypto/tls: it would grow the
// playground's download by a third.

// tlsHandshakeTimeout bounds a client's TLS handshake.
const tlsHandshakeTimeout = 10 * time.Second

// tlsListener wraps ln so that its connections speak TLS with cfg.
func tlsListener(ln net.Listener, cfg *tls.Config) net.Listener { return tls.NewListener(ln, cfg) }

// tlsServer runs the server side of TLS with cfg over conn.
func tlsServer(conn net.Conn, cfg *tls.Config) net.Conn { return tls.Server(conn, cfg) }

// checkTLS reports why cfg cannot be used, or nil.
func checkTLS(*tls.Config) error { return nil }

// handshakeTLS completes the TLS handshake of a TLS connection, logging why it failed (an expired
// certificate or a CA the client does not trust shows here as the client's alert); it reports
// false if the connection must close. Plaintext connections pass.
func (cc *clientConn) handshakeTLS() bool {
	tc, ok := cc.conn.(*tls.Conn)
	if !ok {
		return true
	}
	tc.SetDeadline(time.Now().Add(tlsHandshakeTimeout))
	err := tc.Handshake()
	tc.SetDeadline(time.Time{})
	if err != nil {
		if !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.EOF) {
			cc.logf("TLS handshake failed: %v", err)
		}
		return false
	}
	return true
}
