package protocol

import (
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// saslHandshakeResponseAt is a broker's answer to a mechanism it does not have: the error and the
// mechanisms it does have.
func saslHandshakeResponseAt() *SaslHandshakeResponse {
	return &SaslHandshakeResponse{ErrorCode: 33, Mechanisms: []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}}
}

// saslAuthenticateRequestAt is a SCRAM client-first message, with tags where the version has them.
func saslAuthenticateRequestAt(v int16) *SaslAuthenticateRequest {
	m := &SaslAuthenticateRequest{AuthBytes: []byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")}
	if v >= 2 {
		m.Tags = []wire.TaggedField{{Tag: 4, Data: []byte("four")}}
	}
	return m
}

// saslAuthenticateResponseAt has every field of version v set: a server-first message, and, from
// v1, a session lifetime; failed gives an error and no token instead.
func saslAuthenticateResponseAt(v int16, failed bool) *SaslAuthenticateResponse {
	m := &SaslAuthenticateResponse{AuthBytes: []byte("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")}
	if failed {
		m.ErrorCode, m.ErrorMessage, m.AuthBytes = 58, strp("Authentication failed: Invalid username or password"), []byte{}
	}
	if v >= 1 {
		m.SessionLifetimeMs = 3600000
	}
	if v >= 2 {
		m.Tags = []wire.TaggedField{{Tag: 0, Data: []byte{}}, {Tag: 9, Data: []byte{9}}}
	}
	return m
}

func TestSaslRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vr    VersionRange
		build func(v int16) Message
	}{
		{"handshake/request", SaslHandshakeVersions, func(int16) Message { return &SaslHandshakeRequest{Mechanism: "SCRAM-SHA-512"} }},
		{"handshake/response", SaslHandshakeVersions, func(int16) Message { return saslHandshakeResponseAt() }},
		{"handshake/response/ok", SaslHandshakeVersions, func(int16) Message { return &SaslHandshakeResponse{Mechanisms: []string{"PLAIN"}} }},
		{"authenticate/request", SaslAuthenticateVersions, func(v int16) Message { return saslAuthenticateRequestAt(v) }},
		{"authenticate/response", SaslAuthenticateVersions, func(v int16) Message { return saslAuthenticateResponseAt(v, false) }},
		{"authenticate/response/failed", SaslAuthenticateVersions, func(v int16) Message { return saslAuthenticateResponseAt(v, true) }},
	} {
		t.Run(tc.name, func(t *testing.T) { checkRoundTripEach(t, tc.vr, tc.build) })
	}
}

// TestSaslBytes checks encodings against bytes written out by hand from the four JSON definitions.
func TestSaslBytes(t *testing.T) {
	checkBytes(t, []bytesCase{
		{"handshake request v1", 1, &SaslHandshakeRequest{Mechanism: "PLAIN"}, []byte{
			0, 5, 'P', 'L', 'A', 'I', 'N', // mechanism
		}},
		{"handshake response v0", 0, &SaslHandshakeResponse{ErrorCode: 33, Mechanisms: []string{"PLAIN", "X"}}, []byte{
			0, 33, // errorCode
			0, 0, 0, 2, // mechanisms: 2
			0, 5, 'P', 'L', 'A', 'I', 'N',
			0, 1, 'X',
		}},
		{"handshake response v1 empty", 1, &SaslHandshakeResponse{}, []byte{
			0, 0, // errorCode
			0, 0, 0, 0, // mechanisms: 0
		}},
		{"authenticate request v0", 0, &SaslAuthenticateRequest{AuthBytes: []byte("\x00u\x00p")}, []byte{
			0, 0, 0, 4, 0, 'u', 0, 'p', // authBytes
		}},
		{"authenticate request v2", 2, &SaslAuthenticateRequest{AuthBytes: []byte("ab")}, []byte{
			3, 'a', 'b', // authBytes: compact
			0, // tags
		}},
		{"authenticate response v0", 0, &SaslAuthenticateResponse{AuthBytes: []byte("v=x")}, []byte{
			0, 0, // errorCode
			0xff, 0xff, // errorMessage: null
			0, 0, 0, 3, 'v', '=', 'x', // authBytes
		}},
		{"authenticate response v1", 1, &SaslAuthenticateResponse{ErrorCode: 58, ErrorMessage: strp("no"), AuthBytes: []byte{}, SessionLifetimeMs: 1000}, []byte{
			0, 58, // errorCode
			0, 2, 'n', 'o', // errorMessage
			0, 0, 0, 0, // authBytes: empty
			0, 0, 0, 0, 0, 0, 0x03, 0xe8, // sessionLifetimeMs (v1+)
		}},
		{"authenticate response v2", 2, &SaslAuthenticateResponse{AuthBytes: []byte("v"), SessionLifetimeMs: 1}, []byte{
			0, 0, // errorCode
			0,      // errorMessage: compact null
			2, 'v', // authBytes: compact
			0, 0, 0, 0, 0, 0, 0, 1, // sessionLifetimeMs
			0, // tags
		}},
	})
}

// Lengths that lie fail on the field that holds them, without allocating for them.
func TestSaslGarbage(t *testing.T) {
	checkGarbage(t, []garbageCase{
		{"handshake mechanism", &SaslHandshakeRequest{}, 1, []byte{0x7f, 0xff, 'P'}, "mechanism"},
		{"handshake mechanisms count", &SaslHandshakeResponse{}, 1, []byte{0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 1, 'x'}, "mechanisms"},
		{"handshake mechanisms null", &SaslHandshakeResponse{}, 0, []byte{0, 0, 0xff, 0xff, 0xff, 0xff}, "mechanisms"},
		{"authenticate bytes", &SaslAuthenticateRequest{}, 0, []byte{0x7f, 0xff, 0xff, 0xff, 1, 2}, "authBytes"},
		{"authenticate bytes flexible", &SaslAuthenticateRequest{}, 2, []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0}, "authBytes"},
		{"authenticate response bytes", &SaslAuthenticateResponse{}, 1, []byte{0, 0, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff}, "authBytes"},
		{"authenticate response tags", &SaslAuthenticateResponse{}, 2, append([]byte{0, 0, 0, 1}, append(make([]byte, 8), 0xff, 0xff, 0xff, 0xff, 0x0f)...), "tags"},
	}, wire.ErrInvalidLength)
}

// TestRegistryKnowsEveryAPI requires a request and a response type for every API key the
// protocol table names.
func TestRegistryKnowsEveryAPI(t *testing.T) {
	for k := range apis {
		if NewRequest(k) == nil || NewResponse(k) == nil {
			t.Errorf("%s: no message types in the registry", k)
		}
		if NewRequest(k) != nil && NewRequest(k).Key() != k || NewResponse(k) != nil && NewResponse(k).Key() != k {
			t.Errorf("%s: the registry returns another API's type", k)
		}
	}
}

func FuzzDecodeSaslHandshakeRequest(f *testing.F) {
	for v := SaslHandshakeVersions.Min; v <= SaslHandshakeVersions.Max; v++ {
		f.Add(v, (&SaslHandshakeRequest{Mechanism: "SCRAM-SHA-256"}).AppendTo(nil, v))
	}
	fuzzDecode[SaslHandshakeRequest](f, SaslHandshakeVersions)
}

func FuzzDecodeSaslHandshakeResponse(f *testing.F) {
	for v := SaslHandshakeVersions.Min; v <= SaslHandshakeVersions.Max; v++ {
		f.Add(v, saslHandshakeResponseAt().AppendTo(nil, v))
	}
	fuzzDecode[SaslHandshakeResponse](f, SaslHandshakeVersions)
}

func FuzzDecodeSaslAuthenticateRequest(f *testing.F) {
	for v := SaslAuthenticateVersions.Min; v <= SaslAuthenticateVersions.Max; v++ {
		f.Add(v, saslAuthenticateRequestAt(v).AppendTo(nil, v))
	}
	fuzzDecode[SaslAuthenticateRequest](f, SaslAuthenticateVersions)
}

func FuzzDecodeSaslAuthenticateResponse(f *testing.F) {
	for v := SaslAuthenticateVersions.Min; v <= SaslAuthenticateVersions.Max; v++ {
		f.Add(v, saslAuthenticateResponseAt(v, false).AppendTo(nil, v))
		f.Add(v, saslAuthenticateResponseAt(v, true).AppendTo(nil, v))
	}
	fuzzDecode[SaslAuthenticateResponse](f, SaslAuthenticateVersions)
}
