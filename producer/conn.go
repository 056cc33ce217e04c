package producer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// errConnClosed is why requests still pending on a connection that closed fail.
var errConnClosed = errors.New("connection closed")

// errClosedUnauthenticated is a connection without SASL that the broker closed before answering
// the first request after ApiVersions, one the producer sends before it produces (Metadata,
// InitProducerId): what a SASL listener does. A Produce request is never that first request on a
// SASL listener, since the producer could not have learnt the leaders through one, so a broker
// that closes a connection before answering a Produce request gets no SASL hint.
var errClosedUnauthenticated = fmt.Errorf("%w by the broker before it answered the first request after ApiVersions: does its listener require SASL (security.protocol SASL_PLAINTEXT or SASL_SSL)?", errConnClosed)

// NetworkError is a request that failed for lack of a working connection: the connection could not
// be made, broke, or the broker did not answer within request.timeout.ms. It is retriable.
type NetworkError struct {
	Addr string
	Err  error
}

// Error names the broker and the failure.
func (e *NetworkError) Error() string { return fmt.Sprintf("producer: broker %s: %v", e.Addr, e.Err) }

// Unwrap is the underlying failure.
func (e *NetworkError) Unwrap() error { return e.Err }

// call is one request on a connection and, once done, its outcome.
type call struct {
	key      protocol.APIKey
	version  int16
	body     protocol.Message
	resp     protocol.Message // decoded into when the answer arrives; nil when none is expected
	deadline time.Time
	done     func(*call) // called once, from the connection's goroutines
	err      error       // set before done
	corr     int32       // its correlation id
	bound    int32       // the largest answer it may get (responseBound)
	sentAt   time.Time   // when the request was written
	batches  []*batch    // the produce batches the call carries
	broker   int32       // the broker a produce call went to
	conn     *brokerConn // the connection it went on
	next     *call       // the FIFO of calls awaiting an answer
}

// brokerConn is one connection to a broker: requests are written in order by a writer goroutine
// and answered in order, which a reader goroutine matches by position, as Kafka answers each
// connection's requests in order.
type brokerConn struct {
	addr    string
	nc      net.Conn
	timeout time.Duration
	writes  chan *call    // unbuffered: a call handed over is the writer's to finish
	quit    chan struct{} // closed when the connection closes

	mu       sync.Mutex
	head     *call // the oldest call awaiting an answer
	tail     *call
	pending  sync.Cond
	closed   bool
	closeErr error

	versions map[protocol.APIKey]protocol.VersionRange
	clientID string

	framer    *wire.Framer // the connection's frames, from setup on
	setupCorr int32        // the correlation ids the setup requests took
	sasl      bool         // the connection authenticated with SASL
	// retireAt is when the connection's SASL session nears its end (KIP-368), zero for never:
	// from then on nothing new is sent on it, and it closes once its answers are in.
	retireAt time.Time
	retiring bool // retire was called: close once nothing awaits an answer (under mu)
}

// openConn opens a connection to addr with the configured [Config.Dialer], or over TCP with the
// socket options the configuration asks for. Either way it waits at most request.timeout.ms.
func openConn(ctx context.Context, addr string, cfg *Config) (net.Conn, error) {
	if cfg.Dialer != nil {
		ctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
		defer cancel()
		nc, err := cfg.Dialer(ctx, addr)
		if err == nil && nc == nil {
			err = errors.New("the configured Dialer returned no connection and no error")
		}
		return nc, err
	}
	d := net.Dialer{Timeout: cfg.RequestTimeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		if cfg.SendBuffer > 0 {
			tc.SetWriteBuffer(cfg.SendBuffer)
		}
		if cfg.ReceiveBuffer > 0 {
			tc.SetReadBuffer(cfg.ReceiveBuffer)
		}
	}
	return nc, nil
}

// version is the highest version of k both sides speak, capped at most.
func (c *brokerConn) version(k protocol.APIKey, ours protocol.VersionRange) (int16, error) {
	theirs, ok := c.versions[k]
	v := min(ours.Max, theirs.Max)
	if !ok || v < max(ours.Min, theirs.Min) {
		return 0, &NetworkError{Addr: c.addr, Err: fmt.Errorf("no common version of %s (broker: %v, kwire: %v)", k, theirs, ours)}
	}
	return v, nil
}

// roundTrip sends one request and waits for its answer, or ctx.
func (c *brokerConn) roundTrip(ctx context.Context, version int16, req, resp protocol.Message) error {
	done := make(chan struct{})
	cl := &call{key: req.Key(), version: version, body: req, resp: resp, done: func(*call) { close(done) }}
	c.send(cl)
	select {
	case <-done:
		return cl.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// send hands cl to the writer; its done runs when it is answered or fails.
func (c *brokerConn) send(cl *call) {
	cl.conn = c
	select {
	case c.writes <- cl:
	case <-c.quit:
		cl.err = c.closedErr()
		cl.done(cl)
	}
}

// enqueue adds cl to the calls awaiting an answer, unless the connection closed.
func (c *brokerConn) enqueue(cl *call) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	if c.tail == nil {
		c.head = cl
	} else {
		c.tail.next = cl
	}
	c.tail = cl
	c.pending.Signal()
	return true
}

// writeLoop writes requests in the order they are handed over, until the connection closes. A
// call that awaits an answer joins the queue of those once encoded and before it is written, so
// the queue is in the order the broker answers; one that expects none (acks=0) is done once
// written.
func (c *brokerConn) writeLoop() {
	corr := c.setupCorr
	for {
		var cl *call
		select {
		case cl = <-c.writes:
		case <-c.quit:
			return
		}
		corr++
		cl.corr = corr
		id := c.clientID
		frame := protocol.AppendRequest(c.framer.WriteBuffer(), &protocol.RequestHeader{APIKey: cl.key, APIVersion: cl.version, CorrelationID: corr, ClientID: &id}, cl.body)
		cl.bound = responseBound(cl.body)
		cl.sentAt = time.Now()
		cl.deadline = cl.sentAt.Add(c.timeout)
		// Once queued, a closing connection may complete cl at any moment: everything the
		// writer needs of it is read by now.
		if cl.resp != nil && !c.enqueue(cl) {
			cl.err = c.closedErr()
			cl.done(cl)
			return
		}
		c.nc.SetWriteDeadline(cl.deadline)
		err := c.framer.WriteFrame(frame)
		if err != nil {
			err = &NetworkError{Addr: c.addr, Err: err}
			c.close(err)
		}
		if cl.resp == nil {
			cl.err = err
			cl.done(cl)
		}
	}
}

// closedErr is the error the connection closed with, or nil.
func (c *brokerConn) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.closeErr
	}
	return nil
}

// readLoop reads answers and hands each to the oldest call awaiting one. A call that is not
// answered by its deadline closes the connection, as the Java client does.
func (c *brokerConn) readLoop() {
	for answered := 0; ; answered++ {
		cl := c.oldest()
		if cl == nil {
			return
		}
		c.nc.SetReadDeadline(cl.deadline)
		frame, err := c.readFrame(cl.key, cl.bound)
		if err != nil {
			if errors.Is(err, io.EOF) && answered == 0 && !c.sasl && cl.key != protocol.KeyProduce {
				err = errClosedUnauthenticated
			} else if errors.Is(err, io.EOF) {
				err = fmt.Errorf("%w by the broker before it answered %s v%d", errConnClosed, cl.key, cl.version)
			} else if errors.Is(err, net.ErrClosed) {
				err = errConnClosed
			} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
				err = fmt.Errorf("no answer to %s within request.timeout.ms (%v)", cl.key, c.timeout)
			}
			c.close(&NetworkError{Addr: c.addr, Err: err})
			return
		}
		if !c.pop(cl) {
			return // the connection closed meanwhile and failed cl
		}
		corr, body, err := protocol.ReadResponseHeader(frame, cl.key, cl.version)
		if err == nil && corr != cl.corr {
			err = fmt.Errorf("correlation id %d, expected %d", corr, cl.corr)
		}
		if err == nil {
			err = cl.resp.Decode(body, cl.version)
		}
		if err != nil {
			err = &NetworkError{Addr: c.addr, Err: fmt.Errorf("%s v%d response: %w", cl.key, cl.version, err)}
			cl.err = err
			cl.done(cl)
			c.close(err)
			return
		}
		cl.done(cl)
		if c.drained() {
			c.close(&NetworkError{Addr: c.addr, Err: errSessionEnding})
			return
		}
	}
}

// oldest waits for a call awaiting an answer and returns it, or nil once the connection closed.
func (c *brokerConn) oldest() *call {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.head == nil && !c.closed {
		c.pending.Wait()
	}
	return c.head
}

// pop removes cl, the oldest call awaiting an answer, and reports whether it was still there:
// a close in between has already failed it.
func (c *brokerConn) pop(cl *call) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head != cl {
		return false
	}
	c.head = cl.next
	if c.head == nil {
		c.tail = nil
	}
	return true
}

// readFrame reads the next frame, without its size prefix, refusing one larger than bound, the
// most a request of API key may be answered with, with a *responseSizeError.
func (c *brokerConn) readFrame(key protocol.APIKey, bound int32) ([]byte, error) {
	c.framer.SetMaxReadFrameSize(bound)
	frame, err := c.framer.ReadFrame()
	if bad := (*wire.FrameSizeError)(nil); errors.As(err, &bad) {
		return nil, &responseSizeError{key: key, size: bad.Size, bound: bound}
	}
	if err != nil {
		return nil, err
	}
	return frame[4:], nil
}

// close shuts the connection with err and fails every call awaiting an answer. Later sends fail
// at once. It is safe to call more than once.
func (c *brokerConn) close(err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.closeErr = true, err
	failed := c.head
	c.head, c.tail = nil, nil
	c.pending.Broadcast()
	c.mu.Unlock()
	close(c.quit)
	c.nc.Close()
	for cl := failed; cl != nil; {
		next := cl.next
		cl.err = err
		cl.done(cl)
		cl = next
	}
}

// isClosed reports whether the connection has closed.
func (c *brokerConn) isClosed() bool { return c.closedErr() != nil }
