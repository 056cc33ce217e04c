package protocol

import (
	"github.com/kwire-dev/kwire/wire"
)

// SaslAuthenticateRequest carries one SASL token from the client to the broker, after a version 1
// [SaslHandshakeRequest] (SaslAuthenticateRequest.json; KIP-152). Version 1 is version 0 (a client
// sending it tells the broker it can read SessionLifetimeMs); version 2 is the first flexible
// version.
type SaslAuthenticateRequest struct {
	// AuthBytes is the mechanism's token: PLAIN's one message, SCRAM's client-first and
	// client-final messages. It may hold a password (PLAIN): never log it. Decoded, it aliases the
	// bytes decoded.
	AuthBytes []byte
	Tags      []wire.TaggedField // v2+
}

// SaslAuthenticateVersions are the versions of SaslAuthenticate kwire implements.
var SaslAuthenticateVersions = VersionRange{0, 2}

// Key is KeySaslAuthenticate.
func (*SaslAuthenticateRequest) Key() APIKey { return KeySaslAuthenticate }

// AppendTo appends the request encoded at version.
func (m *SaslAuthenticateRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeySaslAuthenticate.Flexible(version)}
	w.bytes(m.AuthBytes)
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the request encoded at version from src.
func (m *SaslAuthenticateRequest) Decode(src []byte, version int16) error {
	r := newReader(src, KeySaslAuthenticate.Flexible(version))
	checkVersion(&r.Reader, KeySaslAuthenticate, version, SaslAuthenticateVersions)
	*m = SaslAuthenticateRequest{}
	r.SetField("authBytes")
	m.AuthBytes = r.bytes()
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

// SaslAuthenticateResponse answers a SaslAuthenticateRequest (SaslAuthenticateResponse.json): the
// mechanism's next token (SCRAM's server-first and server-final messages; empty for PLAIN), or
// SASL_AUTHENTICATION_FAILED with a message, after which the broker closes the connection.
// Version 1 adds SessionLifetimeMs (KIP-368); version 2 is the first flexible version.
type SaslAuthenticateResponse struct {
	ErrorCode    int16
	ErrorMessage *string // nil when there is no error
	AuthBytes    []byte  // decoded, it aliases the bytes decoded
	// SessionLifetimeMs (v1+) is how long the authenticated session lasts, once authentication is
	// complete: the client must re-authenticate (a new SaslHandshake on the same connection) before
	// it ends, or the broker closes the connection. 0 means no limit, and is what v0 implies.
	SessionLifetimeMs int64
	Tags              []wire.TaggedField // v2+
}

// Key is KeySaslAuthenticate.
func (*SaslAuthenticateResponse) Key() APIKey { return KeySaslAuthenticate }

// AppendTo appends the response encoded at version.
func (m *SaslAuthenticateResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeySaslAuthenticate.Flexible(version)}
	w.int16(m.ErrorCode)
	w.nstr(m.ErrorMessage)
	w.bytes(m.AuthBytes)
	if version >= 1 {
		w.int64(m.SessionLifetimeMs)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the response encoded at version from src.
func (m *SaslAuthenticateResponse) Decode(src []byte, version int16) error {
	r := newReader(src, KeySaslAuthenticate.Flexible(version))
	checkVersion(&r.Reader, KeySaslAuthenticate, version, SaslAuthenticateVersions)
	*m = SaslAuthenticateResponse{}
	r.SetField("errorCode")
	m.ErrorCode = r.Int16()
	r.SetField("errorMessage")
	m.ErrorMessage = r.nstr()
	r.SetField("authBytes")
	m.AuthBytes = r.bytes()
	if version >= 1 {
		r.SetField("sessionLifetimeMs")
		m.SessionLifetimeMs = r.Int64()
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}
