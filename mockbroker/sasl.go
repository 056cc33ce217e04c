package mockbroker

// SASL on a broker: each connection's authentication state, and Kafka's rule for a SASL listener
// that a connection authenticates before anything else. Before SaslHandshake it may send
// ApiVersions and SaslHandshake only; after SaslHandshake v1, SaslAuthenticate only; after
// SaslHandshake v0, raw SASL tokens (size-prefixed, no Kafka header) until the mechanism is done.
// Any other request closes the connection and is logged. Kafka closes it too: before SaslHandshake
// without an answer, as here; during an exchange after answering the request with
// ILLEGAL_SASL_STATE, which this broker does not (it would need an error response for every API).
// Once authenticated, everything is allowed; a SaslHandshake starts re-authentication (KIP-368),
// which must keep the mechanism and the user. With a session lifetime, a request other than
// SaslHandshake after the session expired closes the connection, as in Kafka; an idle connection
// is not closed at expiry.
//
// The two APIs are served in sasl_handshake.go and sasl_authenticate.go.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// saslState is where a connection is in authenticating.
type saslState int

const (
	saslAwaitHandshake    saslState = iota // ApiVersions and SaslHandshake only
	saslAwaitAuthenticate                  // after SaslHandshake v1: SaslAuthenticate only
	saslRawTokens                          // after SaslHandshake v0: frames are raw tokens
	saslAuthenticated                      // anything
)

// saslConn is one connection's SASL state; nil on a broker without SASL.
type saslConn struct {
	users        *sasl.Users
	state        saslState
	mechanism    string      // the mechanism the connection authenticated (or is authenticating) with
	server       sasl.Server // the exchange under way, nil when none is
	badMechanism string      // re-authentication asked for another mechanism: the exchange fails
	user         string      // whom the connection authenticated as
	expires      time.Time   // when the session ends; zero for never
}

func newSASLConn(users *sasl.Users) *saslConn {
	if users == nil {
		return nil
	}
	return &saslConn{users: users}
}

// admit reports whether a request of API key may be served on the connection in its SASL state,
// logging why not; a request that is not admitted closes the connection.
func (cc *clientConn) admit(key protocol.APIKey) bool {
	s := cc.sasl
	if s == nil {
		return true
	}
	why := ""
	switch s.state {
	case saslAwaitHandshake:
		if key == protocol.KeyApiVersions || key == protocol.KeySaslHandshake {
			return true
		}
		why = fmt.Sprintf("%s before SASL authentication (only ApiVersions and SaslHandshake may come first)", key)
	case saslAwaitAuthenticate:
		if key == protocol.KeySaslAuthenticate {
			return true
		}
		why = fmt.Sprintf("%s during SASL authentication (after SaslHandshake only SaslAuthenticate may come)", key)
	case saslAuthenticated:
		if s.expires.IsZero() || time.Now().Before(s.expires) || key == protocol.KeySaslHandshake {
			return true
		}
		why = fmt.Sprintf("%s after the SASL session of user %q expired %v ago without re-authentication", key, s.user, time.Since(s.expires).Round(time.Millisecond))
	}
	cc.logf("%s: closing the connection", why)
	return false
}

// step feeds a client's token to the connection's exchange and returns the reply. When the
// exchange completes, the connection is authenticated. An error (already logged) means
// authentication failed.
func (cc *clientConn) step(token []byte) ([]byte, error) {
	s := cc.sasl
	if s.badMechanism != "" {
		err := fmt.Errorf("re-authentication with %s, but the connection authenticated with %s", s.badMechanism, s.mechanism)
		cc.logf("SASL %s", err)
		return nil, err
	}
	reply, done, err := s.server.Next(token)
	if err != nil {
		cc.logf("SASL authentication failed: %v", err)
		return nil, err
	}
	if !done {
		return reply, nil
	}
	user := s.server.User()
	if s.user != "" && user != s.user {
		err := fmt.Errorf("re-authentication as %q, but the connection authenticated as %q", user, s.user)
		cc.logf("SASL %s", err)
		return nil, err
	}
	s.state, s.user, s.server = saslAuthenticated, user, nil
	if d := cc.broker.cluster.cfg.saslLifetime; d > 0 {
		s.expires = time.Now().Add(d)
	}
	cc.logf("authenticated as %q with %s", user, s.mechanism)
	return reply, nil
}

// publicMessage is what a failed SaslAuthenticate tells the client: Kafka's words for wrong
// credentials, which do not say whether the user exists, else what went wrong. No password is in
// any of them.
func publicMessage(mechanism string, err error) string {
	switch {
	case errors.Is(err, sasl.ErrAuthenticationFailed) && mechanism == sasl.MechanismPlain:
		return "Authentication failed: Invalid username or password"
	case errors.Is(err, sasl.ErrAuthenticationFailed):
		return "Authentication failed during authentication due to invalid credentials with SASL mechanism " + mechanism
	}
	return "Authentication failed: " + err.Error()
}

// takeToken returns a copy of a SaslAuthenticate request's token for the exchange, and blanks the
// secret in the request itself (PLAIN's password), so that captured exchanges and anything shown
// from them hold no password.
func (cc *clientConn) takeToken(req *protocol.SaslAuthenticateRequest) []byte {
	token := bytes.Clone(req.AuthBytes)
	mechanism := sasl.MechanismPlain // when the mechanism is unknown, redact what looks like PLAIN
	if cc.sasl != nil && cc.sasl.server != nil {
		mechanism = cc.sasl.server.Mechanism()
	}
	sasl.RedactClientMessage(mechanism, req.AuthBytes)
	return token
}

// rawToken handles a frame after SaslHandshake v0: a bare token, answered with a bare token (an
// empty one is a zero size). There is no way to say why authentication failed in this framing;
// Kafka closes the connection, and so does the broker. Raw tokens are not captured as exchanges.
func (cc *clientConn) rawToken(frame []byte) bool {
	reply, err := cc.step(frame)
	if err != nil {
		return false
	}
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(reply)), uint32(len(reply)))
	if err := cc.write(append(out, reply...)); err != nil {
		cc.logf("writing a SASL token: %v", err)
		return false
	}
	return true
}

// logf logs a line about the connection.
func (cc *clientConn) logf(format string, args ...any) {
	cc.broker.cluster.logf("broker %d: connection %d from %s: %s", cc.broker.id, cc.id, cc.conn.RemoteAddr(), fmt.Sprintf(format, args...))
}
