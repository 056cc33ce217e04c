package interop

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The SaslHandshake and SaslAuthenticate cases of protocol_kmsg_test.go's table.

// ---- SaslHandshake ----

func kmSaslHandshakeRequest(int16) kmsgMessage {
	r := kmsg.NewPtrSASLHandshakeRequest()
	r.Mechanism = "SCRAM-SHA-512"
	return r
}

func checkSaslHandshakeRequest(c *kmCmp, v int16, kw *protocol.SaslHandshakeRequest, km *kmsg.SASLHandshakeRequest) {
	c.eq("mechanism", kw.Mechanism, km.Mechanism)
}

// kmSaslHandshakeResponse is a broker's answer to a mechanism it has not enabled.
func kmSaslHandshakeResponse(int16) kmsgMessage {
	r := kmsg.NewPtrSASLHandshakeResponse()
	r.ErrorCode = kerr.UnsupportedSaslMechanism.Code
	r.SupportedMechanisms = []string{"PLAIN", "SCRAM-SHA-256"}
	return r
}

func checkSaslHandshakeResponse(c *kmCmp, v int16, kw *protocol.SaslHandshakeResponse, km *kmsg.SASLHandshakeResponse) {
	c.eq("errorCode", kw.ErrorCode, km.ErrorCode)
	c.list("mechanisms", kw.Mechanisms, km.SupportedMechanisms)
}

// ---- SaslAuthenticate ----

// kmSaslAuthenticateRequest carries RFC 7677's client-final message.
func kmSaslAuthenticateRequest(v int16) kmsgMessage {
	r := kmsg.NewPtrSASLAuthenticateRequest()
	r.SASLAuthBytes = []byte("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	r.UnknownTags = kmTags(v >= 2, 6, "auth")
	return r
}

func checkSaslAuthenticateRequest(c *kmCmp, v int16, kw *protocol.SaslAuthenticateRequest, km *kmsg.SASLAuthenticateRequest) {
	c.bytes("authBytes", kw.AuthBytes, km.SASLAuthBytes)
	c.tags("tags", kw.Tags, &km.UnknownTags)
}

// kmSaslAuthenticateResponse is RFC 7677's server-final message with a session lifetime (v1+), or
// a failure with Kafka's message and no bytes.
func kmSaslAuthenticateResponse(v int16, failed bool) kmsgMessage {
	r := kmsg.NewPtrSASLAuthenticateResponse()
	if failed {
		r.ErrorCode = kerr.SaslAuthenticationFailed.Code
		r.ErrorMessage = kmsg.StringPtr("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256")
		r.SASLAuthBytes = []byte{}
	} else {
		r.SASLAuthBytes = []byte("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
		r.SessionLifetimeMillis = 3_600_000
	}
	r.UnknownTags = kmTags(v >= 2, 2, "life")
	return r
}

func checkSaslAuthenticateResponse(c *kmCmp, v int16, kw *protocol.SaslAuthenticateResponse, km *kmsg.SASLAuthenticateResponse) {
	c.eq("errorCode", kw.ErrorCode, km.ErrorCode)
	c.eq("errorMessage", kw.ErrorMessage, km.ErrorMessage)
	c.bytes("authBytes", kw.AuthBytes, km.SASLAuthBytes)
	if v >= 1 {
		c.eq("sessionLifetimeMs", kw.SessionLifetimeMs, km.SessionLifetimeMillis)
	} else {
		c.eq("sessionLifetimeMs", kw.SessionLifetimeMs, int64(0)) // absent before v1; its default
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
}
