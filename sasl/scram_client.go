package sasl

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
)

// nonceSize is how many random bytes a nonce holds; base64 makes 32 printable characters of them.
const nonceSize = 24

// newNonce draws a nonce from random: base64 (which has no ",") of nonceSize bytes.
func newNonce(random io.Reader) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	b := make([]byte, nonceSize)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// scramClient is a SCRAM client; step counts the messages it has sent.
type scramClient struct {
	m              *Scram
	user, password string
	newNonce       func() (string, error) // draws the nonce; tests replace it with the RFCs'
	step           int
	nonce          string // the client's nonce
	bare           string // its client-first-message-bare
	serverKey      []byte // derived when answering the server-first message
	authMessage    string
}

// NewClient returns a client of m authenticating user with password. Its nonce comes from random,
// crypto/rand.Reader when nil (a fixed reader makes the exchange reproducible in tests).
func (m *Scram) NewClient(user, password string, random io.Reader) Client {
	return &scramClient{m: m, user: user, password: password, newNonce: func() (string, error) { return newNonce(random) }}
}

// Mechanism is the mechanism's name.
func (c *scramClient) Mechanism() string { return c.m.name }

// String names the mechanism and the user, not the password, so that printing a client is safe.
func (c *scramClient) String() string { return fmt.Sprintf("%s client for user %q", c.m.name, c.user) }

// GoString is String, for %#v.
func (c *scramClient) GoString() string { return c.String() }

// Start returns the client-first message: "n,,n=USER,r=NONCE".
func (c *scramClient) Start() ([]byte, error) {
	if c.step != 0 {
		return nil, fail(c.m.name, ErrState, "Start called twice")
	}
	nonce, err := c.newNonce()
	if err != nil {
		return nil, fmt.Errorf("sasl %s: drawing a nonce: %w", c.m.name, err)
	}
	c.step = 1
	c.nonce = nonce
	c.bare = "n=" + escapeSaslname(c.user) + ",r=" + nonce
	return []byte(gs2NoBinding + c.bare), nil
}

// Next answers the server-first message with the client-final message, then checks the
// server-final message's signature.
func (c *scramClient) Next(challenge []byte) ([]byte, bool, error) {
	switch c.step {
	case 1:
		final, err := c.final(string(challenge))
		if err != nil {
			c.step = -1
			return nil, false, err
		}
		c.step = 2
		return []byte(final), false, nil
	case 2:
		c.step = -1
		if err := c.verify(string(challenge)); err != nil {
			return nil, false, err
		}
		c.step = 3
		return nil, true, nil
	}
	return nil, false, fail(c.m.name, ErrState, "Next called before Start or after the exchange ended")
}

// final computes the client-final message for the server-first message msg: the proof that the
// client knows the password, ClientKey XOR HMAC(StoredKey, AuthMessage).
func (c *scramClient) final(msg string) (string, error) {
	sf, err := c.m.parseServerFirst(msg, c.nonce)
	if err != nil {
		return "", err
	}
	salted, err := c.m.saltedPassword(c.password, sf.salt, sf.iterations)
	if err != nil {
		return "", err
	}
	withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte(gs2NoBinding)) + ",r=" + sf.nonce
	c.authMessage = c.bare + "," + msg + "," + withoutProof
	clientKey := c.m.hmac(salted, "Client Key")
	signature := c.m.hmac(c.m.sum(clientKey), c.authMessage)
	c.serverKey = c.m.hmac(salted, "Server Key")
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(xor(clientKey, signature)), nil
}

// verify checks the server-final message: its signature shows the server holds the user's
// ServerKey, so it knew the password too and is not an impostor.
func (c *scramClient) verify(msg string) error {
	sig, err := c.m.parseServerFinal(msg)
	if err != nil {
		return err
	}
	if !hmac.Equal(sig, c.m.hmac(c.serverKey, c.authMessage)) {
		return fail(c.m.name, ErrAuthenticationFailed, "the server's signature does not match: it does not know the password")
	}
	return nil
}
