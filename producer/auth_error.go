package producer

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire/kerr"
)

// mechanismTLS is AuthenticationError.Mechanism for failures of the TLS handshake.
const mechanismTLS = "TLS"

// AuthenticationError is a connection to a broker that failed to authenticate: the broker refused
// the SASL credentials or mechanism, the producer refused the broker's certificate, or the broker
// refused the producer's (or TLS itself). Unlike a [NetworkError] it is not retried: records
// waiting for the broker fail with it, and so do Send and PartitionsFor when it keeps them from
// metadata, at once, as the Java client raises AuthenticationException. The producer tries the
// broker again after retry.backoff.max.ms; records and Sends that need it meanwhile fail with the
// same error.
//
// errors.Is(err, sasl.ErrAuthenticationFailed) holds when credentials were refused. The error
// never holds a password.
type AuthenticationError struct {
	Broker    string // the broker's host:port
	Mechanism string // the SASL mechanism, or "TLS" for the TLS handshake
	Message   string // what failed: the broker's own message when it gave one
	// Err is the cause: a *kerr.Error the broker answered (SASL_AUTHENTICATION_FAILED,
	// UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE), a *sasl.Error, a TLS or x509 error.
	Err error
}

// Error names the broker, the mechanism and what failed.
func (e *AuthenticationError) Error() string {
	what := "SASL " + e.Mechanism
	if e.Mechanism == mechanismTLS {
		what = mechanismTLS
	}
	if strings.HasPrefix(strings.ToLower(e.Message), "authentication failed") {
		return fmt.Sprintf("producer: broker %s: %s: %s", e.Broker, what, e.Message) // the broker's words say it
	}
	return fmt.Sprintf("producer: broker %s: %s authentication failed: %s", e.Broker, what, e.Message)
}

// Unwrap is the cause and, when the broker refused the credentials, [sasl.ErrAuthenticationFailed].
func (e *AuthenticationError) Unwrap() []error {
	if e.Err == nil {
		return nil
	}
	if errors.Is(e.Err, kerr.SaslAuthenticationFailed) {
		return []error{e.Err, sasl.ErrAuthenticationFailed}
	}
	return []error{e.Err}
}

// isAuthError reports whether err is, or wraps, an *AuthenticationError.
func isAuthError(err error) bool {
	var ae *AuthenticationError
	return errors.As(err, &ae)
}

// tlsRefusal is an *AuthenticationError if err says that TLS refused a certificate or could not
// agree with the broker: the producer's verification of the broker's certificate failed, the
// broker sent an alert (it refused the client certificate, or the handshake), or the broker does
// not speak TLS at all. Broken and timed-out connections are not: nil.
func tlsRefusal(addr string, err error) *AuthenticationError {
	var (
		verify *tls.CertificateVerificationError
		header tls.RecordHeaderError
		op     *net.OpError
	)
	switch {
	case errors.As(err, &verify):
		return &AuthenticationError{Broker: addr, Mechanism: mechanismTLS, Message: "the broker's certificate: " + verify.Err.Error(), Err: err}
	case errors.As(err, &header):
		return &AuthenticationError{Broker: addr, Mechanism: mechanismTLS, Err: err,
			Message: "the broker does not answer in TLS: is its listener PLAINTEXT or SASL_PLAINTEXT? (" + err.Error() + ")"}
	case errors.As(err, &op) && op.Op == "remote error":
		return &AuthenticationError{Broker: addr, Mechanism: mechanismTLS, Err: err,
			Message: "the broker refused the handshake: " + op.Err.Error() + clientCertHint(op)}
	}
	return nil
}

// clientCertHint explains the alerts a broker sends when it wants a client certificate.
func clientCertHint(alert *net.OpError) string {
	if s := alert.Err.Error(); s == "tls: certificate required" || s == "tls: bad certificate" {
		return " (does the broker require a client certificate? ssl.certificate.location and ssl.key.location)"
	}
	return ""
}
