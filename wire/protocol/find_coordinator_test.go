package protocol

import (
	"bytes"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// findCoordinatorRequestAt builds a request with every field that exists at version v set, and no
// other; keyType is the key type at v1+.
func findCoordinatorRequestAt(v int16, keyType int8) *FindCoordinatorRequest {
	m := &FindCoordinatorRequest{}
	if v <= 3 {
		m.CoordinatorKey = "group-1"
	}
	if v >= 1 {
		m.KeyType = keyType
	}
	if v >= 4 {
		m.CoordinatorKeys = []string{"group-1", "", "gröup-ü"}
	}
	if v >= 3 {
		m.Tags = []wire.TaggedField{{Tag: 4, Data: []byte("four")}}
	}
	return m
}

// findCoordinatorResponseAt builds a response with every field that exists at version v set, and
// no other.
func findCoordinatorResponseAt(v int16) *FindCoordinatorResponse {
	m := &FindCoordinatorResponse{}
	if v >= 1 {
		m.ThrottleTimeMs = 25
	}
	if v <= 3 {
		m.NodeID, m.Host, m.Port = 2, "broker-2.example", 9094
		if v >= 1 {
			m.ErrorMessage = strp("NONE")
		}
	}
	if v >= 4 {
		m.Coordinators = []FindCoordinatorResult{
			{Key: "group-1", NodeID: 2, Host: "broker-2.example", Port: 9094},
			{Key: "txn-1", NodeID: -1, Host: "", Port: -1, ErrorCode: 15, ErrorMessage: strp("The coordinator is not available."),
				Tags: []wire.TaggedField{{Tag: 0, Data: []byte{}}, {Tag: 9, Data: []byte{9}}}},
		}
	}
	if v >= 3 {
		m.Tags = []wire.TaggedField{{Tag: 1, Data: []byte{1, 2}}}
	}
	return m
}

func TestFindCoordinatorRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(v int16) Message
	}{
		{"request/group", func(v int16) Message { return findCoordinatorRequestAt(v, CoordinatorGroup) }},
		{"request/transaction", func(v int16) Message { return findCoordinatorRequestAt(v, CoordinatorTransaction) }},
		{"request/share", func(v int16) Message { return findCoordinatorRequestAt(v, CoordinatorShare) }},
		{"request/no keys", func(v int16) Message { m := findCoordinatorRequestAt(v, 0); m.CoordinatorKeys = nil; return m }},
		{"response", func(v int16) Message { return findCoordinatorResponseAt(v) }},
		{"response/error", func(v int16) Message {
			m := &FindCoordinatorResponse{ErrorCode: 15, NodeID: -1, Port: -1}
			if v >= 1 && v <= 3 {
				m.ErrorMessage = strp("The coordinator is not available.")
			}
			if v >= 4 {
				m.ErrorCode, m.NodeID, m.Port = 0, 0, 0
			}
			return m
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkRoundTripEach(t, FindCoordinatorVersions, tc.build) })
	}
}

// TestFindCoordinatorBytes checks encodings against bytes written out by hand from
// FindCoordinatorRequest.json and FindCoordinatorResponse.json.
func TestFindCoordinatorBytes(t *testing.T) {
	checkBytes(t, []bytesCase{
		{"request v0", 0, &FindCoordinatorRequest{CoordinatorKey: "g"}, []byte{
			0, 1, 'g', // key
		}},
		{"request v2", 2, &FindCoordinatorRequest{CoordinatorKey: "tx", KeyType: 1}, []byte{
			0, 2, 't', 'x', // key
			1, // keyType (v1+)
		}},
		{"request v3", 3, &FindCoordinatorRequest{CoordinatorKey: "g", KeyType: 0}, []byte{
			2, 'g', // key: compact
			0, // keyType
			0, // tags (v3+)
		}},
		{"request v4", 4, &FindCoordinatorRequest{KeyType: 0, CoordinatorKeys: []string{"a", "bc"}}, []byte{
			0,      // keyType; no key from v4
			3,      // coordinatorKeys: 2, compact
			2, 'a', // coordinatorKeys[0]
			3, 'b', 'c', // coordinatorKeys[1]
			0, // tags
		}},
		{"request v6 share", 6, &FindCoordinatorRequest{KeyType: 2, CoordinatorKeys: []string{"g:t:0"}}, []byte{
			2,                          // keyType: share
			2,                          // coordinatorKeys: 1
			6, 'g', ':', 't', ':', '0', // coordinatorKeys[0]
			0, // tags
		}},
		{"response v0", 0, &FindCoordinatorResponse{NodeID: 1, Host: "h", Port: 9092}, []byte{
			0, 0, // errorCode
			0, 0, 0, 1, // nodeId
			0, 1, 'h', // host
			0, 0, 0x23, 0x84, // port 9092
		}},
		{"response v1 error", 1, &FindCoordinatorResponse{ThrottleTimeMs: 5, ErrorCode: 15, ErrorMessage: strp("x"), NodeID: -1, Port: -1}, []byte{
			0, 0, 0, 5, // throttleTimeMs (v1+)
			0, 15, // errorCode
			0, 1, 'x', // errorMessage (v1+)
			0xff, 0xff, 0xff, 0xff, // nodeId -1
			0, 0, // host ""
			0xff, 0xff, 0xff, 0xff, // port -1
		}},
		{"response v3", 3, &FindCoordinatorResponse{NodeID: 1, Host: "h", Port: 9092}, []byte{
			0, 0, 0, 0, // throttleTimeMs
			0, 0, // errorCode
			0,          // errorMessage: compact null
			0, 0, 0, 1, // nodeId
			2, 'h', // host: compact
			0, 0, 0x23, 0x84, // port
			0, // tags
		}},
		{"response v5", 5, &FindCoordinatorResponse{Coordinators: []FindCoordinatorResult{{Key: "g", NodeID: 1, Host: "h", Port: 9092}}}, []byte{
			0, 0, 0, 0, // throttleTimeMs; no top-level coordinator from v4
			2,      // coordinators: 1
			2, 'g', // key
			0, 0, 0, 1, // nodeId
			2, 'h', // host
			0, 0, 0x23, 0x84, // port
			0, 0, // errorCode
			0, // errorMessage: null
			0, // coordinators[0] tags
			0, // tags
		}},
	})
}

// Huge array counts fail before anything is allocated for them, and null arrays the spec does not
// allow fail.
func TestFindCoordinatorGarbage(t *testing.T) {
	huge := []byte{0xff, 0xff, 0xff, 0xff, 0x0f}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	checkGarbage(t, []garbageCase{
		{"request key", &FindCoordinatorRequest{}, 0, []byte{0x7f, 0xff}, "key"},
		{"request coordinator keys", &FindCoordinatorRequest{}, 4, cat([]byte{0}, huge, []byte{0}), "coordinatorKeys"},
		{"request coordinator keys null", &FindCoordinatorRequest{}, 5, []byte{0, 0, 0}, "coordinatorKeys"},
		{"response coordinators", &FindCoordinatorResponse{}, 4, cat([]byte{0, 0, 0, 0}, huge, []byte{0}), "coordinators"},
		{"response coordinators null", &FindCoordinatorResponse{}, 6, []byte{0, 0, 0, 0, 0, 0}, "coordinators"},
		{"response tags", &FindCoordinatorResponse{}, 4, cat([]byte{0, 0, 0, 0, 1}, huge), "tags"},
	}, wire.ErrInvalidLength)
}

func FuzzDecodeFindCoordinatorRequest(f *testing.F) {
	for v := FindCoordinatorVersions.Min; v <= FindCoordinatorVersions.Max; v++ {
		f.Add(v, findCoordinatorRequestAt(v, CoordinatorGroup).AppendTo(nil, v))
		f.Add(v, findCoordinatorRequestAt(v, CoordinatorTransaction).AppendTo(nil, v))
	}
	fuzzDecode[FindCoordinatorRequest](f, FindCoordinatorVersions)
}

func FuzzDecodeFindCoordinatorResponse(f *testing.F) {
	for v := FindCoordinatorVersions.Min; v <= FindCoordinatorVersions.Max; v++ {
		f.Add(v, findCoordinatorResponseAt(v).AppendTo(nil, v))
	}
	fuzzDecode[FindCoordinatorResponse](f, FindCoordinatorVersions)
}
