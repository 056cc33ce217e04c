package protocol

import (
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// initProducerIDRequestAt builds a request with every field that exists at version v set, and no
// other; transactional chooses a transactional id or null.
func initProducerIDRequestAt(v int16, transactional bool) *InitProducerIDRequest {
	m := &InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: -1, ProducerEpoch: -1}
	if transactional {
		m.TransactionalID = strp("txn-7")
	}
	if v >= 3 {
		m.ProducerID, m.ProducerEpoch = 4000, 3
	}
	if v >= 6 {
		m.Enable2PC, m.KeepPreparedTxn = true, true
	}
	if v >= 2 {
		m.Tags = []wire.TaggedField{{Tag: 5, Data: []byte("five")}}
	}
	return m
}

// initProducerIDResponseAt builds a response with every field that exists at version v set, and no
// other.
func initProducerIDResponseAt(v int16) *InitProducerIDResponse {
	m := &InitProducerIDResponse{ThrottleTimeMs: 10, ErrorCode: 0, ProducerID: 4001, ProducerEpoch: 4,
		OngoingTxnProducerID: -1, OngoingTxnProducerEpoch: -1}
	if v >= 6 {
		m.OngoingTxnProducerID, m.OngoingTxnProducerEpoch = 4000, 3
	}
	if v >= 2 {
		m.Tags = []wire.TaggedField{{Tag: 0, Data: []byte{}}, {Tag: 3, Data: []byte{3}}}
	}
	return m
}

func TestInitProducerIDRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(v int16) Message
	}{
		{"request/transactional", func(v int16) Message { return initProducerIDRequestAt(v, true) }},
		{"request/idempotent", func(v int16) Message { return initProducerIDRequestAt(v, false) }},
		{"response", func(v int16) Message { return initProducerIDResponseAt(v) }},
		{"response/error", func(int16) Message {
			return &InitProducerIDResponse{ErrorCode: 51, ProducerID: -1, ProducerEpoch: -1, OngoingTxnProducerID: -1, OngoingTxnProducerEpoch: -1}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for v := InitProducerIDVersions.Min; v <= InitProducerIDVersions.Max; v++ {
				checkRoundTrip(t, tc.build(v), InitProducerIDVersions, func(x int16) bool { return x == v })
			}
		})
	}
}

// TestInitProducerIDBytes checks encodings against bytes written out by hand from
// InitProducerIdRequest.json and InitProducerIdResponse.json.
func TestInitProducerIDBytes(t *testing.T) {
	checkBytes(t, []bytesCase{
		{"request v0 idempotent", 0, &InitProducerIDRequest{TransactionTimeoutMs: 100, ProducerID: -1, ProducerEpoch: -1}, []byte{
			0xff, 0xff, // transactionalID: null
			0, 0, 0, 100, // transactionTimeoutMs
		}},
		{"request v1", 1, &InitProducerIDRequest{TransactionalID: strp("tx"), TransactionTimeoutMs: 100, ProducerID: -1, ProducerEpoch: -1}, []byte{
			0, 2, 't', 'x', // transactionalID
			0, 0, 0, 100, // transactionTimeoutMs
		}},
		{"request v2", 2, &InitProducerIDRequest{TransactionTimeoutMs: 100, ProducerID: -1, ProducerEpoch: -1}, []byte{
			0,            // transactionalID: compact null
			0, 0, 0, 100, // transactionTimeoutMs
			0, // tags
		}},
		{"request v4", 4, &InitProducerIDRequest{TransactionalID: strp("tx"), TransactionTimeoutMs: 100, ProducerID: -1, ProducerEpoch: -1}, []byte{
			3, 't', 'x', // transactionalID
			0, 0, 0, 100, // transactionTimeoutMs
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // producerId (v3+)
			0xff, 0xff, // producerEpoch (v3+)
			0, // tags
		}},
		{"request v6", 6, &InitProducerIDRequest{TransactionalID: strp("tx"), TransactionTimeoutMs: 100, ProducerID: 123, ProducerEpoch: 1, KeepPreparedTxn: true}, []byte{
			3, 't', 'x', // transactionalID
			0, 0, 0, 100, // transactionTimeoutMs
			0, 0, 0, 0, 0, 0, 0, 123, // producerId
			0, 1, // producerEpoch
			0, // enable2Pc (v6+)
			1, // keepPreparedTxn (v6+)
			0, // tags
		}},
		{"response v1", 1, &InitProducerIDResponse{ThrottleTimeMs: 100, ProducerID: 123, ProducerEpoch: 1, OngoingTxnProducerID: -1, OngoingTxnProducerEpoch: -1}, []byte{
			0, 0, 0, 100, // throttleTimeMs
			0, 0, // errorCode
			0, 0, 0, 0, 0, 0, 0, 123, // producerId
			0, 1, // producerEpoch
		}},
		{"response v6", 6, &InitProducerIDResponse{ErrorCode: 47, ProducerID: 123, ProducerEpoch: 1, OngoingTxnProducerID: -1, OngoingTxnProducerEpoch: -1}, []byte{
			0, 0, 0, 0, // throttleTimeMs
			0, 47, // errorCode
			0, 0, 0, 0, 0, 0, 0, 123, // producerId
			0, 1, // producerEpoch
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // ongoingTxnProducerId (v6+)
			0xff, 0xff, // ongoingTxnProducerEpoch (v6+)
			0, // tags
		}},
	})
}

// InitProducerID has no arrays; a huge string length is its garbage count.
func TestInitProducerIDGarbage(t *testing.T) {
	checkGarbage(t, []garbageCase{
		{"request transactional id", &InitProducerIDRequest{}, 0, []byte{0x7f, 0xff, 0, 0, 0, 0}, "transactionalId"},
		{"request transactional id flexible", &InitProducerIDRequest{}, 2, []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0, 0}, "transactionalId"},
		{"request transactional id -2", &InitProducerIDRequest{}, 1, []byte{0xff, 0xfe, 0, 0, 0, 0}, "transactionalId"},
		{"response tags", &InitProducerIDResponse{}, 2, append(make([]byte, 16), 0xff, 0xff, 0xff, 0xff, 0x0f), "tags"},
	}, wire.ErrInvalidLength)
}

func FuzzDecodeInitProducerIDRequest(f *testing.F) {
	for v := InitProducerIDVersions.Min; v <= InitProducerIDVersions.Max; v++ {
		f.Add(v, initProducerIDRequestAt(v, true).AppendTo(nil, v))
		f.Add(v, initProducerIDRequestAt(v, false).AppendTo(nil, v))
	}
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, InitProducerIDVersions)
		var m InitProducerIDRequest
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, &m, new(InitProducerIDRequest), v)
	})
}
