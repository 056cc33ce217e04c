package sasl

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// scramServer is a SCRAM server; step counts the client messages it has taken.
type scramServer struct {
	m           *Scram
	lookup      Lookup
	newNonce    func() (string, error) // draws the server's nonce; tests replace it with the RFCs'
	step        int
	first       clientFirst
	cred        ScramCredential
	nonce       string // the client's nonce and the server's
	serverFirst string
	user        string
}

// NewServer returns a server of m that finds each user's credential with lookup. Its nonces come
// from random, crypto/rand.Reader when nil. A credential lookup returns for another mechanism
// counts as an unknown user.
func (m *Scram) NewServer(lookup Lookup, random io.Reader) Server {
	return &scramServer{m: m, lookup: lookup, newNonce: func() (string, error) { return newNonce(random) }}
}

// Mechanism is the mechanism's name.
func (s *scramServer) Mechanism() string { return s.m.name }

// User is the authenticated user.
func (s *scramServer) User() string { return s.user }

// Next answers the client-first message with the server-first message, then checks the
// client-final message's proof and answers with the server-final message.
func (s *scramServer) Next(msg []byte) ([]byte, bool, error) {
	step := s.step
	s.step = -1 // until the step succeeds
	switch step {
	case 0:
		nonce, err := s.newNonce()
		if err != nil {
			return nil, false, fmt.Errorf("sasl %s: drawing a nonce: %w", s.m.name, err)
		}
		reply, err := s.challenge(string(msg), nonce)
		if err != nil {
			return nil, false, err
		}
		s.step = 1
		return []byte(reply), false, nil
	case 1:
		reply, err := s.finish(string(msg))
		if err != nil {
			return nil, false, err
		}
		s.step = 2
		return []byte(reply), true, nil
	}
	return nil, false, fail(s.m.name, ErrState, "a message after the exchange ended")
}

// challenge takes the client-first message and returns the server-first message, with the user's
// salt and iteration count and nonce appended to the client's.
func (s *scramServer) challenge(msg, nonce string) (string, error) {
	cf, err := s.m.parseClientFirst(msg)
	if err != nil {
		return "", err
	}
	if cf.extensions["tokenauth"] == "true" {
		return "", fail(s.m.name, ErrUnsupported, "delegation tokens (tokenauth=true)")
	}
	if cf.authzid != "" && cf.authzid != cf.user {
		return "", fail(s.m.name, ErrAuthenticationFailed, fmt.Sprintf("user %q asked to act as %q", cf.user, cf.authzid))
	}
	cred, ok := s.lookup(cf.user)
	if !ok || cred.Mechanism != s.m.name {
		return "", fail(s.m.name, ErrAuthenticationFailed, fmt.Sprintf("unknown user %q", cf.user))
	}
	s.first, s.cred = cf, cred
	s.nonce = cf.nonce + nonce
	s.serverFirst = "r=" + s.nonce + ",s=" + base64.StdEncoding.EncodeToString(cred.Salt) + ",i=" + strconv.Itoa(cred.Iterations)
	return s.serverFirst, nil
}

// finish checks the client-final message: the channel binding repeats the GS2 header, the nonce
// ends with the combined one, and the proof recovers a ClientKey whose hash is the StoredKey. It returns the
// server-final message, the server's own signature.
func (s *scramServer) finish(msg string) (string, error) {
	cf, err := s.m.parseClientFinal(msg)
	if err != nil {
		return "", err
	}
	if cf.binding != base64.StdEncoding.EncodeToString([]byte(s.first.gs2Header)) {
		return "", fail(s.m.name, ErrMalformed, "client-final message: channel binding (c=) does not repeat the GS2 header")
	}
	// RFC 5802 wants the nonce repeated exactly. Kafka's server accepts any nonce that ends with it,
	// and librdkafka 2.0 relies on that: it sends its own nonce twice. The proof covers the message
	// as sent, so the leniency costs nothing.
	if !strings.HasSuffix(cf.nonce, s.nonce) {
		return "", fail(s.m.name, ErrMalformed, "client-final message: the nonce (r=) does not end with the one agreed")
	}
	authMessage := s.first.bare + "," + s.serverFirst + "," + cf.withoutProof
	signature := s.m.hmac(s.cred.StoredKey, authMessage)
	if len(cf.proof) != len(signature) || !hmac.Equal(s.m.sum(xor(cf.proof, signature)), s.cred.StoredKey) {
		return "", fail(s.m.name, ErrAuthenticationFailed, fmt.Sprintf("wrong password for user %q", s.first.user))
	}
	s.user = s.first.user
	return "v=" + base64.StdEncoding.EncodeToString(s.m.hmac(s.cred.ServerKey, authMessage)), nil
}
