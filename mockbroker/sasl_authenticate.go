package mockbroker

// SaslAuthenticate, versions 0–2.
//
// Carries the tokens of the mechanism chosen by SaslHandshake v1 to the connection's exchange
// (package sasl: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, checked against stored SCRAM credentials)
// and answers with the exchange's reply. When the exchange completes the connection is
// authenticated; from v1 the answer carries the session lifetime ([SASLSessionLifetime], 0 for
// none; KIP-368). Failed authentication answers SASL_AUTHENTICATION_FAILED with Kafka's message
// (which does not say whether the user exists, and never holds a password), then closes the
// connection. The broker's log says what failed (unknown user, wrong password, malformed message).
// The request as captured in exchanges has PLAIN's password blanked out.
//
// Without an exchange under way (no SASL, or already authenticated) it answers ILLEGAL_SASL_STATE,
// as Kafka does.
//
// Not done: OAUTHBEARER, GSSAPI and delegation tokens.

import (
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveSaslAuthenticate(c *Cluster, r *request) protocol.Message {
	s := r.cc.sasl
	if s == nil || s.state != saslAwaitAuthenticate {
		msg := "SaslAuthenticate request received after successful authentication"
		return &protocol.SaslAuthenticateResponse{ErrorCode: kerr.IllegalSaslState.Code, ErrorMessage: &msg, AuthBytes: []byte{}}
	}
	if code := r.forcedError("", -1); code != 0 {
		msg := kerr.ForCode(code).(*kerr.Error).Description
		r.closeAfter = true
		return &protocol.SaslAuthenticateResponse{ErrorCode: code, ErrorMessage: &msg, AuthBytes: []byte{}}
	}
	reply, err := r.cc.step(r.token)
	if err != nil {
		msg := publicMessage(s.mechanism, err)
		r.closeAfter = true
		return &protocol.SaslAuthenticateResponse{ErrorCode: kerr.SaslAuthenticationFailed.Code, ErrorMessage: &msg, AuthBytes: []byte{}}
	}
	resp := &protocol.SaslAuthenticateResponse{AuthBytes: reply}
	if s.state == saslAuthenticated {
		resp.SessionLifetimeMs = c.cfg.saslLifetime.Milliseconds()
	}
	return resp
}
