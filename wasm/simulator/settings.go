package simulator

import (
	"errors"
	"fmt"
	"time"

	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/wasm/explorer"
	"github.com/kwire-dev/kwire/wire"
)

// Topic is the topic a simulation produces to: one partition, led by broker 0 of two.
const Topic = "orders"

// MaxRecords bounds how many records one simulation sends, so that a run stays short and its
// timeline readable.
const MaxRecords = 10000

// Settings are one simulation's inputs: the producer's configuration, the records it sends and
// the fault the broker injects.
type Settings struct {
	Records         []wire.Record
	Acks            producer.Acks
	Idempotent      bool
	MaxInFlight     int
	Linger          time.Duration
	BatchSize       int
	Compression     wire.Codec
	RequestTimeout  time.Duration
	DeliveryTimeout time.Duration
	Fault           Fault
	FaultTimes      int // how many produce requests the fault hits
}

// intRange is an integer input, named by its Java property, with the values the Simulator
// accepts for it.
type intRange struct {
	key, label string
	lo, hi     int64
	unit       string
	assignTo   func(s *Settings, v int64)
}

// intInputs are the Simulator's integer inputs, checked and copied into Settings in this order.
var intInputs = []intRange{
	{explorer.KeySimInFlight, "max.in.flight.requests.per.connection", 1, 10, "", func(s *Settings, v int64) { s.MaxInFlight = int(v) }},
	{explorer.KeySimLinger, "linger.ms", 0, 2000, " ms", func(s *Settings, v int64) { s.Linger = time.Duration(v) * time.Millisecond }},
	{explorer.KeySimBatchSize, "batch.size", 0, 1 << 20, " bytes", func(s *Settings, v int64) { s.BatchSize = int(v) }},
	{explorer.KeySimRequestTimeout, "request.timeout.ms", 10, 5000, " ms", func(s *Settings, v int64) { s.RequestTimeout = time.Duration(v) * time.Millisecond }},
	{explorer.KeySimDeliveryTimeout, "delivery.timeout.ms", 100, 20000, " ms", func(s *Settings, v int64) { s.DeliveryTimeout = time.Duration(v) * time.Millisecond }},
	{explorer.KeySimFaultTimes, "times", 1, 100, "", func(s *Settings, v int64) { s.FaultTimes = int(v) }},
}

// ReadSettings parses the Simulator's inputs of form f; records without a timestamp of their own
// get now's. The error is an [*explorer.InputError] naming the input. Settings the producer
// itself refuses in combination (idempotence with acks=1, say) are reported by [Run].
func ReadSettings(f explorer.Form, now time.Time) (*Settings, error) {
	s := &Settings{Idempotent: f.Checked(explorer.KeySimIdempotent)}
	acks, err := f.Int(explorer.KeySimAcks, 16)
	if err != nil {
		return nil, err
	}
	s.Acks = producer.Acks(acks)
	if s.Compression, err = wire.ParseCodec(f.Get(explorer.KeySimCompression)); err != nil {
		return nil, inputError(explorer.KeySimCompression, "compression: %v", err)
	}
	for _, in := range intInputs {
		v, err := f.Int(in.key, 32)
		if err != nil {
			return nil, err
		}
		if v < in.lo || v > in.hi {
			return nil, inputError(in.key, "%s: %d is outside %d to %d%s in the simulator", in.label, v, in.lo, in.hi, in.unit)
		}
		in.assignTo(s, v)
	}
	if s.Fault, err = ParseFault(f.Get(explorer.KeySimFault)); err != nil {
		return nil, inputError(explorer.KeySimFault, "fault: %v", err)
	}
	if s.Records, err = explorer.ReadRecords(f, explorer.KeySimRecords, now.UnixMilli()); err != nil {
		return nil, err
	}
	if len(s.Records) > MaxRecords {
		return nil, inputError(explorer.KeySimRecords, "records: %d records; the simulator sends at most %d", len(s.Records), MaxRecords)
	}
	return s, nil
}

// inputError is an error in the input key as a whole.
func inputError(key, format string, args ...any) *explorer.InputError {
	return &explorer.InputError{Field: key, Message: fmt.Sprintf(format, args...), Start: -1}
}

// config is the producer configuration of s, without bootstrap servers, dialer or logger. Retries
// back off briefly and a record waits at most max.block.ms for metadata, so that a run is short.
func (s *Settings) config() producer.Config {
	cfg := producer.DefaultConfig()
	cfg.ClientID = "kwire-playground"
	cfg.Acks = s.Acks
	cfg.Idempotence = producer.Off
	if s.Idempotent {
		cfg.Idempotence = producer.On
	}
	cfg.MaxInFlight = s.MaxInFlight
	cfg.Linger = s.Linger
	cfg.BatchSize = s.BatchSize
	cfg.Compression = s.Compression
	cfg.RequestTimeout = s.RequestTimeout
	cfg.DeliveryTimeout = s.DeliveryTimeout
	cfg.RetryBackoff = 20 * time.Millisecond
	cfg.RetryBackoffMax = 100 * time.Millisecond
	cfg.MaxBlock = 2 * time.Second
	return cfg
}

// propertyKeys are the inputs that set the producer's Java properties, by property: a
// configuration the producer refuses is reported at the input.
var propertyKeys = map[string]string{
	"acks":                                  explorer.KeySimAcks,
	"enable.idempotence":                    explorer.KeySimIdempotent,
	"max.in.flight.requests.per.connection": explorer.KeySimInFlight,
	"linger.ms":                             explorer.KeySimLinger,
	"batch.size":                            explorer.KeySimBatchSize,
	"request.timeout.ms":                    explorer.KeySimRequestTimeout,
	"delivery.timeout.ms":                   explorer.KeySimDeliveryTimeout,
	"compression.type":                      explorer.KeySimCompression,
}

// configInputError turns the producer's refusal of a configuration into an input error at the
// input that sets the property, or returns err as it is.
func configInputError(err error) error {
	ce, ok := errors.AsType[*producer.ConfigError](err)
	if !ok {
		return err
	}
	key, ok := propertyKeys[ce.Property]
	if !ok {
		return err
	}
	return inputError(key, "%s: %s", ce.Property, ce.Reason)
}
