// Package protocol holds Kafka's request and response messages: one Go type per message, each
// encoding and decoding itself at an explicit version, and the request and response headers and
// size-prefixed framing around them.
//
// Field lists and versions follow Kafka's JSON message definitions
// (clients/src/main/resources/common/message/*.json in apache/kafka). Field comments give the
// versions a field exists in ("v3+"); outside them a field is neither written nor read.
package protocol

import (
	"fmt"

	"github.com/kwire-dev/kwire/wire"
)

// APIKey identifies a request type.
type APIKey int16

// The API keys kwire speaks.
const (
	KeyProduce          APIKey = 0
	KeyFetch            APIKey = 1
	KeyListOffsets      APIKey = 2
	KeyMetadata         APIKey = 3
	KeyFindCoordinator  APIKey = 10
	KeySaslHandshake    APIKey = 17
	KeyApiVersions      APIKey = 18
	KeyCreateTopics     APIKey = 19
	KeyInitProducerID   APIKey = 22
	KeySaslAuthenticate APIKey = 36
)

// apiInfo is what the framing needs to know of an API: its name and its first flexible version
// (-1 when it has none).
type apiInfo struct {
	name         string
	flexibleFrom int16
}

// apis is the one table of the APIs kwire knows. Flexible versions are from the message
// definitions' "flexibleVersions".
var apis = map[APIKey]apiInfo{
	KeyProduce:          {"Produce", 9},
	KeyFetch:            {"Fetch", 12},
	KeyListOffsets:      {"ListOffsets", 6},
	KeyMetadata:         {"Metadata", 9},
	KeyFindCoordinator:  {"FindCoordinator", 3},
	KeySaslHandshake:    {"SaslHandshake", -1},
	KeyApiVersions:      {"ApiVersions", 3},
	KeyCreateTopics:     {"CreateTopics", 5},
	KeyInitProducerID:   {"InitProducerId", 2},
	KeySaslAuthenticate: {"SaslAuthenticate", 2},
}

// String is the API's name as Kafka spells it, e.g. "Produce".
func (k APIKey) String() string {
	if a, ok := apis[k]; ok {
		return a.name
	}
	return fmt.Sprintf("api(%d)", int16(k))
}

// Known reports whether kwire has messages for k.
func (k APIKey) Known() bool { _, ok := apis[k]; return ok }

// Flexible reports whether version v of API k uses compact types and tagged fields (KIP-482).
func (k APIKey) Flexible(v int16) bool {
	a, ok := apis[k]
	return ok && a.flexibleFrom >= 0 && v >= a.flexibleFrom
}

// Message is a request or response body.
type Message interface {
	// Key is the API the message belongs to.
	Key() APIKey
	// AppendTo appends the message encoded at version to dst.
	AppendTo(dst []byte, version int16) []byte
	// Decode replaces the message with the one encoded at version in src, which must hold exactly
	// one message body. Byte slices in the message may alias src.
	Decode(src []byte, version int16) error
}

// VersionRange is an inclusive range of versions of one API.
type VersionRange struct {
	Min, Max int16
}

// Contains reports whether v is within r.
func (r VersionRange) Contains(v int16) bool { return r.Min <= v && v <= r.Max }

// checkVersion fails the reader if v is outside what a message type implements.
func checkVersion(r *wire.Reader, k APIKey, v int16, impl VersionRange) {
	if !impl.Contains(v) {
		r.Fail("version", fmt.Errorf("%w: %s v%d (kwire implements v%d–v%d)", ErrUnsupportedVersion, k, v, impl.Min, impl.Max))
	}
}
