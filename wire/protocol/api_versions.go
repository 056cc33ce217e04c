package protocol

import (
	"github.com/kwire-dev/kwire/wire"
)

// ApiVersionsRequest asks a broker which versions of each API it supports. A client sends it first,
// before it knows which versions it may use, so brokers answer any version of it (with v0 on error).
type ApiVersionsRequest struct {
	ClientSoftwareName    string // v3+
	ClientSoftwareVersion string // v3+
	Tags                  []wire.TaggedField
}

// ApiVersionsVersions are the versions of ApiVersions kwire implements.
var ApiVersionsVersions = VersionRange{0, 4}

// Key is KeyApiVersions.
func (*ApiVersionsRequest) Key() APIKey { return KeyApiVersions }

// AppendTo appends the request encoded at version.
func (m *ApiVersionsRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyApiVersions.Flexible(version)}
	if version >= 3 {
		w.str(m.ClientSoftwareName)
		w.str(m.ClientSoftwareVersion)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the request encoded at version from src.
func (m *ApiVersionsRequest) Decode(src []byte, version int16) error {
	r := newReader(src, KeyApiVersions.Flexible(version))
	checkVersion(&r.Reader, KeyApiVersions, version, ApiVersionsVersions)
	*m = ApiVersionsRequest{}
	if version >= 3 {
		r.SetField("clientSoftwareName")
		m.ClientSoftwareName = r.str()
		r.SetField("clientSoftwareVersion")
		m.ClientSoftwareVersion = r.str()
	}
	m.Tags = r.tags()
	return r.done()
}

// ApiVersionsResponse lists the version range of each API the broker supports.
type ApiVersionsResponse struct {
	ErrorCode      int16
	APIKeys        []ApiVersion
	ThrottleTimeMs int32 // v1+
	Tags           []wire.TaggedField
}

// ApiVersion is the supported version range of one API.
type ApiVersion struct {
	APIKey     APIKey
	MinVersion int16
	MaxVersion int16
	Tags       []wire.TaggedField
}

// Key is KeyApiVersions.
func (*ApiVersionsResponse) Key() APIKey { return KeyApiVersions }

// AppendTo appends the response encoded at version.
func (m *ApiVersionsResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyApiVersions.Flexible(version)}
	w.int16(m.ErrorCode)
	w.arrayLen(len(m.APIKeys))
	for _, k := range m.APIKeys {
		w.int16(int16(k.APIKey))
		w.int16(k.MinVersion)
		w.int16(k.MaxVersion)
		w.tags(k.Tags)
	}
	if version >= 1 {
		w.int32(m.ThrottleTimeMs)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the response encoded at version from src.
func (m *ApiVersionsResponse) Decode(src []byte, version int16) error {
	r := newReader(src, KeyApiVersions.Flexible(version))
	checkVersion(&r.Reader, KeyApiVersions, version, ApiVersionsVersions)
	*m = ApiVersionsResponse{}
	r.SetField("errorCode")
	m.ErrorCode = r.Int16()
	r.SetField("apiKeys")
	if n := r.arrayLen(6); n > 0 {
		m.APIKeys = make([]ApiVersion, n)
		for i := range m.APIKeys {
			k := &m.APIKeys[i]
			k.APIKey = APIKey(r.Int16())
			k.MinVersion = r.Int16()
			k.MaxVersion = r.Int16()
			k.Tags = r.tags()
		}
	}
	if version >= 1 {
		r.SetField("throttleTimeMs")
		m.ThrottleTimeMs = r.Int32()
	}
	m.Tags = r.tags()
	return r.done()
}
