package mockbroker

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// FuzzHandleFrame feeds request frames to a broker, prefixed with their size as readFrame hands
// them over: whatever the bytes, the broker must answer or close the connection, never panic, and
// keep serving. Fetch frames are left to FuzzFetch, which keeps them from waiting for data.
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
		if n := bomb.Allocated(func() { cc.handle(sized(frame)) }); n > produceBound(len(frame)) {
			t.Fatalf("a %d-byte Produce request allocated %d bytes, more than %d", len(frame), n, produceBound(len(frame)))
		}
	})
}

// FuzzFetch feeds Fetch request frames, with max_wait_ms set to 0 where they decode, to a broker
// whose log holds batches of every codec. Whatever the request names, the broker must not panic,
// and an answer must stay within what KIP-74 allows: its records from v4 at most the larger of
// max_bytes and the largest batch, and before v4 (down-converted, without a request limit before
// v3) at most twice the log; the rest of it at most four bytes per byte of the request.
func FuzzFetch(f *testing.F) {
	var answer []byte
	c, err := NewCluster(CaptureLimit(0), Topic("t", 3), OnExchange(func(e Exchange) { answer = e.ResponseBytes }))
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	largest, total := fillFuzzLog(f, c)
	client, id := "fuzz", c.topics["t"].id
	for _, v := range []int16{0, 3, 4, 12, 13, 17} {
		for _, maxBytes := range []int32{1, 3000, 1 << 20} {
			req := limitedFetch(maxBytes, fetchPartition(0, 0, 1), fetchPartition(1, 0, maxBytes), fetchPartition(0, 2, 1<<20), fetchPartition(2, 0, 1))
			for i := range req.Topics {
				req.Topics[i].TopicID = id
			}
			h := &protocol.RequestHeader{APIKey: protocol.KeyFetch, APIVersion: v, CorrelationID: 7, ClientID: &client}
			f.Add(protocol.AppendRequest(nil, h, req)[4:])
		}
	}
	server, peer := net.Pipe()
	defer server.Close()
	go io.Copy(io.Discard, peer)
	cc := &clientConn{id: 1, broker: c.brokers[0], conn: server}
	f.Fuzz(func(t *testing.T, frame []byte) {
		h, body, err := protocol.ReadRequestHeader(frame)
		if err != nil || h.APIKey != protocol.KeyFetch {
			return
		}
		msg, req := sized(frame), &protocol.FetchRequest{}
		if req.Decode(body, h.APIVersion) == nil {
			req.MaxWaitMs = 0
			msg = protocol.AppendRequest(nil, &h, req)
		}
		answer = nil
		cc.handle(msg)
		records := 2 * total
		if h.APIVersion >= 4 {
			records = min(total, max(int(req.MaxBytes), largest))
		}
		if limit := records + 4*len(msg) + 256; len(answer) > limit {
			t.Fatalf("v%d: a %d-byte request (max_bytes %d) got a %d-byte answer; want at most %d", h.APIVersion, len(msg), req.MaxBytes, len(answer), limit)
		}
	})
}

// fillFuzzLog produces to t/0 a batch of each codec, of several records of 100 to 700 random
// bytes, and to t/1 one batch of 3,000 bytes, leaving t/2 empty; it returns the largest batch's
// size and the log's.
func fillFuzzLog(f *testing.F, c *Cluster) (largest, total int) {
	tc := dialTest(f, c.Addrs()[0])
	rng := rand.New(rand.NewPCG(1, 2))
	value := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return string(b)
	}
	add := func(partition int32, batch []byte) {
		if pr := produce(tc, 9, 1, "t", partition, batch); pr.ErrorCode != 0 {
			f.Fatalf("produce: error %d", pr.ErrorCode)
		}
		largest, total = max(largest, len(batch)), total+len(batch)
	}
	for _, codec := range wire.Codecs {
		add(0, batchOf(f, -1, 0, 0, codec, value(100), value(700), value(300)))
	}
	add(1, batchOf(f, -1, 0, 0, wire.CodecNone, value(3000)))
	return largest, total
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
