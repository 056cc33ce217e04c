package mockbroker

import (
	"encoding/binary"
	"io"
	"net"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// FuzzHandleFrame feeds request frames to a broker, prefixed with their size as readFrame hands
// them over: whatever the bytes, the broker must answer or close the connection, never panic, and
// keep serving. Fetch frames are left out: a valid one may wait for data as long as it asks.
// Handling a Produce request of record batches (v3+) must allocate no more than produceBound.
func FuzzHandleFrame(f *testing.F) {
	client := "fuzz"
	name := "t"
	for _, seed := range []struct {
		version int16
		body    protocol.Message
	}{
		{3, &protocol.ApiVersionsRequest{ClientSoftwareName: "fuzz", ClientSoftwareVersion: "1"}},
		{12, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{Name: &name}}, AllowAutoTopicCreation: true}},
		{9, produceReq(1, "t", 0, batchOf(f, -1, 0, 0, 0, "a", "b"))},
		{9, produceReq(1, "t", 1, bombBatch(f, bomb.Spec{Records: 1, Headers: 8_000_000}))},
		{2, produceReq(-1, "t", 0, batchOf(f, -1, 0, 0, 0, "a", "b"))},
		{4, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 1000, ProducerID: -1, ProducerEpoch: -1}},
		{7, &protocol.ListOffsetsRequest{ReplicaID: -1, Topics: []protocol.ListOffsetsTopic{{Name: "t", Partitions: []protocol.ListOffsetsPartition{{Timestamp: -1}}}}}},
		{7, &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{{Name: "u", NumPartitions: 2, ReplicationFactor: -1}}}},
		{0, &protocol.FindCoordinatorRequest{CoordinatorKey: "g"}},
		{6, &protocol.FindCoordinatorRequest{KeyType: protocol.CoordinatorTransaction, CoordinatorKeys: []string{"g", "txn"}}},
		{1, &protocol.SaslHandshakeRequest{Mechanism: "PLAIN"}},
		{2, &protocol.SaslAuthenticateRequest{AuthBytes: []byte("\x00u\x00p")}},
	} {
		h := &protocol.RequestHeader{APIKey: seed.body.Key(), APIVersion: seed.version, CorrelationID: 7, ClientID: &client}
		f.Add(protocol.AppendRequest(nil, h, seed.body)[4:])
	}
	c, err := NewCluster(CaptureLimit(0), Topic("t", 2))
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	server, peer := net.Pipe()
	defer server.Close()
	go io.Copy(io.Discard, peer)
	cc := &clientConn{id: 1, broker: c.brokers[0], conn: server}
	f.Fuzz(func(t *testing.T, frame []byte) {
		if len(frame) >= 2 && protocol.APIKey(binary.BigEndian.Uint16(frame)) == protocol.KeyFetch {
			return
		}
		if !isProduceV3(frame) {
			cc.handle(sized(frame))
			return
		}
		if n := allocated(func() { cc.handle(sized(frame)) }); n > produceBound(len(frame)) {
			t.Fatalf("a %d-byte Produce request allocated %d bytes, more than %d", len(frame), n, produceBound(len(frame)))
		}
	})
}

// isProduceV3 reports whether frame is a Produce request of v3 or later, which carries record
// batches.
func isProduceV3(frame []byte) bool {
	return len(frame) >= 4 && protocol.APIKey(binary.BigEndian.Uint16(frame)) == protocol.KeyProduce &&
		int16(binary.BigEndian.Uint16(frame[2:])) >= 3
}

// produceBound is what handling a Produce request of n bytes may allocate: decoding it, a small
// multiple of n, and decompressing its batches into at most maxRequestDecoded bytes in all, twice
// that in buffers grown by doubling, besides the decompressors' own state.
func produceBound(n int) uint64 { return uint64(64*n + 2*maxRequestDecoded + 32<<20) }

// sized is frame with its size prefix, as a broker reads it.
func sized(frame []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(frame))), frame...)
}

// FuzzHandleSASLToken feeds a SASL broker, after a SaslHandshake for PLAIN or SCRAM-SHA-256 (v1,
// or v0 for raw tokens), a frame: a SaslAuthenticate request after v1, a bare token after v0. The
// broker must answer or close, never panic.
func FuzzHandleSASLToken(f *testing.F) {
	client := "fuzz"
	for _, mech := range []uint8{0, 1} {
		for _, raw := range []bool{false, true} {
			token := []byte("\x00alice\x00pw")
			if mech == 1 {
				token = []byte("n,,n=alice,r=abcdef")
			}
			frame := token
			if !raw {
				h := &protocol.RequestHeader{APIKey: protocol.KeySaslAuthenticate, APIVersion: 2, CorrelationID: 9, ClientID: &client}
				frame = protocol.AppendRequest(nil, h, &protocol.SaslAuthenticateRequest{AuthBytes: token})[4:]
			}
			f.Add(mech, raw, frame)
		}
	}
	c, err := NewCluster(CaptureLimit(0), SASLUsers("PLAIN", map[string]string{"alice": "pw"}), SASLUsers("SCRAM-SHA-256", map[string]string{"alice": "pw"}))
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	server, peer := net.Pipe()
	defer server.Close()
	go io.Copy(io.Discard, peer)
	f.Fuzz(func(t *testing.T, mech uint8, raw bool, frame []byte) {
		cc := &clientConn{id: 1, broker: c.brokers[0], conn: server, sasl: newSASLConn(c.cfg.saslUsers)}
		version := int16(1)
		if raw {
			version = 0
		}
		h := &protocol.RequestHeader{APIKey: protocol.KeySaslHandshake, APIVersion: version, CorrelationID: 1, ClientID: &client}
		hs := &protocol.SaslHandshakeRequest{Mechanism: []string{"PLAIN", "SCRAM-SHA-256"}[mech%2]}
		if !cc.handle(protocol.AppendRequest(nil, h, hs)) {
			t.Fatal("the handshake closed the connection")
		}
		cc.handle(sized(frame))
	})
}
