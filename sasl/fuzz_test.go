package sasl

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// The parsers of client messages decode untrusted bytes on a server: whatever the bytes, they
// must not panic, and must either fail with a *Error of a known kind or accept.

// FuzzScramServer feeds a SCRAM server a client-first and a client-final message.
func FuzzScramServer(f *testing.F) {
	f.Add([]byte(rfc7677.clientFirst), []byte(rfc7677.clientFinal))
	f.Add([]byte("y,a=user,n=user,r=abc,tokenauth=false"), []byte("c=eSxhPXVzZXIs,r=abc,p=AAAA"))
	f.Add([]byte("n,,n=us=2Cer,r=abc"), []byte("c=biws,r=abc,x=1,p="))
	cred := mustCredential(f, ScramSHA256, "pencil", rfc7677.salt, 4096)
	f.Fuzz(func(t *testing.T, first, final []byte) {
		s := ScramSHA256.NewServer(lookupOf("user", cred), nil).(*scramServer)
		s.newNonce = fixedNonce(rfc7677.serverNonce)
		if _, _, err := s.Next(first); err != nil {
			checkKnownError(t, err)
			return
		}
		if _, done, err := s.Next(final); err != nil {
			checkKnownError(t, err)
		} else if !done || s.User() != "user" {
			t.Fatalf("accepted without finishing: done %v, user %q", done, s.User())
		}
	})
}

// FuzzParsePlain checks that a PLAIN message either parses into fields that rebuild it, or fails.
func FuzzParsePlain(f *testing.F) {
	f.Add([]byte("\x00alice\x00secret"))
	f.Add([]byte("alice\x00alice\x00secret"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		a, u, p, err := ParsePlain(msg)
		if err != nil {
			checkKnownError(t, err)
			return
		}
		if rebuilt := a + "\x00" + u + "\x00" + p; rebuilt != string(msg) {
			t.Fatalf("%q parsed into %q %q %q", msg, a, u, p)
		}
	})
}

// FuzzParseJAASConfig checks that a sasl.jaas.config either fails with a *JAASError, whose text
// never holds a quoted value, or parses into a configuration whose String form parses the same.
func FuzzParseJAASConfig(f *testing.F) {
	f.Add(PlainLoginModule + ` required username="alice" password="secret";`)
	f.Add(`x.Y optional a='b\'c' /* c */ d=e // f` + "\n;")
	f.Add(`x.Y required a="\101\7\\";`)
	f.Fuzz(func(t *testing.T, in string) {
		cfg, err := ParseJAASConfig(in)
		if err != nil {
			var je *JAASError
			if !errors.As(err, &je) || je.Offset < 0 || je.Offset > len(in) {
				t.Fatalf("%q: %v", in, err)
			}
			return
		}
		for k := range cfg.Options { // make String show every value
			if strings.Contains(strings.ToLower(k), "password") {
				delete(cfg.Options, k)
			}
		}
		again, err := ParseJAASConfig(cfg.String())
		if err != nil {
			t.Fatalf("%q → %s: %v", in, cfg.String(), err)
		}
		if again.String() != cfg.String() {
			t.Fatalf("%s → %s", cfg.String(), again.String())
		}
	})
}

// FuzzScramClient feeds a SCRAM client server messages.
func FuzzScramClient(f *testing.F) {
	f.Add([]byte(rfc7677.serverFirst), []byte(rfc7677.end))
	f.Add([]byte("e=x"), []byte(""))
	f.Fuzz(func(t *testing.T, first, final []byte) {
		c := ScramSHA256.NewClient("user", "pencil", nil).(*scramClient)
		c.newNonce = fixedNonce(rfc7677.clientNonce)
		c.Start()
		if bytes.Contains(first, []byte("i=")) && !bytes.Contains(first, []byte("i=4096")) {
			return // keep iteration counts small: the fuzzer would find slow ones
		}
		if _, _, err := c.Next(first); err != nil {
			checkKnownError(t, err)
			return
		}
		if _, _, err := c.Next(final); err != nil {
			checkKnownError(t, err)
		}
	})
}

func checkKnownError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("not a *sasl.Error: %v", err)
	}
	for _, kind := range []error{ErrAuthenticationFailed, ErrMalformed, ErrUnsupported, ErrState} {
		if errors.Is(err, kind) {
			return
		}
	}
	t.Fatalf("an error of no known kind: %v", err)
}
