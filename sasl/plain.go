package sasl

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// PLAIN (RFC 4616): the client sends, in one message, an optional authorization id, the user name
// and the password, separated by NUL bytes; the server checks them and answers with an empty
// message. The password crosses the connection as it is, so PLAIN belongs on TLS (SASL_SSL).

// plainMaxField is the longest user name or password this package accepts: RFC 4616 requires
// servers to take at least 255 bytes; Kafka takes any length.
const plainMaxField = 4096

// plainClient is a PLAIN client.
type plainClient struct {
	user, password string
	started, done  bool
}

// NewPlainClient returns a PLAIN client authenticating user with password, with no separate
// authorization id (Kafka takes one only if it equals the user).
func NewPlainClient(user, password string) Client {
	return &plainClient{user: user, password: password}
}

// Mechanism is "PLAIN".
func (c *plainClient) Mechanism() string { return MechanismPlain }

// String names the mechanism and the user, not the password, so that printing a client is safe.
func (c *plainClient) String() string { return fmt.Sprintf("PLAIN client for user %q", c.user) }

// GoString is String, for %#v.
func (c *plainClient) GoString() string { return c.String() }

// Start returns the one message: NUL, user, NUL, password.
func (c *plainClient) Start() ([]byte, error) {
	if c.started {
		return nil, fail(MechanismPlain, ErrState, "Start called twice")
	}
	c.started = true
	msg := make([]byte, 0, 2+len(c.user)+len(c.password))
	msg = append(msg, 0)
	msg = append(msg, c.user...)
	msg = append(msg, 0)
	return append(msg, c.password...), nil
}

// Next takes the server's (empty) answer and completes the exchange.
func (c *plainClient) Next(challenge []byte) ([]byte, bool, error) {
	if !c.started || c.done {
		return nil, false, fail(MechanismPlain, ErrState, "Next called before Start or after the exchange ended")
	}
	c.done = true
	return nil, true, nil
}

// plainServer is a PLAIN server checking passwords against stored credentials.
type plainServer struct {
	lookup Lookup
	user   string
	ended  bool
}

// Lookup finds the stored credential of user; ok is false for an unknown user.
type Lookup func(user string) (cred ScramCredential, ok bool)

// NewPlainServer returns a PLAIN server that checks a client's password against the credential
// lookup returns for its user: the password is salted and iterated with the credential's
// mechanism, salt and iterations and must give its StoredKey. So even PLAIN's server keeps no
// passwords.
func NewPlainServer(lookup Lookup) Server { return &plainServer{lookup: lookup} }

// Mechanism is "PLAIN".
func (s *plainServer) Mechanism() string { return MechanismPlain }

// User is the authenticated user.
func (s *plainServer) User() string { return s.user }

// Next checks the client's one message and answers with an empty one.
func (s *plainServer) Next(msg []byte) ([]byte, bool, error) {
	if s.ended {
		return nil, false, fail(MechanismPlain, ErrState, "a message after the exchange ended")
	}
	s.ended = true
	authzid, user, password, err := ParsePlain(msg)
	if err != nil {
		return nil, false, err
	}
	if authzid != "" && authzid != user {
		return nil, false, fail(MechanismPlain, ErrAuthenticationFailed, fmt.Sprintf("user %q asked to act as %q", user, authzid))
	}
	cred, ok := s.lookup(user)
	if !ok {
		return nil, false, fail(MechanismPlain, ErrAuthenticationFailed, fmt.Sprintf("unknown user %q", user))
	}
	if !cred.Verify(password) {
		return nil, false, fail(MechanismPlain, ErrAuthenticationFailed, fmt.Sprintf("wrong password for user %q", user))
	}
	s.user = user
	return []byte{}, true, nil
}

// ParsePlain splits a PLAIN client message into its authorization id (often empty), user name and
// password. It fails, naming what is wrong but never the password, unless there are exactly three
// fields, the user and password are not empty, each field is UTF-8 and none is longer than 4096
// bytes. The strings are copies.
func ParsePlain(msg []byte) (authzid, user, password string, err error) {
	first := bytes.IndexByte(msg, 0)
	if first < 0 {
		return "", "", "", fail(MechanismPlain, ErrMalformed, "no NUL separator")
	}
	rest := msg[first+1:]
	second := bytes.IndexByte(rest, 0)
	if second < 0 {
		return "", "", "", fail(MechanismPlain, ErrMalformed, "one NUL separator, want two")
	}
	a, u, p := msg[:first], rest[:second], rest[second+1:]
	switch {
	case bytes.IndexByte(p, 0) >= 0:
		return "", "", "", fail(MechanismPlain, ErrMalformed, "more than two NUL separators")
	case len(u) == 0:
		return "", "", "", fail(MechanismPlain, ErrMalformed, "empty user name")
	case len(p) == 0:
		return "", "", "", fail(MechanismPlain, ErrMalformed, "empty password")
	case len(a) > plainMaxField || len(u) > plainMaxField || len(p) > plainMaxField:
		return "", "", "", fail(MechanismPlain, ErrMalformed, fmt.Sprintf("a field longer than %d bytes", plainMaxField))
	case !utf8.Valid(a) || !utf8.Valid(u):
		return "", "", "", fail(MechanismPlain, ErrMalformed, "user name or authorization id not UTF-8")
	case !utf8.Valid(p):
		return "", "", "", fail(MechanismPlain, ErrMalformed, "password not UTF-8")
	}
	return string(a), string(u), string(p), nil
}
