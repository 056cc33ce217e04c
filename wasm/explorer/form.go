package explorer

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
)

// Form is the page's state: the value of every input, keyed by the input's element id. Check
// boxes hold "1" or "". Values are kept as typed, so that the URL reproduces even an input that
// does not parse.
type Form map[string]string

// The form's keys: element ids of the page's inputs, and of the view it shows.
const (
	KeyMode            = "mode"    // "explore" or "decode"
	KeyShow            = "show"    // "batch" or "request": what the Explorer's dump and tree show
	KeySelected        = "sel"     // the path of the selected field, e.g. "batch[0].crc"
	KeyRecords         = "records" // JSONL, as kwire batch --jsonl reads it
	KeyCompression     = "compression"
	KeyLevel           = "level"
	KeyIdempotent      = "idempotent"
	KeyProducerID      = "producer-id"
	KeyProducerEpoch   = "producer-epoch"
	KeyBaseSequence    = "base-sequence"
	KeyTransactional   = "transactional"
	KeyTimestamp       = "timestamp"
	KeyProduceVersion  = "produce-version"
	KeyTopic           = "topic"
	KeyTopicID         = "topic-id"
	KeyPartition       = "partition"
	KeyAcks            = "acks"
	KeyTransactionalID = "transactional-id"
	KeyDecodeInput     = "decode-input"
)

// The modes and what the Explorer shows.
const (
	ModeExplore  = "explore"
	ModeDecode   = "decode"
	ModeSimulate = "simulate"
	ShowBatch    = "batch"
	ShowRequest  = "request"
)

// DefaultTimestamp is the records' timestamp unless the form says otherwise: fixed, so that the
// bytes are the same on every visit (2023-11-14T22:13:20Z).
const DefaultTimestamp = "1700000000000"

// defaultRecords are the records a first visit shows: a header, a null key, an empty value.
const defaultRecords = `{"key":"user-1","value":"{\"event\":\"signup\",\"plan\":\"free\"}","headers":[{"key":"source","value":"web"}]}
{"key":"user-2","value":"{\"event\":\"login\"}"}
{"key":null,"value":"heartbeat"}
{"key":"user-1","value":"","headers":[{"key":"trace","value":null}]}
`

// Defaults is the form of a first visit.
func Defaults() Form {
	f := Form{
		KeyMode:            ModeExplore,
		KeyShow:            ShowBatch,
		KeySelected:        "",
		KeyRecords:         defaultRecords,
		KeyCompression:     "none",
		KeyLevel:           "0",
		KeyIdempotent:      "",
		KeyProducerID:      "1000",
		KeyProducerEpoch:   "0",
		KeyBaseSequence:    "0",
		KeyTransactional:   "",
		KeyTimestamp:       DefaultTimestamp,
		KeyProduceVersion:  "11",
		KeyTopic:           "orders",
		KeyTopicID:         "5f3c6b7e9a8d4c2b8e1f0a9b7c6d5e4f",
		KeyPartition:       "0",
		KeyAcks:            "-1",
		KeyTransactionalID: "txn-1",
		KeyDecodeInput:     "",
	}
	maps.Copy(f, simDefaults())
	return f
}

// Keys lists the form's keys in a fixed order.
func Keys() []string {
	keys := []string{KeyMode, KeyShow, KeySelected, KeyRecords, KeyCompression, KeyLevel, KeyIdempotent,
		KeyProducerID, KeyProducerEpoch, KeyBaseSequence, KeyTransactional, KeyTimestamp,
		KeyProduceVersion, KeyTopic, KeyTopicID, KeyPartition, KeyAcks, KeyTransactionalID, KeyDecodeInput}
	return append(keys, simKeys()...)
}

// Get is the value of key, or its default when the form lacks it.
func (f Form) Get(key string) string {
	if v, ok := f[key]; ok {
		return v
	}
	return Defaults()[key]
}

// Checked reports whether the check box key is ticked.
func (f Form) Checked(key string) bool { return f.Get(key) == "1" }

// labels name the inputs in error messages.
var labels = map[string]string{
	KeyLevel:          "level",
	KeyProducerID:     "producer id",
	KeyProducerEpoch:  "producer epoch",
	KeyBaseSequence:   "base sequence",
	KeyTimestamp:      "timestamp",
	KeyProduceVersion: "Produce version",
	KeyPartition:      "partition",
	KeyAcks:           "acks",

	KeySimAcks:            "acks",
	KeySimInFlight:        "max.in.flight.requests.per.connection",
	KeySimLinger:          "linger.ms",
	KeySimBatchSize:       "batch.size",
	KeySimRequestTimeout:  "request.timeout.ms",
	KeySimDeliveryTimeout: "delivery.timeout.ms",
	KeySimFaultTimes:      "times",
}

// Int parses the integer input key, which must fit in bits bits.
func (f Form) Int(key string, bits int) (int64, error) {
	text := strings.TrimSpace(f.Get(key))
	n, err := strconv.ParseInt(text, 10, bits)
	if err == nil {
		return n, nil
	}
	e := &InputError{Field: key, Start: -1}
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		lo, hi := -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
		e.Message = fmt.Sprintf("%s: %s is out of range %d to %d", labels[key], text, lo, hi)
	} else {
		e.Message = fmt.Sprintf("%s: %q is not a whole number", labels[key], text)
	}
	return 0, e
}

// InputError is an input that cannot be used: which, why, and where in its text when it is a
// text area (Start and End are UTF-16 offsets, as a text area's selection counts; Start is -1
// when the whole input is at fault).
type InputError struct {
	Field      string
	Message    string
	Start, End int
}

// Error is the message.
func (e *InputError) Error() string { return e.Message }

// AsInputError is err as the page shows it: nil, the [*InputError] it is or wraps, or a message
// that points at no input.
func AsInputError(err error) *InputError {
	if err == nil {
		return nil
	}
	if ie, ok := errors.AsType[*InputError](err); ok {
		return ie
	}
	return &InputError{Message: err.Error(), Start: -1}
}
