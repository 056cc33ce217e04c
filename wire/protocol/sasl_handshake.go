package protocol

// SaslHandshakeRequest names the SASL mechanism a client wants to authenticate with
// (SaslHandshakeRequest.json). It is the first request after ApiVersions on a SASL listener. After
// version 0 the client sends the mechanism's tokens as raw size-prefixed frames, with no Kafka
// header; after version 1 it wraps each in a [SaslAuthenticateRequest]. Neither version is flexible.
type SaslHandshakeRequest struct {
	Mechanism string // e.g. "PLAIN", "SCRAM-SHA-256"
}

// SaslHandshakeVersions are the versions of SaslHandshake kwire implements.
var SaslHandshakeVersions = VersionRange{0, 1}

// Key is KeySaslHandshake.
func (*SaslHandshakeRequest) Key() APIKey { return KeySaslHandshake }

// AppendTo appends the request encoded at version.
func (m *SaslHandshakeRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst}
	w.str(m.Mechanism)
	return w.buf
}

// Decode decodes the request encoded at version from src.
func (m *SaslHandshakeRequest) Decode(src []byte, version int16) error {
	r := newReader(src, false)
	checkVersion(&r.Reader, KeySaslHandshake, version, SaslHandshakeVersions)
	*m = SaslHandshakeRequest{}
	r.SetField("mechanism")
	m.Mechanism = r.str()
	return r.done()
}

// SaslHandshakeResponse answers a SaslHandshakeRequest (SaslHandshakeResponse.json): no error if
// the broker has the mechanism enabled, UNSUPPORTED_SASL_MECHANISM if not, and in both cases the
// mechanisms it has enabled. Version 1 is version 0.
type SaslHandshakeResponse struct {
	ErrorCode  int16
	Mechanisms []string
}

// Key is KeySaslHandshake.
func (*SaslHandshakeResponse) Key() APIKey { return KeySaslHandshake }

// AppendTo appends the response encoded at version.
func (m *SaslHandshakeResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst}
	w.int16(m.ErrorCode)
	w.arrayLen(len(m.Mechanisms))
	for _, s := range m.Mechanisms {
		w.str(s)
	}
	return w.buf
}

// Decode decodes the response encoded at version from src.
func (m *SaslHandshakeResponse) Decode(src []byte, version int16) error {
	r := newReader(src, false)
	checkVersion(&r.Reader, KeySaslHandshake, version, SaslHandshakeVersions)
	*m = SaslHandshakeResponse{}
	r.SetField("errorCode")
	m.ErrorCode = r.Int16()
	r.SetField("mechanisms")
	if n := nonNullArrayLen(r, 2); n > 0 { // a string takes at least its int16 length
		m.Mechanisms = make([]string, n)
		for i := range m.Mechanisms {
			r.SetField("mechanisms")
			m.Mechanisms[i] = r.str()
		}
	}
	return r.done()
}
