package mockbroker

import (
	"encoding/binary"
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
		Header: r.header, Request: r.body, Response: resp, RequestBytes: msg, ResponseBytes: out,
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
	c.captured.add(withoutDecoded(e), c.cfg.captureLimit, c.cfg.captureBytes)
}

// withoutDecoded is e as the capture keeps it: without what decodes again from its bytes, its
// header's client id and tags, its request and its response, so that what it keeps is its bytes,
// which the capture's budget counts. Decoded forms take up to 80 times their bytes: a CreateTopics
// request validating 100 topics, 1.3 KB, is answered with 126 KB of their configs, which take
// 285 KB decoded. It keeps the request of a version the broker answers at another (an ApiVersions
// it does not serve, answered at v0), and a response that was not sent (a fault dropped it).
func withoutDecoded(e Exchange) Exchange {
	e.Header.ClientID, e.Header.Tags = nil, nil
	if int16(binary.BigEndian.Uint16(e.RequestBytes[6:])) == e.Header.APIVersion {
		e.Request = nil
	}
	if e.ResponseBytes != nil {
		e.Response = nil
	}
	return e
}

// decoded is a kept exchange with what withoutDecoded left out decoded again from its bytes, which
// its decoded forms point into as they did.
func decoded(e Exchange) Exchange {
	h, body, err := protocol.ReadRequestHeader(e.RequestBytes[4:])
	if err != nil {
		return e
	}
	e.Header.ClientID, e.Header.Tags = h.ClientID, h.Tags
	if e.Request == nil {
		if req := protocol.NewRequest(e.Header.APIKey); req.Decode(body, e.Header.APIVersion) == nil {
			e.Request = req
		}
	}
	if e.Response != nil || e.ResponseBytes == nil {
		return e
	}
	if _, body, err := protocol.ReadResponseHeader(e.ResponseBytes[4:], e.Header.APIKey, e.Header.APIVersion); err == nil {
		if resp := protocol.NewResponse(e.Header.APIKey); resp.Decode(body, e.Header.APIVersion) == nil {
			e.Response = resp
		}
	}
	return e
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

// frameBytes is what a kept exchange holds: the buffers of its request and response frames, which
// can be larger than the frames (a response grows by append, a request of more than 1 MiB is read
// in steps).
func frameBytes(e Exchange) int { return cap(e.RequestBytes) + cap(e.ResponseBytes) }

// Exchanges returns the captured exchanges, the latest within the capture limits, oldest first.
// Their decoded forms are decoded again from their bytes at each call, without holding up the
// cluster.
func (c *Cluster) Exchanges() []Exchange {
	c.mu.Lock()
	kept := c.captured.list()
	c.mu.Unlock()
	for i := range kept {
		kept[i] = decoded(kept[i])
	}
	return kept
}

// ResetExchanges forgets the captured exchanges.
func (c *Cluster) ResetExchanges() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.captured = captured{}
}
