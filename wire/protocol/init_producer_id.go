package protocol

import (
	"github.com/kwire-dev/kwire/wire"
)

// InitProducerIDRequest asks for a producer id and epoch, for an idempotent producer or (with a
// transactional id) a transactional one (InitProducerIDRequest.json). Version 5 is version 4 with
// the TRANSACTION_ABORTABLE error allowed in the response; version 6 adds two-phase commit
// (KIP-939).
type InitProducerIDRequest struct {
	TransactionalID      *string // nil for an idempotent, non-transactional producer
	TransactionTimeoutMs int32
	ProducerID           int64              // v3+; -1 unless resuming after INVALID_PRODUCER_EPOCH
	ProducerEpoch        int16              // v3+; -1 unless resuming
	Enable2PC            bool               // v6+; the producer takes part in two-phase commit
	KeepPreparedTxn      bool               // v6+; keep a prepared transaction rather than abort it
	Tags                 []wire.TaggedField // v2+
}

// InitProducerIDVersions are the versions of InitProducerId kwire implements.
var InitProducerIDVersions = VersionRange{0, 6}

// Key is KeyInitProducerID.
func (*InitProducerIDRequest) Key() APIKey { return KeyInitProducerID }

// AppendTo appends the request encoded at version.
func (m *InitProducerIDRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyInitProducerID.Flexible(version)}
	w.nstr(m.TransactionalID)
	w.int32(m.TransactionTimeoutMs)
	if version >= 3 {
		w.int64(m.ProducerID)
		w.int16(m.ProducerEpoch)
	}
	if version >= 6 {
		w.bool(m.Enable2PC)
		w.bool(m.KeepPreparedTxn)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the request encoded at version from src.
func (m *InitProducerIDRequest) Decode(src []byte, version int16) error {
	r := newReader(src, KeyInitProducerID.Flexible(version))
	checkVersion(&r.Reader, KeyInitProducerID, version, InitProducerIDVersions)
	*m = InitProducerIDRequest{ProducerID: -1, ProducerEpoch: -1} // the spec's defaults for versions without them
	r.SetField("transactionalId")
	m.TransactionalID = r.nstr()
	r.SetField("transactionTimeoutMs")
	m.TransactionTimeoutMs = r.Int32()
	if version >= 3 {
		r.SetField("producerId")
		m.ProducerID = r.Int64()
		r.SetField("producerEpoch")
		m.ProducerEpoch = r.Int16()
	}
	if version >= 6 {
		r.SetField("enable2Pc")
		m.Enable2PC = r.Bool()
		r.SetField("keepPreparedTxn")
		m.KeepPreparedTxn = r.Bool()
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

// InitProducerIDResponse answers an InitProducerIDRequest (InitProducerIDResponse.json).
type InitProducerIDResponse struct {
	ThrottleTimeMs          int32
	ErrorCode               int16
	ProducerID              int64              // -1 on error
	ProducerEpoch           int16              // -1 on error
	OngoingTxnProducerID    int64              // v6+; the prepared transaction's producer id with KeepPreparedTxn, else -1
	OngoingTxnProducerEpoch int16              // v6+; its epoch, else -1
	Tags                    []wire.TaggedField // v2+
}

// Key is KeyInitProducerID.
func (*InitProducerIDResponse) Key() APIKey { return KeyInitProducerID }

// AppendTo appends the response encoded at version.
func (m *InitProducerIDResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyInitProducerID.Flexible(version)}
	w.int32(m.ThrottleTimeMs)
	w.int16(m.ErrorCode)
	w.int64(m.ProducerID)
	w.int16(m.ProducerEpoch)
	if version >= 6 {
		w.int64(m.OngoingTxnProducerID)
		w.int16(m.OngoingTxnProducerEpoch)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the response encoded at version from src.
func (m *InitProducerIDResponse) Decode(src []byte, version int16) error {
	r := newReader(src, KeyInitProducerID.Flexible(version))
	checkVersion(&r.Reader, KeyInitProducerID, version, InitProducerIDVersions)
	*m = InitProducerIDResponse{OngoingTxnProducerID: -1, OngoingTxnProducerEpoch: -1} // the spec's defaults for versions without them
	r.SetField("throttleTimeMs")
	m.ThrottleTimeMs = r.Int32()
	r.SetField("errorCode")
	m.ErrorCode = r.Int16()
	r.SetField("producerId")
	m.ProducerID = r.Int64()
	r.SetField("producerEpoch")
	m.ProducerEpoch = r.Int16()
	if version >= 6 {
		r.SetField("ongoingTxnProducerId")
		m.OngoingTxnProducerID = r.Int64()
		r.SetField("ongoingTxnProducerEpoch")
		m.OngoingTxnProducerEpoch = r.Int16()
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}
