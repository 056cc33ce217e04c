package mockbroker

// SaslHandshake, versions 0–1.
//
// On a SASL broker ([SASLUsers]): answers with the enabled mechanisms, in the order they were
// configured. A mechanism that is not enabled answers UNSUPPORTED_SASL_MECHANISM, then the
// connection closes, as Kafka's does. After version 1 the client authenticates with
// SaslAuthenticate; after version 0 it sends raw tokens (the framing of Kafka before 1.0, which
// librdkafka falls back to when SaslAuthenticate is not advertised). On an authenticated connection
// it starts re-authentication (KIP-368), which must use the same mechanism: another one is
// accepted here and fails at SaslAuthenticate, as in Kafka.
//
// Without SASL it answers ILLEGAL_SASL_STATE and no mechanisms, as Kafka's PLAINTEXT and SSL
// listeners do, and the connection stays open.
//
// Not done: a SaslHandshake during an exchange under way closes the connection unanswered, where
// Kafka answers ILLEGAL_SASL_STATE first (see sasl.go).

import (
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveSaslHandshake(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.SaslHandshakeRequest)
	s := r.cc.sasl
	if s == nil {
		return &protocol.SaslHandshakeResponse{ErrorCode: kerr.IllegalSaslState.Code}
	}
	resp := &protocol.SaslHandshakeResponse{Mechanisms: s.users.Mechanisms()}
	if code := r.forcedError("", -1); code != 0 {
		resp.ErrorCode = code
		return resp
	}
	if !s.users.Enabled(req.Mechanism) {
		r.cc.logf("SASL mechanism %q is not enabled (enabled: %v): closing the connection", req.Mechanism, resp.Mechanisms)
		resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		r.closeAfter = true
		return resp
	}
	s.server, _ = s.users.NewServer(req.Mechanism)
	s.badMechanism = ""
	if s.state == saslAuthenticated && req.Mechanism != s.mechanism {
		s.badMechanism = req.Mechanism
	} else {
		s.mechanism = req.Mechanism
	}
	s.state = saslAwaitAuthenticate
	if r.header.APIVersion == 0 {
		s.state = saslRawTokens
	}
	return resp
}
