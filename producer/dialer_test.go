package producer

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// pipeBootstrap is a bootstrap address no TCP dialer can reach: only the pipe dialer knows it.
const pipeBootstrap = "in-memory.invalid:9092"

// pipeDialer connects the producer to a mock cluster over net.Pipe, serving the other end with
// [mockbroker.Cluster.ServeConn], and counts the connections it made by address.
type pipeDialer struct {
	c *mockbroker.Cluster

	mu    sync.Mutex
	dials map[string]int
}

// dial is a [Config.Dialer]: pipeBootstrap and every advertised address lead to their broker.
func (d *pipeDialer) dial(ctx context.Context, addr string) (net.Conn, error) {
	id := int32(slices.Index(d.c.Addrs(), addr))
	if addr == pipeBootstrap {
		id = 0
	}
	if id < 0 {
		return nil, errors.New("no broker at " + addr)
	}
	d.mu.Lock()
	d.dials[addr]++
	d.mu.Unlock()
	client, server := net.Pipe()
	go d.c.ServeConn(server, id)
	return client, nil
}

// count is how many connections the dialer made to addr.
func (d *pipeDialer) count(addr string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dials[addr]
}

// total is how many connections the dialer made.
func (d *pipeDialer) total() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, c := range d.dials {
		n += c
	}
	return n
}

// pipeConfig is testConfig with the producer connected over pipes only.
func pipeConfig(c *mockbroker.Cluster) (Config, *pipeDialer) {
	d := &pipeDialer{c: c, dials: map[string]int{}}
	cfg := testConfig(c)
	cfg.BootstrapServers = []string{pipeBootstrap}
	cfg.Dialer = d.dial
	return cfg, d
}

// TestDialerOverPipe: with a Dialer, every connection, for metadata and for produce requests to
// each leader, goes through it, and the records land as over TCP.
func TestDialerOverPipe(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.NumBrokers(2), mockbroker.Topic("t", 4))
	cfg, d := pipeConfig(c)
	p := newTestProducer(t, cfg)
	sendNumbered(t, p, "t", 2000, nil)
	checkExactlyOnceInOrder(t, c, "t", 4, 2000)
	if d.count(pipeBootstrap) == 0 {
		t.Error("the metadata connection did not go through the dialer")
	}
	for id, addr := range c.Addrs() {
		if d.count(addr) == 0 {
			t.Errorf("no connection to broker %d (%s) went through the dialer", id, addr)
		}
	}
	conns := map[int64]bool{}
	for _, e := range c.Exchanges() {
		conns[e.Conn] = true
	}
	if len(conns) != d.total() {
		t.Errorf("the cluster served %d connections, the dialer made %d: some bypassed it", len(conns), d.total())
	}
}

// TestDialerRequestTimeout: request.timeout.ms holds over a connection the Dialer made, and a
// retry on a new one lands the records once.
func TestDialerRequestTimeout(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("t", 1))
	cfg, d := pipeConfig(c)
	cfg.RequestTimeout = 200 * time.Millisecond
	p := newTestProducer(t, cfg)
	sendNumbered(t, p, "warm-up", 10, nil)
	before := d.total()
	c.Inject(mockbroker.Fault{API: protocol.KeyProduce, Topic: "t", Action: mockbroker.DelayResponse, Delay: time.Second})
	start := time.Now()
	sendNumbered(t, p, "t", 50, nil)
	checkExactlyOnceInOrder(t, c, "t", 1, 50)
	if took := time.Since(start); took >= time.Second {
		t.Errorf("took %v: the producer waited for the delayed answer instead of timing out", took)
	}
	if d.total() == before {
		t.Error("no new connection after the request timed out")
	}
}

// TestDialerError: a dialer's error is the producer's network error, and the dialer is given
// request.timeout.ms to connect.
func TestDialerError(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BootstrapServers = []string{pipeBootstrap}
	cfg.RequestTimeout = 300 * time.Millisecond
	cfg.MaxBlock = 200 * time.Millisecond
	refused := errors.New("refused by the test")
	var mu sync.Mutex
	var deadlines []time.Duration
	cfg.Dialer = func(ctx context.Context, addr string) (net.Conn, error) {
		dl, ok := ctx.Deadline()
		mu.Lock()
		defer mu.Unlock()
		if !ok {
			deadlines = append(deadlines, -1)
		} else {
			deadlines = append(deadlines, time.Until(dl))
		}
		return nil, refused
	}
	p := newTestProducer(t, cfg)
	_, err := p.SendSync(context.Background(), &Record{Topic: "t", Value: []byte("v")})
	if err == nil || !errors.Is(err, refused) || !strings.Contains(err.Error(), pipeBootstrap) {
		t.Fatalf("SendSync: %v, want the dialer's error for %s", err, pipeBootstrap)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(deadlines) == 0 {
		t.Fatal("the dialer was not called")
	}
	for _, left := range deadlines {
		if left <= 0 || left > cfg.RequestTimeout {
			t.Fatalf("the dialer had %v to connect, want at most request.timeout.ms (%v)", left, cfg.RequestTimeout)
		}
	}
}
