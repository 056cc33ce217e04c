package sasl

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"
)

// Scram is one SCRAM mechanism (RFC 5802): the exchange with one hash function. [ScramSHA256]
// and [ScramSHA512] are the two Kafka implements.
type Scram struct {
	name    string
	newHash func() hash.Hash
}

// The SCRAM mechanisms Kafka implements (RFC 7677 defines SCRAM-SHA-256; SCRAM-SHA-512 is the
// same with SHA-512).
var (
	ScramSHA256 = &Scram{name: MechanismScramSHA256, newHash: sha256.New}
	ScramSHA512 = &Scram{name: MechanismScramSHA512, newHash: sha512.New}
)

// ScramByName returns the SCRAM mechanism called name, or nil.
func ScramByName(name string) *Scram {
	switch name {
	case MechanismScramSHA256:
		return ScramSHA256
	case MechanismScramSHA512:
		return ScramSHA512
	}
	return nil
}

// CredentialScram is the SCRAM mechanism whose credentials a server keeps for mechanism: itself
// for SCRAM, SCRAM-SHA-256 for PLAIN (whose password such a credential checks); nil for others.
func CredentialScram(mechanism string) *Scram {
	if mechanism == MechanismPlain {
		return ScramSHA256
	}
	return ScramByName(mechanism)
}

// Name is the mechanism's name, e.g. "SCRAM-SHA-256".
func (m *Scram) Name() string { return m.name }

// Iteration bounds. Kafka refuses SCRAM credentials with fewer than 4096 or more than 16384
// iterations, and its clients refuse a server asking for fewer than 4096.
const (
	MinIterations     = 4096
	MaxIterations     = 16384
	DefaultIterations = 4096
	// clientMaxIterations bounds what a client agrees to compute for a server: a hostile server
	// could otherwise ask it for hours of hashing.
	clientMaxIterations = 1 << 20
	// saltSize is the size of the salts NewCredential draws.
	saltSize = 16
)

// ScramCredential is what a server stores for one user of one mechanism (RFC 5802 section 3):
// the salt and iteration count the client needs to derive its key from the password, and two keys
// derived from the salted password, from which the password cannot be recovered. StoredKey checks
// a client's proof; ServerKey signs the server's final message.
type ScramCredential struct {
	Mechanism  string // "SCRAM-SHA-256" or "SCRAM-SHA-512": the hash the keys were derived with
	Salt       []byte
	Iterations int
	StoredKey  []byte // H(HMAC(SaltedPassword, "Client Key"))
	ServerKey  []byte // HMAC(SaltedPassword, "Server Key")
}

// Credential derives the credential of password with salt and iterations, which must be within
// [MinIterations, MaxIterations].
func (m *Scram) Credential(password string, salt []byte, iterations int) (ScramCredential, error) {
	if iterations < MinIterations || iterations > MaxIterations {
		return ScramCredential{}, fail(m.name, ErrUnsupported, fmt.Sprintf("%d iterations, outside %d..%d", iterations, MinIterations, MaxIterations))
	}
	if len(salt) == 0 {
		return ScramCredential{}, fail(m.name, ErrUnsupported, "empty salt")
	}
	salted, err := m.saltedPassword(password, salt, iterations)
	if err != nil {
		return ScramCredential{}, err
	}
	clientKey, serverKey := m.hmac(salted, "Client Key"), m.hmac(salted, "Server Key")
	return ScramCredential{
		Mechanism:  m.name,
		Salt:       append([]byte(nil), salt...),
		Iterations: iterations,
		StoredKey:  m.sum(clientKey),
		ServerKey:  serverKey,
	}, nil
}

// NewCredential derives the credential of password with a fresh 16-byte salt from random
// (crypto/rand when nil) and iterations (DefaultIterations when 0).
func (m *Scram) NewCredential(password string, iterations int, random io.Reader) (ScramCredential, error) {
	if random == nil {
		random = rand.Reader
	}
	if iterations == 0 {
		iterations = DefaultIterations
	}
	salt := make([]byte, saltSize)
	if _, err := io.ReadFull(random, salt); err != nil {
		return ScramCredential{}, fmt.Errorf("sasl %s: drawing a salt: %w", m.name, err)
	}
	return m.Credential(password, salt, iterations)
}

// Verify reports whether password is the one the credential was derived from. It costs one
// derivation (Iterations rounds of the hash), and compares in constant time. A credential of no
// known mechanism verifies nothing.
func (c ScramCredential) Verify(password string) bool {
	m := ScramByName(c.Mechanism)
	if m == nil || c.Iterations < 1 || c.Iterations > clientMaxIterations || len(c.Salt) == 0 {
		return false
	}
	salted, err := m.saltedPassword(password, c.Salt, c.Iterations)
	if err != nil {
		return false
	}
	return hmac.Equal(m.sum(m.hmac(salted, "Client Key")), c.StoredKey)
}

// String describes the credential without its keys, so that printing one leaks nothing useful.
func (c ScramCredential) String() string {
	return fmt.Sprintf("%s credential (%d iterations, %d-byte salt)", c.Mechanism, c.Iterations, len(c.Salt))
}

// saltedPassword is RFC 5802's Hi(password, salt, i): PBKDF2 with HMAC of the mechanism's hash,
// one block long.
func (m *Scram) saltedPassword(password string, salt []byte, iterations int) ([]byte, error) {
	k, err := pbkdf2.Key(m.newHash, password, salt, iterations, m.newHash().Size())
	if err != nil {
		return nil, fmt.Errorf("sasl %s: deriving the salted password: %w", m.name, err)
	}
	return k, nil
}

// hmac is HMAC(key, msg) with the mechanism's hash.
func (m *Scram) hmac(key []byte, msg string) []byte {
	h := hmac.New(m.newHash, key)
	io.WriteString(h, msg)
	return h.Sum(nil)
}

// sum is H(b).
func (m *Scram) sum(b []byte) []byte {
	h := m.newHash()
	h.Write(b)
	return h.Sum(nil)
}

// xor returns a XOR b, which have the same length.
func xor(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}
