package mockbroker

import (
	"slices"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// fuzzSeed is an input of FuzzRequestCost: a connection state and a frame without its size.
type fuzzSeed struct {
	state uint8
	frame []byte
}

// fuzzSeeds are requests of every API the broker serves, at versions old and new, on a connection
// without SASL, and SASL exchanges in each state; they name the base topics of fb, whose log holds
// a batch of each codec.
func fuzzSeeds(f testing.TB, fb *fuzzBroker) []fuzzSeed {
	var seeds []fuzzSeed
	add := func(state uint8, version int16, body protocol.Message) {
		client := "fuzz"
		h := &protocol.RequestHeader{APIKey: body.Key(), APIVersion: version, CorrelationID: 7, ClientID: &client}
		seeds = append(seeds, fuzzSeed{state, protocol.AppendRequest(nil, h, body)[4:]})
	}
	for _, v := range []int16{0, 3, 4} {
		add(connNoSASL, v, &protocol.ApiVersionsRequest{ClientSoftwareName: "fuzz", ClientSoftwareVersion: "1"})
	}
	for _, seed := range slices.Concat(metadataSeeds(fb), produceSeeds(f, fb), fetchSeeds(fb), otherSeeds(fb)) {
		add(connNoSASL, seed.version, seed.body)
	}
	add(connNoSASL, 1, &protocol.SaslHandshakeRequest{Mechanism: "PLAIN"})
	add(connBeforeHandshake, 1, &protocol.SaslHandshakeRequest{Mechanism: "SCRAM-SHA-256"})
	add(connBeforeHandshake, 0, &protocol.SaslHandshakeRequest{Mechanism: "PLAIN"})
	add(connAuthenticated, 1, &protocol.SaslHandshakeRequest{Mechanism: "PLAIN"})
	add(connAuthenticated, 9, produceReq(1, "t", 0, batchOf(f, -1, 0, 0, wire.CodecNone, "a")))
	plain, scram := []byte("\x00alice\x00pw"), []byte("n,,n=alice,r=abcdef")
	for _, v := range []int16{0, 1, 2} {
		add(connPlainAuthenticate, v, &protocol.SaslAuthenticateRequest{AuthBytes: plain})
		add(connScramAuthenticate, v, &protocol.SaslAuthenticateRequest{AuthBytes: scram})
	}
	seeds = append(seeds, fuzzSeed{connPlainTokens, plain}, fuzzSeed{connScramTokens, scram})
	unknownKey := protocol.AppendRequest(nil, &protocol.RequestHeader{APIKey: 99, CorrelationID: 7}, &protocol.ApiVersionsRequest{})
	seeds = append(seeds, fuzzSeed{connNoSASL, unknownKey[4:]})
	add(connNoSASL, 99, &protocol.ApiVersionsRequest{}) // answered at v0
	add(connNoSASL, 99, &protocol.FetchRequest{})
	return seeds
}

// versioned is a request body and the version to send it at.
type versioned struct {
	version int16
	body    protocol.Message
}

// metadataSeeds are Metadata requests for all topics, for topics by name, one of them unknown,
// with and without auto-creation, and by id.
func metadataSeeds(fb *fuzzBroker) []versioned {
	known, unknown := "t", "u"
	byName := []protocol.MetadataRequestTopic{{Name: &known}, {Name: &unknown}}
	return []versioned{
		{0, &protocol.MetadataRequest{}},
		{1, &protocol.MetadataRequest{Topics: byName}},
		{4, &protocol.MetadataRequest{Topics: byName, AllowAutoTopicCreation: true}},
		{9, &protocol.MetadataRequest{Topics: byName, AllowAutoTopicCreation: true, IncludeTopicAuthorizedOperations: true}},
		{12, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{TopicID: fb.base["t"].id}, {Name: &unknown}}}},
		{13, &protocol.MetadataRequest{}},
	}
}

// produceSeeds are Produce requests of batches of each codec, idempotent or not, to a topic with
// log-append time, by topic id, of a legacy message set, and of a batch of 8 million headers that
// the broker refuses.
func produceSeeds(f testing.TB, fb *fuzzBroker) []versioned {
	legacy, err := wire.AppendMessageSet(nil, []wire.LegacyMessage{{Value: []byte("a")}, {Value: []byte("b")}}, 1, wire.CodecGzip)
	if err != nil {
		f.Fatal(err)
	}
	byID := produceReq(-1, "", 2, batchOf(f, -1, 0, 0, wire.CodecNone, "a"))
	byID.TopicData[0].TopicID = fb.base["t"].id
	seeds := []versioned{
		{2, produceReq(1, "t", 2, legacy)},
		{3, produceReq(1, "t", 2, batchOf(f, -1, 0, 0, wire.CodecGzip, "a", "b"))},
		{9, produceReq(-1, "t", 2, batchOf(f, 1, 0, 0, wire.CodecNone, "a", "b"))},
		{9, produceReq(0, "lat", 0, batchOf(f, -1, 0, 0, wire.CodecNone, "a"))},
		{9, produceReq(1, "t", 1, bombBatch(f, bomb.Spec{Records: 1, Headers: 8_000_000}))},
		{13, byID},
	}
	for _, codec := range wire.Codecs {
		seeds = append(seeds, versioned{11, produceReq(1, "t", 2, batchOf(f, -1, 0, 0, codec, "a", "b"))})
	}
	return seeds
}

// fetchSeeds are Fetch requests from v0 (down-converted) to v18, within a max_bytes of one byte,
// of a batch and of the log, naming a partition twice, a partition led elsewhere (none: one
// broker) and an empty one.
func fetchSeeds(fb *fuzzBroker) []versioned {
	var seeds []versioned
	id := fb.base["t"].id
	for _, v := range []int16{0, 3, 4, 12, 13, 17, 18} {
		for _, maxBytes := range []int32{1, 3000, 1 << 20} {
			req := limitedFetch(maxBytes, fetchPartition(0, 0, 1), fetchPartition(1, 0, maxBytes), fetchPartition(0, 2, 1<<20), fetchPartition(2, 0, 1))
			for i := range req.Topics {
				req.Topics[i].TopicID = id
			}
			seeds = append(seeds, versioned{v, req})
		}
	}
	return seeds
}

// otherSeeds are requests of the APIs that neither produce nor fetch.
func otherSeeds(fb *fuzzBroker) []versioned {
	txn, value := "txn", "LogAppendTime"
	offsets := func(ts ...int64) *protocol.ListOffsetsRequest {
		req := &protocol.ListOffsetsRequest{ReplicaID: -1, Topics: []protocol.ListOffsetsTopic{{Name: "t"}}}
		for _, t := range ts {
			req.Topics[0].Partitions = append(req.Topics[0].Partitions, protocol.ListOffsetsPartition{Timestamp: t, CurrentLeaderEpoch: -1, MaxNumOffsets: 1})
		}
		return req
	}
	return []versioned{
		{0, offsets(-1, -2)},
		{1, offsets(1000, 2000)},
		{7, offsets(-3, 1000)},
		{9, offsets(-5, -4)},
		{0, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 1000}},
		{4, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 1000, ProducerID: 5, ProducerEpoch: 2}},
		{5, &protocol.InitProducerIDRequest{TransactionalID: &txn, TransactionTimeoutMs: 1000, ProducerID: -1, ProducerEpoch: -1}},
		{6, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 1000, ProducerID: -1, ProducerEpoch: -1}},
		{0, &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{{Name: "u", NumPartitions: 2, ReplicationFactor: 1}}}},
		{5, &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{{Name: "u", NumPartitions: -1, ReplicationFactor: -1,
			Configs: []protocol.CreateTopicsConfig{{Name: "message.timestamp.type", Value: &value}}}}}},
		{7, &protocol.CreateTopicsRequest{ValidateOnly: true, Topics: []protocol.CreateTopicsTopic{{Name: "u", NumPartitions: 9_999, ReplicationFactor: -1}}}},
		{7, &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{{Name: "u", NumPartitions: -1, ReplicationFactor: -1,
			Assignments: []protocol.CreateTopicsAssignment{{PartitionIndex: 0, BrokerIDs: []int32{0}}, {PartitionIndex: 1, BrokerIDs: []int32{0}}}}, {Name: "t", NumPartitions: 1, ReplicationFactor: 1}}}},
		{0, &protocol.FindCoordinatorRequest{CoordinatorKey: "g"}},
		{3, &protocol.FindCoordinatorRequest{CoordinatorKey: "g", KeyType: protocol.CoordinatorTransaction}},
		{6, &protocol.FindCoordinatorRequest{KeyType: protocol.CoordinatorGroup, CoordinatorKeys: []string{"g", "h"}}},
	}
}
