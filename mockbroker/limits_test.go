package mockbroker

import (
	"encoding/binary"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// failingListener fails its first Accepts as a listener out of file descriptors does.
type failingListener struct {
	net.Listener
	failures atomic.Int32 // how many Accepts are still to fail
}

func (l *failingListener) Accept() (net.Conn, error) {
	if l.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// A broker whose accepts fail for a while (EMFILE: too many open files) logs it once and serves
// again once they succeed.
func TestAcceptSurvivesFailures(t *testing.T) {
	c, logs := loggedCluster(t)
	if err := c.StopBroker(0); err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &failingListener{Listener: inner}
	ln.failures.Store(6)
	c.brokers[0].serveListener(ln)
	tc := dialTest(t, inner.Addr().String())
	var resp protocol.ApiVersionsResponse
	tc.roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
	logs.waitFor(t, "accepting connections again, after 6 failed accepts")
	if n := strings.Count(logs.String(), "too many open files"); n != 1 {
		t.Fatalf("the failure is logged %d times, want once:\n%s", n, logs)
	}
}

// Connections over MaxConnections are closed at once while the others keep working; the refusals
// are logged once, and counted when a connection is admitted again.
func TestConnectionLimit(t *testing.T) {
	c, logs := loggedCluster(t, MaxConnections(3))
	var open []*testClient
	for range 3 {
		tc := dialTest(t, c.Addrs()[0])
		var resp protocol.ApiVersionsResponse
		tc.roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
		open = append(open, tc)
	}
	for range 2 {
		dialTest(t, c.Addrs()[0]).expectClosed()
	}
	for _, tc := range open {
		var resp protocol.ApiVersionsResponse
		tc.roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
	}
	if n := strings.Count(logs.String(), "at its connection limit, MaxConnections 3"); n != 1 {
		t.Fatalf("the limit is logged %d times, want once:\n%s", n, logs)
	}
	open[0].conn.Close()
	waitUntil(t, "the closed connection is forgotten", func() bool {
		b := c.brokers[0]
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.conns) == 2
	})
	var resp protocol.ApiVersionsResponse
	dialTest(t, c.Addrs()[0]).roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
	logs.waitFor(t, "admitting connections again, after closing 2 over the limit")
}

// waitUntil polls cond for up to 10 s and fails the test if it never holds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not after 10 s: %s", what)
		}
	}
}

// A connection that sends nothing for the idle timeout is closed; one whose fetch waits for data
// longer than that is not: it waits for its answer.
func TestIdleTimeout(t *testing.T) {
	const idle = 300 * time.Millisecond
	c, logs := loggedCluster(t, IdleTimeout(idle), Topic("t", 1))
	parked := dialTest(t, c.Addrs()[0])
	corr := parked.send(11, fetchReq("t", 0, int32(5*idle/time.Millisecond)))
	start := time.Now()
	silent := dialTest(t, c.Addrs()[0])
	var av protocol.ApiVersionsResponse
	silent.roundTrip(3, &protocol.ApiVersionsRequest{}, &av)
	silent.expectClosed()
	logs.waitFor(t, "no request for 300ms (IdleTimeout")
	var fetched protocol.FetchResponse
	parked.receive(corr, 11, &fetched)
	if waited := time.Since(start); waited < 2*idle {
		t.Fatalf("the fetch waited %v, not longer than the idle timeout", waited)
	}
	parked.roundTrip(3, &protocol.ApiVersionsRequest{}, &av)
}

// A request that stops arriving halfway is cut off after the request timeout.
func TestRequestTimeoutReading(t *testing.T) {
	c, logs := loggedCluster(t, RequestTimeout(300*time.Millisecond))
	tc := dialTest(t, c.Addrs()[0])
	half := binary.BigEndian.AppendUint32(nil, 100)
	if _, err := tc.conn.Write(append(half, make([]byte, 50)...)); err != nil {
		t.Fatal(err)
	}
	tc.expectClosed()
	logs.waitFor(t, "frame of 100 bytes cut short")
	logs.waitFor(t, "not whole after 300ms (RequestTimeout)")
}

// A client that stops reading its responses is cut off after the request timeout.
func TestRequestTimeoutWriting(t *testing.T) {
	c, logs := loggedCluster(t, RequestTimeout(300*time.Millisecond))
	tc := pipeTest(t, c, 0)
	tc.send(3, &protocol.ApiVersionsRequest{})
	logs.waitFor(t, "writing ApiVersions response: write pipe: i/o timeout: not taken in 300ms (RequestTimeout)")
	tc.expectClosed()
}

// Before SASL authentication a request may have 512 KiB at most: a larger size closes the
// connection before its bytes come, so nothing is allocated for them. After authentication the same
// size is a request like any other.
func TestRequestSizeLimitBeforeSASL(t *testing.T) {
	const size = 600_000
	c, logs := saslCluster(t, []string{sasl.MechanismPlain}, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	if _, err := tc.conn.Write(binary.BigEndian.AppendUint32(nil, size)); err != nil {
		t.Fatal(err)
	}
	tc.expectClosed()
	logs.waitFor(t, "request size 600000 outside 0..524288 (sasl.server.max.receive.size, before SASL authentication)")

	tc = dialTest(t, c.Addrs()[0])
	tc.login(2, sasl.MechanismPlain)
	records := batchOf(t, -1, 0, 0, wire.CodecNone, strings.Repeat("x", size))
	if p := produce(tc, 9, 1, "t", 0, records); p.ErrorCode != 0 {
		t.Fatalf("produce of a %d-byte batch after authentication: %v", len(records), kerr.ForCode(p.ErrorCode))
	}
}
