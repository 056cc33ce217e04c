// Package mockbroker is an embeddable Kafka-compatible broker for tests: a cluster of brokers on
// loopback (or over any net.Conn) that real clients can produce to and fetch from, whose faults a
// test declares as data, and which records every byte it receives and sends.
//
// Its shape is that of net/http/httptest: [NewCluster] starts it, [Cluster.Addrs] gives the
// bootstrap addresses, [Cluster.Close] stops it and waits for its connections.
//
// It can listen with TLS ([TLS], with certificates from a [TestCA]) and require SASL
// authentication with PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 ([SASLUsers]), as Kafka's SSL,
// SASL_PLAINTEXT and SASL_SSL listeners do.
package mockbroker

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/kwire-dev/kwire/wire/protocol"
)

// Cluster is a set of mock brokers sharing one metadata, one storage and one fault list.
type Cluster struct {
	cfg       config
	clusterID string

	mu             sync.Mutex
	brokers        []*Broker
	topics         map[string]*topic
	partitions     int // of all topics
	nextProducerID int64
	faults         []*armedFault
	captured       captured
	store          storage
	appended       chan struct{} // closed and replaced on every append, to wake waiting fetches
	closed         bool
}

// NewCluster starts a cluster on loopback with the given options.
func NewCluster(opts ...Option) (*Cluster, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.err == nil {
		cfg.err = checkTLS(cfg.tls)
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	c := &Cluster{
		cfg:            cfg,
		clusterID:      newClusterID(),
		topics:         make(map[string]*topic),
		nextProducerID: 1000,
		appended:       make(chan struct{}),
	}
	for i := range cfg.brokers {
		c.brokers = append(c.brokers, &Broker{id: int32(i), cluster: c, conns: make(map[net.Conn]struct{})})
	}
	for _, t := range cfg.topics {
		if _, err := c.createTopic(t); err != nil {
			return nil, err
		}
	}
	for i, b := range c.brokers {
		addr, err := brokerAddr(cfg.listen, i)
		if err != nil {
			return nil, err
		}
		if err := b.listen(addr); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// NewTestCluster starts a cluster for a test and closes it when the test ends; it fails the test
// if the cluster cannot start.
func NewTestCluster(t testing.TB, opts ...Option) *Cluster {
	t.Helper()
	c, err := NewCluster(opts...)
	if err != nil {
		t.Fatalf("mockbroker: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// brokerAddr is broker i's listen address: the base port plus i, or port 0 for any.
func brokerAddr(base string, i int) (string, error) {
	host, port, err := net.SplitHostPort(base)
	if err != nil {
		return "", fmt.Errorf("mockbroker: listen address %q: %w", base, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return "", fmt.Errorf("mockbroker: listen address %q: bad port", base)
	}
	if p != 0 {
		p += i
	}
	return net.JoinHostPort(host, strconv.Itoa(p)), nil
}

func newClusterID() string {
	var b [16]byte
	rand.Read(b[:])
	return protocol.UUID(b).String()[:22]
}

// Addrs is the brokers' host:port addresses, by broker id: any of them bootstraps a client.
func (c *Cluster) Addrs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	addrs := make([]string, len(c.brokers))
	for i, b := range c.brokers {
		addrs[i] = b.addr
	}
	return addrs
}

// Close stops every broker, closes every connection and waits for their handlers to return.
func (c *Cluster) Close() error {
	c.mu.Lock()
	c.closed = true
	brokers := c.brokers
	c.mu.Unlock()
	var errs []error
	for _, b := range brokers {
		errs = append(errs, b.stop())
	}
	return errors.Join(errs...)
}

// broker returns broker id, or nil.
func (c *Cluster) broker(id int32) *Broker {
	if id < 0 || int(id) >= len(c.brokers) {
		return nil
	}
	return c.brokers[id]
}

// StopBroker stops broker id as if its process died: its listener and connections close, and
// clients reconnecting get refused until [Cluster.RestartBroker]. Leadership does not move by
// itself; use [Cluster.MoveLeader].
func (c *Cluster) StopBroker(id int32) error {
	b := c.broker(id)
	if b == nil {
		return fmt.Errorf("mockbroker: no broker %d", id)
	}
	return b.stop()
}

// RestartBroker starts a stopped broker again on its old address.
func (c *Cluster) RestartBroker(id int32) error {
	b := c.broker(id)
	if b == nil {
		return fmt.Errorf("mockbroker: no broker %d", id)
	}
	return b.listen(b.addr)
}

// ServeConn serves Kafka requests on conn as broker id until conn closes or fails. It lets the
// cluster run over any connection, such as one end of net.Pipe, in tests or in a browser. With
// [TLS], it runs the server side of TLS over conn.
func (c *Cluster) ServeConn(conn net.Conn, id int32) error {
	b := c.broker(id)
	if b == nil {
		return fmt.Errorf("mockbroker: no broker %d", id)
	}
	if c.cfg.tls != nil {
		conn = tlsServer(conn, c.cfg.tls)
	}
	if err := b.track(conn); err != nil {
		conn.Close()
		return fmt.Errorf("mockbroker: broker %d is %w", id, err)
	}
	b.serve(conn)
	return nil
}

// endpoint is broker id's advertised host and port.
func (c *Cluster) endpoint(id int32) protocol.NodeEndpoint {
	ep := protocol.NodeEndpoint{NodeID: id, Host: "127.0.0.1"}
	b := c.broker(id)
	if b == nil {
		return ep
	}
	b.mu.Lock()
	addr := b.addr
	b.mu.Unlock()
	if host, port, err := net.SplitHostPort(addr); err == nil {
		p, _ := strconv.Atoi(port)
		ep.Host, ep.Port = host, int32(p)
	}
	return ep
}

// leaderEndpoints lists, once each, the brokers leaders names as partitions' current leaders
// (KIP-951: Produce v10+, Fetch v16+), so that a client reaches a new leader without waiting for
// metadata.
func (c *Cluster) leaderEndpoints(leaders []*protocol.LeaderIDAndEpoch) []protocol.NodeEndpoint {
	var eps []protocol.NodeEndpoint
	for i, l := range leaders {
		if !slices.ContainsFunc(leaders[:i], func(m *protocol.LeaderIDAndEpoch) bool { return m.LeaderID == l.LeaderID }) {
			eps = append(eps, c.endpoint(l.LeaderID))
		}
	}
	return eps
}

func (c *Cluster) logf(format string, args ...any) { c.cfg.logger.Printf(format, args...) }
