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

// FuzzRequestCost feeds a frame to a connection of a broker that serves every API and version
// kwire implements, in one of the SASL states of fuzzConnStates (state modulo their number), and
// captures the latest 16 exchanges within 64 KiB, a budget small enough that what the capture
// holds beyond it shows. Whatever the bytes, the broker must answer or close the connection, never
// panic, and the request must cost no more than its bounds say (see checkCost): what handling it
// allocates, what the cluster holds after it, and what the capture keeps. Every input starts from
// the same cluster, whose log holds a batch of each codec, so that what fails replays alone; a
// Fetch waits for nothing (max_wait_ms 0).
func FuzzRequestCost(f *testing.F) {
	fb := newFuzzBroker(f)
	for _, s := range fuzzSeeds(f, fb) {
		f.Add(s.state, s.frame)
	}
	f.Fuzz(func(t *testing.T, state uint8, frame []byte) { fb.serve(t, state%uint8(len(fuzzConnStates)), frame) })
}

// The SASL states a fuzzed frame may find its connection in, indexes of fuzzConnStates.
const (
	connNoSASL uint8 = iota
	connBeforeHandshake
	connAuthenticated
	connPlainAuthenticate
	connScramAuthenticate
	connPlainTokens
	connScramTokens
)

var fuzzConnStates = [...]struct {
	name      string
	sasl      bool
	authed    bool                           // authenticated with PLAIN as alice
	handshake *protocol.SaslHandshakeRequest // sent first, at version
	version   int16
}{
	connNoSASL:            {name: "no SASL"},
	connBeforeHandshake:   {name: "before SaslHandshake", sasl: true},
	connAuthenticated:     {name: "authenticated", sasl: true, authed: true},
	connPlainAuthenticate: {name: "PLAIN, SaslHandshake v1", sasl: true, handshake: &protocol.SaslHandshakeRequest{Mechanism: "PLAIN"}, version: 1},
	connScramAuthenticate: {name: "SCRAM-SHA-256, SaslHandshake v1", sasl: true, handshake: &protocol.SaslHandshakeRequest{Mechanism: "SCRAM-SHA-256"}, version: 1},
	connPlainTokens:       {name: "PLAIN, raw tokens", sasl: true, handshake: &protocol.SaslHandshakeRequest{Mechanism: "PLAIN"}, version: 0},
	connScramTokens:       {name: "SCRAM-SHA-256, raw tokens", sasl: true, handshake: &protocol.SaslHandshakeRequest{Mechanism: "SCRAM-SHA-256"}, version: 0},
}

// fuzzBroker is FuzzRequestCost's broker: a cluster, the topics every input starts with, and the
// figures the bounds are computed from.
type fuzzBroker struct {
	c      *Cluster
	server net.Conn
	base   map[string]*topic // as fillFuzzLog left them; inputs are served copies
	held   int               // heldBytes of the base topics
	// largest and logBytes are the largest batch of the log and the log's size.
	largest, logBytes int
	last              Exchange // the latest exchange, from OnExchange
}

// The fuzzed cluster's limits: a small capture, so that it is full and turns over, and room for
// 20,000 partitions, so that a request may create as many as one may (10,000).
const (
	fuzzCaptureLimit  = 16
	fuzzCaptureBytes  = 64 << 10
	fuzzMaxPartitions = 20_000
)

func newFuzzBroker(f testing.TB) *fuzzBroker {
	fb := &fuzzBroker{}
	users := map[string]string{"alice": "pw"}
	c, err := NewCluster(Topic("t", 3), LogAppendTimeTopic("lat", 1), Versions(everyVersion()),
		CaptureLimit(fuzzCaptureLimit), CaptureBytes(fuzzCaptureBytes), MaxPartitions(fuzzMaxPartitions),
		SASLUsers("PLAIN", users), SASLUsers("SCRAM-SHA-256", users), OnExchange(func(e Exchange) { fb.last = e }))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { c.Close() })
	server, peer := net.Pipe()
	f.Cleanup(func() { server.Close() })
	go io.Copy(io.Discard, peer)
	fb.c, fb.server = c, server
	fb.fillFuzzLog(f)
	c.mu.Lock()
	defer c.mu.Unlock()
	fb.base = c.topics
	fb.held = heldBytes(c.topics)
	return fb
}

// serve hands frame to a connection in fuzzConnStates[state] of a cluster as fb's base left it,
// and checks what handling it cost.
func (fb *fuzzBroker) serve(t testing.TB, state uint8, frame []byte) {
	t.Helper()
	fb.reset()
	cc := fb.conn(t, state)
	raw := cc.sasl != nil && cc.sasl.state == saslRawTokens
	msg := sized(frame)
	if !raw {
		msg = noWait(frame)
	}
	fb.last = Exchange{}
	allocated := bomb.Allocated(func() { cc.handle(msg) })
	fb.checkCost(t, msg, raw, allocated)
}

// everyVersion serves every version of every API kwire implements, refusing none.
func everyVersion() VersionProfile {
	p := VersionProfile{Advertised: map[protocol.APIKey]protocol.VersionRange{}}
	for k, h := range handlers {
		p.Advertised[k] = h.versions
	}
	return p
}

// reset gives the cluster copies of the base topics, which an input may change, and only those.
// The base holds no idempotent producer's state, which the copies would share.
func (fb *fuzzBroker) reset() {
	c := fb.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.topics = make(map[string]*topic, len(fb.base))
	c.partitions = 0
	for name, t := range fb.base {
		copied := *t
		copied.partitions = make([]*partition, len(t.partitions))
		for i, p := range t.partitions {
			cp := *p
			copied.partitions[i] = &cp
		}
		c.topics[name] = &copied
		c.partitions += len(t.partitions)
	}
}

// conn is a connection to the broker in fuzzConnStates[state].
func (fb *fuzzBroker) conn(t testing.TB, state uint8) *clientConn {
	s := fuzzConnStates[state]
	cc := &clientConn{id: 1, broker: fb.c.brokers[0], conn: fb.server}
	if !s.sasl {
		return cc
	}
	cc.sasl = newSASLConn(fb.c.cfg.saslUsers)
	switch {
	case s.authed:
		cc.sasl.state, cc.sasl.mechanism, cc.sasl.user = saslAuthenticated, "PLAIN", "alice"
	case s.handshake != nil:
		client := "fuzz"
		h := &protocol.RequestHeader{APIKey: protocol.KeySaslHandshake, APIVersion: s.version, CorrelationID: 1, ClientID: &client}
		if !cc.handle(protocol.AppendRequest(nil, h, s.handshake)) {
			t.Fatalf("%s: the handshake closed the connection", s.name)
		}
	}
	return cc
}

// noWait is frame with its size prefix, as a broker reads it, and, if it is a Fetch request that
// decodes, with max_wait_ms set to 0.
func noWait(frame []byte) []byte {
	h, body, err := protocol.ReadRequestHeader(frame)
	req := &protocol.FetchRequest{}
	if err != nil || h.APIKey != protocol.KeyFetch || req.Decode(body, h.APIVersion) != nil {
		return sized(frame)
	}
	req.MaxWaitMs = 0
	return protocol.AppendRequest(nil, &h, req)
}

// sized is frame with its size prefix, as a broker reads it.
func sized(frame []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(frame))), frame...)
}

// fillFuzzLog produces to t/0 a batch of each codec, of several records of 100 to 700 random
// bytes, and to t/1 one batch of 3,000 bytes, leaving t/2 empty, and notes the largest batch's
// size and the log's.
func (fb *fuzzBroker) fillFuzzLog(f testing.TB) {
	cc := &clientConn{id: 1, broker: fb.c.brokers[0], conn: fb.server}
	rng := rand.New(rand.NewPCG(1, 2))
	value := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return string(b)
	}
	client := "fuzz"
	add := func(partition int32, batch []byte) {
		h := &protocol.RequestHeader{APIKey: protocol.KeyProduce, APIVersion: 9, ClientID: &client}
		cc.handle(protocol.AppendRequest(nil, h, produceReq(1, "t", partition, batch)))
		if resp, _ := fb.last.Response.(*protocol.ProduceResponse); resp == nil || resp.Responses[0].PartitionResponses[0].ErrorCode != 0 {
			f.Fatalf("producing to t/%d: %+v", partition, fb.last.Response)
		}
		fb.largest, fb.logBytes = max(fb.largest, len(batch)), fb.logBytes+len(batch)
	}
	for _, codec := range wire.Codecs {
		add(0, batchOf(f, -1, 0, 0, codec, value(100), value(700), value(300)))
	}
	add(1, batchOf(f, -1, 0, 0, wire.CodecNone, value(3000)))
}
