package producer

import "encoding/json"

// Serializer turns a Go value into the bytes of a record's key or value, like the Java client's
// Serializer: kwire producers send bytes, and a [TypedProducer] uses two Serializers to send Go
// values instead. A Serializer must be safe for concurrent use. Returning nil bytes makes the key
// or value null (for a value, a tombstone on compacted topics).
type Serializer[T any] interface {
	// Serialize encodes v for a record of topic.
	Serialize(topic string, v T) ([]byte, error)
}

// SerializerFunc is a function used as a [Serializer], for encodings that need no state.
type SerializerFunc[T any] func(topic string, v T) ([]byte, error)

// Serialize calls f.
func (f SerializerFunc[T]) Serialize(topic string, v T) ([]byte, error) { return f(topic, v) }

// StringSerializer sends strings as their UTF-8 bytes, like the Java client's StringSerializer
// with its default encoding. The empty string is an empty key or value, not a null one.
type StringSerializer struct{}

// Serialize is s's bytes, never nil.
func (StringSerializer) Serialize(_ string, s string) ([]byte, error) {
	if s == "" {
		return []byte{}, nil
	}
	return []byte(s), nil
}

// BytesSerializer sends byte slices as they are, like the Java client's ByteArraySerializer: nil
// is null, so it is how a [TypedProducer] sends tombstones.
type BytesSerializer struct{}

// Serialize is b itself.
func (BytesSerializer) Serialize(_ string, b []byte) ([]byte, error) { return b, nil }

// JSONSerializer sends values of T as JSON, encoded with encoding/json (json.Marshal), for the
// common case of JSON records without a schema registry. Its errors are encoding/json's, such as
// [*json.UnsupportedTypeError] and [*json.UnsupportedValueError]. A nil pointer, slice or map
// encodes as the JSON text null, not as a null value.
type JSONSerializer[T any] struct{}

// Serialize is json.Marshal(v).
func (JSONSerializer[T]) Serialize(_ string, v T) ([]byte, error) { return json.Marshal(v) }
