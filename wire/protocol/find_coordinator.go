package protocol

import (
	"github.com/kwire-dev/kwire/wire"
)

// The coordinator key types of FindCoordinator (Kafka's CoordinatorType).
const (
	CoordinatorGroup       int8 = 0 // a consumer group id
	CoordinatorTransaction int8 = 1 // a transactional id
	CoordinatorShare       int8 = 2 // v6+; a share partition, "groupId:topicId:partition" (KIP-932)
)

// FindCoordinatorRequest asks which broker coordinates a group or a transactional id
// (FindCoordinatorRequest.json). Version 1 adds the key type; version 2 is version 1; version 3 is
// the first flexible version; version 4 looks up several keys of one type at once (KIP-699) in
// place of the single key; version 5 is version 4 with TRANSACTION_ABORTABLE allowed in the
// response (KIP-890); version 6 allows the share key type (KIP-932).
type FindCoordinatorRequest struct {
	CoordinatorKey  string             // v0–v3; the spec's Key
	KeyType         int8               // v1+; CoordinatorGroup before v1
	CoordinatorKeys []string           // v4+
	Tags            []wire.TaggedField // v3+
}

// FindCoordinatorVersions are the versions of FindCoordinator kwire implements.
var FindCoordinatorVersions = VersionRange{0, 6}

// Key is KeyFindCoordinator.
func (*FindCoordinatorRequest) Key() APIKey { return KeyFindCoordinator }

// AppendTo appends the request encoded at version.
func (m *FindCoordinatorRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyFindCoordinator.Flexible(version)}
	if version <= 3 {
		w.str(m.CoordinatorKey)
	}
	if version >= 1 {
		w.int8(m.KeyType)
	}
	if version >= 4 {
		w.arrayLen(len(m.CoordinatorKeys))
		for _, k := range m.CoordinatorKeys {
			w.str(k)
		}
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the request encoded at version from src.
func (m *FindCoordinatorRequest) Decode(src []byte, version int16) error {
	r := newReader(src, KeyFindCoordinator.Flexible(version))
	checkVersion(&r.Reader, KeyFindCoordinator, version, FindCoordinatorVersions)
	*m = FindCoordinatorRequest{}
	if version <= 3 {
		r.SetField("key")
		m.CoordinatorKey = r.str()
	}
	if version >= 1 {
		r.SetField("keyType")
		m.KeyType = r.Int8()
	}
	if version >= 4 {
		r.SetField("coordinatorKeys")
		if n := nonNullArrayLen(r, 1); n > 0 { // a key takes at least its (compact) length
			m.CoordinatorKeys = make([]string, n)
			for i := range m.CoordinatorKeys {
				r.SetField("coordinatorKeys")
				m.CoordinatorKeys[i] = r.str()
			}
		}
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

// FindCoordinatorResponse answers a FindCoordinatorRequest (FindCoordinatorResponse.json). Up to
// version 3 it carries one coordinator in its top-level fields; from version 4 one entry per key
// asked for, each with its own error.
type FindCoordinatorResponse struct {
	ThrottleTimeMs int32                   // v1+
	ErrorCode      int16                   // v0–v3
	ErrorMessage   *string                 // v1–v3
	NodeID         int32                   // v0–v3; -1 on error
	Host           string                  // v0–v3; "" on error
	Port           int32                   // v0–v3; -1 on error
	Coordinators   []FindCoordinatorResult // v4+
	Tags           []wire.TaggedField      // v3+
}

// FindCoordinatorResult is the coordinator of one key in a v4+ FindCoordinatorResponse (an entry
// of Coordinators).
type FindCoordinatorResult struct {
	Key          string
	NodeID       int32 // -1 on error
	Host         string
	Port         int32 // -1 on error
	ErrorCode    int16
	ErrorMessage *string
	Tags         []wire.TaggedField
}

// Key is KeyFindCoordinator.
func (*FindCoordinatorResponse) Key() APIKey { return KeyFindCoordinator }

// coordinatorMinSize is the fewest bytes a FindCoordinatorResult takes (v4+, always flexible):
// empty key, node id, empty host, port, error code, null message, tags.
const coordinatorMinSize = 1 + 4 + 1 + 4 + 2 + 1 + 1

// AppendTo appends the response encoded at version.
func (m *FindCoordinatorResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyFindCoordinator.Flexible(version)}
	if version >= 1 {
		w.int32(m.ThrottleTimeMs)
	}
	if version <= 3 {
		w.int16(m.ErrorCode)
		if version >= 1 {
			w.nstr(m.ErrorMessage)
		}
		w.int32(m.NodeID)
		w.str(m.Host)
		w.int32(m.Port)
	}
	if version >= 4 {
		w.arrayLen(len(m.Coordinators))
		for i := range m.Coordinators {
			c := &m.Coordinators[i]
			w.str(c.Key)
			w.int32(c.NodeID)
			w.str(c.Host)
			w.int32(c.Port)
			w.int16(c.ErrorCode)
			w.nstr(c.ErrorMessage)
			w.tags(c.Tags)
		}
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the response encoded at version from src.
func (m *FindCoordinatorResponse) Decode(src []byte, version int16) error {
	r := newReader(src, KeyFindCoordinator.Flexible(version))
	checkVersion(&r.Reader, KeyFindCoordinator, version, FindCoordinatorVersions)
	*m = FindCoordinatorResponse{}
	if version >= 1 {
		r.SetField("throttleTimeMs")
		m.ThrottleTimeMs = r.Int32()
	}
	if version <= 3 {
		r.SetField("errorCode")
		m.ErrorCode = r.Int16()
		if version >= 1 {
			r.SetField("errorMessage")
			m.ErrorMessage = r.nstr()
		}
		r.SetField("nodeId")
		m.NodeID = r.Int32()
		r.SetField("host")
		m.Host = r.str()
		r.SetField("port")
		m.Port = r.Int32()
	}
	if version >= 4 {
		r.SetField("coordinators")
		if n := nonNullArrayLen(r, coordinatorMinSize); n > 0 {
			m.Coordinators = make([]FindCoordinatorResult, n)
			for i := range m.Coordinators {
				c := &m.Coordinators[i]
				r.SetField("coordinators.key")
				c.Key = r.str()
				r.SetField("coordinators.nodeId")
				c.NodeID = r.Int32()
				r.SetField("coordinators.host")
				c.Host = r.str()
				r.SetField("coordinators.port")
				c.Port = r.Int32()
				r.SetField("coordinators.errorCode")
				c.ErrorCode = r.Int16()
				r.SetField("coordinators.errorMessage")
				c.ErrorMessage = r.nstr()
				c.Tags = readTagSection(r, "coordinators.tags", nil)
			}
		}
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}
