package mockbroker

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"
)

// tlsHandshakeTimeout bounds a client's TLS handshake.
const tlsHandshakeTimeout = 10 * time.Second

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
			cc.broker.cluster.logf("broker %d: connection %d from %s: TLS handshake failed: %v", cc.broker.id, cc.id, cc.conn.RemoteAddr(), err)
		}
		return false
	}
	return true
}
