package producer

// Re-authentication (KIP-368). A broker with connections.max.reauth.ms reports, in
// SaslAuthenticate v1+, how long an authenticated session lasts; a request on a connection whose
// session has ended closes it. The Java client re-authenticates on the same connection at a
// random 85–95% of the lifetime, pausing new requests on it meanwhile.
//
// kwire replaces the connection instead, at the same point: from then on no new request goes on
// it, the requests in flight on it finish there (a connection answers in order, and a produce
// request to the same broker on another connection could overtake them and break the
// idempotent producer's sequence order), then it closes, and the next request to that broker
// goes on a new connection, authenticated anew. Nothing in flight is lost and the broker sees a
// fresh authentication, as KIP-368 asks; the price is a new connection (a TLS session resumed
// from the cache) and one round trip's pause per broker each session.
//
// The sender retires its connection to a broker when nothing is in flight to it (sender.ready);
// the metadata connection is retired with its answers still pending, which retire waits for.

import (
	"errors"
	"math/rand/v2"
	"time"
)

// errSessionEnding is why a connection retired for re-authentication closed.
var errSessionEnding = errors.New("connection retired: its SASL session is about to end (KIP-368 re-authentication on a new connection)")

// startSession notes a session of lifetimeMs (0: no limit), counted from sent, when the request
// that completed authentication was sent (the broker's count starts later): the connection retires
// at a random 85–95% of it, as the Java client re-authenticates.
func (c *brokerConn) startSession(sent time.Time, lifetimeMs int64) {
	if lifetimeMs <= 0 {
		return
	}
	lifetime := time.Duration(lifetimeMs) * time.Millisecond
	c.retireAt = sent.Add(time.Duration(float64(lifetime) * (0.85 + 0.1*rand.Float64())))
}

// sessionEnding reports whether the connection's SASL session is near its end: nothing new may
// be sent on it.
func (c *brokerConn) sessionEnding(now time.Time) bool {
	return !c.retireAt.IsZero() && !now.Before(c.retireAt)
}

// usable reports whether a new request may go on the connection.
func (c *brokerConn) usable(now time.Time) bool { return !c.isClosed() && !c.sessionEnding(now) }

// retire closes the connection once every request on it has its answer; the caller sends nothing
// more on it.
func (c *brokerConn) retire() {
	c.mu.Lock()
	c.retiring = true
	idle := c.head == nil
	c.mu.Unlock()
	if idle {
		c.close(&NetworkError{Addr: c.addr, Err: errSessionEnding})
	}
}

// drained reports whether the connection is retiring and nothing on it awaits an answer.
func (c *brokerConn) drained() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.retiring && c.head == nil
}
