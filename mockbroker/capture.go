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

// record keeps an exchange, the oldest giving way past the cluster's capture limit, and hands it
// to the OnExchange hook. It keeps msg, the request's bytes, which nothing changes after this.
func (c *Cluster) record(cc *clientConn, r *request, msg []byte, resp protocol.Message, out []byte, start time.Time) {
	if c.cfg.captureLimit == 0 && c.cfg.onExchange == nil {
		return
	}
	e := Exchange{
		Broker: cc.broker.id, Conn: cc.id, At: start, Took: time.Since(start),
		Header: r.header, Request: r.body, Response: resp,
		RequestBytes: msg, ResponseBytes: out,
	}
	for _, f := range r.faults {
		e.Faults = append(e.Faults, f.Fault)
	}
	if c.cfg.onExchange != nil {
		c.cfg.onExchange(e)
	}
	if c.cfg.captureLimit == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.exchanges = append(c.exchanges, e)
	if limit := c.cfg.captureLimit; len(c.exchanges) >= 2*limit {
		// Drop the older half at once, so that keeping an exchange costs O(1) on average.
		n := copy(c.exchanges, c.exchanges[len(c.exchanges)-limit:])
		clear(c.exchanges[n:])
		c.exchanges = c.exchanges[:n]
	}
}

// Exchanges returns the captured exchanges, at most the capture limit of the latest, oldest
// first.
func (c *Cluster) Exchanges() []Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.exchanges[max(len(c.exchanges)-c.cfg.captureLimit, 0):]
	return append([]Exchange(nil), kept...)
}

// ResetExchanges forgets the captured exchanges.
func (c *Cluster) ResetExchanges() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.exchanges = nil
}
