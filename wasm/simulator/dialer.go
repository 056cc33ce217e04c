package simulator

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// pipeDialer is the producer's Dialer in a simulation: each connection is a net.Pipe whose other
// end the cluster serves as the broker the address names, so that nothing leaves the process (or
// the browser tab). Connections opening and closing are noted on the timeline.
type pipeDialer struct {
	cluster *mockbroker.Cluster
	rec     *recorder
}

// dial connects to the broker at addr.
func (d *pipeDialer) dial(_ context.Context, addr string) (net.Conn, error) {
	id := int32(slices.Index(d.cluster.Addrs(), addr))
	if id < 0 {
		return nil, errors.New("no broker at " + addr)
	}
	client, server := net.Pipe()
	go d.cluster.ServeConn(server, id)
	d.rec.note(KindConnection, id, ToneNone, "The producer opens a connection to broker %d.", id)
	return &tappedConn{Conn: client, broker: id, rec: d.rec}, nil
}

// tappedConn is the producer's end of a pipe, noting on the timeline who closed it.
type tappedConn struct {
	net.Conn
	broker int32
	rec    *recorder
	once   sync.Once
}

// Read reads from the pipe and notes the broker closing it.
func (c *tappedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if errors.Is(err, io.EOF) {
		c.once.Do(func() {
			c.rec.note(KindConnection, c.broker, ToneWarn, "Broker %d closed the connection: the producer reads its end.", c.broker)
		})
	}
	return n, err
}

// Write writes to the pipe, noting when the producer sends a Produce request: the producer
// writes each request whole, its size and API key first.
func (c *tappedConn) Write(p []byte) (int, error) {
	if len(p) >= 6 && protocol.APIKey(binary.BigEndian.Uint16(p[4:])) == protocol.KeyProduce {
		c.rec.produceSent(time.Now())
	}
	return c.Conn.Write(p)
}

// Close closes the pipe and notes the producer closing it, unless the broker did first or the
// run is over.
func (c *tappedConn) Close() error {
	c.once.Do(func() {
		if !c.rec.isClosing() {
			c.rec.note(KindConnection, c.broker, ToneWarn, "The producer closes its connection to broker %d.", c.broker)
		}
	})
	return c.Conn.Close()
}
