package mockbroker

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Broker is one broker of a Cluster: a listener and the connections it accepted.
type Broker struct {
	id      int32
	cluster *Cluster

	mu    sync.Mutex
	up    bool // serving: between listen (or start without a listener) and stop
	ln    net.Listener
	addr  string
	conns map[net.Conn]struct{}
	// refused counts the connections closed at once for being over maxConnections since one was
	// last admitted.
	refused int
	quit    chan struct{} // closed by stop; see stopping
	wg      sync.WaitGroup
}

// connSeq numbers connections across the process, so captured exchanges say which they came on.
var connSeq atomic.Int64

func (b *Broker) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("mockbroker: broker %d: %w", b.id, err)
	}
	b.serveListener(ln)
	return nil
}

// serveListener makes the broker accept connections from ln, with TLS if the cluster has it.
func (b *Broker) serveListener(ln net.Listener) {
	if cfg := b.cluster.cfg.tls; cfg != nil {
		ln = tlsListener(ln, cfg)
	}
	b.mu.Lock()
	b.ln, b.addr, b.up = ln, ln.Addr().String(), true
	b.quit = make(chan struct{})
	quit := b.quit
	b.wg.Add(1)
	b.mu.Unlock()
	go b.accept(ln, quit)
}

// accept serves the connections ln accepts until the listener closes. Any other failure (out of
// file descriptors, EMFILE or ENFILE; a queued connection reset, ECONNABORTED) passes in time, so
// the broker retries after a pause, as net/http's Server does, and serves again once it has
// passed: a broker that stopped accepting would stay deaf after every cause was gone. A run of
// failures is logged once as it starts, and again when it ends.
func (b *Broker) accept(ln net.Listener, quit <-chan struct{}) {
	defer b.wg.Done()
	failures := 0
	for {
		conn, err := ln.Accept()
		if err == nil {
			if failures > 0 {
				b.cluster.logf("broker %d: accepting connections again, after %d failed accepts", b.id, failures)
				failures = 0
			}
			b.serveAccepted(conn)
			continue
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if failures++; failures == 1 {
			b.cluster.logf("broker %d: accepting a connection failed: %v; retrying, at most %v apart", b.id, err, maxAcceptPause)
		}
		select {
		case <-time.After(acceptPause(failures)):
		case <-quit:
			return
		}
	}
}

// maxAcceptPause is the longest pause between retries of a failing accept.
const maxAcceptPause = time.Second

// acceptPause is the pause after the nth failed accept in a row: 5 ms, doubling up to
// maxAcceptPause.
func acceptPause(n int) time.Duration {
	return min(5*time.Millisecond<<min(n-1, 10), maxAcceptPause)
}

// serveAccepted serves conn in its own goroutine, or closes it if the broker refuses it.
func (b *Broker) serveAccepted(conn net.Conn) {
	if err := b.track(conn); err != nil {
		conn.Close()
		return
	}
	go b.serve(conn)
}

var (
	errStopped   = errors.New("stopped")
	errConnLimit = errors.New("at its connection limit (MaxConnections)")
)

// track registers conn so that stop closes it, and counts it for stop to wait on. It refuses conn
// if the broker is stopped, or already has its maximum of connections; a run of connections
// refused for that is logged once as it starts, and counted, until one is admitted again.
func (b *Broker) track(conn net.Conn) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.up {
		return errStopped
	}
	if limit := b.cluster.cfg.maxConnections; limit > 0 && len(b.conns) >= limit {
		if b.refused++; b.refused == 1 {
			b.cluster.logf("broker %d: at its connection limit, MaxConnections %d: closing new connections until some close", b.id, limit)
		}
		return errConnLimit
	}
	if b.refused > 0 {
		b.cluster.logf("broker %d: admitting connections again, after closing %d over the limit", b.id, b.refused)
		b.refused = 0
	}
	b.conns[conn] = struct{}{}
	b.wg.Add(1)
	return nil
}

func (b *Broker) untrack(conn net.Conn) {
	b.mu.Lock()
	delete(b.conns, conn)
	b.mu.Unlock()
	b.wg.Done()
}

// stop closes the listener and every connection, ends the handlers' waits (see stopping), then
// waits for their goroutines.
func (b *Broker) stop() error {
	b.mu.Lock()
	wasUp := b.up
	b.up = false
	b.refused = 0
	var err error
	if b.ln != nil {
		err = b.ln.Close()
		b.ln = nil
	}
	for conn := range b.conns {
		conn.Close()
	}
	if wasUp {
		close(b.quit) // after closing the connections, so that no handler it wakes answers
	}
	b.mu.Unlock()
	b.wg.Wait()
	return err
}

// serve reads requests from conn and answers them in order, one at a time, as a Kafka broker
// does for each connection; clients may pipeline. It returns when conn fails or closes, or after
// closing conn because of a bad frame or a fault.
func (b *Broker) serve(conn net.Conn) {
	defer b.untrack(conn)
	defer conn.Close()
	cc := &clientConn{id: connSeq.Add(1), broker: b, conn: conn, sasl: newSASLConn(b.cluster.cfg.saslUsers)}
	if !cc.handshakeTLS() {
		return
	}
	frames := newFrameReader(conn, &b.cluster.cfg, cc.sasl)
	for {
		msg, err := frames.next()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				b.cluster.logf("broker %d: closing connection %d from %s: %v", b.id, cc.id, conn.RemoteAddr(), err)
			}
			return
		}
		if !cc.handle(msg) {
			return
		}
	}
}

// stopping is closed when the broker stops. A handler that waits on something other than its
// connection (a fetch long-polling for data, an answer a fault holds back) also waits on it, so that
// stopping the broker, and closing the cluster, does not wait out max_wait_ms or a fault's delay.
func (b *Broker) stopping() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.quit
}

// running reports whether the broker is up: it appears in metadata and leads its partitions.
func (b *Broker) running() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.up
}
