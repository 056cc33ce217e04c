package sasl

import (
	"errors"
)

// The kinds of [Error], for errors.Is.
var (
	// ErrAuthenticationFailed means the credentials were refused: a wrong password or an unknown
	// user on the server, a server that does not know the password (its SCRAM signature does not
	// match) or that sent an error on the client.
	ErrAuthenticationFailed = errors.New("authentication failed")
	// ErrMalformed means a message does not follow the mechanism's syntax.
	ErrMalformed = errors.New("malformed message")
	// ErrUnsupported means a mechanism, or a feature of one (SCRAM channel binding, Kafka's
	// delegation tokens), that this package does not implement.
	ErrUnsupported = errors.New("unsupported")
	// ErrState means a message out of turn: Start twice, or Next after the exchange ended.
	ErrState = errors.New("message out of turn")
)

// Error is a failure of one mechanism's exchange, or of parsing its configuration. Its text never
// includes a password.
type Error struct {
	Mechanism string // "PLAIN", "SCRAM-SHA-256", … or "sasl.jaas.config" for the JAAS parser
	Kind      error  // ErrAuthenticationFailed, ErrMalformed, ErrUnsupported or ErrState
	Detail    string // what went wrong, for people
}

// Error formats the error as "sasl MECHANISM: KIND: DETAIL".
func (e *Error) Error() string {
	s := "sasl " + e.Mechanism + ": " + e.Kind.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the kind, so that errors.Is(err, ErrAuthenticationFailed) and the like work.
func (e *Error) Unwrap() error { return e.Kind }

// fail builds an *Error.
func fail(mechanism string, kind error, detail string) error {
	return &Error{Mechanism: mechanism, Kind: kind, Detail: detail}
}
