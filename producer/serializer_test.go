package producer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
)

func TestStringSerializer(t *testing.T) {
	var s StringSerializer
	b, err := s.Serialize("t", "héllo")
	if err != nil || string(b) != "héllo" {
		t.Fatalf("%q, %v", b, err)
	}
	b, err = s.Serialize("t", "")
	if err != nil || b == nil || len(b) != 0 {
		t.Fatalf("empty string: %#v, %v; want empty, not null", b, err)
	}
}

func TestBytesSerializer(t *testing.T) {
	var s BytesSerializer
	if b, _ := s.Serialize("t", nil); b != nil {
		t.Fatalf("nil became %#v", b)
	}
	if b, _ := s.Serialize("t", []byte{}); b == nil {
		t.Fatal("empty became nil")
	}
	if b, _ := s.Serialize("t", []byte("x")); string(b) != "x" {
		t.Fatalf("%q", b)
	}
}

type order struct {
	ID    int     `json:"id"`
	Item  string  `json:"item"`
	Price float64 `json:"price"`
}

func TestJSONSerializer(t *testing.T) {
	b, err := JSONSerializer[order]{}.Serialize("t", order{7, "tea", 2.5})
	if err != nil || string(b) != `{"id":7,"item":"tea","price":2.5}` {
		t.Fatalf("%s, %v", b, err)
	}
	_, err = JSONSerializer[float64]{}.Serialize("t", math.Inf(1))
	var uv *json.UnsupportedValueError
	if !errors.As(err, &uv) {
		t.Fatalf("error %v (%T), want *json.UnsupportedValueError", err, err)
	}
}

func TestSerializerFunc(t *testing.T) {
	var s Serializer[int] = SerializerFunc[int](func(topic string, v int) ([]byte, error) {
		return []byte(topic + ":" + string(rune('0'+v))), nil
	})
	if b, err := s.Serialize("t", 3); err != nil || string(b) != "t:3" {
		t.Fatalf("%q, %v", b, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestTypedProducerSends(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("orders", 3))
	p := newTestProducer(t, testConfig(c))
	tp := NewTyped[string, order](p, StringSerializer{}, JSONSerializer[order]{})
	if tp.Producer() != p {
		t.Fatal("Producer() is not the producer")
	}
	ctx := context.Background()
	ts := time.UnixMilli(1_700_000_000_000)
	headers := []wire.Header{{Key: "source", Value: []byte("test")}}

	md, err := tp.SendSync(ctx, TypedRecord[string, order]{Topic: "orders", Key: ptr("customer-1"), Value: order{1, "tea", 2.5}, Headers: headers, Timestamp: ts})
	if err != nil {
		t.Fatal(err)
	}
	if want := KeyPartition([]byte("customer-1"), 3); md.Partition != want {
		t.Fatalf("keyed record on partition %d, want %d", md.Partition, want)
	}
	nullKey, err := tp.SendSync(ctx, TypedRecord[string, order]{Topic: "orders", Value: order{2, "cake", 4}, Partition: ToPartition(2)})
	if err != nil {
		t.Fatal(err)
	}
	if nullKey.Partition != 2 {
		t.Fatalf("explicit partition ignored: %d", nullKey.Partition)
	}

	done := make(chan error, 1)
	if err := tp.Send(ctx, TypedRecord[string, order]{Topic: "orders", Key: ptr(""), Value: order{3, "jam", 1}, Partition: ToPartition(2)},
		func(_ Metadata, err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	recs := records(t, c, "orders", md.Partition)
	last := recs[len(recs)-1]
	if string(last.Key) != "customer-1" || string(last.Value) != `{"id":1,"item":"tea","price":2.5}` {
		t.Fatalf("stored %q = %q", last.Key, last.Value)
	}
	if last.Timestamp != ts.UnixMilli() || len(last.Headers) != 1 || last.Headers[0].Key != "source" || !bytes.Equal(last.Headers[0].Value, []byte("test")) {
		t.Fatalf("stored timestamp %d, headers %+v", last.Timestamp, last.Headers)
	}
	recs = records(t, c, "orders", 2)
	if n := len(recs); n < 2 {
		t.Fatalf("partition 2 has %d records", n)
	}
	null, empty := recs[len(recs)-2], recs[len(recs)-1]
	if null.Key != nil || string(null.Value) != `{"id":2,"item":"cake","price":4}` {
		t.Fatalf("nil key stored as %#v, value %q", null.Key, null.Value)
	}
	if empty.Key == nil || len(empty.Key) != 0 {
		t.Fatalf("empty key stored as %#v, want empty, not null", empty.Key)
	}
}

func TestTypedProducerTombstone(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("compacted", 1))
	p := newTestProducer(t, testConfig(c))
	tp := NewTyped[string, []byte](p, StringSerializer{}, BytesSerializer{})
	if _, err := tp.SendSync(context.Background(), TypedRecord[string, []byte]{Topic: "compacted", Key: ptr("k")}); err != nil {
		t.Fatal(err)
	}
	recs := records(t, c, "compacted", 0)
	if len(recs) != 1 || string(recs[0].Key) != "k" || recs[0].Value != nil {
		t.Fatalf("stored %+v, want key k with a null value", recs)
	}
}

// records is what the cluster stores in topic/partition.
func records(t *testing.T, c *mockbroker.Cluster, topic string, partition int32) []wire.Record {
	t.Helper()
	recs, err := c.Records(topic, partition)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s/%d is empty", topic, partition)
	}
	return recs
}

// errBadKey is a serializer's own error, which must survive the wrapping.
type errBadKey struct{ key string }

func (e *errBadKey) Error() string { return "bad key " + e.key }

func TestTypedProducerSerializerFailures(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	p := newTestProducer(t, testConfig(c))
	keys := SerializerFunc[string](func(_ string, k string) ([]byte, error) {
		if strings.HasPrefix(k, "bad") {
			return nil, &errBadKey{k}
		}
		return []byte(k), nil
	})
	tp := NewTyped[string, float64](p, keys, JSONSerializer[float64]{})
	ctx := context.Background()
	called := false
	cb := func(Metadata, error) { called = true }

	err := tp.Send(ctx, TypedRecord[string, float64]{Topic: "t", Key: ptr("bad-1"), Value: 1}, cb)
	var se *SerializationError
	var bk *errBadKey
	if !errors.As(err, &se) || se.Field != "key" || se.Topic != "t" || !errors.As(err, &bk) || bk.key != "bad-1" {
		t.Fatalf("key failure: %v (%T)", err, err)
	}
	if !strings.Contains(err.Error(), "key") || !strings.Contains(err.Error(), `"t"`) || !strings.Contains(err.Error(), "bad key bad-1") {
		t.Fatalf("message %q does not name the key, the topic and the cause", err)
	}

	err = tp.Send(ctx, TypedRecord[string, float64]{Topic: "t", Key: ptr("good"), Value: math.NaN()}, cb)
	var uv *json.UnsupportedValueError
	if !errors.As(err, &se) || se.Field != "value" || se.Topic != "t" || !errors.As(err, &uv) {
		t.Fatalf("value failure: %v (%T)", err, err)
	}
	if _, err := tp.SendSync(ctx, TypedRecord[string, float64]{Topic: "t", Value: math.Inf(-1)}); !errors.As(err, &se) || se.Field != "value" {
		t.Fatalf("SendSync value failure: %v", err)
	}
	if _, err := tp.SendSync(ctx, TypedRecord[string, float64]{Topic: "t", Key: ptr("bad-2")}); !errors.As(err, &se) || se.Field != "key" {
		t.Fatalf("SendSync key failure: %v", err)
	}

	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if called {
		t.Fatal("callback called for a record that failed to serialize")
	}
	if n := p.Stats().Records; n != 0 {
		t.Fatalf("%d records queued", n)
	}
	if recs, _ := c.Records("t", 0); len(recs) != 0 {
		t.Fatalf("%d records stored", len(recs))
	}
	// The producer is still fine.
	if _, err := tp.SendSync(ctx, TypedRecord[string, float64]{Topic: "t", Key: ptr("good"), Value: 1.5}); err != nil {
		t.Fatal(err)
	}
}

func TestNewTypedPanicsOnNil(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	NewTyped[string, string](nil, StringSerializer{}, StringSerializer{})
}
