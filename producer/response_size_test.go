package producer

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// testBatch is a record batch of n records of 10 bytes each.
func testBatch(t *testing.T, n int) []byte {
	t.Helper()
	b := &wire.RecordBatch{BatchHeader: wire.BatchHeader{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}}
	for range n {
		b.Records = append(b.Records, wire.Record{Timestamp: 1000, Value: bytes.Repeat([]byte{'v'}, 10)})
	}
	data, err := wire.AppendRecordBatch(nil, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// long is a string of n bytes.
func long(n int) *string {
	s := strings.Repeat("x", n)
	return &s
}

// TestResponseBounds: each request the producer sends has a bound that holds the largest answer
// Kafka could give it — every field at its longest, lists as long as a large cluster makes them —
// and no more than a stated ceiling, far below the 100 MiB the producer once allowed every answer.
func TestResponseBounds(t *testing.T) {
	topic := *long(249)
	records := testBatch(t, 1000)
	produce := &protocol.ProduceRequest{Acks: -1}
	for i := range 2 {
		pt := protocol.ProduceTopic{Name: fmt.Sprint(i, topic)[:249]}
		for p := range 3 {
			pt.PartitionData = append(pt.PartitionData, protocol.ProducePartition{Index: int32(p), Records: records})
		}
		produce.TopicData = append(produce.TopicData, pt)
	}
	for _, tc := range []struct {
		name    string
		version int16
		req     protocol.Message
		largest protocol.Message // the largest answer to req
		ceiling int32            // the bound is at most this
	}{
		{"ApiVersions: every API key an int16 names, and 60 KiB of features", 3, &protocol.ApiVersionsRequest{}, largestApiVersions(), 300 << 10},
		{"InitProducerId", 5, &protocol.InitProducerIDRequest{}, &protocol.InitProducerIDResponse{ProducerID: 1 << 60}, 4 << 10},
		{"SaslHandshake: 2,000 mechanisms", 1, &protocol.SaslHandshakeRequest{}, largestSaslHandshake(), 68 << 10},
		{"SaslAuthenticate: a Kerberos-sized token and a message", 2, &protocol.SaslAuthenticateRequest{},
			&protocol.SaslAuthenticateResponse{ErrorCode: 58, ErrorMessage: long(400), AuthBytes: make([]byte, 65535), SessionLifetimeMs: 1}, 70 << 10},
		{"Metadata of no topic: 10,000 brokers", 12, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{}}, largestMetadata(0, 0), 6 << 20},
		{"Metadata of a topic of 100,000 partitions with five replicas", 8, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{Name: &topic}}},
			largestMetadata(1, 100_000), 14 << 20},
		{"Metadata of 1,000 topics", 12, metadataRequest(1000), largestMetadata(1000, 1), 95 << 20},
		{"Produce: 6 partitions of 1,000 records, each refused", 12, produce, largestProduce(produce, 1000), 4 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bound := responseBound(tc.req)
			size := len(protocol.AppendResponse(nil, 1, tc.version, tc.largest)) - 4
			if size > int(bound) || bound > tc.ceiling {
				t.Fatalf("bound %d, for an answer of %d bytes; want it between them and %d", bound, size, tc.ceiling)
			}
			t.Logf("bound %d, largest answer %d", bound, size)
		})
	}
}

func largestApiVersions() *protocol.ApiVersionsResponse {
	resp := &protocol.ApiVersionsResponse{Tags: []wire.TaggedField{{Tag: 0, Data: make([]byte, 60<<10)}}}
	for k := range 1 << 15 {
		resp.APIKeys = append(resp.APIKeys, protocol.ApiVersion{APIKey: protocol.APIKey(k), MaxVersion: 20})
	}
	return resp
}

func largestSaslHandshake() *protocol.SaslHandshakeResponse {
	resp := &protocol.SaslHandshakeResponse{}
	for i := range 2000 {
		resp.Mechanisms = append(resp.Mechanisms, fmt.Sprintf("MECHANISM-%010d", i))
	}
	return resp
}

func metadataRequest(topics int) *protocol.MetadataRequest {
	req := &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{}}
	for i := range topics {
		req.Topics = append(req.Topics, protocol.MetadataRequestTopic{Name: long(i%249 + 1)})
	}
	return req
}

// largestMetadata is a Metadata response listing 10,000 brokers with host names and racks of
// 240 bytes, and topics of 249-byte names with partitions each, of five replicas.
func largestMetadata(topics, partitions int) *protocol.MetadataResponse {
	resp := &protocol.MetadataResponse{ClusterID: long(22), ControllerID: 1}
	for id := range int32(10_000) {
		resp.Brokers = append(resp.Brokers, protocol.MetadataBroker{NodeID: id, Host: *long(240), Port: 9092, Rack: long(240)})
	}
	replicas := []int32{1, 2, 3, 4, 5}
	for range topics {
		mt := protocol.MetadataTopic{Name: long(249), TopicID: protocol.UUID{1}}
		for p := range int32(partitions) {
			mt.Partitions = append(mt.Partitions, protocol.MetadataPartition{PartitionIndex: p, LeaderID: 1, LeaderEpoch: 1 << 30,
				ReplicaNodes: replicas, IsrNodes: replicas, OfflineReplicas: replicas})
		}
		resp.Topics = append(resp.Topics, mt)
	}
	return resp
}

// largestProduce is the answer to req refusing each of its records with a message as long as
// Kafka's longest, naming a leader of its own for each partition.
func largestProduce(req *protocol.ProduceRequest, records int) *protocol.ProduceResponse {
	resp := &protocol.ProduceResponse{}
	for _, t := range req.TopicData {
		rt := protocol.ProduceTopicResponse{Name: t.Name}
		for _, p := range t.PartitionData {
			rp := protocol.ProducePartitionResponse{Index: p.Index, ErrorCode: 87, BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: 1 << 40,
				ErrorMessage: long(400), CurrentLeader: &protocol.LeaderIDAndEpoch{LeaderID: 1 << 20, LeaderEpoch: 1 << 20}}
			for i := range int32(records) {
				rp.RecordErrors = append(rp.RecordErrors, protocol.ProduceRecordError{BatchIndex: i, BatchIndexErrorMessage: long(400)})
			}
			rt.PartitionResponses = append(rt.PartitionResponses, rp)
			resp.NodeEndpoints = append(resp.NodeEndpoints, protocol.NodeEndpoint{NodeID: 1 << 20, Host: *long(240), Port: 9092, Rack: long(240)})
		}
		resp.Responses = append(resp.Responses, rt)
	}
	return resp
}

// inflatingDialer connects the producer to broker 0 of c over pipes, through a relay that pads
// the answer to every request of API key to one byte more than the producer allows it.
func inflatingDialer(c *mockbroker.Cluster, key protocol.APIKey) func(context.Context, string) (net.Conn, error) {
	return func(ctx context.Context, addr string) (net.Conn, error) {
		client, relay := net.Pipe()
		toBroker, server := net.Pipe()
		go c.ServeConn(server, 0)
		bounds := make(chan int32, 1024) // for each request in order: its answer's new size, or -1
		go relayRequests(relay, toBroker, key, bounds)
		go relayResponses(toBroker, relay, bounds)
		return client, nil
	}
}

// relayRequests passes requests on, and for each the size its answer is to have.
func relayRequests(from, to net.Conn, key protocol.APIKey, bounds chan<- int32) {
	defer to.Close()
	in, out := wire.NewFramer(nil, from), wire.NewFramer(to, nil)
	in.SetMaxReadFrameSize(64 << 20)
	for {
		frame, err := in.ReadFrame()
		if err != nil {
			return
		}
		size := int32(-1)
		if h, body, err := protocol.ReadRequestHeader(frame[4:]); err == nil && h.APIKey == key {
			req := protocol.NewRequest(key)
			if req.Decode(body, h.APIVersion) == nil {
				size = responseBound(req) + 1
			}
		}
		bounds <- size
		if out.WriteFrame(frame) != nil {
			return
		}
	}
}

// relayResponses passes answers on, padded to the size relayRequests chose for them.
func relayResponses(from, to net.Conn, sizes <-chan int32) {
	defer to.Close()
	in, out := wire.NewFramer(nil, from), wire.NewFramer(to, nil)
	in.SetMaxReadFrameSize(64 << 20)
	for {
		frame, err := in.ReadFrame()
		if err != nil {
			return
		}
		if size := <-sizes; size >= 0 {
			frame = append(frame, make([]byte, 4+int(size)-len(frame))...)
			binary.BigEndian.PutUint32(frame, uint32(size))
		}
		if out.WriteFrame(frame) != nil {
			return
		}
	}
}

// TestResponseOverItsBound: an answer one byte larger than its request's bound closes the
// connection with an error naming the API, the size and the bound — during the setup of the
// connection and after it.
func TestResponseOverItsBound(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	topic := "t"
	for _, tc := range []struct {
		key      protocol.APIKey
		versions protocol.VersionRange
		req      protocol.Message
		resp     protocol.Message
	}{
		{protocol.KeyApiVersions, protocol.VersionRange{}, nil, nil},
		{protocol.KeyMetadata, metadataVersions, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{Name: &topic}}}, &protocol.MetadataResponse{}},
		{protocol.KeyInitProducerID, initProducerIDVersions, &protocol.InitProducerIDRequest{ProducerID: -1, ProducerEpoch: -1}, &protocol.InitProducerIDResponse{}},
		{protocol.KeyProduce, produceVersions, &protocol.ProduceRequest{Acks: -1, TimeoutMs: 1000, TopicData: []protocol.ProduceTopic{{
			Name: topic, PartitionData: []protocol.ProducePartition{{Records: testBatch(t, 3)}}}}}, &protocol.ProduceResponse{}},
	} {
		t.Run(tc.key.String(), func(t *testing.T) {
			cfg := testConfig(c)
			cfg.Dialer = inflatingDialer(c, tc.key)
			conn, err := dialBroker(context.Background(), "relay", &cfg, &security{})
			if err == nil {
				defer conn.close(errConnClosed)
				v, verr := conn.version(tc.key, tc.versions)
				if verr != nil {
					t.Fatal(verr)
				}
				err = conn.roundTrip(context.Background(), v, tc.req, tc.resp)
				if !conn.isClosed() {
					t.Error("the connection is still open")
				}
			}
			var bad *responseSizeError
			if !errors.As(err, &bad) || bad.key != tc.key || bad.size != bad.bound+1 {
				t.Fatalf("%v, want a *responseSizeError for %s one byte over its bound", err, tc.key)
			}
			want := fmt.Sprintf("%s response size %d outside 0..%d, the most its request can be answered with", tc.key, bad.size, bad.bound)
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("%q, want it to say %q", err, want)
			}
		})
	}
}

// TestRawTokenOverItsBound: after SaslHandshake v0, a bare token from the broker larger than a SASL
// server message can be ends the authentication with the error, unread.
func TestRawTokenOverItsBound(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Dialer = func(ctx context.Context, addr string) (net.Conn, error) {
		client, server := net.Pipe()
		go tokenBomber(server, maxSASLToken+1)
		return client, nil
	}
	sec := &security{mechanism: sasl.MechanismPlain, user: "alice", password: "secret"}
	_, err := dialBroker(context.Background(), "bomber", &cfg, sec)
	var bad *responseSizeError
	if !errors.As(err, &bad) || *bad != (responseSizeError{key: protocol.KeySaslAuthenticate, size: maxSASLToken + 1, bound: maxSASLToken}) {
		t.Fatalf("%v, want a *responseSizeError for a token one byte over %d", err, maxSASLToken)
	}
}

// tokenBomber plays a broker from before SaslAuthenticate (Kafka 0.10): it serves ApiVersions and
// SaslHandshake, then answers the first bare token with the size of one of size bytes, and closes.
func tokenBomber(conn net.Conn, size int32) {
	defer conn.Close()
	f := wire.NewFramer(conn, conn)
	answers := []protocol.Message{
		&protocol.ApiVersionsResponse{APIKeys: []protocol.ApiVersion{
			{APIKey: protocol.KeyApiVersions, MaxVersion: 3}, {APIKey: protocol.KeySaslHandshake, MaxVersion: 1}}},
		&protocol.SaslHandshakeResponse{Mechanisms: []string{sasl.MechanismPlain}},
	}
	for _, resp := range answers {
		frame, err := f.ReadFrame()
		if err != nil {
			return
		}
		h, _, err := protocol.ReadRequestHeader(frame[4:])
		if err != nil || f.WriteFrame(protocol.AppendResponse(f.WriteBuffer(), h.CorrelationID, h.APIVersion, resp)) != nil {
			return
		}
	}
	if _, err := f.ReadFrame(); err == nil {
		conn.Write(binary.BigEndian.AppendUint32(nil, uint32(size)))
	}
}
