package producer

import (
	"context"
	"fmt"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// TypedRecord is a [Record] whose key and value are Go values, for a [TypedProducer] to serialize.
type TypedRecord[K, V any] struct {
	Topic     string
	Key       *K // nil: a null key, which the default partitioner spreads with the sticky partitioner
	Value     V
	Headers   []wire.Header
	Timestamp time.Time // zero: the time of Send
	Partition Partition // zero: the partitioner chooses
}

// SerializationError is a key or value its [Serializer] could not encode. The record was not
// sent; errors.As reaches the serializer's own error through Unwrap.
type SerializationError struct {
	Topic string
	Field string // "key" or "value"
	Err   error
}

// Error names the field, the topic and the serializer's error.
func (e *SerializationError) Error() string {
	return fmt.Sprintf("producer: serializing the %s of a record for topic %q: %v", e.Field, e.Topic, e.Err)
}

// Unwrap is the serializer's error.
func (e *SerializationError) Unwrap() error { return e.Err }

// TypedProducer sends records of Go keys and values through a [Producer], serializing them at
// Send, as the Java client's KafkaProducer<K, V> does with its serializers. It is safe for
// concurrent use, as its Producer and Serializers are; Flush and Close the Producer itself.
type TypedProducer[K, V any] struct {
	p      *Producer
	keys   Serializer[K]
	values Serializer[V]
}

// NewTyped makes a TypedProducer that sends through p with keys and values serializing. Any
// number of TypedProducers, of any types, may share a Producer. It panics if an argument is nil.
func NewTyped[K, V any](p *Producer, keys Serializer[K], values Serializer[V]) *TypedProducer[K, V] {
	if p == nil || keys == nil || values == nil {
		panic("producer: NewTyped needs a producer and two serializers")
	}
	return &TypedProducer[K, V]{p: p, keys: keys, values: values}
}

// Producer is the Producer records are sent through.
func (t *TypedProducer[K, V]) Producer() *Producer { return t.p }

// Send serializes r's key and value and sends them as [Producer.Send] does. A serializer's failure
// is returned at once as a [*SerializationError]; the record is not queued and cb is not called.
func (t *TypedProducer[K, V]) Send(ctx context.Context, r TypedRecord[K, V], cb func(Metadata, error)) error {
	rec, err := t.record(&r)
	if err != nil {
		return err
	}
	return t.p.Send(ctx, rec, cb)
}

// SendSync serializes r's key and value and sends them as [Producer.SendSync] does, waiting for
// the delivery. A serializer's failure is a [*SerializationError], with nothing sent.
func (t *TypedProducer[K, V]) SendSync(ctx context.Context, r TypedRecord[K, V]) (Metadata, error) {
	rec, err := t.record(&r)
	if err != nil {
		return Metadata{}, err
	}
	return t.p.SendSync(ctx, rec)
}

// record serializes r into a Record.
func (t *TypedProducer[K, V]) record(r *TypedRecord[K, V]) (*Record, error) {
	var key []byte
	if r.Key != nil {
		var err error
		if key, err = t.keys.Serialize(r.Topic, *r.Key); err != nil {
			return nil, &SerializationError{Topic: r.Topic, Field: "key", Err: err}
		}
	}
	value, err := t.values.Serialize(r.Topic, r.Value)
	if err != nil {
		return nil, &SerializationError{Topic: r.Topic, Field: "value", Err: err}
	}
	return &Record{
		Topic:     r.Topic,
		Key:       key,
		Value:     value,
		Headers:   r.Headers,
		Timestamp: r.Timestamp,
		Partition: r.Partition,
	}, nil
}
