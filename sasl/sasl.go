// Package sasl implements the SASL mechanisms Kafka clients and brokers authenticate with: PLAIN
// (RFC 4616) and SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677). Like package wire it
// handles bytes only: no I/O, no goroutines. A [Client] and a [Server] are state machines that
// exchange messages as []byte; the caller carries them, in Kafka inside SaslAuthenticate requests
// and responses (or as raw frames after a version 0 SaslHandshake).
//
// A client:
//
//	c, err := sasl.NewClient(sasl.MechanismScramSHA256, "alice", password)
//	msg, err := c.Start()
//	for err == nil {
//		reply := exchange(msg) // msg in a SaslAuthenticateRequest; reply its response's AuthBytes
//		var done bool
//		if msg, done, err = c.Next(reply); done {
//			break
//		}
//	}
//
// A server keeps [ScramCredential]s, salted and iterated keys, never passwords ([Users] is such a
// store), and answers each client message with [Server.Next] until it reports done or an error.
//
// Errors are [*Error] values naming the mechanism; test them with errors.Is against
// [ErrAuthenticationFailed], [ErrMalformed], [ErrUnsupported] and [ErrState]. No error, and no
// String method, ever includes a password.
//
// Passwords are used as their UTF-8 bytes, without SASLprep normalization, as Kafka does.
package sasl

import (
	"fmt"
)

// The mechanism names, as Kafka's sasl.mechanism and the SaslHandshake request spell them.
const (
	MechanismPlain       = "PLAIN"
	MechanismScramSHA256 = "SCRAM-SHA-256"
	MechanismScramSHA512 = "SCRAM-SHA-512"
)

// Mechanisms lists the mechanisms this package implements, in the order brokers usually list them.
func Mechanisms() []string {
	return []string{MechanismPlain, MechanismScramSHA256, MechanismScramSHA512}
}

// Client is the client side of one authentication exchange.
type Client interface {
	// Mechanism is the mechanism's name, as the client sends it in SaslHandshake.
	Mechanism() string
	// Start returns the client's first message. It is called once, first.
	Start() ([]byte, error)
	// Next takes the server's reply to the client's last message and returns the next message to
	// send. done reports that the exchange is complete, the server's last message verified where
	// the mechanism allows (SCRAM's server signature): there is nothing more to send.
	Next(challenge []byte) (response []byte, done bool, err error)
}

// Server is the server side of one authentication exchange.
type Server interface {
	// Mechanism is the mechanism's name.
	Mechanism() string
	// Next takes the client's next message and returns the reply to send. done reports that the
	// client has authenticated: the reply (possibly empty) is the last message. An error ends the
	// exchange; errors.Is(err, ErrAuthenticationFailed) when the credentials were wrong or the user
	// unknown, ErrMalformed when the message does not follow the mechanism.
	Next(response []byte) (challenge []byte, done bool, err error)
	// User is the name the client authenticated as, "" until Next reports done.
	User() string
}

// NewClient returns a client of mechanism (one of [Mechanisms]) authenticating user with password.
// SCRAM clients draw their nonces from crypto/rand; see [Scram.NewClient] to choose the source.
func NewClient(mechanism, user, password string) (Client, error) {
	if mechanism == MechanismPlain {
		return NewPlainClient(user, password), nil
	}
	if m := ScramByName(mechanism); m != nil {
		return m.NewClient(user, password, nil), nil
	}
	return nil, &Error{Mechanism: mechanism, Kind: ErrUnsupported, Detail: fmt.Sprintf("unknown mechanism (kwire implements %v)", Mechanisms())}
}
