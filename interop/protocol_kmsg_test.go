package interop

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// This file checks kwire's request and response bodies (wire/protocol) against franz-go's kmsg,
// message by message and version by version. For each case and each version both implement:
//
//  1. a kmsg value with every field of that version set is encoded by kmsg;
//  2. kwire decodes those bytes, its fields are compared with the kmsg value's, and it re-encodes
//     them: the bytes must be kmsg's, exactly;
//  3. kmsg decodes kwire's bytes, its fields are compared with kwire's, and it re-encodes them:
//     again the same bytes, which shows kmsg consumed all of them.
//
// Values are fixed and realistic, and chosen so that, across the cases of a message, every field
// is checked with a value other than the zero value kwire starts decoding from: a field read into
// the wrong place, or not read at all, shows.
// Where kmsg and kwire differ in how they represent something (kmsg's "default value" for an
// absent tagged field against kwire's nil), the checks map one onto the other, with a comment.

// kmsgMessage is what kmsg's requests and responses have in common.
type kmsgMessage interface {
	Key() int16
	MaxVersion() int16
	SetVersion(int16)
	IsFlexible() bool
	AppendTo([]byte) []byte
	ReadFrom([]byte) error
}

// kmsgCase is one message (and, for messages with more than one case, one kind of content).
type kmsgCase struct {
	name     string
	key      protocol.APIKey
	response bool
	kwire    protocol.VersionRange // the versions kwire implements; those above kmsg's max are skipped
	build    func(v int16) kmsgMessage
	check    func(c *kmCmp, v int16, kw protocol.Message, km kmsgMessage)
}

// kmCheck adapts a check written for concrete kwire and kmsg types to kmsgCase.check.
func kmCheck[W protocol.Message, K kmsgMessage](f func(c *kmCmp, v int16, kw W, km K)) func(*kmCmp, int16, protocol.Message, kmsgMessage) {
	return func(c *kmCmp, v int16, kw protocol.Message, km kmsgMessage) {
		c.t.Helper()
		w, ok := kw.(W)
		k, ok2 := km.(K)
		if !ok || !ok2 {
			c.t.Fatalf("check for %T and %T given %T and %T", w, k, kw, km)
		}
		f(c, v, w, k)
	}
}

func (c *kmsgCase) kwireMessage() protocol.Message {
	if c.response {
		return protocol.NewResponse(c.key)
	}
	return protocol.NewRequest(c.key)
}

func (c *kmsgCase) kmsgMessage() kmsgMessage {
	if c.response {
		return kmsg.ResponseForKey(int16(c.key))
	}
	return kmsg.RequestForKey(int16(c.key))
}

// versions are the versions both kwire and kmsg implement.
func (c *kmsgCase) versions() protocol.VersionRange {
	return protocol.VersionRange{Min: c.kwire.Min, Max: min(c.kwire.Max, c.kmsgMessage().MaxVersion())}
}

func TestKmsgProtocolBodies(t *testing.T) {
	f := newKmFixtures(t)
	for _, c := range kmsgCases(f) {
		r := c.versions()
		for v := r.Min; v <= r.Max; v++ {
			t.Run(fmt.Sprintf("%s/v%d", c.name, v), func(t *testing.T) { runKmsgCase(t, &c, v) })
		}
	}
}

func runKmsgCase(t *testing.T, c *kmsgCase, v int16) {
	km := c.build(v)
	km.SetVersion(v)
	want := km.AppendTo(nil)

	kw := c.kwireMessage()
	if kw.Key() != c.key || int16(kw.Key()) != km.Key() {
		t.Fatalf("kwire's message is of api %d, kmsg's of %d, the case's %d", kw.Key(), km.Key(), c.key)
	}
	if err := kw.Decode(want, v); err != nil {
		t.Fatalf("kwire cannot decode kmsg's %d bytes: %v\nkmsg: %s", len(want), err, hex.EncodeToString(want))
	}
	c.check(&kmCmp{t: t, dir: "kwire decoding kmsg"}, v, kw, km)
	got := kw.AppendTo(nil, v)
	if !bytes.Equal(got, want) {
		t.Fatalf("kwire re-encodes kmsg's bytes differently: %s", kmDiff(got, want))
	}
	// AppendTo appends the body alone: no size, no header.
	prefix := []byte("prefix")
	if again := kw.AppendTo(prefix, v); !bytes.Equal(again[:len(prefix)], []byte("prefix")) || !bytes.Equal(again[len(prefix):], want) {
		t.Fatalf("kwire's AppendTo after a prefix: %s", kmDiff(again, append([]byte("prefix"), want...)))
	}

	back := c.kmsgMessage()
	back.SetVersion(v)
	if err := back.ReadFrom(got); err != nil {
		t.Fatalf("kmsg cannot decode kwire's %d bytes: %v", len(got), err)
	}
	c.check(&kmCmp{t: t, dir: "kmsg decoding kwire"}, v, kw, back)
	if re := back.AppendTo(nil); !bytes.Equal(re, got) {
		t.Fatalf("kmsg re-encodes kwire's bytes differently (so it did not read them as kwire meant): %s", kmDiff(got, re))
	}
}

// TestKmsgCoversEveryMessage fails when kwire gains a message type that has no case here.
func TestKmsgCoversEveryMessage(t *testing.T) {
	type side struct{ req, resp bool }
	covered := make(map[protocol.APIKey]side)
	for _, c := range kmsgCases(newKmFixtures(t)) {
		s := covered[c.key]
		if c.response {
			s.resp = true
		} else {
			s.req = true
		}
		covered[c.key] = s
		r := c.versions()
		if r.Max < r.Min {
			t.Errorf("%s: no version both kwire (v%d–v%d) and kmsg implement", c.name, c.kwire.Min, c.kwire.Max)
		}
		if r.Max < c.kwire.Max {
			t.Logf("%s: kwire implements up to v%d, kmsg v%d; v%d–v%d are not cross-checked", c.name, c.kwire.Max, r.Max, r.Max+1, c.kwire.Max)
		}
	}
	for k := protocol.APIKey(0); k < 200; k++ { // Kafka's api keys are below 100
		if protocol.NewRequest(k) != nil && !covered[k].req {
			t.Errorf("kwire has a %s request and this file has no case for it", k)
		}
		if protocol.NewResponse(k) != nil && !covered[k].resp {
			t.Errorf("kwire has a %s response and this file has no case for it", k)
		}
	}
}

// TestKmsgHeaders checks kwire's framing: request headers v1 and v2 against kmsg's
// RequestFormatter, which writes the size, the header and the body; and response headers v0 and v1
// against the layout in Kafka's ResponseHeader.json, built by hand here because kmsg has no
// response writer. ApiVersions responses always take header v0, even at flexible versions.
func TestKmsgHeaders(t *testing.T) {
	f := newKmFixtures(t)
	cases := kmsgCases(f)
	find := func(key protocol.APIKey, response bool) *kmsgCase {
		for i := range cases {
			if cases[i].key == key && cases[i].response == response {
				return &cases[i]
			}
		}
		t.Fatalf("no case for %s (response %v)", key, response)
		return nil
	}
	// The last non-flexible and the first flexible version of each API.
	versions := []struct {
		key protocol.APIKey
		v   int16
	}{
		{protocol.KeyProduce, 8}, {protocol.KeyProduce, 9},
		{protocol.KeyFetch, 11}, {protocol.KeyFetch, 12},
		{protocol.KeyListOffsets, 5}, {protocol.KeyListOffsets, 6},
		{protocol.KeyMetadata, 8}, {protocol.KeyMetadata, 9},
		{protocol.KeyApiVersions, 2}, {protocol.KeyApiVersions, 3},
		{protocol.KeyFindCoordinator, 2}, {protocol.KeyFindCoordinator, 3},
		{protocol.KeyCreateTopics, 4}, {protocol.KeyCreateTopics, 5},
		{protocol.KeyInitProducerID, 1}, {protocol.KeyInitProducerID, 2},
		{protocol.KeySaslHandshake, 1},
		{protocol.KeySaslAuthenticate, 1}, {protocol.KeySaslAuthenticate, 2},
	}
	for _, hv := range versions {
		for _, clientID := range []*string{nil, kmsg.StringPtr("kwire-interop-1")} {
			name := fmt.Sprintf("%s/v%d/clientId=%s", hv.key, hv.v, kmShow(clientID))
			t.Run(name, func(t *testing.T) {
				const corr = 0x01020304

				// Request: kwire's framing against kmsg's.
				req, ok := find(hv.key, false).build(hv.v).(kmsg.Request)
				if !ok {
					t.Fatalf("the %s request case does not build a kmsg.Request", hv.key)
				}
				req.SetVersion(hv.v)
				body := req.AppendTo(nil)
				formatter := kmsg.NewRequestFormatter()
				if clientID != nil {
					formatter = kmsg.NewRequestFormatter(kmsg.FormatterClientID(*clientID))
				}
				want := formatter.AppendRequest(nil, req, corr)
				kwBody := protocol.NewRequest(hv.key)
				if err := kwBody.Decode(body, hv.v); err != nil {
					t.Fatalf("kwire decoding the body: %v", err)
				}
				h := protocol.RequestHeader{APIKey: hv.key, APIVersion: hv.v, CorrelationID: corr, ClientID: clientID}
				if got := protocol.AppendRequest(nil, &h, kwBody); !bytes.Equal(got, want) {
					t.Errorf("framed request: %s", kmDiff(got, want))
				}
				rh, rest, err := protocol.ReadRequestHeader(want[4:])
				if err != nil {
					t.Fatalf("kwire reading kmsg's request header: %v", err)
				}
				if rh.APIKey != hv.key || rh.APIVersion != hv.v || rh.CorrelationID != corr || !reflect.DeepEqual(rh.ClientID, clientID) || rh.Tags != nil {
					t.Errorf("kwire read kmsg's request header as %+v (client id %s)", rh, kmShow(rh.ClientID))
				}
				if !bytes.Equal(rest, body) {
					t.Errorf("body after kmsg's request header: %s", kmDiff(rest, body))
				}

				// Response: kwire's framing against the spec's layout.
				resp := find(hv.key, true).build(hv.v)
				resp.SetVersion(hv.v)
				respBody := resp.AppendTo(nil)
				frame := wire.AppendInt32(nil, corr)
				if resp.IsFlexible() && hv.key != protocol.KeyApiVersions {
					frame = append(frame, 0) // header v1: an empty tagged-field section
				}
				frame = append(frame, respBody...)
				wantResp := append(wire.AppendInt32(nil, int32(len(frame))), frame...)
				kwResp := protocol.NewResponse(hv.key)
				if err := kwResp.Decode(respBody, hv.v); err != nil {
					t.Fatalf("kwire decoding the response body: %v", err)
				}
				if got := protocol.AppendResponse(nil, corr, hv.v, kwResp); !bytes.Equal(got, wantResp) {
					t.Errorf("framed response: %s", kmDiff(got, wantResp))
				}
				gotCorr, gotBody, err := protocol.ReadResponseHeader(frame, hv.key, hv.v)
				if err != nil || gotCorr != corr || !bytes.Equal(gotBody, respBody) {
					t.Errorf("kwire read the response header as correlation id %#x, err %v, body %s", gotCorr, err, kmDiff(gotBody, respBody))
				}
			})
		}
	}
}

// kmsgCases is the table: every message kwire implements, request and response.
func kmsgCases(f *kmFixtures) []kmsgCase {
	return []kmsgCase{
		{
			name: "ApiVersionsRequest", key: protocol.KeyApiVersions, kwire: protocol.ApiVersionsVersions,
			build: kmApiVersionsRequest, check: kmCheck(checkApiVersionsRequest),
		},
		{
			name: "ApiVersionsResponse", key: protocol.KeyApiVersions, response: true, kwire: protocol.ApiVersionsVersions,
			build: kmApiVersionsResponse, check: kmCheck(checkApiVersionsResponse),
		},
		{
			name: "ProduceRequest", key: protocol.KeyProduce, kwire: protocol.ProduceVersions,
			build: f.produceRequest, check: kmCheck(checkProduceRequest),
		},
		{
			name: "ProduceResponse", key: protocol.KeyProduce, response: true, kwire: protocol.ProduceVersions,
			build: kmProduceResponse, check: kmCheck(checkProduceResponse),
		},
		{
			name: "FetchRequest/consumer", key: protocol.KeyFetch, kwire: protocol.FetchVersions,
			build: func(v int16) kmsgMessage { return kmFetchRequest(v, false) }, check: kmCheck(checkFetchRequest),
		},
		{
			name: "FetchRequest/follower", key: protocol.KeyFetch, kwire: protocol.FetchVersions,
			build: func(v int16) kmsgMessage { return kmFetchRequest(v, true) }, check: kmCheck(checkFetchRequest),
		},
		{
			name: "FetchResponse/data", key: protocol.KeyFetch, response: true, kwire: protocol.FetchVersions,
			build: f.fetchResponse, check: kmCheck(checkFetchResponse),
		},
		{
			name: "FetchResponse/sessionError", key: protocol.KeyFetch, response: true, kwire: protocol.FetchVersions,
			build: kmFetchSessionError, check: kmCheck(checkFetchResponse),
		},
		{
			name: "ListOffsetsRequest", key: protocol.KeyListOffsets, kwire: protocol.ListOffsetsVersions,
			build: kmListOffsetsRequest, check: kmCheck(checkListOffsetsRequest),
		},
		{
			name: "ListOffsetsResponse", key: protocol.KeyListOffsets, response: true, kwire: protocol.ListOffsetsVersions,
			build: kmListOffsetsResponse, check: kmCheck(checkListOffsetsResponse),
		},
		{
			name: "MetadataRequest/topics", key: protocol.KeyMetadata, kwire: protocol.MetadataVersions,
			build: func(v int16) kmsgMessage { return kmMetadataRequest(v, false) }, check: kmCheck(checkMetadataRequest),
		},
		{
			name: "MetadataRequest/allTopics", key: protocol.KeyMetadata, kwire: protocol.MetadataVersions,
			build: func(v int16) kmsgMessage { return kmMetadataRequest(v, true) }, check: kmCheck(checkMetadataRequest),
		},
		{
			name: "MetadataResponse/cluster", key: protocol.KeyMetadata, response: true, kwire: protocol.MetadataVersions,
			build: kmMetadataResponse, check: kmCheck(checkMetadataResponse),
		},
		{
			name: "MetadataResponse/errors", key: protocol.KeyMetadata, response: true, kwire: protocol.MetadataVersions,
			build: kmMetadataErrorResponse, check: kmCheck(checkMetadataResponse),
		},
		{
			name: "FindCoordinatorRequest/group", key: protocol.KeyFindCoordinator, kwire: protocol.FindCoordinatorVersions,
			build: func(v int16) kmsgMessage { return kmFindCoordinatorRequest(v, false) }, check: kmCheck(checkFindCoordinatorRequest),
		},
		{
			name: "FindCoordinatorRequest/transaction", key: protocol.KeyFindCoordinator, kwire: protocol.FindCoordinatorVersions,
			build: func(v int16) kmsgMessage { return kmFindCoordinatorRequest(v, true) }, check: kmCheck(checkFindCoordinatorRequest),
		},
		{
			name: "FindCoordinatorResponse/found", key: protocol.KeyFindCoordinator, response: true, kwire: protocol.FindCoordinatorVersions,
			build: func(v int16) kmsgMessage { return kmFindCoordinatorResponse(v, false) }, check: kmCheck(checkFindCoordinatorResponse),
		},
		{
			name: "FindCoordinatorResponse/notAvailable", key: protocol.KeyFindCoordinator, response: true, kwire: protocol.FindCoordinatorVersions,
			build: func(v int16) kmsgMessage { return kmFindCoordinatorResponse(v, true) }, check: kmCheck(checkFindCoordinatorResponse),
		},
		{
			name: "CreateTopicsRequest", key: protocol.KeyCreateTopics, kwire: protocol.CreateTopicsVersions,
			build: kmCreateTopicsRequest, check: kmCheck(checkCreateTopicsRequest),
		},
		{
			name: "CreateTopicsResponse", key: protocol.KeyCreateTopics, response: true, kwire: protocol.CreateTopicsVersions,
			build: kmCreateTopicsResponse, check: kmCheck(checkCreateTopicsResponse),
		},
		{
			name: "InitProducerIdRequest/transactional", key: protocol.KeyInitProducerID, kwire: protocol.InitProducerIDVersions,
			build: func(v int16) kmsgMessage { return kmInitProducerIDRequest(v, true) }, check: kmCheck(checkInitProducerIDRequest),
		},
		{
			name: "InitProducerIdRequest/idempotent", key: protocol.KeyInitProducerID, kwire: protocol.InitProducerIDVersions,
			build: func(v int16) kmsgMessage { return kmInitProducerIDRequest(v, false) }, check: kmCheck(checkInitProducerIDRequest),
		},
		{
			name: "InitProducerIdResponse/ok", key: protocol.KeyInitProducerID, response: true, kwire: protocol.InitProducerIDVersions,
			build: func(v int16) kmsgMessage { return kmInitProducerIDResponse(v, false) }, check: kmCheck(checkInitProducerIDResponse),
		},
		{
			name: "InitProducerIdResponse/error", key: protocol.KeyInitProducerID, response: true, kwire: protocol.InitProducerIDVersions,
			build: func(v int16) kmsgMessage { return kmInitProducerIDResponse(v, true) }, check: kmCheck(checkInitProducerIDResponse),
		},
		{
			name: "SaslHandshakeRequest", key: protocol.KeySaslHandshake, kwire: protocol.SaslHandshakeVersions,
			build: kmSaslHandshakeRequest, check: kmCheck(checkSaslHandshakeRequest),
		},
		{
			name: "SaslHandshakeResponse/unsupported", key: protocol.KeySaslHandshake, response: true, kwire: protocol.SaslHandshakeVersions,
			build: kmSaslHandshakeResponse, check: kmCheck(checkSaslHandshakeResponse),
		},
		{
			name: "SaslAuthenticateRequest", key: protocol.KeySaslAuthenticate, kwire: protocol.SaslAuthenticateVersions,
			build: kmSaslAuthenticateRequest, check: kmCheck(checkSaslAuthenticateRequest),
		},
		{
			name: "SaslAuthenticateResponse/challenge", key: protocol.KeySaslAuthenticate, response: true, kwire: protocol.SaslAuthenticateVersions,
			build: func(v int16) kmsgMessage { return kmSaslAuthenticateResponse(v, false) }, check: kmCheck(checkSaslAuthenticateResponse),
		},
		{
			name: "SaslAuthenticateResponse/failed", key: protocol.KeySaslAuthenticate, response: true, kwire: protocol.SaslAuthenticateVersions,
			build: func(v int16) kmsgMessage { return kmSaslAuthenticateResponse(v, true) }, check: kmCheck(checkSaslAuthenticateResponse),
		},
	}
}

// ---- Fixtures and helpers ----

// kmFixtures holds the records the Produce and Fetch cases carry, in the format each version
// carries: magic 0 message sets for Produce v0–v1 and Fetch v0–v1, magic 1 for Produce v2 and
// Fetch v2–v3, record batches after.
type kmFixtures struct {
	produceBatch []byte // a record batch as an idempotent producer sends it
	fetchBatch   []byte // the same records as the broker stores them: offsets and leader epoch assigned
	produceSet0  []byte
	produceSet1  []byte
	fetchSet0    []byte
	fetchSet1    []byte
}

func newKmFixtures(t *testing.T) *kmFixtures {
	t.Helper()
	recs := []wire.Record{
		{Timestamp: 1_717_000_000_000, Key: []byte("order-1042"), Value: []byte(`{"sku":"A-17","qty":2}`),
			Headers: []wire.Header{{Key: "trace-id", Value: []byte("4bf92f3577b34da6")}}},
		{Timestamp: 1_717_000_000_250, Value: []byte(`{"sku":"B-03","qty":1}`)},
	}
	var f kmFixtures
	var err error
	b := wire.RecordBatch{
		BatchHeader: wire.BatchHeader{PartitionLeaderEpoch: -1, ProducerID: 4000, ProducerEpoch: 7, BaseSequence: 12},
		Records:     recs,
	}
	if f.produceBatch, err = wire.AppendRecordBatch(nil, &b, 0); err != nil {
		t.Fatal(err)
	}
	b.BaseOffset, b.PartitionLeaderEpoch = 1200, 5
	if f.fetchBatch, err = wire.AppendRecordBatch(nil, &b, 0); err != nil {
		t.Fatal(err)
	}
	legacy := func(base int64, magic int8) []byte {
		msgs := make([]wire.LegacyMessage, len(recs))
		for i, r := range recs {
			msgs[i] = wire.LegacyMessage{Offset: base + int64(i), Magic: magic, Timestamp: r.Timestamp, Key: r.Key, Value: r.Value}
		}
		set, err := wire.AppendMessageSet(nil, msgs, magic, wire.CodecNone)
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	f.produceSet0, f.produceSet1 = legacy(0, 0), legacy(0, 1)
	f.fetchSet0, f.fetchSet1 = legacy(1200, 0), legacy(1200, 1)
	return &f
}

func (f *kmFixtures) produceRecords(v int16) []byte {
	switch {
	case v <= 1:
		return f.produceSet0
	case v == 2:
		return f.produceSet1
	}
	return f.produceBatch
}

func (f *kmFixtures) fetchRecords(v int16) []byte {
	switch {
	case v <= 1:
		return f.fetchSet0
	case v <= 3:
		return f.fetchSet1
	}
	return f.fetchBatch
}

// kmTags is a kmsg tag section holding the given unknown tags (tag, data, tag, data, ...) when
// flexible, and nothing otherwise (kmsg writes unknown tags only in flexible versions, and kwire
// then has none to compare them with).
func kmTags(flexible bool, kv ...any) kmsg.Tags {
	var tags kmsg.Tags
	if flexible {
		for i := 0; i < len(kv); i += 2 {
			tags.Set(uint32(kv[i].(int)), []byte(kv[i+1].(string)))
		}
	}
	return tags
}

// kmUUID is a fixed, distinct topic id.
func kmUUID(seed byte) [16]byte {
	var u [16]byte
	for i := range u {
		u[i] = seed + byte(i)*17
	}
	return u
}

func kmShow(v any) string {
	switch v := v.(type) {
	case *string:
		if v == nil {
			return "null"
		}
		return fmt.Sprintf("%q", *v)
	case []byte:
		if v == nil {
			return "null"
		}
		return hex.EncodeToString(v)
	}
	return fmt.Sprintf("%v", v)
}

func kmDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-12)
	return fmt.Sprintf("kwire %d bytes, kmsg %d, first difference at byte %d\n  kwire[%d:]: %s\n  kmsg[%d:]:  %s",
		len(got), len(want), i, lo, hex.EncodeToString(got[lo:min(len(got), i+24)]), lo, hex.EncodeToString(want[lo:min(len(want), i+24)]))
}

// kmCmp compares kwire's fields with kmsg's.
type kmCmp struct {
	t   *testing.T
	dir string
}

func (c *kmCmp) eq(path string, kw, km any) {
	c.t.Helper()
	if !reflect.DeepEqual(kw, km) {
		c.t.Errorf("%s: %s: kwire has %s, kmsg has %s", c.dir, path, kmShow(kw), kmShow(km))
	}
}

// bytes compares byte fields where null and empty differ.
func (c *kmCmp) bytes(path string, kw, km []byte) {
	c.t.Helper()
	if (kw == nil) != (km == nil) || !bytes.Equal(kw, km) {
		c.t.Errorf("%s: %s: kwire has %s, kmsg has %s", c.dir, path, kmShow(kw), kmShow(km))
	}
}

// list compares arrays of numbers or strings, where kwire gives nil for empty.
func (c *kmCmp) list(path string, kw, km any) {
	c.t.Helper()
	a, b := reflect.ValueOf(kw), reflect.ValueOf(km)
	if a.Len() == 0 && b.Len() == 0 {
		return
	}
	c.eq(path, kw, km)
}

// len compares array lengths and reports whether they agree, so that the elements can be compared.
func (c *kmCmp) len(path string, kw, km int) bool {
	c.t.Helper()
	if kw != km {
		c.t.Errorf("%s: %s: kwire has %d elements, kmsg %d", c.dir, path, kw, km)
		return false
	}
	return true
}

// null compares whether a nullable array is null.
func (c *kmCmp) null(path string, kwNull, kmNull bool) {
	c.t.Helper()
	if kwNull != kmNull {
		c.t.Errorf("%s: %s: kwire null %v, kmsg null %v", c.dir, path, kwNull, kmNull)
	}
}

// tags compares kwire's unknown tagged fields with kmsg's; kmsg keeps them sorted by tag, as it
// writes them, and kwire in the order read.
func (c *kmCmp) tags(path string, kw []wire.TaggedField, km *kmsg.Tags) {
	c.t.Helper()
	var want []wire.TaggedField
	km.Each(func(tag uint32, data []byte) { want = append(want, wire.TaggedField{Tag: tag, Data: data}) })
	if len(kw) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(kw, want) {
		c.t.Errorf("%s: %s: kwire has tags %v, kmsg %v", c.dir, path, kw, want)
	}
}

func kmDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ---- ApiVersions ----

func kmApiVersionsRequest(v int16) kmsgMessage {
	r := kmsg.NewPtrApiVersionsRequest()
	r.ClientSoftwareName = "kwire-interop"
	r.ClientSoftwareVersion = "0.9.1"
	r.UnknownTags = kmTags(v >= 3, 6, "client-tag")
	return r
}

func checkApiVersionsRequest(c *kmCmp, v int16, kw *protocol.ApiVersionsRequest, km *kmsg.ApiVersionsRequest) {
	if v >= 3 {
		c.eq("clientSoftwareName", kw.ClientSoftwareName, km.ClientSoftwareName)
		c.eq("clientSoftwareVersion", kw.ClientSoftwareVersion, km.ClientSoftwareVersion)
	} else {
		c.eq("clientSoftwareName", kw.ClientSoftwareName, "")
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
}

// kmApiVersionsResponse is a broker answering a version of ApiVersions newer than its own: an
// UNSUPPORTED_VERSION error along with the versions it does support.
func kmApiVersionsResponse(v int16) kmsgMessage {
	flex := v >= 3
	r := kmsg.NewPtrApiVersionsResponse()
	r.ErrorCode = kerr.UnsupportedVersion.Code
	for _, k := range [][3]int16{{0, 3, 13}, {1, 4, 18}, {2, 1, 10}, {3, 0, 13}, {18, 0, 4}, {19, 2, 7}, {22, 0, 6}} {
		key := kmsg.NewApiVersionsResponseApiKey()
		key.ApiKey, key.MinVersion, key.MaxVersion = k[0], k[1], k[2]
		if k[0] == 1 {
			key.UnknownTags = kmTags(flex, 3, "key-tag")
		}
		r.ApiKeys = append(r.ApiKeys, key)
	}
	r.ThrottleMillis = 40
	if flex {
		// Tags 0–3 are known to Kafka (ApiVersionsResponse.json, taggedVersions 3+); kwire keeps
		// them as unknown tags, which must survive its decode and encode unchanged.
		r.SupportedFeatures = []kmsg.ApiVersionsResponseSupportedFeature{
			{Name: "kraft.version", MinVersion: 0, MaxVersion: 1},
			{Name: "metadata.version", MinVersion: 7, MaxVersion: 27},
		}
		r.FinalizedFeaturesEpoch = 2048
		r.FinalizedFeatures = []kmsg.ApiVersionsResponseFinalizedFeature{{Name: "metadata.version", MaxVersionLevel: 27, MinVersionLevel: 27}}
		r.ZkMigrationReady = true
		r.UnknownTags = kmTags(flex, 9, "future")
	}
	return r
}

func checkApiVersionsResponse(c *kmCmp, v int16, kw *protocol.ApiVersionsResponse, km *kmsg.ApiVersionsResponse) {
	c.eq("errorCode", kw.ErrorCode, km.ErrorCode)
	if v >= 1 {
		c.eq("throttleTimeMs", kw.ThrottleTimeMs, km.ThrottleMillis)
	}
	if c.len("apiKeys", len(kw.APIKeys), len(km.ApiKeys)) {
		for i, k := range kw.APIKeys {
			m := &km.ApiKeys[i]
			p := fmt.Sprintf("apiKeys[%d]", i)
			c.eq(p+".apiKey", int16(k.APIKey), m.ApiKey)
			c.eq(p+".minVersion", k.MinVersion, m.MinVersion)
			c.eq(p+".maxVersion", k.MaxVersion, m.MaxVersion)
			c.tags(p+".tags", k.Tags, &m.UnknownTags)
		}
	}
	if v < 3 {
		c.eq("tags", len(kw.Tags), 0)
		return
	}
	// kwire has no fields for tags 0–3: it must hold them as kmsg's values encode per the spec.
	var want []wire.TaggedField
	if len(km.SupportedFeatures) > 0 {
		d := wire.AppendCompactArrayLen(nil, len(km.SupportedFeatures))
		for _, f := range km.SupportedFeatures {
			d = wire.AppendCompactString(d, f.Name)
			d = wire.AppendInt16(d, f.MinVersion)
			d = wire.AppendInt16(d, f.MaxVersion)
			d = append(d, 0)
		}
		want = append(want, wire.TaggedField{Tag: 0, Data: d})
	}
	if km.FinalizedFeaturesEpoch != -1 {
		want = append(want, wire.TaggedField{Tag: 1, Data: wire.AppendInt64(nil, km.FinalizedFeaturesEpoch)})
	}
	if len(km.FinalizedFeatures) > 0 {
		d := wire.AppendCompactArrayLen(nil, len(km.FinalizedFeatures))
		for _, f := range km.FinalizedFeatures {
			d = wire.AppendCompactString(d, f.Name)
			d = wire.AppendInt16(d, f.MaxVersionLevel)
			d = wire.AppendInt16(d, f.MinVersionLevel)
			d = append(d, 0)
		}
		want = append(want, wire.TaggedField{Tag: 2, Data: d})
	}
	if km.ZkMigrationReady {
		want = append(want, wire.TaggedField{Tag: 3, Data: []byte{1}})
	}
	km.UnknownTags.Each(func(tag uint32, data []byte) { want = append(want, wire.TaggedField{Tag: tag, Data: data}) })
	c.eq("tags", kw.Tags, want)
}

// ---- Produce ----

func (f *kmFixtures) produceRequest(v int16) kmsgMessage {
	flex := v >= 9
	r := kmsg.NewPtrProduceRequest()
	if v >= 3 && v%2 == 1 {
		// Odd versions are transactional, even ones not, for both null and non-null ids.
		r.TransactionID = kmsg.StringPtr("payments-txn-3")
	}
	r.Acks = -1
	r.TimeoutMillis = 30000
	r.Topics = []kmsg.ProduceRequestTopic{
		{
			Topic: "orders", TopicID: kmUUID(0x10),
			Partitions: []kmsg.ProduceRequestTopicPartition{
				{Partition: 0, Records: f.produceRecords(v), UnknownTags: kmTags(flex, 4, "p0")},
				{Partition: 3, Records: f.produceRecords(v)},
			},
			UnknownTags: kmTags(flex, 2, "orders"),
		},
		{
			Topic: "audit", TopicID: kmUUID(0x20),
			// Records are nullable in the schema; no producer sends null, but it must round-trip.
			Partitions: []kmsg.ProduceRequestTopicPartition{{Partition: 1, Records: nil}},
		},
	}
	r.UnknownTags = kmTags(flex, 10, "req-a", 12, "req-b")
	return r
}

func checkProduceRequest(c *kmCmp, v int16, kw *protocol.ProduceRequest, km *kmsg.ProduceRequest) {
	if v >= 3 {
		c.eq("transactionalId", kw.TransactionalID, km.TransactionID)
	} else {
		c.eq("transactionalId", kw.TransactionalID, (*string)(nil))
	}
	c.eq("acks", kw.Acks, km.Acks)
	c.eq("timeoutMs", kw.TimeoutMs, km.TimeoutMillis)
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if !c.len("topicData", len(kw.TopicData), len(km.Topics)) {
		return
	}
	for i := range kw.TopicData {
		t, m := &kw.TopicData[i], &km.Topics[i]
		p := fmt.Sprintf("topicData[%d]", i)
		if v >= 13 {
			c.eq(p+".topicId", [16]byte(t.TopicID), m.TopicID)
		} else {
			c.eq(p+".name", t.Name, m.Topic)
		}
		c.tags(p+".tags", t.Tags, &m.UnknownTags)
		if !c.len(p+".partitionData", len(t.PartitionData), len(m.Partitions)) {
			continue
		}
		for j := range t.PartitionData {
			tp, mp := &t.PartitionData[j], &m.Partitions[j]
			pp := fmt.Sprintf("%s.partitionData[%d]", p, j)
			c.eq(pp+".index", tp.Index, mp.Partition)
			c.bytes(pp+".records", tp.Records, mp.Records)
			c.tags(pp+".tags", tp.Tags, &mp.UnknownTags)
		}
	}
}

func kmProduceResponse(v int16) kmsgMessage {
	flex := v >= 9
	r := kmsg.NewPtrProduceResponse()

	ok := kmsg.NewProduceResponseTopicPartition()
	ok.Partition = 0
	ok.BaseOffset = 1200
	ok.LogAppendTime = 1_717_000_000_400
	ok.LogStartOffset = 100
	ok.UnknownTags = kmTags(flex, 5, "ok")

	moved := kmsg.NewProduceResponseTopicPartition()
	moved.Partition = 3
	moved.ErrorCode = kerr.NotLeaderOrFollower.Code
	moved.BaseOffset = -1
	moved.ErrorMessage = kmsg.StringPtr("This server is not the leader for that topic-partition.")
	if v >= 10 {
		moved.CurrentLeader.LeaderID = 2
		moved.CurrentLeader.LeaderEpoch = 9
		moved.CurrentLeader.UnknownTags = kmTags(flex, 1, "leader")
		r.Brokers = []kmsg.ProduceResponseBroker{
			{NodeID: 2, Host: "broker-2.kafka.internal", Port: 9092, Rack: kmsg.StringPtr("eu-west-1b"), UnknownTags: kmTags(flex, 3, "b2")},
			{NodeID: 5, Host: "broker-5.kafka.internal", Port: 9094},
		}
	}

	rejected := kmsg.NewProduceResponseTopicPartition()
	rejected.Partition = 1
	rejected.ErrorCode = kerr.InvalidRecord.Code
	rejected.BaseOffset = -1
	rejected.LogStartOffset = 40
	rejected.ErrorRecords = []kmsg.ProduceResponseTopicPartitionErrorRecord{
		{RelativeOffset: 1, ErrorMessage: kmsg.StringPtr("Compacted topic cannot accept message without key"), UnknownTags: kmTags(flex, 2, "rec")},
		{RelativeOffset: 3},
	}
	rejected.ErrorMessage = kmsg.StringPtr("One or more records have been rejected")

	r.Topics = []kmsg.ProduceResponseTopic{
		{Topic: "orders", TopicID: kmUUID(0x10), Partitions: []kmsg.ProduceResponseTopicPartition{ok, moved}, UnknownTags: kmTags(flex, 1, "orders")},
		{Topic: "audit", TopicID: kmUUID(0x20), Partitions: []kmsg.ProduceResponseTopicPartition{rejected}},
	}
	r.ThrottleMillis = 25
	r.UnknownTags = kmTags(flex, 7, "resp")
	return r
}

func checkProduceResponse(c *kmCmp, v int16, kw *protocol.ProduceResponse, km *kmsg.ProduceResponse) {
	if v >= 1 {
		c.eq("throttleTimeMs", kw.ThrottleTimeMs, km.ThrottleMillis)
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if v >= 10 && c.len("nodeEndpoints", len(kw.NodeEndpoints), len(km.Brokers)) {
		for i, e := range kw.NodeEndpoints {
			checkNodeEndpoint(c, fmt.Sprintf("nodeEndpoints[%d]", i), &e, km.Brokers[i].NodeID, km.Brokers[i].Host, km.Brokers[i].Port, km.Brokers[i].Rack, &km.Brokers[i].UnknownTags)
		}
	} else if v < 10 {
		c.eq("nodeEndpoints", len(kw.NodeEndpoints), 0)
	}
	if !c.len("responses", len(kw.Responses), len(km.Topics)) {
		return
	}
	for i := range kw.Responses {
		t, m := &kw.Responses[i], &km.Topics[i]
		p := fmt.Sprintf("responses[%d]", i)
		if v >= 13 {
			c.eq(p+".topicId", [16]byte(t.TopicID), m.TopicID)
		} else {
			c.eq(p+".name", t.Name, m.Topic)
		}
		c.tags(p+".tags", t.Tags, &m.UnknownTags)
		if !c.len(p+".partitionResponses", len(t.PartitionResponses), len(m.Partitions)) {
			continue
		}
		for j := range t.PartitionResponses {
			tp, mp := &t.PartitionResponses[j], &m.Partitions[j]
			pp := fmt.Sprintf("%s.partitionResponses[%d]", p, j)
			c.eq(pp+".index", tp.Index, mp.Partition)
			c.eq(pp+".errorCode", tp.ErrorCode, mp.ErrorCode)
			c.eq(pp+".baseOffset", tp.BaseOffset, mp.BaseOffset)
			if v >= 2 {
				c.eq(pp+".logAppendTimeMs", tp.LogAppendTimeMs, mp.LogAppendTime)
			}
			if v >= 5 {
				c.eq(pp+".logStartOffset", tp.LogStartOffset, mp.LogStartOffset)
			}
			if v >= 8 {
				c.eq(pp+".errorMessage", tp.ErrorMessage, mp.ErrorMessage)
				if c.len(pp+".recordErrors", len(tp.RecordErrors), len(mp.ErrorRecords)) {
					for k, e := range tp.RecordErrors {
						me := &mp.ErrorRecords[k]
						ep := fmt.Sprintf("%s.recordErrors[%d]", pp, k)
						c.eq(ep+".batchIndex", e.BatchIndex, me.RelativeOffset)
						c.eq(ep+".batchIndexErrorMessage", e.BatchIndexErrorMessage, me.ErrorMessage)
						c.tags(ep+".tags", e.Tags, &me.UnknownTags)
					}
				}
			}
			// kmsg holds an absent CurrentLeader as its default, leader and epoch -1 (which it
			// then does not write); kwire as nil.
			def := kmsg.NewProduceResponseTopicPartitionCurrentLeader()
			if v < 10 || reflect.DeepEqual(mp.CurrentLeader, def) {
				c.eq(pp+".currentLeader present", tp.CurrentLeader != nil, false)
			} else if c.eq(pp+".currentLeader present", tp.CurrentLeader != nil, true); tp.CurrentLeader != nil {
				c.eq(pp+".currentLeader.leaderId", tp.CurrentLeader.LeaderID, mp.CurrentLeader.LeaderID)
				c.eq(pp+".currentLeader.leaderEpoch", tp.CurrentLeader.LeaderEpoch, mp.CurrentLeader.LeaderEpoch)
				c.tags(pp+".currentLeader.tags", tp.CurrentLeader.Tags, &mp.CurrentLeader.UnknownTags)
			}
			c.tags(pp+".tags", tp.Tags, &mp.UnknownTags)
		}
	}
}

func checkNodeEndpoint(c *kmCmp, p string, e *protocol.NodeEndpoint, id int32, host string, port int32, rack *string, tags *kmsg.Tags) {
	c.eq(p+".nodeId", e.NodeID, id)
	c.eq(p+".host", e.Host, host)
	c.eq(p+".port", e.Port, port)
	c.eq(p+".rack", e.Rack, rack)
	c.tags(p+".tags", e.Tags, tags)
}

// ---- Fetch ----

// kmFetchRequest is a consumer's fetch in a session (isolation, rack, forgotten topics) or a
// follower's (replica id or state, log start offsets, cluster id, directory id, high watermark).
func kmFetchRequest(v int16, follower bool) kmsgMessage {
	flex := v >= 12
	r := kmsg.NewPtrFetchRequest()
	r.MaxWaitMillis = 500
	r.MinBytes = 1
	r.MaxBytes = 52_428_800
	r.SessionID = 1_370_912
	r.SessionEpoch = 9
	if follower {
		r.ReplicaID = 2
		if flex {
			r.ClusterID = kmsg.StringPtr("MkU3OEVBNTcwNTJENDM2Qg")
		}
		if v >= 15 {
			// ReplicaState replaces ReplicaID from v15 (FetchRequest.json: taggedVersions 15+).
			r.ReplicaState.ID = 2
			r.ReplicaState.Epoch = 77
			r.ReplicaState.UnknownTags = kmTags(flex, 2, "state")
		}
	} else {
		r.ReplicaID = -1
		r.IsolationLevel = 1
		r.Rack = "eu-west-1a"
	}

	part := func(partition int32, offset int64, highWatermark int64) kmsg.FetchRequestTopicPartition {
		p := kmsg.NewFetchRequestTopicPartition() // HighWatermark's default, MaxInt64, is "absent"
		p.Partition = partition
		p.CurrentLeaderEpoch = 5
		p.FetchOffset = offset
		p.LastFetchedEpoch = 4
		p.PartitionMaxBytes = 1_048_576
		if follower {
			p.LogStartOffset = 100
			if v >= 17 {
				p.ReplicaDirectoryID = kmUUID(0x70)
			}
			if v >= 18 {
				p.HighWatermark = highWatermark
			}
		}
		return p
	}
	p0 := part(0, 1200, 1250)
	p0.UnknownTags = kmTags(flex, 6, "p0")
	r.Topics = []kmsg.FetchRequestTopic{
		{Topic: "orders", TopicID: kmUUID(0x10), Partitions: []kmsg.FetchRequestTopicPartition{p0, part(2, 880, math.MaxInt64)}, UnknownTags: kmTags(flex, 1, "orders")},
		{Topic: "audit", TopicID: kmUUID(0x20), Partitions: []kmsg.FetchRequestTopicPartition{part(1, 7, -1)}},
	}
	if !follower {
		r.ForgottenTopics = []kmsg.FetchRequestForgottenTopic{
			{Topic: "clicks", TopicID: kmUUID(0x30), Partitions: []int32{0, 4, 5}, UnknownTags: kmTags(flex, 1, "forgot")},
			{Topic: "views", TopicID: kmUUID(0x40), Partitions: []int32{}},
		}
	}
	r.UnknownTags = kmTags(flex, 8, "fetch")
	return r
}

func checkFetchRequest(c *kmCmp, v int16, kw *protocol.FetchRequest, km *kmsg.FetchRequest) {
	if v <= 14 {
		c.eq("replicaId", kw.ReplicaID, km.ReplicaID)
	}
	c.eq("maxWaitMs", kw.MaxWaitMs, km.MaxWaitMillis)
	c.eq("minBytes", kw.MinBytes, km.MinBytes)
	if v >= 3 {
		c.eq("maxBytes", kw.MaxBytes, km.MaxBytes)
	}
	if v >= 4 {
		c.eq("isolationLevel", kw.IsolationLevel, km.IsolationLevel)
	}
	if v >= 7 {
		c.eq("sessionId", kw.SessionID, km.SessionID)
		c.eq("sessionEpoch", kw.SessionEpoch, km.SessionEpoch)
	}
	if v >= 11 {
		c.eq("rackId", kw.RackID, km.Rack)
	}
	c.eq("clusterId", kw.ClusterID, km.ClusterID)
	// kmsg holds an absent ReplicaState as its default (-1, -1); kwire as nil.
	if def := kmsg.NewFetchRequestReplicaState(); v < 15 || reflect.DeepEqual(km.ReplicaState, def) {
		c.eq("replicaState present", kw.ReplicaState != nil, false)
	} else if c.eq("replicaState present", kw.ReplicaState != nil, true); kw.ReplicaState != nil {
		c.eq("replicaState.replicaId", kw.ReplicaState.ReplicaID, km.ReplicaState.ID)
		c.eq("replicaState.replicaEpoch", kw.ReplicaState.ReplicaEpoch, km.ReplicaState.Epoch)
		c.tags("replicaState.tags", kw.ReplicaState.Tags, &km.ReplicaState.UnknownTags)
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if c.len("topics", len(kw.Topics), len(km.Topics)) {
		for i := range kw.Topics {
			t, m := &kw.Topics[i], &km.Topics[i]
			p := fmt.Sprintf("topics[%d]", i)
			if v >= 13 {
				c.eq(p+".topicId", [16]byte(t.TopicID), m.TopicID)
			} else {
				c.eq(p+".topic", t.Topic, m.Topic)
			}
			c.tags(p+".tags", t.Tags, &m.UnknownTags)
			if !c.len(p+".partitions", len(t.Partitions), len(m.Partitions)) {
				continue
			}
			for j := range t.Partitions {
				tp, mp := &t.Partitions[j], &m.Partitions[j]
				pp := fmt.Sprintf("%s.partitions[%d]", p, j)
				c.eq(pp+".partition", tp.Partition, mp.Partition)
				if v >= 9 {
					c.eq(pp+".currentLeaderEpoch", tp.CurrentLeaderEpoch, mp.CurrentLeaderEpoch)
				}
				c.eq(pp+".fetchOffset", tp.FetchOffset, mp.FetchOffset)
				if v >= 12 {
					c.eq(pp+".lastFetchedEpoch", tp.LastFetchedEpoch, mp.LastFetchedEpoch)
				}
				if v >= 5 {
					c.eq(pp+".logStartOffset", tp.LogStartOffset, mp.LogStartOffset)
				}
				c.eq(pp+".partitionMaxBytes", tp.PartitionMaxBytes, mp.PartitionMaxBytes)
				if v >= 17 {
					c.eq(pp+".replicaDirectoryId", [16]byte(tp.ReplicaDirectoryID), mp.ReplicaDirectoryID)
				} else {
					c.eq(pp+".replicaDirectoryId", tp.ReplicaDirectoryID, protocol.UUID{})
				}
				// kmsg's HighWatermark is MaxInt64 when absent (the spec's default, which it
				// does not write); kwire's is nil.
				if v < 18 || mp.HighWatermark == math.MaxInt64 {
					c.eq(pp+".highWatermark present", tp.HighWatermark != nil, false)
				} else if c.eq(pp+".highWatermark present", tp.HighWatermark != nil, true); tp.HighWatermark != nil {
					c.eq(pp+".highWatermark", *tp.HighWatermark, mp.HighWatermark)
				}
				c.tags(pp+".tags", tp.Tags, &mp.UnknownTags)
			}
		}
	}
	if v < 7 {
		c.eq("forgottenTopicsData", len(kw.ForgottenTopicsData), 0)
		return
	}
	if c.len("forgottenTopicsData", len(kw.ForgottenTopicsData), len(km.ForgottenTopics)) {
		for i := range kw.ForgottenTopicsData {
			t, m := &kw.ForgottenTopicsData[i], &km.ForgottenTopics[i]
			p := fmt.Sprintf("forgottenTopicsData[%d]", i)
			if v >= 13 {
				c.eq(p+".topicId", [16]byte(t.TopicID), m.TopicID)
			} else {
				c.eq(p+".topic", t.Topic, m.Topic)
			}
			c.list(p+".partitions", t.Partitions, m.Partitions)
			c.tags(p+".tags", t.Tags, &m.UnknownTags)
		}
	}
}

// fetchResponse answers a fetch of three partitions of "orders" and one of "audit": records with
// aborted transactions, nothing new with a diverging epoch, a moved leader, and a snapshot to
// fetch instead.
func (f *kmFixtures) fetchResponse(v int16) kmsgMessage {
	flex := v >= 12
	r := kmsg.NewPtrFetchResponse()
	r.ThrottleMillis = 30
	r.SessionID = 1_370_912

	data := kmsg.NewFetchResponseTopicPartition()
	data.Partition = 0
	data.HighWatermark = 1250
	data.LastStableOffset = 1210
	data.LogStartOffset = 100
	data.AbortedTransactions = []kmsg.FetchResponseTopicPartitionAbortedTransaction{
		{ProducerID: 4100, FirstOffset: 1150, UnknownTags: kmTags(flex, 1, "abort")},
		{ProducerID: 4101, FirstOffset: 1190},
	}
	data.PreferredReadReplica = 3
	data.RecordBatches = f.fetchRecords(v)
	data.UnknownTags = kmTags(flex, 5, "data")

	idle := kmsg.NewFetchResponseTopicPartition()
	idle.Partition = 1
	idle.HighWatermark = 800
	idle.LastStableOffset = 800
	idle.LogStartOffset = 20
	idle.AbortedTransactions = []kmsg.FetchResponseTopicPartitionAbortedTransaction{} // empty, not null
	idle.RecordBatches = []byte{}
	if flex {
		idle.DivergingEpoch.Epoch = 4
		idle.DivergingEpoch.EndOffset = 790
		idle.DivergingEpoch.UnknownTags = kmTags(flex, 1, "diverge")
	}

	moved := kmsg.NewFetchResponseTopicPartition()
	moved.Partition = 2
	moved.ErrorCode = kerr.NotLeaderOrFollower.Code
	moved.HighWatermark = -1
	// AbortedTransactions stays nil (null) and so do the records: both are nullable.
	if flex {
		moved.CurrentLeader.LeaderID = 4
		moved.CurrentLeader.LeaderEpoch = 11
		moved.CurrentLeader.UnknownTags = kmTags(flex, 1, "leader")
	}
	if v >= 16 {
		r.Brokers = []kmsg.FetchResponseBroker{
			{NodeID: 4, Host: "broker-4.kafka.internal", Port: 9092, Rack: kmsg.StringPtr("eu-west-1c"), UnknownTags: kmTags(flex, 2, "b4")},
			{NodeID: 6, Host: "broker-6.kafka.internal", Port: 9093},
		}
	}

	snapshot := kmsg.NewFetchResponseTopicPartition()
	snapshot.Partition = 7
	snapshot.HighWatermark = 5100
	snapshot.LastStableOffset = 5100
	snapshot.LogStartOffset = 5000
	snapshot.RecordBatches = []byte{}
	if flex {
		snapshot.SnapshotID.EndOffset = 5000
		snapshot.SnapshotID.Epoch = 3
		snapshot.SnapshotID.UnknownTags = kmTags(flex, 4, "snap")
	}

	r.Topics = []kmsg.FetchResponseTopic{
		{Topic: "orders", TopicID: kmUUID(0x10), Partitions: []kmsg.FetchResponseTopicPartition{data, idle, moved}, UnknownTags: kmTags(flex, 3, "orders")},
		{Topic: "audit", TopicID: kmUUID(0x20), Partitions: []kmsg.FetchResponseTopicPartition{snapshot}},
	}
	r.UnknownTags = kmTags(flex, 4, "fetch")
	return r
}

// kmFetchSessionError is a broker that lost a client's fetch session: a top-level error and no data.
func kmFetchSessionError(v int16) kmsgMessage {
	r := kmsg.NewPtrFetchResponse()
	r.ThrottleMillis = 5
	r.ErrorCode = kerr.FetchSessionIDNotFound.Code
	r.SessionID = 0
	return r
}

func checkFetchResponse(c *kmCmp, v int16, kw *protocol.FetchResponse, km *kmsg.FetchResponse) {
	if v >= 1 {
		c.eq("throttleTimeMs", kw.ThrottleTimeMs, km.ThrottleMillis)
	}
	if v >= 7 {
		c.eq("errorCode", kw.ErrorCode, km.ErrorCode)
		c.eq("sessionId", kw.SessionID, km.SessionID)
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if v >= 16 && c.len("nodeEndpoints", len(kw.NodeEndpoints), len(km.Brokers)) {
		for i, e := range kw.NodeEndpoints {
			b := &km.Brokers[i]
			checkNodeEndpoint(c, fmt.Sprintf("nodeEndpoints[%d]", i), &e, b.NodeID, b.Host, b.Port, b.Rack, &b.UnknownTags)
		}
	} else if v < 16 {
		c.eq("nodeEndpoints", len(kw.NodeEndpoints), 0)
	}
	if !c.len("responses", len(kw.Responses), len(km.Topics)) {
		return
	}
	for i := range kw.Responses {
		t, m := &kw.Responses[i], &km.Topics[i]
		p := fmt.Sprintf("responses[%d]", i)
		if v >= 13 {
			c.eq(p+".topicId", [16]byte(t.TopicID), m.TopicID)
		} else {
			c.eq(p+".topic", t.Topic, m.Topic)
		}
		c.tags(p+".tags", t.Tags, &m.UnknownTags)
		if !c.len(p+".partitions", len(t.Partitions), len(m.Partitions)) {
			continue
		}
		for j := range t.Partitions {
			tp, mp := &t.Partitions[j], &m.Partitions[j]
			pp := fmt.Sprintf("%s.partitions[%d]", p, j)
			c.eq(pp+".partitionIndex", tp.PartitionIndex, mp.Partition)
			c.eq(pp+".errorCode", tp.ErrorCode, mp.ErrorCode)
			c.eq(pp+".highWatermark", tp.HighWatermark, mp.HighWatermark)
			if v >= 4 {
				c.eq(pp+".lastStableOffset", tp.LastStableOffset, mp.LastStableOffset)
				c.null(pp+".abortedTransactions", tp.AbortedTransactions == nil, mp.AbortedTransactions == nil)
				if c.len(pp+".abortedTransactions", len(tp.AbortedTransactions), len(mp.AbortedTransactions)) {
					for k, a := range tp.AbortedTransactions {
						ma := &mp.AbortedTransactions[k]
						ap := fmt.Sprintf("%s.abortedTransactions[%d]", pp, k)
						c.eq(ap+".producerId", a.ProducerID, ma.ProducerID)
						c.eq(ap+".firstOffset", a.FirstOffset, ma.FirstOffset)
						c.tags(ap+".tags", a.Tags, &ma.UnknownTags)
					}
				}
			}
			if v >= 5 {
				c.eq(pp+".logStartOffset", tp.LogStartOffset, mp.LogStartOffset)
			}
			if v >= 11 {
				c.eq(pp+".preferredReadReplica", tp.PreferredReadReplica, mp.PreferredReadReplica)
			}
			c.bytes(pp+".records", tp.Records, mp.RecordBatches)
			// kmsg holds absent tagged structs as their defaults (all -1), kwire as nil.
			if d := kmsg.NewFetchResponseTopicPartitionDivergingEpoch(); reflect.DeepEqual(mp.DivergingEpoch, d) {
				c.eq(pp+".divergingEpoch present", tp.DivergingEpoch != nil, false)
			} else if c.eq(pp+".divergingEpoch present", tp.DivergingEpoch != nil, true); tp.DivergingEpoch != nil {
				c.eq(pp+".divergingEpoch.epoch", tp.DivergingEpoch.Epoch, mp.DivergingEpoch.Epoch)
				c.eq(pp+".divergingEpoch.endOffset", tp.DivergingEpoch.EndOffset, mp.DivergingEpoch.EndOffset)
				c.tags(pp+".divergingEpoch.tags", tp.DivergingEpoch.Tags, &mp.DivergingEpoch.UnknownTags)
			}
			if d := kmsg.NewFetchResponseTopicPartitionCurrentLeader(); reflect.DeepEqual(mp.CurrentLeader, d) {
				c.eq(pp+".currentLeader present", tp.CurrentLeader != nil, false)
			} else if c.eq(pp+".currentLeader present", tp.CurrentLeader != nil, true); tp.CurrentLeader != nil {
				c.eq(pp+".currentLeader.leaderId", tp.CurrentLeader.LeaderID, mp.CurrentLeader.LeaderID)
				c.eq(pp+".currentLeader.leaderEpoch", tp.CurrentLeader.LeaderEpoch, mp.CurrentLeader.LeaderEpoch)
				c.tags(pp+".currentLeader.tags", tp.CurrentLeader.Tags, &mp.CurrentLeader.UnknownTags)
			}
			if d := kmsg.NewFetchResponseTopicPartitionSnapshotID(); reflect.DeepEqual(mp.SnapshotID, d) {
				c.eq(pp+".snapshotId present", tp.SnapshotID != nil, false)
			} else if c.eq(pp+".snapshotId present", tp.SnapshotID != nil, true); tp.SnapshotID != nil {
				c.eq(pp+".snapshotId.endOffset", tp.SnapshotID.EndOffset, mp.SnapshotID.EndOffset)
				c.eq(pp+".snapshotId.epoch", tp.SnapshotID.Epoch, mp.SnapshotID.Epoch)
				c.tags(pp+".snapshotId.tags", tp.SnapshotID.Tags, &mp.SnapshotID.UnknownTags)
			}
			c.tags(pp+".tags", tp.Tags, &mp.UnknownTags)
		}
	}
}

// ---- ListOffsets ----

func kmListOffsetsRequest(v int16) kmsgMessage {
	flex := v >= 6
	r := kmsg.NewPtrListOffsetsRequest()
	r.ReplicaID = -1
	r.IsolationLevel = 1
	latest := kmsg.NewListOffsetsRequestTopicPartition()
	latest.Partition = 0
	latest.CurrentLeaderEpoch = 5
	latest.Timestamp = -1 // latest
	latest.MaxNumOffsets = 3
	latest.UnknownTags = kmTags(flex, 2, "p0")
	at := kmsg.NewListOffsetsRequestTopicPartition()
	at.Partition = 4
	at.CurrentLeaderEpoch = 6
	at.Timestamp = 1_717_000_000_000
	at.MaxNumOffsets = 1
	earliest := kmsg.NewListOffsetsRequestTopicPartition()
	earliest.Partition = 2
	earliest.CurrentLeaderEpoch = 2
	earliest.Timestamp = -2 // earliest
	earliest.MaxNumOffsets = 1
	r.Topics = []kmsg.ListOffsetsRequestTopic{
		{Topic: "orders", Partitions: []kmsg.ListOffsetsRequestTopicPartition{latest, at}, UnknownTags: kmTags(flex, 1, "orders")},
		{Topic: "audit", Partitions: []kmsg.ListOffsetsRequestTopicPartition{earliest}},
	}
	r.TimeoutMillis = 5000
	r.UnknownTags = kmTags(flex, 3, "list")
	return r
}

func checkListOffsetsRequest(c *kmCmp, v int16, kw *protocol.ListOffsetsRequest, km *kmsg.ListOffsetsRequest) {
	c.eq("replicaId", kw.ReplicaID, km.ReplicaID)
	if v >= 2 {
		c.eq("isolationLevel", kw.IsolationLevel, km.IsolationLevel)
	}
	if v >= 10 {
		c.eq("timeoutMs", kw.TimeoutMs, km.TimeoutMillis)
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if !c.len("topics", len(kw.Topics), len(km.Topics)) {
		return
	}
	for i := range kw.Topics {
		t, m := &kw.Topics[i], &km.Topics[i]
		p := fmt.Sprintf("topics[%d]", i)
		c.eq(p+".name", t.Name, m.Topic)
		c.tags(p+".tags", t.Tags, &m.UnknownTags)
		if !c.len(p+".partitions", len(t.Partitions), len(m.Partitions)) {
			continue
		}
		for j := range t.Partitions {
			tp, mp := &t.Partitions[j], &m.Partitions[j]
			pp := fmt.Sprintf("%s.partitions[%d]", p, j)
			c.eq(pp+".partitionIndex", tp.PartitionIndex, mp.Partition)
			if v >= 4 {
				c.eq(pp+".currentLeaderEpoch", tp.CurrentLeaderEpoch, mp.CurrentLeaderEpoch)
			}
			c.eq(pp+".timestamp", tp.Timestamp, mp.Timestamp)
			if v == 0 {
				c.eq(pp+".maxNumOffsets", tp.MaxNumOffsets, mp.MaxNumOffsets)
			}
			c.tags(pp+".tags", tp.Tags, &mp.UnknownTags)
		}
	}
}

func kmListOffsetsResponse(v int16) kmsgMessage {
	flex := v >= 6
	r := kmsg.NewPtrListOffsetsResponse()
	r.ThrottleMillis = 12
	found := kmsg.NewListOffsetsResponseTopicPartition()
	found.Partition = 0
	found.OldStyleOffsets = []int64{1250, 1000, 0}
	found.Timestamp = 1_717_000_000_250
	found.Offset = 1250
	found.LeaderEpoch = 5
	found.UnknownTags = kmTags(flex, 2, "p0")
	failed := kmsg.NewListOffsetsResponseTopicPartition()
	failed.Partition = 4
	failed.ErrorCode = kerr.OffsetNotAvailable.Code
	failed.OldStyleOffsets = []int64{}
	failed.Timestamp = -1
	failed.Offset = -1
	failed.LeaderEpoch = -1
	r.Topics = []kmsg.ListOffsetsResponseTopic{
		{Topic: "orders", Partitions: []kmsg.ListOffsetsResponseTopicPartition{found, failed}, UnknownTags: kmTags(flex, 1, "orders")},
	}
	r.UnknownTags = kmTags(flex, 5, "list")
	return r
}

func checkListOffsetsResponse(c *kmCmp, v int16, kw *protocol.ListOffsetsResponse, km *kmsg.ListOffsetsResponse) {
	if v >= 2 {
		c.eq("throttleTimeMs", kw.ThrottleTimeMs, km.ThrottleMillis)
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if !c.len("topics", len(kw.Topics), len(km.Topics)) {
		return
	}
	for i := range kw.Topics {
		t, m := &kw.Topics[i], &km.Topics[i]
		p := fmt.Sprintf("topics[%d]", i)
		c.eq(p+".name", t.Name, m.Topic)
		c.tags(p+".tags", t.Tags, &m.UnknownTags)
		if !c.len(p+".partitions", len(t.Partitions), len(m.Partitions)) {
			continue
		}
		for j := range t.Partitions {
			tp, mp := &t.Partitions[j], &m.Partitions[j]
			pp := fmt.Sprintf("%s.partitions[%d]", p, j)
			c.eq(pp+".partitionIndex", tp.PartitionIndex, mp.Partition)
			c.eq(pp+".errorCode", tp.ErrorCode, mp.ErrorCode)
			if v == 0 {
				c.list(pp+".oldStyleOffsets", tp.OldStyleOffsets, mp.OldStyleOffsets)
			}
			if v >= 1 {
				c.eq(pp+".timestamp", tp.Timestamp, mp.Timestamp)
				c.eq(pp+".offset", tp.Offset, mp.Offset)
			}
			if v >= 4 {
				c.eq(pp+".leaderEpoch", tp.LeaderEpoch, mp.LeaderEpoch)
			}
			c.tags(pp+".tags", tp.Tags, &mp.UnknownTags)
		}
	}
}

// ---- Metadata ----

// kmMetadataRequest asks for two topics, from v10 one by name and one by id; or, with all, for
// every topic (a null array from v1, the empty one at v0).
func kmMetadataRequest(v int16, all bool) kmsgMessage {
	flex := v >= 9
	r := kmsg.NewPtrMetadataRequest()
	if !all {
		byName := kmsg.NewMetadataRequestTopic()
		byName.Topic = kmsg.StringPtr("orders")
		byName.UnknownTags = kmTags(flex, 1, "orders")
		byID := kmsg.NewMetadataRequestTopic()
		byID.Topic = kmsg.StringPtr("audit")
		if v >= 10 {
			byID.TopicID = kmUUID(0x20)
			byID.Topic = nil
		}
		r.Topics = []kmsg.MetadataRequestTopic{byName, byID}
		r.AllowAutoTopicCreation = true
		r.IncludeClusterAuthorizedOperations = true
		r.IncludeTopicAuthorizedOperations = true
	}
	r.UnknownTags = kmTags(flex, 2, "meta")
	return r
}

func checkMetadataRequest(c *kmCmp, v int16, kw *protocol.MetadataRequest, km *kmsg.MetadataRequest) {
	if v >= 1 {
		c.null("topics", kw.Topics == nil, km.Topics == nil)
	}
	if v >= 4 {
		c.eq("allowAutoTopicCreation", kw.AllowAutoTopicCreation, km.AllowAutoTopicCreation)
	}
	if v >= 8 && v <= 10 {
		c.eq("includeClusterAuthorizedOperations", kw.IncludeClusterAuthorizedOperations, km.IncludeClusterAuthorizedOperations)
	}
	if v >= 8 {
		c.eq("includeTopicAuthorizedOperations", kw.IncludeTopicAuthorizedOperations, km.IncludeTopicAuthorizedOperations)
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if !c.len("topics", len(kw.Topics), len(km.Topics)) {
		return
	}
	for i := range kw.Topics {
		t, m := &kw.Topics[i], &km.Topics[i]
		p := fmt.Sprintf("topics[%d]", i)
		if v >= 10 {
			c.eq(p+".topicId", [16]byte(t.TopicID), m.TopicID)
			c.eq(p+".name", t.Name, m.Topic)
		} else {
			c.eq(p+".name", kmDeref(t.Name), kmDeref(m.Topic))
		}
		c.tags(p+".tags", t.Tags, &m.UnknownTags)
	}
}

func kmMetadataResponse(v int16) kmsgMessage {
	flex := v >= 9
	r := kmsg.NewPtrMetadataResponse()
	r.ThrottleMillis = 20
	r.Brokers = []kmsg.MetadataResponseBroker{
		{NodeID: 1, Host: "broker-1.kafka.internal", Port: 9092, Rack: kmsg.StringPtr("eu-west-1a"), UnknownTags: kmTags(flex, 1, "b1")},
		{NodeID: 2, Host: "broker-2.kafka.internal", Port: 9092, Rack: kmsg.StringPtr("eu-west-1b")},
		{NodeID: 3, Host: "10.0.3.17", Port: 19092}, // no rack
	}
	r.ClusterID = kmsg.StringPtr("MkU3OEVBNTcwNTJENDM2Qg")
	r.ControllerID = 2
	partition := func(index, leader, epoch int32, replicas, isr, offline []int32, errorCode int16) kmsg.MetadataResponseTopicPartition {
		p := kmsg.NewMetadataResponseTopicPartition()
		p.ErrorCode, p.Partition, p.Leader, p.LeaderEpoch = errorCode, index, leader, epoch
		p.Replicas, p.ISR, p.OfflineReplicas = replicas, isr, offline
		return p
	}
	orders := kmsg.NewMetadataResponseTopic()
	orders.Topic = kmsg.StringPtr("orders")
	orders.TopicID = kmUUID(0x10)
	p0 := partition(0, 1, 4, []int32{1, 2, 3}, []int32{1, 2, 3}, []int32{}, 0)
	p0.UnknownTags = kmTags(flex, 3, "p0")
	orders.Partitions = []kmsg.MetadataResponseTopicPartition{
		p0,
		partition(1, 2, 7, []int32{2, 3, 1}, []int32{2}, []int32{3}, 0),
		partition(2, -1, 3, []int32{3, 1, 2}, []int32{}, []int32{3, 1, 2}, kerr.LeaderNotAvailable.Code),
	}
	orders.AuthorizedOperations = 0x0df8
	orders.UnknownTags = kmTags(flex, 2, "orders")
	offsets := kmsg.NewMetadataResponseTopic()
	offsets.Topic = kmsg.StringPtr("__consumer_offsets")
	offsets.TopicID = kmUUID(0x50)
	offsets.IsInternal = true
	offsets.Partitions = []kmsg.MetadataResponseTopicPartition{partition(0, 3, 1, []int32{3, 1}, []int32{3, 1}, nil, 0)}
	offsets.AuthorizedOperations = 0x0008
	r.Topics = []kmsg.MetadataResponseTopic{orders, offsets}
	r.AuthorizedOperations = 0x0bf8
	r.UnknownTags = kmTags(flex, 4, "meta")
	return r
}

// kmMetadataErrorResponse answers with errors and nulls: no cluster id or controller, a topic
// asked for by an unknown id (its name null from v12), an unknown topic, and (v13) a request to
// rebootstrap.
func kmMetadataErrorResponse(v int16) kmsgMessage {
	r := kmsg.NewPtrMetadataResponse()
	r.ThrottleMillis = 1
	r.ClusterID = nil
	r.ControllerID = -1
	byID := kmsg.NewMetadataResponseTopic()
	byID.ErrorCode = kerr.UnknownTopicID.Code
	byID.Topic = nil // written as "" before v12, where the name cannot be null
	byID.TopicID = kmUUID(0x60)
	byName := kmsg.NewMetadataResponseTopic()
	byName.ErrorCode = kerr.UnknownTopicOrPartition.Code
	byName.Topic = kmsg.StringPtr("missing-topic")
	byName.Partitions = []kmsg.MetadataResponseTopicPartition{}
	r.Topics = []kmsg.MetadataResponseTopic{byID, byName}
	r.ErrorCode = kerr.RebootstrapRequired.Code
	return r
}

func checkMetadataResponse(c *kmCmp, v int16, kw *protocol.MetadataResponse, km *kmsg.MetadataResponse) {
	if v >= 3 {
		c.eq("throttleTimeMs", kw.ThrottleTimeMs, km.ThrottleMillis)
	}
	if v >= 2 {
		c.eq("clusterId", kw.ClusterID, km.ClusterID)
	}
	if v >= 1 {
		c.eq("controllerId", kw.ControllerID, km.ControllerID)
	}
	if v >= 8 && v <= 10 {
		c.eq("clusterAuthorizedOperations", kw.ClusterAuthorizedOperations, km.AuthorizedOperations)
	}
	if v >= 13 {
		c.eq("errorCode", kw.ErrorCode, km.ErrorCode)
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if c.len("brokers", len(kw.Brokers), len(km.Brokers)) {
		for i, b := range kw.Brokers {
			m := &km.Brokers[i]
			p := fmt.Sprintf("brokers[%d]", i)
			c.eq(p+".nodeId", b.NodeID, m.NodeID)
			c.eq(p+".host", b.Host, m.Host)
			c.eq(p+".port", b.Port, m.Port)
			if v >= 1 {
				c.eq(p+".rack", b.Rack, m.Rack)
			}
			c.tags(p+".tags", b.Tags, &m.UnknownTags)
		}
	}
	if !c.len("topics", len(kw.Topics), len(km.Topics)) {
		return
	}
	for i := range kw.Topics {
		t, m := &kw.Topics[i], &km.Topics[i]
		p := fmt.Sprintf("topics[%d]", i)
		c.eq(p+".errorCode", t.ErrorCode, m.ErrorCode)
		if v >= 12 {
			c.eq(p+".name", t.Name, m.Topic)
		} else {
			c.eq(p+".name", kmDeref(t.Name), kmDeref(m.Topic))
		}
		if v >= 10 {
			c.eq(p+".topicId", [16]byte(t.TopicID), m.TopicID)
		}
		if v >= 1 {
			c.eq(p+".isInternal", t.IsInternal, m.IsInternal)
		}
		if v >= 8 {
			c.eq(p+".topicAuthorizedOperations", t.TopicAuthorizedOperations, m.AuthorizedOperations)
		}
		c.tags(p+".tags", t.Tags, &m.UnknownTags)
		if !c.len(p+".partitions", len(t.Partitions), len(m.Partitions)) {
			continue
		}
		for j := range t.Partitions {
			tp, mp := &t.Partitions[j], &m.Partitions[j]
			pp := fmt.Sprintf("%s.partitions[%d]", p, j)
			c.eq(pp+".errorCode", tp.ErrorCode, mp.ErrorCode)
			c.eq(pp+".partitionIndex", tp.PartitionIndex, mp.Partition)
			c.eq(pp+".leaderId", tp.LeaderID, mp.Leader)
			if v >= 7 {
				c.eq(pp+".leaderEpoch", tp.LeaderEpoch, mp.LeaderEpoch)
			}
			c.list(pp+".replicaNodes", tp.ReplicaNodes, mp.Replicas)
			c.list(pp+".isrNodes", tp.IsrNodes, mp.ISR)
			if v >= 5 {
				c.list(pp+".offlineReplicas", tp.OfflineReplicas, mp.OfflineReplicas)
			}
			c.tags(pp+".tags", tp.Tags, &mp.UnknownTags)
		}
	}
}

// ---- FindCoordinator ----

// kmFindCoordinatorRequest looks up a consumer group's coordinator, or (with txn) a transactional
// id's; from v4 two keys at once.
func kmFindCoordinatorRequest(v int16, txn bool) kmsgMessage {
	r := kmsg.NewPtrFindCoordinatorRequest()
	if txn {
		r.CoordinatorKey = "payments-txn-3"
		r.CoordinatorType = 1
		r.CoordinatorKeys = []string{"payments-txn-3", "orders-txn-1"}
	} else {
		r.CoordinatorKey = "payments-consumers"
		r.CoordinatorType = 0
		r.CoordinatorKeys = []string{"payments-consumers", "audit-consumers", ""}
	}
	r.UnknownTags = kmTags(v >= 3, 2, "find")
	return r
}

func checkFindCoordinatorRequest(c *kmCmp, v int16, kw *protocol.FindCoordinatorRequest, km *kmsg.FindCoordinatorRequest) {
	if v <= 3 {
		c.eq("key", kw.CoordinatorKey, km.CoordinatorKey)
	} else {
		c.list("coordinatorKeys", kw.CoordinatorKeys, km.CoordinatorKeys)
	}
	if v >= 1 {
		c.eq("keyType", kw.KeyType, km.CoordinatorType)
	} else {
		c.eq("keyType", kw.KeyType, int8(0))
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
}

// kmFindCoordinatorResponse names the coordinator, or (with unavailable) reports that none is
// available yet; from v4 one entry per key, the second of which always failed.
func kmFindCoordinatorResponse(v int16, unavailable bool) kmsgMessage {
	flex := v >= 3
	r := kmsg.NewPtrFindCoordinatorResponse()
	r.ThrottleMillis = 15
	if unavailable {
		r.ErrorCode = kerr.CoordinatorNotAvailable.Code
		r.ErrorMessage = kmsg.StringPtr("The coordinator is not available.")
		r.NodeID, r.Host, r.Port = -1, "", -1
	} else {
		r.ErrorMessage = kmsg.StringPtr("NONE")
		r.NodeID, r.Host, r.Port = 2, "broker-2.kafka.internal", 9092
	}
	r.Coordinators = []kmsg.FindCoordinatorResponseCoordinator{
		{Key: "payments-consumers", NodeID: r.NodeID, Host: r.Host, Port: r.Port, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, UnknownTags: kmTags(flex, 1, "c0")},
		{Key: "audit-consumers", NodeID: -1, Host: "", Port: -1, ErrorCode: kerr.CoordinatorNotAvailable.Code},
	}
	r.UnknownTags = kmTags(flex, 4, "find")
	return r
}

func checkFindCoordinatorResponse(c *kmCmp, v int16, kw *protocol.FindCoordinatorResponse, km *kmsg.FindCoordinatorResponse) {
	if v >= 1 {
		c.eq("throttleTimeMs", kw.ThrottleTimeMs, km.ThrottleMillis)
	}
	if v <= 3 {
		c.eq("errorCode", kw.ErrorCode, km.ErrorCode)
		if v >= 1 {
			c.eq("errorMessage", kw.ErrorMessage, km.ErrorMessage)
		}
		c.eq("nodeId", kw.NodeID, km.NodeID)
		c.eq("host", kw.Host, km.Host)
		c.eq("port", kw.Port, km.Port)
		c.eq("coordinators", len(kw.Coordinators), 0)
	} else if c.len("coordinators", len(kw.Coordinators), len(km.Coordinators)) {
		for i, e := range kw.Coordinators {
			m := &km.Coordinators[i]
			p := fmt.Sprintf("coordinators[%d]", i)
			c.eq(p+".key", e.Key, m.Key)
			c.eq(p+".nodeId", e.NodeID, m.NodeID)
			c.eq(p+".host", e.Host, m.Host)
			c.eq(p+".port", e.Port, m.Port)
			c.eq(p+".errorCode", e.ErrorCode, m.ErrorCode)
			c.eq(p+".errorMessage", e.ErrorMessage, m.ErrorMessage)
			c.tags(p+".tags", e.Tags, &m.UnknownTags)
		}
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
}

// ---- CreateTopics ----

func kmCreateTopicsRequest(v int16) kmsgMessage {
	flex := v >= 5
	r := kmsg.NewPtrCreateTopicsRequest()
	orders := kmsg.NewCreateTopicsRequestTopic()
	orders.Topic = "orders"
	orders.NumPartitions = 6
	orders.ReplicationFactor = 3
	orders.Configs = []kmsg.CreateTopicsRequestTopicConfig{
		{Name: "cleanup.policy", Value: kmsg.StringPtr("compact"), UnknownTags: kmTags(flex, 1, "cfg")},
		{Name: "retention.ms", Value: nil}, // null: the broker's default
		{Name: "min.insync.replicas", Value: kmsg.StringPtr("2")},
	}
	orders.UnknownTags = kmTags(flex, 2, "orders")
	payments := kmsg.NewCreateTopicsRequestTopic()
	payments.Topic = "payments"
	payments.NumPartitions = -1 // with a manual assignment
	payments.ReplicationFactor = -1
	payments.ReplicaAssignment = []kmsg.CreateTopicsRequestTopicReplicaAssignment{
		{Partition: 0, Replicas: []int32{1, 2, 3}, UnknownTags: kmTags(flex, 1, "a0")},
		{Partition: 1, Replicas: []int32{2, 3, 1}},
	}
	r.Topics = []kmsg.CreateTopicsRequestTopic{orders, payments}
	r.TimeoutMillis = 30000
	r.ValidateOnly = true
	r.UnknownTags = kmTags(flex, 3, "create")
	return r
}

func checkCreateTopicsRequest(c *kmCmp, v int16, kw *protocol.CreateTopicsRequest, km *kmsg.CreateTopicsRequest) {
	c.eq("timeoutMs", kw.TimeoutMs, km.TimeoutMillis)
	if v >= 1 {
		c.eq("validateOnly", kw.ValidateOnly, km.ValidateOnly)
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if !c.len("topics", len(kw.Topics), len(km.Topics)) {
		return
	}
	for i := range kw.Topics {
		t, m := &kw.Topics[i], &km.Topics[i]
		p := fmt.Sprintf("topics[%d]", i)
		c.eq(p+".name", t.Name, m.Topic)
		c.eq(p+".numPartitions", t.NumPartitions, m.NumPartitions)
		c.eq(p+".replicationFactor", t.ReplicationFactor, m.ReplicationFactor)
		c.tags(p+".tags", t.Tags, &m.UnknownTags)
		if c.len(p+".assignments", len(t.Assignments), len(m.ReplicaAssignment)) {
			for j, a := range t.Assignments {
				ma := &m.ReplicaAssignment[j]
				ap := fmt.Sprintf("%s.assignments[%d]", p, j)
				c.eq(ap+".partitionIndex", a.PartitionIndex, ma.Partition)
				c.list(ap+".brokerIds", a.BrokerIDs, ma.Replicas)
				c.tags(ap+".tags", a.Tags, &ma.UnknownTags)
			}
		}
		if c.len(p+".configs", len(t.Configs), len(m.Configs)) {
			for j, cf := range t.Configs {
				mc := &m.Configs[j]
				cp := fmt.Sprintf("%s.configs[%d]", p, j)
				c.eq(cp+".name", cf.Name, mc.Name)
				c.eq(cp+".value", cf.Value, mc.Value)
				c.tags(cp+".tags", cf.Tags, &mc.UnknownTags)
			}
		}
	}
}

func kmCreateTopicsResponse(v int16) kmsgMessage {
	flex := v >= 5
	r := kmsg.NewPtrCreateTopicsResponse()
	r.ThrottleMillis = 50
	created := kmsg.NewCreateTopicsResponseTopic()
	created.Topic = "orders"
	created.TopicID = kmUUID(0x10)
	created.NumPartitions = 6
	created.ReplicationFactor = 3
	cfg := func(name string, value *string, readOnly bool, source int8, sensitive bool) kmsg.CreateTopicsResponseTopicConfig {
		c := kmsg.NewCreateTopicsResponseTopicConfig()
		c.Name, c.Value, c.ReadOnly, c.Source, c.IsSensitive = name, value, readOnly, source, sensitive
		return c
	}
	created.Configs = []kmsg.CreateTopicsResponseTopicConfig{
		cfg("cleanup.policy", kmsg.StringPtr("compact"), false, 1, false), // DYNAMIC_TOPIC_CONFIG
		cfg("sasl.jaas.config", nil, false, 4, true),                      // sensitive: no value
		cfg("log.dirs", kmsg.StringPtr("/var/lib/kafka"), true, 5, false), // STATIC_BROKER_CONFIG
	}
	created.Configs[0].UnknownTags = kmTags(flex, 1, "cfg")
	created.UnknownTags = kmTags(flex, 3, "orders")

	exists := kmsg.NewCreateTopicsResponseTopic()
	exists.Topic = "payments"
	exists.ErrorCode = kerr.TopicAlreadyExists.Code
	exists.ErrorMessage = kmsg.StringPtr("Topic 'payments' already exists.")
	exists.Configs = nil // null on error

	denied := kmsg.NewCreateTopicsResponseTopic()
	denied.Topic = "metrics"
	denied.TopicID = kmUUID(0x80)
	denied.NumPartitions = 12
	denied.ReplicationFactor = 2
	denied.Configs = []kmsg.CreateTopicsResponseTopicConfig{} // empty, not null
	if flex {
		denied.ConfigErrorCode = kerr.TopicAuthorizationFailed.Code // tag 0
	}

	r.Topics = []kmsg.CreateTopicsResponseTopic{created, exists, denied}
	r.UnknownTags = kmTags(flex, 2, "create")
	return r
}

func checkCreateTopicsResponse(c *kmCmp, v int16, kw *protocol.CreateTopicsResponse, km *kmsg.CreateTopicsResponse) {
	if v >= 2 {
		c.eq("throttleTimeMs", kw.ThrottleTimeMs, km.ThrottleMillis)
	}
	c.tags("tags", kw.Tags, &km.UnknownTags)
	if !c.len("topics", len(kw.Topics), len(km.Topics)) {
		return
	}
	for i := range kw.Topics {
		t, m := &kw.Topics[i], &km.Topics[i]
		p := fmt.Sprintf("topics[%d]", i)
		c.eq(p+".name", t.Name, m.Topic)
		if v >= 7 {
			c.eq(p+".topicId", [16]byte(t.TopicID), m.TopicID)
		}
		c.eq(p+".errorCode", t.ErrorCode, m.ErrorCode)
		if v >= 1 {
			c.eq(p+".errorMessage", t.ErrorMessage, m.ErrorMessage)
		}
		// Both hold an absent tag 0 as 0.
		c.eq(p+".topicConfigErrorCode", t.TopicConfigErrorCode, m.ConfigErrorCode)
		c.tags(p+".tags", t.Tags, &m.UnknownTags)
		if v < 5 {
			continue
		}
		c.eq(p+".numPartitions", t.NumPartitions, m.NumPartitions)
		c.eq(p+".replicationFactor", t.ReplicationFactor, m.ReplicationFactor)
		c.null(p+".configs", t.Configs == nil, m.Configs == nil)
		if !c.len(p+".configs", len(t.Configs), len(m.Configs)) {
			continue
		}
		for j, cf := range t.Configs {
			mc := &m.Configs[j]
			cp := fmt.Sprintf("%s.configs[%d]", p, j)
			c.eq(cp+".name", cf.Name, mc.Name)
			c.eq(cp+".value", cf.Value, mc.Value)
			c.eq(cp+".readOnly", cf.ReadOnly, mc.ReadOnly)
			c.eq(cp+".configSource", cf.ConfigSource, mc.Source)
			c.eq(cp+".isSensitive", cf.IsSensitive, mc.IsSensitive)
			c.tags(cp+".tags", cf.Tags, &mc.UnknownTags)
		}
	}
}

// ---- InitProducerId ----

// kmInitProducerIDRequest is a transactional producer re-initializing after a fenced epoch
// (KIP-360, v3+), or an idempotent producer starting afresh.
func kmInitProducerIDRequest(v int16, transactional bool) kmsgMessage {
	r := kmsg.NewPtrInitProducerIDRequest()
	if transactional {
		r.TransactionalID = kmsg.StringPtr("payments-txn-3")
		r.TransactionTimeoutMillis = 60000
		r.ProducerID = 4000
		r.ProducerEpoch = 7
	} else {
		r.TransactionalID = nil
		r.TransactionTimeoutMillis = -1
		r.ProducerID = -1
		r.ProducerEpoch = -1
	}
	r.UnknownTags = kmTags(v >= 2, 1, "init")
	return r
}

func checkInitProducerIDRequest(c *kmCmp, v int16, kw *protocol.InitProducerIDRequest, km *kmsg.InitProducerIDRequest) {
	c.eq("transactionalId", kw.TransactionalID, km.TransactionalID)
	c.eq("transactionTimeoutMs", kw.TransactionTimeoutMs, km.TransactionTimeoutMillis)
	if v >= 3 {
		c.eq("producerId", kw.ProducerID, km.ProducerID)
		c.eq("producerEpoch", kw.ProducerEpoch, km.ProducerEpoch)
	} else {
		// Absent before v3; kwire reports the spec's default, as kmsg's default does.
		c.eq("producerId", kw.ProducerID, int64(-1))
		c.eq("producerEpoch", kw.ProducerEpoch, int16(-1))
	}
	// Enable2Pc and KeepPreparedTxn are v6+, beyond kmsg v1.15.0.
	c.eq("enable2Pc", kw.Enable2PC, false)
	c.eq("keepPreparedTxn", kw.KeepPreparedTxn, false)
	c.tags("tags", kw.Tags, &km.UnknownTags)
}

func kmInitProducerIDResponse(v int16, failed bool) kmsgMessage {
	r := kmsg.NewPtrInitProducerIDResponse()
	r.ThrottleMillis = 10
	if failed {
		r.ErrorCode = kerr.ConcurrentTransactions.Code
		r.ProducerID = -1
		r.ProducerEpoch = -1
	} else {
		r.ProducerID = 4000
		r.ProducerEpoch = 8
	}
	r.UnknownTags = kmTags(v >= 2, 3, "init")
	return r
}

func checkInitProducerIDResponse(c *kmCmp, v int16, kw *protocol.InitProducerIDResponse, km *kmsg.InitProducerIDResponse) {
	c.eq("throttleTimeMs", kw.ThrottleTimeMs, km.ThrottleMillis)
	c.eq("errorCode", kw.ErrorCode, km.ErrorCode)
	c.eq("producerId", kw.ProducerID, km.ProducerID)
	c.eq("producerEpoch", kw.ProducerEpoch, km.ProducerEpoch)
	// The v6+ fields are absent; kwire reports their spec default.
	c.eq("ongoingTxnProducerId", kw.OngoingTxnProducerID, int64(-1))
	c.eq("ongoingTxnProducerEpoch", kw.OngoingTxnProducerEpoch, int16(-1))
	c.tags("tags", kw.Tags, &km.UnknownTags)
}
