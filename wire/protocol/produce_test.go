package protocol

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

// testRecordBatch is a real record batch, for the records fields.
func testRecordBatch(tb testing.TB) []byte {
	tb.Helper()
	b := &wire.RecordBatch{
		BatchHeader: wire.BatchHeader{PartitionLeaderEpoch: -1, ProducerID: 4000, ProducerEpoch: 2, BaseSequence: 17},
		Records: []wire.Record{
			{Timestamp: 1700000000000, Key: []byte("k1"), Value: []byte("v1")},
			{Timestamp: 1700000000005, Value: []byte("v2"), Headers: []wire.Header{{Key: "h", Value: []byte("x")}}},
		},
	}
	out, err := wire.AppendRecordBatch(nil, b, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

var (
	testTopicID1 = UUID{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10}
	testTopicID2 = UUID{0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f}
)

// produceRequestAt builds a request with every field that exists at version v set, and no other.
func produceRequestAt(v int16, records []byte, transactional bool) *ProduceRequest {
	flex := v >= 9
	m := &ProduceRequest{
		Acks:      -1,
		TimeoutMs: 30000,
		TopicData: []ProduceTopic{
			{Name: "orders", TopicID: testTopicID1, PartitionData: []ProducePartition{
				{Index: 0, Records: records},
				{Index: 7}, // null records
			}},
			{Name: "audit", TopicID: testTopicID2, PartitionData: []ProducePartition{{Index: 3, Records: []byte{}}}},
		},
	}
	if v >= 3 && transactional {
		m.TransactionalID = strp("txn-1")
	}
	for i := range m.TopicData {
		t := &m.TopicData[i]
		if v >= 13 {
			t.Name = ""
		} else {
			t.TopicID = UUID{}
		}
		if flex {
			t.Tags = []wire.TaggedField{{Tag: 4, Data: []byte{byte(i)}}}
			t.PartitionData[0].Tags = []wire.TaggedField{{Tag: 0, Data: []byte{}}, {Tag: 9, Data: []byte("nine")}}
		}
	}
	if flex {
		m.Tags = []wire.TaggedField{{Tag: 1, Data: []byte{0xee}}}
	}
	return m
}

// produceResponseAt builds a response with every field that exists at version v set, and no other.
func produceResponseAt(v int16) *ProduceResponse {
	flex := v >= 9
	p0 := ProducePartitionResponse{Index: 0, ErrorCode: 0, BaseOffset: 1234}
	p1 := ProducePartitionResponse{Index: 5, ErrorCode: 6, BaseOffset: -1}
	if v >= 2 {
		p0.LogAppendTimeMs, p1.LogAppendTimeMs = 1700000000123, -1
	}
	if v >= 5 {
		p0.LogStartOffset, p1.LogStartOffset = 100, 7
	}
	if v >= 8 {
		p0.RecordErrors = []ProduceRecordError{
			{BatchIndex: 2, BatchIndexErrorMessage: strp("bad timestamp")},
			{BatchIndex: 4}, // null message
		}
		p0.ErrorMessage = strp("some records were invalid")
		// p1's error message stays null
	}
	if flex {
		p0.Tags = []wire.TaggedField{{Tag: 3, Data: []byte{1, 2, 3}}}
		if v == 9 {
			// Tag 0 is CurrentLeader only from v10; at v9 it is an unknown field and kept as one.
			p1.Tags = []wire.TaggedField{{Tag: 0, Data: []byte{0, 0, 0, 2, 0, 0, 0, 8, 0}}}
		}
	}
	if v >= 10 {
		p1.CurrentLeader = &LeaderIDAndEpoch{LeaderID: 2, LeaderEpoch: 8}
		p0.CurrentLeader = &LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1, Tags: []wire.TaggedField{{Tag: 6, Data: []byte("x")}}}
	}
	t0 := ProduceTopicResponse{Name: "orders", PartitionResponses: []ProducePartitionResponse{p0, p1}}
	t1 := ProduceTopicResponse{Name: "audit", PartitionResponses: []ProducePartitionResponse{{Index: 1, ErrorCode: 3, BaseOffset: -1, LogAppendTimeMs: p1.LogAppendTimeMs, LogStartOffset: p1.LogStartOffset}}}
	if v >= 13 {
		t0.Name, t0.TopicID = "", testTopicID1
		t1.Name, t1.TopicID = "", testTopicID2
	}
	if flex {
		t1.Tags = []wire.TaggedField{{Tag: 12, Data: []byte("t1")}}
	}
	m := &ProduceResponse{Responses: []ProduceTopicResponse{t0, t1}}
	if v >= 1 {
		m.ThrottleTimeMs = 250
	}
	if flex {
		m.Tags = []wire.TaggedField{{Tag: 2, Data: []byte{0xab}}}
	}
	if v >= 10 {
		m.NodeEndpoints = []NodeEndpoint{
			{NodeID: 2, Host: "broker-2.example", Port: 9092, Rack: strp("rack-b")},
			{NodeID: 3, Host: "broker-3.example", Port: 9093, Tags: []wire.TaggedField{{Tag: 0, Data: []byte("z")}}},
		}
	}
	return m
}

func TestProduceRoundTrip(t *testing.T) {
	records := testRecordBatch(t)
	for _, tc := range []struct {
		name  string
		build func(v int16) Message
	}{
		{"request/transactional", func(v int16) Message { return produceRequestAt(v, records, true) }},
		{"request/idempotent", func(v int16) Message { return produceRequestAt(v, records, false) }},
		{"response", func(v int16) Message { return produceResponseAt(v) }},
		{"request/empty", func(int16) Message { return &ProduceRequest{} }},
		{"response/empty", func(int16) Message { return &ProduceResponse{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for v := ProduceVersions.Min; v <= ProduceVersions.Max; v++ {
				checkRoundTrip(t, tc.build(v), ProduceVersions, func(x int16) bool { return x == v })
			}
		})
	}
}

// A message whose fields do not exist at a version loses them there, and only them.
func TestProduceFieldsOutsideTheirVersions(t *testing.T) {
	full := produceResponseAt(ProduceVersions.Max)
	full.Responses[0].Name = "orders"
	var got ProduceResponse
	if err := got.Decode(full.AppendTo(nil, 0), 0); err != nil {
		t.Fatal(err)
	}
	p := got.Responses[0].PartitionResponses[0]
	if got.Responses[0].Name != "orders" || got.Responses[0].TopicID != (UUID{}) || got.ThrottleTimeMs != 0 ||
		p.BaseOffset != 1234 || p.LogAppendTimeMs != 0 || p.RecordErrors != nil || p.CurrentLeader != nil || got.NodeEndpoints != nil {
		t.Fatalf("v0 decode kept fields it has not: %+v", got)
	}
	if err := got.Decode(full.AppendTo(nil, 13), 13); err != nil {
		t.Fatal(err)
	}
	if got.Responses[0].Name != "" || got.Responses[0].TopicID != testTopicID1 {
		t.Fatalf("v13 uses topic ids, not names: %+v", got.Responses[0])
	}
}

// TestProduceRequestBytes checks encodings against bytes written out by hand from
// ProduceRequest.json: the field order, the classic forms before v9, compact forms and tag
// sections from v9, and topic ids instead of names from v13.
func TestProduceRequestBytes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int16
		msg     *ProduceRequest
		want    []byte
	}{
		{"v3", 3, &ProduceRequest{
			Acks: -1, TimeoutMs: 1000,
			TopicData: []ProduceTopic{{Name: "t", PartitionData: []ProducePartition{{Index: 2, Records: []byte{0xaa, 0xbb, 0xcc}}}}},
		}, []byte{
			0xff, 0xff, // transactionalId: null NULLABLE_STRING
			0xff, 0xff, // acks -1
			0, 0, 0x03, 0xe8, // timeoutMs 1000
			0, 0, 0, 1, // topicData: 1 element
			0, 1, 't', // name
			0, 0, 0, 1, // partitionData: 1 element
			0, 0, 0, 2, // index
			0, 0, 0, 3, 0xaa, 0xbb, 0xcc, // records: NULLABLE_BYTES
		}},
		{"v0", 0, &ProduceRequest{
			Acks: 1, TimeoutMs: 5,
			TopicData: []ProduceTopic{{Name: "t", PartitionData: []ProducePartition{{Index: 0}}}},
		}, []byte{
			// no transactionalId before v3
			0, 1, // acks
			0, 0, 0, 5, // timeoutMs
			0, 0, 0, 1, 0, 1, 't', // topicData[1], name
			0, 0, 0, 1, 0, 0, 0, 0, // partitionData[1], index 0
			0xff, 0xff, 0xff, 0xff, // records: null
		}},
		{"v9", 9, &ProduceRequest{
			TransactionalID: strp("x"), Acks: 1, TimeoutMs: 500,
			TopicData: []ProduceTopic{{Name: "t", PartitionData: []ProducePartition{{Index: 0}}}},
		}, []byte{
			2, 'x', // transactionalId: COMPACT_NULLABLE_STRING
			0, 1, // acks
			0, 0, 0x01, 0xf4, // timeoutMs 500
			2,      // topicData: COMPACT_ARRAY of 1
			2, 't', // name: COMPACT_STRING
			2,          // partitionData: 1
			0, 0, 0, 0, // index
			0, // records: null COMPACT_RECORDS
			0, // partition tags
			0, // topic tags
			0, // request tags
		}},
		{"v13", 13, &ProduceRequest{
			Acks: -1, TimeoutMs: 1,
			TopicData: []ProduceTopic{{TopicID: testTopicID1, PartitionData: []ProducePartition{{Index: 1, Records: []byte{0xaa, 0xbb}}}}},
			Tags:      []wire.TaggedField{{Tag: 7, Data: []byte{0x11}}},
		}, []byte{
			0,          // transactionalId: null
			0xff, 0xff, // acks
			0, 0, 0, 1, // timeoutMs
			2,                                                                                              // topicData: 1
			0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, // topicId
			2,          // partitionData: 1
			0, 0, 0, 1, // index
			3, 0xaa, 0xbb, // records
			0, 0, // partition and topic tags
			1, 7, 1, 0x11, // request tags: one field, tag 7, 1 byte
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.msg.AppendTo(nil, tc.version); !bytes.Equal(got, tc.want) {
				t.Fatalf("got  % x\nwant % x", got, tc.want)
			}
			var m ProduceRequest
			if err := m.Decode(tc.want, tc.version); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&m, tc.msg) {
				t.Fatalf("decoded %+v\nwant    %+v", &m, tc.msg)
			}
		})
	}
}

// The request header of a flexible Produce request is v2.
func TestProduceRequestFrame(t *testing.T) {
	frame := AppendRequest(nil, &RequestHeader{APIKey: KeyProduce, APIVersion: 9, CorrelationID: 3, ClientID: strp("c")},
		&ProduceRequest{Acks: 0, TimeoutMs: 0})
	want := []byte{
		0, 0, 0, 21, // size
		0, 0, 0, 9, // api key 0, version 9
		0, 0, 0, 3, // correlation id
		0, 1, 'c', // client id
		0,    // header tags
		0,    // transactionalId: null
		0, 0, // acks
		0, 0, 0, 0, // timeoutMs
		1, // topicData: empty
		0, // tags
	}
	if !bytes.Equal(frame, want) {
		t.Fatalf("got  % x\nwant % x", frame, want)
	}
	h, body, err := ReadRequestHeader(frame[4:])
	if err != nil || h.APIKey != KeyProduce || h.APIVersion != 9 {
		t.Fatal(h, err)
	}
	var m ProduceRequest
	if err := m.Decode(body, h.APIVersion); err != nil || m.TopicData != nil || m.TransactionalID != nil {
		t.Fatal(m, err)
	}
}

// TestProduceResponseBytes checks encodings against bytes written out by hand from
// ProduceResponse.json.
func TestProduceResponseBytes(t *testing.T) {
	ff8 := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name    string
		version int16
		msg     *ProduceResponse
		want    []byte
	}{
		{"v8", 8, &ProduceResponse{
			Responses: []ProduceTopicResponse{{Name: "t", PartitionResponses: []ProducePartitionResponse{{
				Index: 0, ErrorCode: 6, BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: 5,
				RecordErrors: []ProduceRecordError{{BatchIndex: 2, BatchIndexErrorMessage: strp("bad")}},
			}}}},
			ThrottleTimeMs: 10,
		}, cat(
			[]byte{0, 0, 0, 1, 0, 1, 't'}, // responses[1], name
			[]byte{0, 0, 0, 1},            // partitionResponses[1]
			[]byte{0, 0, 0, 0, 0, 6},      // index, errorCode
			ff8, ff8,                      // baseOffset, logAppendTimeMs
			[]byte{0, 0, 0, 0, 0, 0, 0, 5},                      // logStartOffset
			[]byte{0, 0, 0, 1, 0, 0, 0, 2, 0, 3, 'b', 'a', 'd'}, // recordErrors[1]: batchIndex, message
			[]byte{0xff, 0xff},                                  // errorMessage: null
			[]byte{0, 0, 0, 10},                                 // throttleTimeMs
		)},
		{"v10", 10, &ProduceResponse{
			Responses: []ProduceTopicResponse{{Name: "t", PartitionResponses: []ProducePartitionResponse{{
				Index: 1, ErrorCode: 6, BaseOffset: -1, LogAppendTimeMs: -1,
				CurrentLeader: &LeaderIDAndEpoch{LeaderID: 2, LeaderEpoch: 7},
			}}}},
			NodeEndpoints: []NodeEndpoint{{NodeID: 2, Host: "h", Port: 9092}},
		}, cat(
			[]byte{2, 2, 't'},         // responses[1], name
			[]byte{2},                 // partitionResponses[1]
			[]byte{0, 0, 0, 1, 0, 6},  // index, errorCode
			ff8, ff8, make([]byte, 8), // baseOffset, logAppendTimeMs, logStartOffset 0
			[]byte{1},                         // recordErrors: empty
			[]byte{0},                         // errorMessage: null
			[]byte{1, 0, 9},                   // partition tags: 1 field, tag 0 (currentLeader), 9 bytes
			[]byte{0, 0, 0, 2, 0, 0, 0, 7, 0}, // leaderId, leaderEpoch, struct tags
			[]byte{0},                         // topic tags
			[]byte{0, 0, 0, 0},                // throttleTimeMs
			[]byte{1, 0, 13},                  // response tags: 1 field, tag 0 (nodeEndpoints), 13 bytes
			[]byte{2, 0, 0, 0, 2, 2, 'h', 0, 0, 0x23, 0x84, 0, 0}, // [1]{nodeId, host, port 9092, rack null, tags}
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.msg.AppendTo(nil, tc.version); !bytes.Equal(got, tc.want) {
				t.Fatalf("got  % x\nwant % x", got, tc.want)
			}
			var m ProduceResponse
			if err := m.Decode(tc.want, tc.version); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&m, tc.msg) {
				t.Fatalf("decoded %+v\nwant    %+v", &m, tc.msg)
			}
		})
	}
}

// Known and unknown tagged fields are written in ascending tag order, whichever struct field
// holds them.
func TestProduceTagOrder(t *testing.T) {
	m := &ProduceResponse{
		Responses: []ProduceTopicResponse{{Name: "t", PartitionResponses: []ProducePartitionResponse{{
			CurrentLeader: &LeaderIDAndEpoch{LeaderID: 1, LeaderEpoch: 1},
			Tags:          []wire.TaggedField{{Tag: 0, Data: []byte{9}}, {Tag: 1, Data: []byte{}}, {Tag: 5, Data: []byte{5}}},
		}}}},
	}
	enc := m.AppendTo(nil, 10)
	// The partition's tag section: 3 fields (the unknown tag 0 is replaced by CurrentLeader).
	wantTags := []byte{3, 0, 9, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 5, 1, 5}
	if !bytes.Contains(enc, wantTags) {
		t.Fatalf("% x does not hold the tag section % x", enc, wantTags)
	}
}

// fieldOfDecodeError returns the field a decode error names, failing if err is not a DecodeError.
func fieldOfDecodeError(t *testing.T, err error) string {
	t.Helper()
	var de *wire.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("want a *wire.DecodeError, got %v", err)
	}
	return de.Field
}

// checkGarbageFails decodes src at version into m (a few times) and requires an error naming field,
// wrapping want, with little allocated.
func checkGarbageFails(t *testing.T, m Message, version int16, src []byte, field string, want error) {
	t.Helper()
	err := m.Decode(src, version)
	if err == nil {
		t.Fatalf("%s v%d: decoding % x succeeded", m.Key(), version, src)
	}
	if got := fieldOfDecodeError(t, err); got != field || !errors.Is(err, want) {
		t.Fatalf("%s v%d: got %v (field %q), want field %q and %v", m.Key(), version, err, got, field, want)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 20 {
		_ = m.Decode(src, version)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 20; per > 2048 {
		t.Fatalf("%s v%d: decoding garbage allocated %d bytes a time", m.Key(), version, per)
	}
}

func TestProduceGarbageCounts(t *testing.T) {
	huge := []byte{0x7f, 0xff, 0xff, 0xff}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name    string
		m       Message
		version int16
		src     []byte
		field   string
		want    error
	}{
		{"request topics", &ProduceRequest{}, 3, cat([]byte{0xff, 0xff, 0, 1, 0, 0, 0, 0}, huge), "topicData", wire.ErrInvalidLength},
		{"request topics null", &ProduceRequest{}, 3, []byte{0xff, 0xff, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, "topicData", wire.ErrInvalidLength},
		{"request topics flexible", &ProduceRequest{}, 9, []byte{0, 0, 1, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x0f}, "topicData", wire.ErrInvalidLength},
		{"request partitions", &ProduceRequest{}, 2, cat([]byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't'}, huge, make([]byte, 16)), "topicData.partitionData", wire.ErrInvalidLength},
		{"request records", &ProduceRequest{}, 2, cat([]byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 0}, huge), "topicData.partitionData.records", wire.ErrInvalidLength},
		{"request tags", &ProduceRequest{}, 9, []byte{0, 0, 1, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}, "tags", wire.ErrInvalidLength},
		{"response topics", &ProduceResponse{}, 8, huge, "responses", wire.ErrInvalidLength},
		{"response partitions", &ProduceResponse{}, 8, cat([]byte{0, 0, 0, 1, 0, 1, 't'}, huge, make([]byte, 100)), "responses.partitionResponses", wire.ErrInvalidLength},
		{"response record errors", &ProduceResponse{}, 8, cat([]byte{0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1}, make([]byte, 30), huge, make([]byte, 40)), "responses.partitionResponses.recordErrors", wire.ErrInvalidLength},
		{"response node endpoints", &ProduceResponse{}, 10, cat([]byte{1, 0, 0, 0, 0, 1, 0, 6, 0xff, 0xff, 0xff, 0xff, 0x0f}, make([]byte, 10)), "nodeEndpoints", wire.ErrInvalidLength},
		{"response tag larger than its value", &ProduceResponse{}, 10, cat([]byte{2, 2, 't', 2}, make([]byte, 4+2+8*3), []byte{1, 0, 1, 0, 10}, make([]byte, 9), []byte{0}, make([]byte, 4), []byte{0}), "responses.partitionResponses.tags", wire.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGarbageFails(t, tc.m, tc.version, tc.src, tc.field, tc.want)
		})
	}
}

// fuzzVersion maps a fuzzed number onto the versions of vr and the one above, which must be refused.
func fuzzVersion(raw int16, vr VersionRange) int16 {
	return vr.Min + int16(uint16(raw)%uint16(vr.Max-vr.Min+2))
}

// checkReencode requires a decoded message to encode to bytes that decode and encode to themselves.
func checkReencode(t *testing.T, m, fresh Message, version int16) {
	t.Helper()
	enc := m.AppendTo(nil, version)
	if err := fresh.Decode(enc, version); err != nil {
		t.Fatalf("v%d: re-encoded message does not decode: %v\n% x", version, err, enc)
	}
	if again := fresh.AppendTo(nil, version); !bytes.Equal(again, enc) {
		t.Fatalf("v%d: encoding is not stable\n first % x\nsecond % x", version, enc, again)
	}
}

func FuzzDecodeProduceRequest(f *testing.F) {
	records := testRecordBatch(f)
	for v := ProduceVersions.Min; v <= ProduceVersions.Max; v++ {
		f.Add(v, produceRequestAt(v, records, true).AppendTo(nil, v))
		f.Add(v, produceRequestAt(v, nil, false).AppendTo(nil, v))
	}
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, ProduceVersions)
		var m ProduceRequest
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, &m, new(ProduceRequest), v)
	})
}

func FuzzDecodeProduceResponse(f *testing.F) {
	for v := ProduceVersions.Min; v <= ProduceVersions.Max; v++ {
		f.Add(v, produceResponseAt(v).AppendTo(nil, v))
	}
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, ProduceVersions)
		var m ProduceResponse
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, &m, new(ProduceResponse), v)
	})
}
