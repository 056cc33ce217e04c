package sasl

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestUsers(t *testing.T) {
	u := NewUsers(nil, 0)
	for _, add := range []struct{ mech, user, password string }{
		{MechanismScramSHA512, "alice", "a-pw"},
		{MechanismPlain, "alice", "a-pw"},
		{MechanismScramSHA512, "bob", "b-pw"},
	} {
		if err := u.Add(add.mech, add.user, add.password); err != nil {
			t.Fatal(err)
		}
	}
	if got := u.Mechanisms(); !slices.Equal(got, []string{MechanismScramSHA512, MechanismPlain}) {
		t.Fatalf("Mechanisms() = %v", got)
	}
	if u.Enabled(MechanismScramSHA256) {
		t.Fatal("SCRAM-SHA-256 enabled without users")
	}
	if _, err := u.NewServer(MechanismScramSHA256); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "SCRAM-SHA-512") {
		t.Fatalf("server of a mechanism not enabled: %v", err)
	}
	for _, tc := range []struct {
		mech, user, password string
		ok                   bool
	}{
		{MechanismScramSHA512, "alice", "a-pw", true},
		{MechanismScramSHA512, "bob", "b-pw", true},
		{MechanismScramSHA512, "bob", "a-pw", false},
		{MechanismPlain, "alice", "a-pw", true},
		{MechanismPlain, "bob", "b-pw", false}, // bob is a SCRAM user only
	} {
		s, err := u.NewServer(tc.mech)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := NewClient(tc.mech, tc.user, tc.password)
		if err := exchange(t, c, s); (err == nil) != tc.ok {
			t.Errorf("%s %s: %v", tc.mech, tc.user, err)
		}
	}
	// The database keeps credentials, not passwords.
	for _, m := range u.Mechanisms() {
		for _, user := range []string{"alice", "bob"} {
			if cred, ok := u.Lookup(m, user); ok && strings.Contains(fmt.Sprintf("%v %+v", cred, cred), "-pw") {
				t.Fatalf("%s %s: %+v", m, user, cred)
			}
		}
	}
}

func TestUsersRefuse(t *testing.T) {
	u := NewUsers(nil, 0)
	if err := u.Add("GSSAPI", "a", "p"); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("GSSAPI: %v", err)
	}
	if err := u.Add(MechanismPlain, "", "p"); !errors.Is(err, ErrMalformed) {
		t.Fatalf("empty user: %v", err)
	}
	cred512, _ := ScramSHA512.NewCredential("p", 0, nil)
	if err := u.AddCredential(MechanismScramSHA256, "a", cred512); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("a SHA-512 credential for SCRAM-SHA-256: %v", err)
	}
	if err := u.AddCredential(MechanismPlain, "a", cred512); err != nil {
		t.Fatalf("a SHA-512 credential for PLAIN: %v", err)
	}
	if err := NewUsers(nil, MaxIterations+1).Add(MechanismPlain, "a", "p"); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("too many iterations: %v", err)
	}
}
