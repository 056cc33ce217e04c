package mockbroker

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// What handling one request may allocate, n being its size with its size prefix, is the sum of:
//
//   - decodePerByte·n for every request, decoding it: its worst entries are a topic name of two
//     bytes, decoded into a 48-byte struct and a 16-byte string header, and a tagged field of two
//     bytes, a 32-byte struct.
//   - fixedCost: the pools of scanners and codecs that a garbage collection emptied and the
//     request fills again, and an answer of a fixed size (ApiVersions, InitProducerId,
//     SaslHandshake), or one that echoes a token (SaslAuthenticate and raw tokens: the mechanism
//     copies and parses the token; SCRAM's PBKDF2 ran when the users were set, not per request).
//   - by API, what answering the request's entries allocates, each entry getting its own answer.
//     FindCoordinator, from v4, a result per key of one byte at least: its 80-byte struct, its
//     message's string header and 23 bytes of answer, in a buffer that appends grow (up to five
//     times the answer), 245 bytes in all a key: findCoordPerByte.
//     Metadata, a topic per name or id named, once each, of two bytes at least: its struct and
//     answer, for an unknown name an attempt to create it (its error, 97 bytes a byte with the
//     decoding, or its topic and partition), and each partition of the cluster described once:
//     metadataPerByte, and perPartition a partition.
//     CreateTopics, a result per topic entry of 12 bytes at least, with its error's message (an
//     invalid name's is formatted twice, checking the request's size and answering):
//     createPerByte; for each topic created or validated, every config of a Kafka topic (some
//     10 KB decoded and 1.2 KB answered, perConfigs), for at most maxRecordsPerRequest/2 topics
//     (each takes a topic and a partition record); and the partitions of all of them, within
//     maxPartitionsPerRequest, perPartition each.
//     Fetch, a partition per entry of 16 bytes at least (its 280-byte state, its 136-byte answer,
//     and the map that finds a partition named twice): fetchPerByte; the records, at most
//     fetchRecordsBound, copied into the answer and before v4 decoded and written again as a
//     message set, recordsFactor times; and the codecs' state, codecState.
//     ListOffsets, a result per partition entry of 12 bytes at least: listOffsetsPerByte.
//     Produce: produceBound, decoding included.
//
// The figures come from TestRequestCostWorstCases, whose requests, the costliest known, cost 13%
// to 69% of their bounds (a Produce of empty partitions much less: its bound allows for decoding
// batches).
const (
	decodePerByte      = 32
	fixedCost          = 256 << 10
	codecState         = 32 << 20
	findCoordPerByte   = 320
	metadataPerByte    = 128
	createPerByte      = 128
	fetchPerByte       = 64
	recordsFactor      = 16
	listOffsetsPerByte = 24
	perPartition       = 512
	perConfigs         = 16 << 10
)

// allocBound is what handling a request of n bytes, of API key at version, may allocate, e being
// its exchange, partitions the cluster's partitions after it (key -1: a request whose header does
// not decode; -2: a raw SASL token).
func (fb *fuzzBroker) allocBound(key protocol.APIKey, version int16, n, partitions int, e *Exchange) uint64 {
	bound := decodePerByte*n + fixedCost
	switch key {
	case protocol.KeyProduce:
		return produceBound(n)
	case protocol.KeyFetch:
		bound += fetchPerByte*n + recordsFactor*fb.fetchRecordsBound(version, e) + codecState
	case protocol.KeyFindCoordinator:
		bound += findCoordPerByte * n
	case protocol.KeyMetadata:
		bound += metadataPerByte*n + perPartition*partitions
	case protocol.KeyCreateTopics:
		bound += createPerByte*n + perConfigs*min(n/12, maxRecordsPerRequest/2) + perPartition*maxPartitionsPerRequest
	case protocol.KeyListOffsets:
		bound += listOffsetsPerByte * n
	}
	return uint64(bound)
}

// produceBound is what handling a Produce request of n bytes may allocate: decoding and answering
// it, 128 bytes a byte (a partition entry of 6 bytes whose records are refused costs its error,
// its 96-byte answer in a slice and some 33 bytes in a buffer that appends grow: 580 bytes), and
// decoding its batches and legacy message sets, which holds at most maxRequestDecoded in all,
// twice that in buffers grown by doubling, besides the codecs' own state.
func produceBound(n int) uint64 { return uint64(128*n + 2*maxRequestDecoded + codecState) }

// fetchRecordsBound is what a Fetch answer's records may take as KIP-74 has it: from v4 at most
// the larger of max_bytes and the log's largest batch, and no more than the log; before v4, when
// they are down-converted to a message set (and before v3 with no request limit), twice the log.
func (fb *fuzzBroker) fetchRecordsBound(version int16, e *Exchange) int {
	req, _ := e.Request.(*protocol.FetchRequest)
	if version < 4 || req == nil {
		return 2 * fb.logBytes
	}
	return min(fb.logBytes, max(int(req.MaxBytes), fb.largest))
}

// heldBound is what the cluster may hold more after a request of n bytes that created partitions.
// A stored batch is a slice of the request, or a copy stamped with the append time, of 61 bytes at
// least, and takes an 80-byte storedBatch in a slice that appends grow, and if idempotent some 100
// bytes that remember it for its producer: at most 8 bytes a byte. A partition takes an 88-byte
// struct and its replicas, and its topic, which has one partition at least, 64 bytes, its name of
// at most 249, and an entry in the cluster's map: perPartition in all.
func heldBound(n, created int) int { return 8*n + perPartition*created }

// captureBound is what the capture may hold: its frames' buffers, within CaptureBytes, and its
// slice of exchanges, which holds at most twice the latest CaptureLimit, and as much again that
// appends grew it by.
func captureBound() int {
	return fuzzCaptureBytes + int(unsafe.Sizeof(captured{})) + (4*fuzzCaptureLimit+4)*int(unsafe.Sizeof(Exchange{}))
}

// checkCost checks what handling msg cost: it allocated no more than allocBound; a Fetch answer
// holds no more records than fetchRecordsBound, and no more than 4 bytes a byte of the request
// besides; the cluster holds no more than heldBound more
// than it did, and no more partitions than a request may create; the capture holds no more than
// captureBound.
func (fb *fuzzBroker) checkCost(t testing.TB, msg []byte, raw bool, allocated uint64) {
	t.Helper()
	c, n := fb.c, len(msg)
	key, version := protocol.APIKey(-1), int16(-1)
	if raw {
		key = -2
	} else if h, _, err := protocol.ReadRequestHeader(msg[4:]); err == nil {
		key, version = h.APIKey, h.APIVersion
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	partitions, created := c.partitions, c.partitions-fb.basePartitions()
	if limit := fb.allocBound(key, version, n, partitions, &fb.last); allocated > limit {
		t.Errorf("%s v%d: a %d-byte request allocated %d bytes, more than %d", key, version, n, allocated, limit)
	}
	if key == protocol.KeyFetch && fb.last.ResponseBytes != nil {
		if limit := fb.fetchRecordsBound(version, &fb.last) + 4*n + 256; len(fb.last.ResponseBytes) > limit {
			t.Errorf("Fetch v%d: a %d-byte request got a %d-byte answer, more than %d", version, n, len(fb.last.ResponseBytes), limit)
		}
	}
	if limit := min(maxPartitionsPerRequest, fuzzMaxPartitions-fb.basePartitions()); created > limit {
		t.Errorf("%s v%d: a %d-byte request created %d partitions, more than %d", key, version, n, created, limit)
	}
	if held, limit := heldBytes(c.topics)-fb.held, heldBound(n, created); held > limit {
		t.Errorf("%s v%d: after a %d-byte request creating %d partitions the cluster holds %d bytes more, more than %d", key, version, n, created, held, limit)
	}
	if held, limit := heldBytes(&c.captured), captureBound(); c.captured.bytes > fuzzCaptureBytes || held > limit {
		t.Errorf("%s v%d: the capture holds %d bytes of frames and %d in all, more than %d and %d", key, version, c.captured.bytes, held, fuzzCaptureBytes, limit)
	}
}

// basePartitions is how many partitions the base topics have.
func (fb *fuzzBroker) basePartitions() int {
	n := 0
	for _, t := range fb.base {
		n += len(t.partitions)
	}
	return n
}

// The costliest requests of each API known, up to a megabyte each, cost what allocBound, heldBound
// and captureBound say, as every input of FuzzRequestCost must: those of many small entries that
// each get an answer, or repeat one. Metadata described a topic named 50,000 times 50,000 times,
// 95 MB for a 150 KB request, now 5.6 MB; answers grown by append took five times their size:
// 30 MB for 50,000 FindCoordinator keys, now 12 MB; 163 MB for a Fetch of 60,000 partitions, now
// 55 MB; 8.8 MB for 50,000 tagged fields, now 1.6 MB. (The costliest Produce requests, legacy
// message sets of millions of messages, are TestProduceRefusesLegacyBombs'.)
func TestRequestCostWorstCases(t *testing.T) {
	fb := newFuzzBroker(t)
	numbered := func(prefix string) func(int) string { return func(i int) string { return fmt.Sprint(prefix, i) } }
	same := func(s string) func(int) string { return func(int) string { return s } }
	names := func(n int, name func(int) string) []protocol.MetadataRequestTopic {
		out := make([]protocol.MetadataRequestTopic, n)
		for i := range out {
			s := name(i)
			out[i].Name = &s
		}
		return out
	}
	topics := func(n int, name func(int) string) []protocol.CreateTopicsTopic {
		out := make([]protocol.CreateTopicsTopic, n)
		for i := range out {
			out[i] = protocol.CreateTopicsTopic{Name: name(i), NumPartitions: -1, ReplicationFactor: -1}
		}
		return out
	}
	fetch := func(n int, topic string, partition func(int) int32) *protocol.FetchRequest {
		req := &protocol.FetchRequest{ReplicaID: -1, MaxBytes: 1 << 20, Topics: []protocol.FetchTopic{{Topic: topic, TopicID: fb.base["t"].id}}}
		for i := range n {
			req.Topics[0].Partitions = append(req.Topics[0].Partitions, fetchPartition(partition(i), 0, 1<<20))
		}
		return req
	}
	offsets := &protocol.ListOffsetsRequest{ReplicaID: -1, Topics: []protocol.ListOffsetsTopic{{Name: "t"}}}
	for i := range 20_000 {
		offsets.Topics[0].Partitions = append(offsets.Topics[0].Partitions, protocol.ListOffsetsPartition{PartitionIndex: int32(i % 3), Timestamp: 1000, CurrentLeaderEpoch: -1})
	}
	tags := make([]wire.TaggedField, 50_000)
	for i := range tags {
		tags[i].Tag = uint32(i % 100)
	}
	scram := []byte("n,,n=alice,r=" + strings.Repeat("x", 100_000))
	for _, tt := range []struct {
		name    string
		state   uint8
		version int16
		body    protocol.Message
	}{
		{"ApiVersions of 50,000 tagged fields", connNoSASL, 3, &protocol.ApiVersionsRequest{Tags: tags}},
		{"InitProducerId of 50,000 tagged fields", connNoSASL, 4, &protocol.InitProducerIDRequest{ProducerID: -1, ProducerEpoch: -1, Tags: tags}},
		{"SaslAuthenticate of a 100 KB SCRAM message", connScramAuthenticate, 2, &protocol.SaslAuthenticateRequest{AuthBytes: scram}},
		{"Metadata naming t 50,000 times", connNoSASL, 9, &protocol.MetadataRequest{Topics: names(50_000, same("t"))}},
		{"Metadata of 50,000 invalid names", connNoSASL, 1, &protocol.MetadataRequest{Topics: names(50_000, numbered("!"))}},
		{"Metadata creating 4,999 topics", connNoSASL, 1, &protocol.MetadataRequest{Topics: names(4_999, numbered("n"))}},
		{"Metadata failing to create 4,999 topics", connNoSASL, 1, &protocol.MetadataRequest{Topics: names(4_999, numbered("!"))}},
		{"CreateTopics validating 4,999 topics", connNoSASL, 5, &protocol.CreateTopicsRequest{Topics: topics(4_999, numbered("n")), ValidateOnly: true}},
		{"CreateTopics of 50,000 invalid names", connNoSASL, 5, &protocol.CreateTopicsRequest{Topics: topics(50_000, numbered("!"))}},
		{"CreateTopics of 9,999 partitions", connNoSASL, 7, &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{{Name: "u", NumPartitions: 9_999, ReplicationFactor: -1}}}},
		{"FindCoordinator of 50,000 keys", connNoSASL, 4, &protocol.FindCoordinatorRequest{CoordinatorKeys: make([]string, 50_000)}},
		{"Fetch of 60,000 unknown partitions", connNoSASL, 4, fetch(60_000, "u", func(i int) int32 { return int32(i) })},
		{"Fetch naming t's partitions 20,000 times, down-converted", connNoSASL, 0, fetch(20_000, "t", func(i int) int32 { return int32(i % 3) })},
		{"ListOffsets of 20,000 partitions", connNoSASL, 1, offsets},
		{"Produce of 20,000 empty partitions", connNoSASL, 9, &protocol.ProduceRequest{Acks: 1, TopicData: []protocol.ProduceTopic{{Name: "t", PartitionData: make([]protocol.ProducePartition, 20_000)}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			client := "fuzz"
			h := &protocol.RequestHeader{APIKey: tt.body.Key(), APIVersion: tt.version, ClientID: &client}
			fb.serve(t, tt.state, protocol.AppendRequest(nil, h, tt.body)[4:])
		})
	}
	t.Run("a raw SCRAM token of 100 KB", func(t *testing.T) { fb.serve(t, connScramTokens, scram) })
}
