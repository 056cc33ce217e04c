package producer

// How large an answer may be. Each request the producer sends has a bound on its response, from
// what the request asks and the response's layout in Kafka's message specs, with room to spare: a
// response larger than that is a broker, or something posing as one, gone wrong, and the
// connection closes rather than read it. No response carries records the producer asked for, so
// none of the bounds follows message.max.bytes or fetch.max.bytes; a Produce response grows with
// the partitions and records its request sends, a Metadata response with the topics it names.
// The rooms below are for totals: a long host name in one broker's entry takes another's room.

import (
	"fmt"
	"math"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

const (
	// headRoom is a response's header, its top-level fields, and tagged fields a broker adds
	// (flexible versions, KIP-482) where the producer expects none.
	headRoom = 4 << 10
	// messageRoom is one error message. Kafka's are a sentence naming a topic partition (a topic
	// name is at most 249 bytes) and a few numbers: "Compacted topic cannot accept message
	// without key in topic partition …" is at most 330 bytes.
	messageRoom = 512
	// brokerRoom is one broker's entry in Metadata's brokers or Produce's node endpoints: an id
	// and a port, a host name (at most 253 bytes in DNS) and a rack id, with their lengths.
	brokerRoom = 512
	// maxBrokers is the brokers a Metadata response may list: more than any Kafka cluster has.
	maxBrokers = 10_000
	// topicRoom is a topic's entry in a Metadata response, without its partitions: error, name
	// (at most 249 bytes), topic id, internal flag, authorized operations, lengths.
	topicRoom = 320
	// metadataPartitionRoom is a partition's entry in a Metadata response: error, index, leader
	// and leader epoch (14 bytes), then the replica, in-sync and offline lists (4 bytes of length
	// and 4 a broker) of five replicas each, and tagged fields.
	metadataPartitionRoom = 14 + 3*(4+4*5) + 1
	// maxTopicPartitions is the partitions a topic may have, and maxPartitions those of all the
	// topics a Metadata response answers for: a topic of 100,000 partitions with five replicas
	// each is 8.7 MB, ten times the 10,000 partitions Kafka's controller creates at once; 1,000,000
	// partitions (87 MB) are more than Kafka clusters hold.
	maxTopicPartitions = 100_000
	maxPartitions      = 1_000_000
	// producePartitionRoom is a partition's entry in a Produce response: index, error, base
	// offset, log append time and log start offset (30 bytes), the current leader and lengths,
	// its error message and its leader's node endpoint (KIP-951).
	producePartitionRoom = 64 + messageRoom + brokerRoom
	// recordErrorRoom is one record's error in a Produce response (v8+, KIP-467), which Kafka
	// sends for every record of a batch it refuses for them: a batch index and a message.
	recordErrorRoom = 8 + messageRoom
	// apiVersionsRoom is an ApiVersions response: every API key an int16 can name at 7 bytes (a
	// broker serves about 90), and 64 KiB for the features it supports and finalized (v3+).
	apiVersionsRoom = (1<<15)*7 + 64<<10
	// saslMechanismsRoom is the mechanisms a SaslHandshake response lists: SASL names have at
	// most 20 characters (RFC 4422), so 64 KiB holds thousands; Kafka knows five.
	saslMechanismsRoom = 64 << 10
	// maxSASLToken is a SASL server message: SCRAM's longest (its first, with the nonce, salt and
	// iteration count) is a few hundred bytes, PLAIN's empty; a Kerberos token, the longest any
	// mechanism Kafka knows has, is at most 65,535 bytes.
	maxSASLToken = 64 << 10
)

// responseBound is the largest response that req may be answered with, size prefix excluded.
func responseBound(req protocol.Message) int32 {
	var n int64
	switch req := req.(type) {
	case *protocol.ApiVersionsRequest:
		n = apiVersionsRoom
	case *protocol.SaslHandshakeRequest:
		n = saslMechanismsRoom
	case *protocol.SaslAuthenticateRequest:
		n = messageRoom + maxSASLToken
	case *protocol.InitProducerIDRequest:
		// Its fields take 26 bytes: headRoom is plenty.
	case *protocol.MetadataRequest:
		n = metadataRoom(int64(len(req.Topics)))
	case *protocol.ProduceRequest:
		n = produceRoom(req)
	default:
		panic(fmt.Sprintf("producer: no response bound for %s requests", req.Key()))
	}
	return int32(min(headRoom+n, math.MaxInt32))
}

// metadataRoom is what a Metadata response may take beyond headRoom for a request naming topics
// (the producer always names them): every broker, and those topics with all their partitions.
func metadataRoom(topics int64) int64 {
	partitions := min(topics*maxTopicPartitions, maxPartitions)
	return maxBrokers*brokerRoom + topics*topicRoom + partitions*metadataPartitionRoom
}

// produceRoom is what the response to req may take beyond headRoom: an entry for each topic and
// partition it sends to, and an error for each record it sends.
func produceRoom(req *protocol.ProduceRequest) int64 {
	var n int64
	for _, t := range req.TopicData {
		n += int64(len(t.Name)) + 32
		for _, p := range t.PartitionData {
			n += producePartitionRoom + recordErrorRoom*recordsIn(p.Records)
		}
	}
	return n
}

// recordsIn is the number of records the batches in records hold, by their headers.
func recordsIn(records []byte) int64 {
	var n int64
	for len(records) > 0 {
		h, err := wire.ReadBatchHeader(records)
		if err != nil {
			break // the producer's own batches always have whole headers
		}
		n += int64(h.NumRecords)
		records = records[h.Size():]
	}
	return n
}

// responseSizeError is a response whose size prefix is outside what its request may be answered
// with. A bare SASL token after SaslHandshake v0 counts as a SaslAuthenticate response, which
// wraps such tokens from v1 on (KIP-152).
type responseSizeError struct {
	key         protocol.APIKey
	size, bound int32
}

func (e *responseSizeError) Error() string {
	return fmt.Sprintf("%s response size %d outside 0..%d, the most its request can be answered with", e.key, e.size, e.bound)
}

// tlsRecord reports whether the prefix's bytes begin a TLS record: a content type from
// change_cipher_spec (20) to application_data (23), then major version 3. That is what a TLS
// listener answers a connection without TLS with, when it answers at all (Java's sends an alert).
func (e *responseSizeError) tlsRecord() bool {
	s := uint32(e.size)
	return s>>24 >= 20 && s>>24 <= 23 && s>>16&0xff == 3
}
