package sasl

import (
	"fmt"
	"io"
	"slices"
	"sync"
)

// Users is a server's user database: for each enabled mechanism, each user's [ScramCredential].
// It never holds a password: [Users.Add] derives the credential and forgets the password. PLAIN
// users get a SCRAM-SHA-256 credential, which checks the password PLAIN sends. It is safe for
// concurrent use.
type Users struct {
	random     io.Reader
	iterations int

	mu    sync.RWMutex
	mechs []string                              // enabled mechanisms, in the order first added
	creds map[string]map[string]ScramCredential // mechanism → user → credential
}

// NewUsers returns an empty database whose salts and server nonces come from random (crypto/rand
// when nil; another reader must be safe for concurrent use if servers run concurrently) and whose
// credentials take iterations rounds (DefaultIterations when 0).
func NewUsers(random io.Reader, iterations int) *Users {
	return &Users{random: random, iterations: iterations, creds: make(map[string]map[string]ScramCredential)}
}

// Add enables mechanism (one of [Mechanisms]) and adds user with password to it, replacing any
// earlier credential of user for it.
func (u *Users) Add(mechanism, user, password string) error {
	m := CredentialScram(mechanism)
	if m == nil {
		return fail(mechanism, ErrUnsupported, fmt.Sprintf("unknown mechanism (kwire implements %v)", Mechanisms()))
	}
	cred, err := m.NewCredential(password, u.iterations, u.random)
	if err != nil {
		return err
	}
	return u.AddCredential(mechanism, user, cred)
}

// AddCredential enables mechanism and adds user with a credential derived elsewhere. For SCRAM the
// credential must be of that mechanism; for PLAIN of either SCRAM mechanism.
func (u *Users) AddCredential(mechanism, user string, cred ScramCredential) error {
	switch {
	case user == "":
		return fail(mechanism, ErrMalformed, "empty user name")
	case mechanism != MechanismPlain && ScramByName(mechanism) == nil:
		return fail(mechanism, ErrUnsupported, fmt.Sprintf("unknown mechanism (kwire implements %v)", Mechanisms()))
	case ScramByName(cred.Mechanism) == nil, mechanism != MechanismPlain && cred.Mechanism != mechanism:
		return fail(mechanism, ErrUnsupported, fmt.Sprintf("user %q: a %s credential", user, cred.Mechanism))
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.creds[mechanism] == nil {
		u.creds[mechanism] = make(map[string]ScramCredential)
		u.mechs = append(u.mechs, mechanism)
	}
	u.creds[mechanism][user] = cred
	return nil
}

// Mechanisms lists the enabled mechanisms, in the order they were first added to.
func (u *Users) Mechanisms() []string {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return slices.Clone(u.mechs)
}

// Enabled reports whether mechanism has been added to.
func (u *Users) Enabled(mechanism string) bool {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.creds[mechanism] != nil
}

// Lookup returns the credential of user for mechanism.
func (u *Users) Lookup(mechanism, user string) (ScramCredential, bool) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	cred, ok := u.creds[mechanism][user]
	return cred, ok
}

// NewServer returns a server of mechanism checking against this database, with nonces from the
// database's random source. The mechanism must be enabled.
func (u *Users) NewServer(mechanism string) (Server, error) {
	if !u.Enabled(mechanism) {
		return nil, fail(mechanism, ErrUnsupported, fmt.Sprintf("not enabled (enabled: %v)", u.Mechanisms()))
	}
	lookup := func(user string) (ScramCredential, bool) { return u.Lookup(mechanism, user) }
	if mechanism == MechanismPlain {
		return NewPlainServer(lookup), nil
	}
	return ScramByName(mechanism).NewServer(lookup, u.random), nil
}
