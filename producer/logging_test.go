package producer

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/sasl"
)

// The producer's logging: it says why metadata failed before those waiting for it learn it, and
// says nothing once Close has returned.

// lateLogHandler is a slog handler that takes a second (of a synctest bubble's clock) over each
// record and notes the records it finishes after closed is set.
type lateLogHandler struct {
	mu     sync.Mutex
	closed bool
	late   []string
}

func (h *lateLogHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *lateLogHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *lateLogHandler) WithGroup(string) slog.Handler            { return h }

func (h *lateLogHandler) Handle(_ context.Context, r slog.Record) error {
	time.Sleep(time.Second)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		h.late = append(h.late, r.Message)
	}
	return nil
}

// TestNothingLoggedAfterClose: once Close returns, the producer logs nothing more, so that a
// Logger writing somewhere Close's caller then closes (a file, a test's t.Log) is not written
// to after. Here Close interrupts a metadata refresh that waits on a broker that never answers,
// and the logger is slow: the refresh must neither outlive Close nor log the interruption.
func TestNothingLoggedAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &lateLogHandler{}
		cfg := DefaultConfig()
		cfg.BootstrapServers = []string{"silent:9092"}
		cfg.Logger = slog.New(h)
		var (
			mu      sync.Mutex // the metadata refresh and InitProducerId dial at once
			brokers []net.Conn
		)
		cfg.Dialer = func(context.Context, string) (net.Conn, error) {
			client, broker := net.Pipe() // nothing reads the broker's end
			mu.Lock()
			brokers = append(brokers, broker)
			mu.Unlock()
			return client, nil
		}
		p, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		sent := make(chan error, 1)
		go func() {
			_, err := p.SendSync(context.Background(), &Record{Topic: "t", Value: []byte("x")})
			sent <- err
		}()
		synctest.Wait() // the refresh waits on the broker, SendSync on the refresh
		if err := p.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.mu.Lock()
		h.closed = true
		h.mu.Unlock()
		<-sent
		time.Sleep(time.Minute) // a log record begun before or after Close returned ends meanwhile
		mu.Lock()
		for _, b := range brokers {
			b.Close()
		}
		mu.Unlock()
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.late) > 0 {
			t.Fatalf("logged after Close returned: %q", h.late)
		}
	})
}

// slowHandler takes delay over each record before its Handler writes it, as a logger writing to a
// slow disk or network would.
type slowHandler struct {
	slog.Handler
	delay time.Duration
}

func (h slowHandler) Handle(ctx context.Context, r slog.Record) error {
	time.Sleep(h.delay)
	return h.Handler.Handle(ctx, r)
}

// TestRefusalLoggedBeforeSendFails: when refused credentials fail a Send, the producer's log
// already says so, however slow the logger, so that what a caller then reads in the log explains
// the error it got.
func TestRefusalLoggedBeforeSendFails(t *testing.T) {
	sc := securityCase{SecuritySASLPlaintext, sasl.MechanismScramSHA256}
	st := newSecureTarget(t, sc, nil, mockbroker.Topic("t", 1))
	logs := new(syncBuffer)
	cfg := st.config(t, st.properties(sc, "alice", "wrong-"+testPassword), nil)
	cfg.Logger = slog.New(slowHandler{slog.NewTextHandler(logs, nil), 100 * time.Millisecond})
	p := newTestProducer(t, cfg)
	const message = "invalid credentials with SASL mechanism SCRAM-SHA-256"
	authFailure(t, sendFailsFast(t, p), sc.mechanism, message)
	if !strings.Contains(logs.String(), message) {
		t.Fatalf("when Send failed, the producer's log did not say why yet:\n%s", logs.String())
	}
}
