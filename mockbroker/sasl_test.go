package mockbroker

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/sasl"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// logBuffer collects a cluster's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the log holds want, for lines written as a connection closes.
func (b *logBuffer) waitFor(t *testing.T, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(b.String(), want) {
			return
		}
	}
	t.Fatalf("the log does not say %q:\n%s", want, b.String())
}

// loggedCluster is a test cluster whose log goes to the returned buffer.
func loggedCluster(t *testing.T, opts ...Option) (*Cluster, *logBuffer) {
	logs := new(logBuffer)
	return NewTestCluster(t, append([]Option{Logger(log.New(logs, "", 0))}, opts...)...), logs
}

const alicePassword = "alice-s3cret!"

// saslCluster is a cluster with user alice for each of mechanisms.
func saslCluster(t *testing.T, mechanisms []string, opts ...Option) (*Cluster, *logBuffer) {
	for _, m := range mechanisms {
		opts = append(opts, SASLUsers(m, map[string]string{"alice": alicePassword, "bob": "bob-pw"}))
	}
	return loggedCluster(t, opts...)
}

// handshake sends SaslHandshake and requires no error.
func (tc *testClient) handshake(version int16, mechanism string) {
	tc.t.Helper()
	var hs protocol.SaslHandshakeResponse
	tc.roundTrip(version, &protocol.SaslHandshakeRequest{Mechanism: mechanism}, &hs)
	if hs.ErrorCode != 0 {
		tc.t.Fatalf("SaslHandshake %s: %v (enabled: %v)", mechanism, kerr.ForCode(hs.ErrorCode), hs.Mechanisms)
	}
}

// authenticate runs a client of mechanism through SaslAuthenticate at version and returns the
// last response: the one with an error, or the one that completed the exchange.
func (tc *testClient) authenticate(version int16, mechanism, user, password string) protocol.SaslAuthenticateResponse {
	tc.t.Helper()
	client, err := sasl.NewClient(mechanism, user, password)
	if err != nil {
		tc.t.Fatal(err)
	}
	msg, err := client.Start()
	for err == nil {
		var resp protocol.SaslAuthenticateResponse
		tc.roundTrip(version, &protocol.SaslAuthenticateRequest{AuthBytes: msg}, &resp)
		if resp.ErrorCode != 0 {
			return resp
		}
		var done bool
		if msg, done, err = client.Next(resp.AuthBytes); done {
			return resp
		}
	}
	tc.t.Fatalf("%s client: %v", mechanism, err)
	return protocol.SaslAuthenticateResponse{}
}

// login authenticates tc as alice with mechanism, handshake v1 and SaslAuthenticate at version.
func (tc *testClient) login(version int16, mechanism string) protocol.SaslAuthenticateResponse {
	tc.t.Helper()
	tc.handshake(1, mechanism)
	resp := tc.authenticate(version, mechanism, "alice", alicePassword)
	if resp.ErrorCode != 0 {
		tc.t.Fatalf("%s: %v: %s", mechanism, kerr.ForCode(resp.ErrorCode), kmDeref(resp.ErrorMessage))
	}
	return resp
}

func kmDeref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

// metadataWorks requires a Metadata request to be answered.
func (tc *testClient) metadataWorks() {
	tc.t.Helper()
	var resp protocol.MetadataResponse
	tc.roundTrip(12, metadataReq(true, "t"), &resp)
	if len(resp.Brokers) != 1 || len(resp.Topics) != 1 {
		tc.t.Fatalf("metadata: %+v", resp)
	}
}

// Every mechanism at every SaslAuthenticate version authenticates and opens the connection to
// other requests; neither the log nor the captured exchanges hold the password.
func TestSASLMechanisms(t *testing.T) {
	for _, m := range sasl.Mechanisms() {
		for v := protocol.SaslAuthenticateVersions.Min; v <= protocol.SaslAuthenticateVersions.Max; v++ {
			t.Run(fmt.Sprintf("%s/v%d", m, v), func(t *testing.T) {
				c, logs := saslCluster(t, []string{m})
				tc := dialTest(t, c.Addrs()[0])
				var av protocol.ApiVersionsResponse
				tc.roundTrip(3, &protocol.ApiVersionsRequest{}, &av)
				resp := tc.login(v, m)
				if resp.SessionLifetimeMs != 0 {
					t.Fatalf("session lifetime %d without SASLSessionLifetime", resp.SessionLifetimeMs)
				}
				tc.metadataWorks()
				logs.waitFor(t, fmt.Sprintf(`authenticated as "alice" with %s`, m))
				var captured bytes.Buffer
				for _, e := range c.Exchanges() {
					captured.Write(e.RequestBytes)
					fmt.Fprintf(&captured, "%+v", e.Request)
				}
				if strings.Contains(captured.String(), alicePassword) || strings.Contains(logs.String(), alicePassword) {
					t.Fatalf("the password was captured or logged:\n%s", logs)
				}
				if !bytes.Contains(captured.Bytes(), []byte("alice")) {
					t.Fatal("no SaslAuthenticate exchange captured")
				}
			})
		}
	}
}

// Wrong passwords and unknown users get SASL_AUTHENTICATION_FAILED with Kafka's message, which
// holds no password and does not tell one from the other; then the connection closes. The log
// says which it was.
func TestSASLRefused(t *testing.T) {
	for _, m := range sasl.Mechanisms() {
		for _, tc := range []struct{ name, user, password, logged string }{
			{"wrong password", "alice", "not-" + alicePassword, `wrong password for user "alice"`},
			{"unknown user", "mallory", alicePassword, `unknown user "mallory"`},
		} {
			t.Run(m+"/"+tc.name, func(t *testing.T) {
				c, logs := saslCluster(t, []string{m})
				conn := dialTest(t, c.Addrs()[0])
				conn.handshake(1, m)
				resp := conn.authenticate(2, m, tc.user, tc.password)
				if resp.ErrorCode != kerr.SaslAuthenticationFailed.Code || resp.ErrorMessage == nil {
					t.Fatalf("got %v: %s", kerr.ForCode(resp.ErrorCode), kmDeref(resp.ErrorMessage))
				}
				msg := *resp.ErrorMessage
				if !strings.HasPrefix(msg, "Authentication failed") || strings.Contains(msg, alicePassword) || strings.Contains(msg, tc.user) {
					t.Fatalf("message %q", msg)
				}
				conn.expectClosed()
				logs.waitFor(t, tc.logged)
				if strings.Contains(logs.String(), alicePassword) {
					t.Fatalf("the log shows the password:\n%s", logs)
				}
			})
		}
	}
}

// A mechanism that is not enabled answers UNSUPPORTED_SASL_MECHANISM with the enabled ones, in
// the order they were configured, and closes the connection.
func TestSASLUnsupportedMechanism(t *testing.T) {
	c, logs := saslCluster(t, []string{sasl.MechanismScramSHA512, sasl.MechanismPlain})
	tc := dialTest(t, c.Addrs()[0])
	var hs protocol.SaslHandshakeResponse
	tc.roundTrip(1, &protocol.SaslHandshakeRequest{Mechanism: "SCRAM-SHA-256"}, &hs)
	if hs.ErrorCode != kerr.UnsupportedSaslMechanism.Code || strings.Join(hs.Mechanisms, ",") != "SCRAM-SHA-512,PLAIN" {
		t.Fatalf("got %v %v", kerr.ForCode(hs.ErrorCode), hs.Mechanisms)
	}
	tc.expectClosed()
	logs.waitFor(t, `SASL mechanism "SCRAM-SHA-256" is not enabled`)
	for _, tc := range []struct {
		opt  Option
		want string
	}{
		{SASLUsers("GSSAPI", map[string]string{"a": "b"}), "GSSAPI"},
		{SASLUsers("PLAIN", nil), "no users"},
		{SASLUsers("PLAIN", map[string]string{"": "pw"}), "empty user name"},
	} {
		if _, err := NewCluster(tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "pw") {
			t.Fatalf("NewCluster: %v, want an error with %q", err, tc.want)
		}
	}
}

// Before authenticating, a connection may send ApiVersions and SaslHandshake, then SaslAuthenticate;
// anything else closes it, and the log says why.
func TestSASLRequestsBeforeAuthentication(t *testing.T) {
	c, logs := saslCluster(t, []string{sasl.MechanismPlain})
	for _, tc := range []struct {
		name   string
		before func(tc *testClient)
		req    protocol.Message
		logged string
	}{
		{"metadata first", func(*testClient) {}, metadataReq(false, "t"), "Metadata before SASL authentication"},
		{"produce after ApiVersions", func(tc *testClient) {
			tc.roundTrip(3, &protocol.ApiVersionsRequest{}, new(protocol.ApiVersionsResponse))
		}, produceReq(1, "t", 0, batchOf(t, -1, 0, 0, 0, "x")), "Produce before SASL authentication"},
		{"authenticate without handshake", func(*testClient) {}, &protocol.SaslAuthenticateRequest{AuthBytes: []byte("\x00alice\x00" + alicePassword)}, "SaslAuthenticate before SASL authentication"},
		{"metadata after handshake", func(tc *testClient) { tc.handshake(1, "PLAIN") }, metadataReq(false, "t"), "Metadata during SASL authentication"},
		{"ApiVersions after handshake", func(tc *testClient) { tc.handshake(1, "PLAIN") }, &protocol.ApiVersionsRequest{}, "ApiVersions during SASL authentication"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := dialTest(t, c.Addrs()[0])
			tc.before(conn)
			version := int16(0)
			if _, ok := tc.req.(*protocol.MetadataRequest); ok {
				version = 12
			} else if _, ok := tc.req.(*protocol.ProduceRequest); ok {
				version = 9
			}
			conn.send(version, tc.req)
			conn.expectClosed()
			logs.waitFor(t, tc.logged)
		})
	}
	if records, _ := c.Records("t", 0); len(records) != 0 {
		t.Fatalf("an unauthenticated produce was written: %v", records)
	}
}

// After SaslHandshake v0 the tokens travel as bare size-prefixed frames (Kafka before 1.0).
func TestSASLHandshakeV0RawTokens(t *testing.T) {
	for _, m := range sasl.Mechanisms() {
		t.Run(m, func(t *testing.T) {
			c, _ := saslCluster(t, []string{m})
			tc := dialTest(t, c.Addrs()[0])
			tc.handshake(0, m)
			client, _ := sasl.NewClient(m, "alice", alicePassword)
			msg, err := client.Start()
			for done := false; !done; {
				if err != nil {
					t.Fatal(err)
				}
				tc.conn.Write(binary.BigEndian.AppendUint32(nil, uint32(len(msg))))
				tc.conn.Write(msg)
				reply, rerr := tc.readFrame()
				if rerr != nil {
					t.Fatalf("reading a raw token: %v", rerr)
				}
				msg, done, err = client.Next(reply)
			}
			tc.metadataWorks()

			bad := dialTest(t, c.Addrs()[0])
			bad.handshake(0, m)
			badClient, _ := sasl.NewClient(m, "alice", "wrong")
			first, _ := badClient.Start()
			bad.conn.Write(binary.BigEndian.AppendUint32(nil, uint32(len(first))))
			bad.conn.Write(first)
			if m != sasl.MechanismPlain { // SCRAM fails at the second token
				reply, err := bad.readFrame()
				if err != nil {
					t.Fatal(err)
				}
				final, _, _ := badClient.Next(reply)
				bad.conn.Write(binary.BigEndian.AppendUint32(nil, uint32(len(final))))
				bad.conn.Write(final)
			}
			bad.expectClosed()
		})
	}
}

// Without SASL, SaslHandshake and SaslAuthenticate answer ILLEGAL_SASL_STATE, and the connection
// stays open, as on Kafka's PLAINTEXT listener; the APIs are advertised all the same.
func TestSASLNotEnabled(t *testing.T) {
	c := NewTestCluster(t)
	tc := dialTest(t, c.Addrs()[0])
	var hs protocol.SaslHandshakeResponse
	tc.roundTrip(1, &protocol.SaslHandshakeRequest{Mechanism: "PLAIN"}, &hs)
	if hs.ErrorCode != kerr.IllegalSaslState.Code || len(hs.Mechanisms) != 0 {
		t.Fatalf("handshake: %v %v", kerr.ForCode(hs.ErrorCode), hs.Mechanisms)
	}
	var auth protocol.SaslAuthenticateResponse
	tc.roundTrip(2, &protocol.SaslAuthenticateRequest{AuthBytes: []byte("\x00alice\x00pw")}, &auth)
	if auth.ErrorCode != kerr.IllegalSaslState.Code {
		t.Fatalf("authenticate: %v", kerr.ForCode(auth.ErrorCode))
	}
	tc.metadataWorks()
	for _, e := range c.Exchanges() {
		if bytes.Contains(e.RequestBytes, []byte("\x00pw")) {
			t.Fatal("a PLAIN password sent to a broker without SASL was captured")
		}
	}
	adv := advertisedRanges(t, c)
	if adv[protocol.KeySaslHandshake] != (protocol.VersionRange{Min: 0, Max: 1}) || adv[protocol.KeySaslAuthenticate] != (protocol.VersionRange{Min: 0, Max: 2}) {
		t.Fatalf("advertised %v and %v", adv[protocol.KeySaslHandshake], adv[protocol.KeySaslAuthenticate])
	}
}

// With a session lifetime, SaslAuthenticate v1+ reports it; a connection that does not
// re-authenticate in time is closed at its next request; one that does goes on. Re-authentication
// must keep the mechanism and the user.
func TestSASLSessionLifetime(t *testing.T) {
	const lifetime = 300 * time.Millisecond
	c, logs := saslCluster(t, []string{sasl.MechanismScramSHA256, sasl.MechanismPlain}, SASLSessionLifetime(lifetime))

	v0 := dialTest(t, c.Addrs()[0])
	if resp := v0.login(0, sasl.MechanismScramSHA256); resp.SessionLifetimeMs != 0 {
		t.Fatalf("v0 carries a lifetime: %d", resp.SessionLifetimeMs)
	}
	late := dialTest(t, c.Addrs()[0])
	if resp := late.login(1, sasl.MechanismScramSHA256); resp.SessionLifetimeMs != lifetime.Milliseconds() {
		t.Fatalf("SessionLifetimeMs %d, want %d", resp.SessionLifetimeMs, lifetime.Milliseconds())
	}
	renewed := dialTest(t, c.Addrs()[0])
	renewed.login(2, sasl.MechanismScramSHA256)
	late.metadataWorks()
	time.Sleep(lifetime + 100*time.Millisecond)

	late.send(12, metadataReq(false, "t"))
	late.expectClosed()
	logs.waitFor(t, `after the SASL session of user "alice" expired`)

	renewed.login(2, sasl.MechanismScramSHA256) // re-authentication
	renewed.metadataWorks()

	other := dialTest(t, c.Addrs()[0])
	other.login(2, sasl.MechanismScramSHA256)
	other.handshake(1, sasl.MechanismPlain)
	if resp := other.authenticate(2, sasl.MechanismPlain, "alice", alicePassword); resp.ErrorCode != kerr.SaslAuthenticationFailed.Code {
		t.Fatalf("re-authentication with another mechanism: %v", kerr.ForCode(resp.ErrorCode))
	}
	other.expectClosed()

	bob := dialTest(t, c.Addrs()[0])
	bob.login(2, sasl.MechanismScramSHA256)
	bob.handshake(1, sasl.MechanismScramSHA256)
	if resp := bob.authenticate(2, sasl.MechanismScramSHA256, "bob", "bob-pw"); resp.ErrorCode != kerr.SaslAuthenticationFailed.Code {
		t.Fatalf("re-authentication as another user: %v", kerr.ForCode(resp.ErrorCode))
	}
	bob.expectClosed()
	logs.waitFor(t, `re-authentication as "bob", but the connection authenticated as "alice"`)
}

// SaslAuthenticate on an authenticated connection, outside re-authentication, answers
// ILLEGAL_SASL_STATE, as Kafka's request handler does.
func TestSASLAuthenticateAfterAuthentication(t *testing.T) {
	c, _ := saslCluster(t, []string{sasl.MechanismPlain})
	tc := dialTest(t, c.Addrs()[0])
	tc.login(2, sasl.MechanismPlain)
	var resp protocol.SaslAuthenticateResponse
	tc.roundTrip(2, &protocol.SaslAuthenticateRequest{AuthBytes: []byte("x")}, &resp)
	if resp.ErrorCode != kerr.IllegalSaslState.Code {
		t.Fatalf("got %v", kerr.ForCode(resp.ErrorCode))
	}
	tc.metadataWorks()
}

// A database built elsewhere, with stored credentials, serves as well.
func TestSASLCredentials(t *testing.T) {
	users := sasl.NewUsers(nil, 0)
	cred, err := sasl.ScramSHA512.NewCredential(alicePassword, 8192, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.AddCredential(sasl.MechanismScramSHA512, "alice", cred); err != nil {
		t.Fatal(err)
	}
	c := NewTestCluster(t, SASLCredentials(users))
	tc := dialTest(t, c.Addrs()[0])
	tc.login(1, sasl.MechanismScramSHA512)
	tc.metadataWorks()
}
