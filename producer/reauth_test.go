package producer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// TestReauthentication (KIP-368): brokers whose SASL sessions last two seconds report so in
// SaslAuthenticate; a producer sending for over four seconds moves to newly authenticated
// connections before each session ends, so that no request goes on an expired session (which the
// broker would close the connection on), and loses nothing: every record lands once, in order,
// with no retry.
func TestReauthentication(t *testing.T) {
	// Two seconds leave 100-300 ms between the producer's move and the session's end: a busy
	// machine held a request sent at 95% of a one-second session past its end.
	const lifetime = 2 * time.Second
	for _, sc := range []securityCase{{SecuritySASLSSL, sasl.MechanismScramSHA256}, {SecuritySASLPlaintext, sasl.MechanismPlain}} {
		t.Run(sc.String(), func(t *testing.T) {
			t.Parallel()
			st := newSecureTarget(t, sc, nil, mockbroker.NumBrokers(2), mockbroker.Topic("t", 4), mockbroker.SASLSessionLifetime(lifetime))
			p := newTestProducer(t, st.config(t, st.properties(sc, "alice", testPassword), nil))
			if _, err := p.PartitionsFor(context.Background(), "t"); err != nil {
				t.Fatal(err)
			}
			const n, chunks = 2000, 100
			o := newOutcomes(n)
			start := time.Now()
			pacedSend(t, p, "t", n, chunks, nil, o, func(int) { time.Sleep(45 * time.Millisecond) })
			if err := p.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			o.requireAllSucceededOnce(t, n)
			checkExactlyOnceInOrder(t, st.c, "t", 4, n)
			if r := p.Stats().Retries; r != 0 {
				t.Errorf("%d batches retried: requests were lost when connections were replaced", r)
			}
			logs := st.logs.String()
			if strings.Contains(logs, "expired") || strings.Contains(logs, "closing the connection") {
				t.Fatalf("a request went on an expired session:\n%s", logs)
			}
			sessions := 0
			for _, e := range st.c.Exchanges() {
				if e.Header.APIKey != protocol.KeySaslAuthenticate {
					continue
				}
				resp := e.Response.(*protocol.SaslAuthenticateResponse)
				if resp.ErrorCode == 0 && resp.SessionLifetimeMs > 0 {
					sessions++
					if resp.SessionLifetimeMs != lifetime.Milliseconds() {
						t.Fatalf("SessionLifetimeMs %d", resp.SessionLifetimeMs)
					}
				}
			}
			// Two produce connections for the whole run, replaced every 85–95% of a session.
			if want := 2 * int(took/lifetime); sessions < want {
				t.Errorf("%d sessions in %v, want at least %d: connections were not replaced", sessions, took, want)
			}
			t.Logf("%d records in %v over %d SASL sessions", n, took.Round(time.Millisecond), sessions)
		})
	}
}
