package mockbroker

import (
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

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
