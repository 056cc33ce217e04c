package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/kwire-dev/kwire/wire"
)

// ErrUnsupportedVersion means a message was asked for at a version kwire does not implement, or a
// request named an API kwire does not know.
var ErrUnsupportedVersion = errors.New("unsupported version")

// RequestHeader precedes every request body. Version 2 (flexible requests) adds tagged fields;
// the client id keeps its classic encoding in both.
type RequestHeader struct {
	APIKey        APIKey
	APIVersion    int16
	CorrelationID int32
	ClientID      *string
	Tags          []wire.TaggedField // flexible requests only
}

// requestHeaderMinSize is the size of a header with a null client id and no tags.
const requestHeaderMinSize = 2 + 2 + 4 + 2

// AppendRequest appends a framed request: the int32 size, the header (v2 for flexible versions of
// the API, else v1) and body encoded at h.APIVersion.
func AppendRequest(dst []byte, h *RequestHeader, body Message) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = wire.AppendInt16(dst, int16(h.APIKey))
	dst = wire.AppendInt16(dst, h.APIVersion)
	dst = wire.AppendInt32(dst, h.CorrelationID)
	dst = wire.AppendNullableString(dst, h.ClientID)
	if h.APIKey.Flexible(h.APIVersion) {
		dst = wire.AppendTaggedFields(dst, h.Tags)
	}
	dst = body.AppendTo(dst, h.APIVersion)
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst
}

// ReadRequestHeader decodes the header at the start of a request (the bytes after the size
// prefix) and returns it with the body. For an API kwire does not know it reads the v1 header and
// returns an error wrapping [ErrUnsupportedVersion] along with what it read, so a broker can still
// answer with the correlation id.
func ReadRequestHeader(frame []byte) (RequestHeader, []byte, error) {
	var h RequestHeader
	var r wire.Reader
	r.Reset(frame, 0)
	r.SetField("apiKey")
	h.APIKey = APIKey(r.Int16())
	r.SetField("apiVersion")
	h.APIVersion = r.Int16()
	r.SetField("correlationId")
	h.CorrelationID = r.Int32()
	r.SetField("clientId")
	h.ClientID = r.NullableString()
	if err := r.Err(); err != nil {
		return h, nil, err
	}
	if !h.APIKey.Known() {
		return h, nil, fmt.Errorf("%w: unknown api key %d", ErrUnsupportedVersion, int16(h.APIKey))
	}
	if h.APIKey.Flexible(h.APIVersion) {
		r.SetField("tags")
		h.Tags = r.TaggedFields()
	}
	return h, r.Rest(), r.Err()
}

// responseHeaderFlexible reports whether a response uses header v1 (with tagged fields).
// ApiVersions responses always use v0, so that a client can read them before it knows the
// broker's versions.
func responseHeaderFlexible(key APIKey, version int16) bool {
	return key != KeyApiVersions && key.Flexible(version)
}

// AppendResponse appends a framed response: the int32 size, the header (v1 for flexible versions,
// v0 otherwise and always for ApiVersions) and body encoded at version.
func AppendResponse(dst []byte, correlationID int32, version int16, body Message) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = wire.AppendInt32(dst, correlationID)
	if responseHeaderFlexible(body.Key(), version) {
		dst = wire.AppendTaggedFields(dst, nil)
	}
	dst = body.AppendTo(dst, version)
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst
}

// ReadResponseHeader decodes the header at the start of a response to a request of API key at
// version (the bytes after the size prefix) and returns the correlation id and the body.
func ReadResponseHeader(frame []byte, key APIKey, version int16) (correlationID int32, body []byte, err error) {
	var r wire.Reader
	r.Reset(frame, 0)
	r.SetField("correlationId")
	correlationID = r.Int32()
	if responseHeaderFlexible(key, version) {
		r.SetField("tags")
		r.TaggedFields()
	}
	return correlationID, r.Rest(), r.Err()
}
