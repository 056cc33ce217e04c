package mockbroker

// Reading requests off a connection, within bounds a client cannot stretch: the size of a request
// (socket.request.max.bytes, and sasl.server.max.receive.size before SASL authentication), how
// long a connection may sit idle between requests (connections.max.idle.ms) and how long a request
// may take to arrive once it has begun.

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// frameReader reads the requests of one connection with its Framer. It owns the connection's
// read deadlines and chooses the Framer's size limit, so that every request read gets the same
// bounds.
type frameReader struct {
	conn         net.Conn
	framer       *wire.Framer
	sasl         *saslConn // nil without SASL
	maxBytes     int32
	saslMaxBytes int32         // before SASL authentication
	idle         time.Duration // 0: no idle timeout
	stall        time.Duration // 0: no request timeout
}

func newFrameReader(conn net.Conn, cfg *config, sasl *saslConn) *frameReader {
	return &frameReader{conn: conn, framer: wire.NewFramer(conn, conn), sasl: sasl, maxBytes: cfg.maxRequestBytes,
		saslMaxBytes: min(cfg.saslMaxBytes, cfg.maxRequestBytes), idle: cfg.idleTimeout, stall: cfg.requestTimeout}
}

// next reads the next request, size prefix included. Its first byte must come within the idle
// timeout, and the rest within the request timeout after it. The broker reads nothing while it
// answers a request, so a fetch that waits for data, however long, is never idle.
func (f *frameReader) next() ([]byte, error) {
	f.conn.SetReadDeadline(deadline(f.idle))
	if err := f.framer.AwaitFrame(); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("no request for %v (IdleTimeout, connections.max.idle.ms)", f.idle)
		}
		return nil, err
	}
	f.conn.SetReadDeadline(deadline(f.stall))
	max, setting := f.limit()
	msg, err := readRequest(f.framer, max, setting)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, fmt.Errorf("%w: not whole after %v (RequestTimeout)", err, f.stall)
	}
	return msg, err
}

// limit is the largest request the connection may send next, and the setting it comes from. Until
// a connection to a SASL broker has authenticated, or while it authenticates again, it is the
// smaller limit Kafka puts on a client that has not said who it is.
func (f *frameReader) limit() (int32, string) {
	if f.sasl != nil && f.sasl.state != saslAuthenticated {
		return f.saslMaxBytes, "sasl.server.max.receive.size, before SASL authentication"
	}
	return f.maxBytes, "socket.request.max.bytes"
}

// deadline is d from now, or none if d is 0.
func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// readRequest reads one request with framer and returns it whole, size prefix included: the
// bytes an exchange captures, and the log keeps the batches of, as they are rather than copied. A
// size above max, or negative, is refused before anything is allocated for it, with an error that
// names the setting max comes from.
func readRequest(framer *wire.Framer, max int32, setting string) ([]byte, error) {
	framer.SetMaxReadFrameSize(max)
	msg, err := framer.ReadFrame()
	if bad := (*wire.FrameSizeError)(nil); errors.As(err, &bad) {
		return nil, fmt.Errorf("request size %d outside 0..%d (%s)", bad.Size, max, setting)
	}
	return msg, err
}
