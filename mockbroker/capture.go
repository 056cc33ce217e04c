package mockbroker

import (
	"time"

	"github.com/kwire-dev/kwire/wire/protocol"
)

// Exchange is one request and its response as the broker saw them: exact bytes (size prefix
// included) and decoded forms. The one exception: a SaslAuthenticate request's PLAIN password is
// blanked out, byte for byte, in both. Raw SASL tokens (after SaslHandshake v0) are not captured.
// Its bytes, and the decoded forms that point into them, are the broker's own (the log may keep a
// produced batch in the request's bytes): read them, do not change them.
type Exchange struct {
	Broker        int32
	Conn          int64 // which connection, numbered from 1 in the order they opened
	At            time.Time
	Took          time.Duration // from reading the request to sending the answer
	Header        protocol.RequestHeader
	Request       protocol.Message
	Response      protocol.Message // nil when none was sent
	RequestBytes  []byte
	ResponseBytes []byte  // nil when none was sent: acks=0, or a fault closed the connection
	Faults        []Fault // the faults applied to it
}

// record keeps an exchange, the oldest giving way past the cluster's capture limits, and hands it
// to the OnExchange hook. It keeps msg, the request's bytes, which nothing changes after this.
func (c *Cluster) record(cc *clientConn, r *request, msg []byte, resp protocol.Message, out []byte, start time.Time) {
	if !c.cfg.capturing() && c.cfg.onExchange == nil {
		return
	}
	e := Exchange{
		Broker: cc.broker.id, Conn: cc.id, At: start, Took: time.Since(start),
		Header: r.header, Request: r.body, Response: sharedResponse(r.header, resp, out),
		RequestBytes: msg, ResponseBytes: out,
	}
	for _, f := range r.faults {
		e.Faults = append(e.Faults, f.Fault)
	}
	if c.cfg.onExchange != nil {
		c.cfg.onExchange(e)
	}
	if !c.cfg.capturing() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.captured.add(e, c.cfg.captureLimit, c.cfg.captureBytes)
}

// sharedResponse is resp decoded again from out, its bytes, when resp holds record batches of its
// own (a Fetch answer's copies, stamped with their offsets): the exchange then keeps the batches
// once, in out, rather than twice.
func sharedResponse(h protocol.RequestHeader, resp protocol.Message, out []byte) protocol.Message {
	if _, ok := resp.(*protocol.FetchResponse); !ok || out == nil {
		return resp
	}
	_, body, err := protocol.ReadResponseHeader(out[4:], h.APIKey, h.APIVersion)
	if err != nil {
		return resp
	}
	shared := protocol.NewResponse(h.APIKey)
	if shared.Decode(body, h.APIVersion) != nil {
		return resp
	}
	return shared
}

// captured is the exchanges a cluster keeps: the latest, within a count and a number of bytes.
type captured struct {
	kept  []Exchange // kept[head:] are the ones kept, oldest first
	head  int
	bytes int // the frames' bytes of kept[head:]
}

// add keeps e, then lets the oldest go until at most limit exchanges of at most budget bytes
// are kept; an exchange larger than budget is not kept at all.
func (k *captured) add(e Exchange, limit, budget int) {
	k.kept = append(k.kept, e)
	k.bytes += frameBytes(e)
	for len(k.kept) > k.head && (len(k.kept)-k.head > limit || k.bytes > budget) {
		k.bytes -= frameBytes(k.kept[k.head])
		k.kept[k.head] = Exchange{}
		k.head++
	}
	if k.head > len(k.kept)/2 {
		// Move the kept ones to the front once half the slice is spent, so that keeping an
		// exchange costs O(1) on average.
		n := copy(k.kept, k.kept[k.head:])
		clear(k.kept[n:])
		k.kept, k.head = k.kept[:n], 0
	}
}

// list returns a copy of the kept exchanges, oldest first.
func (k *captured) list() []Exchange { return append([]Exchange(nil), k.kept[k.head:]...) }

// frameBytes is what an exchange holds: its request and response frames, which its decoded forms
// share (a produced batch is a slice of the request, a fetched one of the response).
func frameBytes(e Exchange) int { return len(e.RequestBytes) + len(e.ResponseBytes) }

// Exchanges returns the captured exchanges, the latest within the capture limits, oldest first.
func (c *Cluster) Exchanges() []Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.captured.list()
}

// ResetExchanges forgets the captured exchanges.
func (c *Cluster) ResetExchanges() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.captured = captured{}
}
