package producer

// SASL authentication of a new connection, after ApiVersions: SaslHandshake v1 names the
// mechanism, then SaslAuthenticate requests carry the mechanism's messages (package sasl makes
// and checks them) until it is done (KIP-152). A broker that serves SaslHandshake but not
// SaslAuthenticate (Kafka before 1.0) gets SaslHandshake v0, then the messages as bare
// size-prefixed frames; it refuses credentials by closing the connection, which is then taken for
// a refusal. When SaslAuthenticate v1+ reports a session lifetime, the connection is retired
// before the session ends (see sasl_session.go).

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The versions the producer authenticates with: SaslHandshake v1 announces SaslAuthenticate,
// whose v1 adds the session lifetime and v2 is flexible.
var (
	saslHandshakeVersions    = protocol.VersionRange{Min: 0, Max: 1}
	saslAuthenticateVersions = protocol.VersionRange{Min: 0, Max: 2}
)

// saslMaxSteps bounds the messages of one exchange: SCRAM takes two, PLAIN one.
const saslMaxSteps = 8

// authenticate authenticates the connection with sec's mechanism and credentials.
func (c *brokerConn) authenticate(sec *security) error {
	mechanism := sec.mechanism
	hv, err := c.version(protocol.KeySaslHandshake, saslHandshakeVersions)
	if err != nil {
		return c.refused(mechanism, "the broker does not serve SaslHandshake: its listener has no SASL", err)
	}
	av, noAuthenticate := c.version(protocol.KeySaslAuthenticate, saslAuthenticateVersions)
	if noAuthenticate != nil {
		hv = 0 // bare tokens
	}
	resp := new(protocol.SaslHandshakeResponse)
	if err := c.exchange(hv, &protocol.SaslHandshakeRequest{Mechanism: mechanism}, resp); err != nil {
		return c.setupError(protocol.KeySaslHandshake, err)
	}
	if err := c.handshakeRefusal(mechanism, resp); err != nil {
		return err
	}
	client, err := sasl.NewClient(mechanism, sec.user, sec.password)
	if err != nil {
		return c.refused(mechanism, err.Error(), err)
	}
	if hv == 0 {
		return c.exchangeTokens(client)
	}
	return c.exchangeAuthenticate(client, av)
}

// refused is an *AuthenticationError of this connection.
func (c *brokerConn) refused(mechanism, message string, err error) error {
	return &AuthenticationError{Broker: c.addr, Mechanism: mechanism, Message: message, Err: err}
}

// handshakeRefusal explains a SaslHandshake answer with an error.
func (c *brokerConn) handshakeRefusal(mechanism string, resp *protocol.SaslHandshakeResponse) error {
	err := kerr.ForCode(resp.ErrorCode)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, kerr.UnsupportedSaslMechanism):
		return c.refused(mechanism, fmt.Sprintf("the broker does not enable %s (it enables %s)", mechanism, strings.Join(resp.Mechanisms, ", ")), err)
	case errors.Is(err, kerr.IllegalSaslState):
		return c.refused(mechanism, "the broker's listener takes no SASL (ILLEGAL_SASL_STATE): is it PLAINTEXT or SSL (security.protocol)?", err)
	}
	return c.refused(mechanism, "SaslHandshake: "+err.Error(), err)
}

// exchangeAuthenticate runs the exchange in SaslAuthenticate requests of version v, and notes the
// session's lifetime.
func (c *brokerConn) exchangeAuthenticate(client sasl.Client, v int16) error {
	msg, err := client.Start()
	if err != nil {
		return c.refused(client.Mechanism(), err.Error(), err)
	}
	for range saslMaxSteps {
		resp := new(protocol.SaslAuthenticateResponse)
		sent := time.Now() // the session starts after this, on the broker's clock
		if err := c.exchange(v, &protocol.SaslAuthenticateRequest{AuthBytes: msg}, resp); err != nil {
			return c.setupError(protocol.KeySaslAuthenticate, err)
		}
		if resp.ErrorCode != 0 {
			return c.authenticateRefusal(client.Mechanism(), resp)
		}
		next, done, err := client.Next(resp.AuthBytes)
		if err != nil {
			return c.refused(client.Mechanism(), err.Error(), err)
		}
		if done {
			c.startSession(sent, resp.SessionLifetimeMs)
			return nil
		}
		msg = next
	}
	return c.refused(client.Mechanism(), fmt.Sprintf("no end after %d messages", saslMaxSteps), nil)
}

// authenticateRefusal explains a SaslAuthenticate answer with an error, in the broker's words.
func (c *brokerConn) authenticateRefusal(mechanism string, resp *protocol.SaslAuthenticateResponse) error {
	err := kerr.ForCode(resp.ErrorCode)
	msg := err.Error()
	if resp.ErrorMessage != nil && *resp.ErrorMessage != "" {
		msg = *resp.ErrorMessage
	}
	return c.refused(mechanism, msg, err)
}

// exchangeTokens runs the exchange in bare size-prefixed tokens, after SaslHandshake v0. A broker
// refuses credentials by closing the connection.
func (c *brokerConn) exchangeTokens(client sasl.Client) error {
	msg, err := client.Start()
	if err != nil {
		return c.refused(client.Mechanism(), err.Error(), err)
	}
	for range saslMaxSteps {
		reply, err := c.rawToken(msg)
		if errors.Is(err, io.EOF) {
			return c.refused(client.Mechanism(), "the broker closed the connection during SASL authentication (after SaslHandshake v0 that is how it refuses credentials)",
				&sasl.Error{Mechanism: client.Mechanism(), Kind: sasl.ErrAuthenticationFailed, Detail: "connection closed"})
		}
		if err != nil {
			return c.setupError(protocol.KeySaslHandshake, err)
		}
		next, done, err := client.Next(reply)
		if err != nil {
			return c.refused(client.Mechanism(), err.Error(), err)
		}
		if done {
			return nil
		}
		msg = next
	}
	return c.refused(client.Mechanism(), fmt.Sprintf("no end after %d messages", saslMaxSteps), nil)
}

// rawToken writes one bare token and reads the broker's.
func (c *brokerConn) rawToken(token []byte) ([]byte, error) {
	frame := binary.BigEndian.AppendUint32(c.framer.WriteBuffer(), uint32(len(token)))
	c.nc.SetDeadline(time.Now().Add(c.timeout))
	if err := c.framer.WriteFrame(append(frame, token...)); err != nil {
		return nil, err
	}
	return c.readFrame(protocol.KeySaslAuthenticate, maxSASLToken)
}
