package sasl

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestPlainClient(t *testing.T) {
	c := NewPlainClient("alice", "s3cr3t")
	msg, err := c.Start()
	if err != nil || string(msg) != "\x00alice\x00s3cr3t" || c.Mechanism() != "PLAIN" {
		t.Fatalf("Start: %q, %v", msg, err)
	}
	if _, err := c.Start(); !errors.Is(err, ErrState) {
		t.Fatalf("Start twice: %v", err)
	}
	if next, done, err := c.Next(nil); next != nil || !done || err != nil {
		t.Fatalf("Next: %q, %v, %v", next, done, err)
	}
	if _, _, err := c.Next(nil); !errors.Is(err, ErrState) {
		t.Fatalf("Next after the end: %v", err)
	}
}

func TestPlainServer(t *testing.T) {
	const password = "s3cr3t-pw"
	cred, err := ScramSHA256.NewCredential(password, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		msg  string
		want error // nil: accepted
	}{
		{"ok", "\x00alice\x00" + password, nil},
		{"ok with authzid", "alice\x00alice\x00" + password, nil},
		{"wrong password", "\x00alice\x00" + password + "x", ErrAuthenticationFailed},
		{"unknown user", "\x00bob\x00" + password, ErrAuthenticationFailed},
		{"other authzid", "admin\x00alice\x00" + password, ErrAuthenticationFailed},
		{"no separator", "alice", ErrMalformed},
		{"one separator", "\x00alice" + password, ErrMalformed},
		{"three separators", "\x00alice\x00" + password + "\x00", ErrMalformed},
		{"empty user", "\x00\x00" + password, ErrMalformed},
		{"empty password", "\x00alice\x00", ErrMalformed},
		{"password not UTF-8", "\x00alice\x00\xff" + password, ErrMalformed},
		{"user not UTF-8", "\x00al\xffice\x00" + password, ErrMalformed},
		{"too long", "\x00" + strings.Repeat("a", 5000) + "\x00" + password, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewPlainServer(lookupOf("alice", cred))
			reply, done, err := s.Next([]byte(tc.msg))
			if tc.want == nil {
				if err != nil || !done || reply == nil || len(reply) != 0 || s.User() != "alice" {
					t.Fatalf("reply %q, done %v, user %q, %v", reply, done, s.User(), err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), "sasl PLAIN: ") || s.User() != "" {
				t.Fatalf("got %v (user %q), want %v", err, s.User(), tc.want)
			}
			if strings.Contains(err.Error(), password) {
				t.Fatalf("the error shows the password: %v", err)
			}
			if _, _, err := s.Next([]byte(tc.msg)); !errors.Is(err, ErrState) {
				t.Fatalf("a second message: %v", err)
			}
		})
	}
}

func TestRedactClientMessage(t *testing.T) {
	msg := []byte("\x00alice\x00s3cr3t")
	RedactClientMessage(MechanismPlain, msg)
	if string(msg) != "\x00alice\x00******" {
		t.Fatalf("%q", msg)
	}
	scram := []byte(rfc7677.clientFinal)
	RedactClientMessage(MechanismScramSHA256, scram)
	if string(scram) != rfc7677.clientFinal {
		t.Fatalf("SCRAM message changed: %q", scram)
	}
	odd := []byte("no-nul")
	RedactClientMessage(MechanismPlain, odd)
	if string(odd) != "no-nul" {
		t.Fatalf("%q", odd)
	}
}

func TestNewClient(t *testing.T) {
	for _, m := range Mechanisms() {
		c, err := NewClient(m, "u", "pass-word")
		if err != nil || c.Mechanism() != m {
			t.Fatalf("%s: %v", m, err)
		}
		if s := fmt.Sprintf("%v %+v %#v %s", c, c, c, c); strings.Contains(s, "pass-word") || !strings.Contains(s, m) {
			t.Fatalf("printing a client: %s", s)
		}
	}
	if _, err := NewClient("GSSAPI", "u", "p"); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "GSSAPI") {
		t.Fatalf("GSSAPI: %v", err)
	}
}
