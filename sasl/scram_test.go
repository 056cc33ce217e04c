package sasl

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// scramVector is one SCRAM exchange written out in full: the password, the salt, the nonces and
// the four messages.
type scramVector struct {
	m                                          *Scram
	user, password, salt                       string // salt in base64
	clientNonce, serverNonce                   string
	clientFirst, serverFirst, clientFinal, end string
}

// rfc7677 is the SCRAM-SHA-256 example of RFC 7677 section 3.
var rfc7677 = scramVector{
	m: ScramSHA256, user: "user", password: "pencil", salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
	clientNonce: "rOprNGfwEbeRWgbNEkqO", serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
	clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
	serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
	clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
	end:         "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
}

// rfc5802 is the SCRAM-SHA-1 example of RFC 5802 section 5, run through the same code with SHA-1
// (which Kafka does not offer, so the mechanism is not exported).
var rfc5802 = scramVector{
	m: &Scram{name: "SCRAM-SHA-1", newHash: sha1.New}, user: "user", password: "pencil", salt: "QSXCR+Q6sek8bf92",
	clientNonce: "fyko+d2lbbFgONRv9qkxdawL", serverNonce: "3rfcNHYJY1ZVvWVs7j",
	clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
	serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
	clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
	end:         "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
}

// sha512Vector is RFC 7677's exchange with SCRAM-SHA-512. The proof and signature were computed
// independently, with Python's hashlib.pbkdf2_hmac and hmac (which reproduce both RFCs' examples).
var sha512Vector = scramVector{
	m: ScramSHA512, user: "user", password: "pencil", salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
	clientNonce: "rOprNGfwEbeRWgbNEkqO", serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
	clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
	serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
	clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==",
	end:         "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==",
}

// fixedNonce is a nonce source that gives nonce.
func fixedNonce(nonce string) func() (string, error) {
	return func() (string, error) { return nonce, nil }
}

func mustCredential(t testing.TB, m *Scram, password, salt string, iterations int) ScramCredential {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(salt)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := m.Credential(password, raw, iterations)
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// lookupOf serves one user's credential.
func lookupOf(user string, cred ScramCredential) Lookup {
	return func(u string) (ScramCredential, bool) { return cred, u == user }
}

// TestScramVectors runs the client and the server, each against the vector's messages: both must
// write exactly the vector's messages when given its nonces.
func TestScramVectors(t *testing.T) {
	for _, v := range []scramVector{rfc7677, rfc5802, sha512Vector} {
		t.Run(v.m.name, func(t *testing.T) {
			c := v.m.NewClient(v.user, v.password, nil).(*scramClient)
			c.newNonce = fixedNonce(v.clientNonce)
			expectStep(t, "client-first", must(c.Start()), v.clientFirst)
			final, done, err := c.Next([]byte(v.serverFirst))
			if err != nil || done {
				t.Fatalf("client answering server-first: done %v, %v", done, err)
			}
			expectStep(t, "client-final", final, v.clientFinal)
			if last, done, err := c.Next([]byte(v.end)); err != nil || !done || last != nil {
				t.Fatalf("client checking server-final: %q, done %v, %v", last, done, err)
			}

			s := v.m.NewServer(lookupOf(v.user, mustCredential(t, v.m, v.password, v.salt, 4096)), nil).(*scramServer)
			s.newNonce = fixedNonce(v.serverNonce)
			first, done, err := s.Next([]byte(v.clientFirst))
			if err != nil || done {
				t.Fatalf("server answering client-first: done %v, %v", done, err)
			}
			expectStep(t, "server-first", first, v.serverFirst)
			end, done, err := s.Next([]byte(v.clientFinal))
			if err != nil || !done {
				t.Fatalf("server checking client-final: done %v, %v", done, err)
			}
			expectStep(t, "server-final", end, v.end)
			if s.User() != v.user {
				t.Fatalf("User() = %q", s.User())
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func expectStep(t *testing.T, step string, got []byte, want string) {
	t.Helper()
	if string(got) != want {
		t.Fatalf("%s:\n got %s\nwant %s", step, got, want)
	}
}

// TestScramDerivedKeys checks derived keys against values computed with Python's
// hashlib.pbkdf2_hmac, hmac and hashlib, for password "pencil" and RFC 7677's salt.
func TestScramDerivedKeys(t *testing.T) {
	for _, tc := range []struct {
		m              *Scram
		stored, server string
	}{
		{ScramSHA256,
			"586e5df283e6dceb5c3e791d8b8528ec191e664045ce971792e2e6b5bb13e2a6",
			"c1f3cbc1c13a9d35a14c0990eed97629ea225863e566a4314ab99f3f00e5d9d5"},
		{ScramSHA512,
			"e8002e6f7d3ae446119b216933644dc2a2be7869eb918b8459b5e7d7d2ec12606aceef106825cd735170a675fd3611f684affad1dce3f43a0ee43bd590e1dbbe",
			"8d91db6230b5687874fe129bc7206e1858c3ae08e02934f57ac03b6b05a229c459d28ff46f5c9611e6c179256490215ec1ff759cb0df285db89af0f99e613aac"},
	} {
		cred := mustCredential(t, tc.m, "pencil", rfc7677.salt, 4096)
		if got := hex.EncodeToString(cred.StoredKey); got != tc.stored {
			t.Errorf("%s StoredKey %s, want %s", tc.m.name, got, tc.stored)
		}
		if got := hex.EncodeToString(cred.ServerKey); got != tc.server {
			t.Errorf("%s ServerKey %s, want %s", tc.m.name, got, tc.server)
		}
		if cred.Mechanism != tc.m.name || cred.Iterations != 4096 || base64.StdEncoding.EncodeToString(cred.Salt) != rfc7677.salt {
			t.Errorf("%s credential %+v", tc.m.name, cred)
		}
		if !cred.Verify("pencil") || cred.Verify("pencil ") || cred.Verify("") {
			t.Errorf("%s: Verify accepts the wrong password or refuses the right one", tc.m.name)
		}
		if s := fmt.Sprint(cred); strings.Contains(s, hex.EncodeToString(cred.StoredKey[:4])) || !strings.Contains(s, tc.m.name) {
			t.Errorf("String() = %q", s)
		}
	}
}

// exchange runs client against server to the end and returns the first error, from either.
func exchange(t *testing.T, c Client, s Server) error {
	t.Helper()
	msg, err := c.Start()
	if err != nil {
		return err
	}
	for range 5 {
		reply, serverDone, err := s.Next(msg)
		if err != nil {
			return err
		}
		var clientDone bool
		msg, clientDone, err = c.Next(reply)
		if err != nil {
			return err
		}
		if clientDone != serverDone {
			return fmt.Errorf("client done %v, server done %v", clientDone, serverDone)
		}
		if clientDone {
			return nil
		}
	}
	return errors.New("no end after 5 rounds")
}

func TestScramRoundTrip(t *testing.T) {
	for _, m := range []*Scram{ScramSHA256, ScramSHA512} {
		for _, user := range []string{"alice", "a,b=c", "ünïcode", "=2C"} {
			cred, err := m.NewCredential("s3cr=t,pw", 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			s := m.NewServer(lookupOf(user, cred), nil)
			if err := exchange(t, m.NewClient(user, "s3cr=t,pw", nil), s); err != nil {
				t.Fatalf("%s %q: %v", m.name, user, err)
			}
			if s.User() != user {
				t.Fatalf("%s: User() = %q, want %q", m.name, s.User(), user)
			}
		}
	}
}

// Wrong passwords, unknown users and mechanisms that do not match all fail as authentication
// failures, naming the mechanism and never the password.
func TestScramRefused(t *testing.T) {
	const password = "correct-horse"
	cred256 := mustCredential(t, ScramSHA256, password, rfc7677.salt, 4096)
	for _, tc := range []struct {
		name   string
		m      *Scram
		client Client
		lookup Lookup
	}{
		{"wrong password", ScramSHA256, ScramSHA256.NewClient("alice", "battery-staple", nil), lookupOf("alice", cred256)},
		{"unknown user", ScramSHA256, ScramSHA256.NewClient("bob", password, nil), lookupOf("alice", cred256)},
		{"credential of the other mechanism", ScramSHA512, ScramSHA512.NewClient("alice", password, nil), lookupOf("alice", cred256)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.m.NewServer(tc.lookup, nil)
			err := exchange(t, tc.client, s)
			if !errors.Is(err, ErrAuthenticationFailed) || !strings.Contains(err.Error(), tc.m.name) {
				t.Fatalf("got %v, want an authentication failure naming %s", err, tc.m.name)
			}
			if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "battery-staple") {
				t.Fatalf("the error shows a password: %v", err)
			}
			if s.User() != "" {
				t.Fatalf("User() = %q after a failure", s.User())
			}
			if _, _, err := s.Next([]byte("c=biws,r=x,p=AAAA")); !errors.Is(err, ErrState) {
				t.Fatalf("a message after the failure: %v, want ErrState", err)
			}
		})
	}
}

// A server that does not know the password (a man in the middle with the salt but not the keys)
// cannot sign the final message; the client refuses it.
func TestScramClientRefusesImpostor(t *testing.T) {
	real := mustCredential(t, ScramSHA256, "pencil", rfc7677.salt, 4096)
	fake := real
	fake.ServerKey = bytes.Repeat([]byte{7}, len(real.ServerKey))
	err := exchange(t, ScramSHA256.NewClient("user", "pencil", nil), ScramSHA256.NewServer(lookupOf("user", fake), nil))
	if !errors.Is(err, ErrAuthenticationFailed) || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("got %v, want the client to refuse the server's signature", err)
	}
}

// The client refuses server-first and server-final messages that do not follow the rules.
func TestScramClientRefusesServerMessages(t *testing.T) {
	for _, tc := range []struct {
		name        string
		serverFirst string
		end         string // used when serverFirst is the vector's
		want        error
	}{
		{"nonce not extended", "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "", ErrMalformed},
		{"other nonce", "r=XXprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "", ErrMalformed},
		{"too few iterations", "r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095", "", ErrUnsupported},
		{"too many iterations", "r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999", "", ErrUnsupported},
		{"iterations not a number", "r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4k", "", ErrMalformed},
		{"salt not base64", "r=rOprNGfwEbeRWgbNEkqO%hv,s=!!,i=4096", "", ErrMalformed},
		{"no salt", "r=rOprNGfwEbeRWgbNEkqO%hv,i=4096", "", ErrMalformed},
		{"mandatory extension", "m=x,r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "", ErrUnsupported},
		{"server error", "e=other-error", "", ErrAuthenticationFailed},
		{"final error", rfc7677.serverFirst, "e=invalid-proof", ErrAuthenticationFailed},
		{"final without verifier", rfc7677.serverFirst, "x=1", ErrMalformed},
		{"final verifier not base64", rfc7677.serverFirst, "v=***", ErrMalformed},
		{"final wrong verifier", rfc7677.serverFirst, "v=AAAA", ErrAuthenticationFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ScramSHA256.NewClient("user", "pencil", nil).(*scramClient)
			c.newNonce = fixedNonce(rfc7677.clientNonce)
			c.Start()
			_, _, err := c.Next([]byte(tc.serverFirst))
			if tc.end != "" {
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = c.Next([]byte(tc.end))
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if _, _, err := c.Next(nil); !errors.Is(err, ErrState) {
				t.Fatalf("Next after a failure: %v, want ErrState", err)
			}
		})
	}
}

// The server refuses client messages that do not follow the rules, naming what is wrong.
func TestScramServerRefusesClientMessages(t *testing.T) {
	cred := mustCredential(t, ScramSHA256, "pencil", rfc7677.salt, 4096)
	goodFinal := rfc7677.clientFinal
	for _, tc := range []struct {
		name, first, final string
		want               error
		detail             string
	}{
		{"empty", "", "", ErrMalformed, "GS2 header"},
		{"channel binding", "p=tls-unique,,n=user,r=abc", "", ErrUnsupported, "channel binding"},
		{"bad flag", "x,,n=user,r=abc", "", ErrMalformed, "GS2 header"},
		{"one comma", "n,n=user", "", ErrMalformed, "one comma"},
		{"authzid syntax", "n,user,n=user,r=abc", "", ErrMalformed, "authorization id"},
		{"authzid escape", "n,a=u=2,n=user,r=abc", "", ErrMalformed, "authorization id"},
		{"other authzid", "n,a=admin,n=user,r=abc", "", ErrAuthenticationFailed, "act as"},
		{"mandatory extension", "n,,m=x,n=user,r=abc", "", ErrUnsupported, "m="},
		{"no user", "n,,r=abc", "", ErrMalformed, "n="},
		{"empty user", "n,,n=,r=abc", "", ErrMalformed, "n="},
		{"bad escape", "n,,n=us=41er,r=abc", "", ErrMalformed, "n="},
		{"no nonce", "n,,n=user", "", ErrMalformed, "r="},
		{"nonce with space", "n,,n=user,r=a b", "", ErrMalformed, "r="},
		{"bad extension", "n,,n=user,r=abc,=x", "", ErrMalformed, "extension"},
		{"delegation token", "n,,n=user,r=abc,tokenauth=true", "", ErrUnsupported, "tokenauth"},
		{"final without proof", rfc7677.clientFirst, "c=biws,r=x", ErrMalformed, "p="},
		{"final proof not base64", rfc7677.clientFirst, "c=biws,r=x,p=%%", ErrMalformed, "p="},
		{"final without binding", rfc7677.clientFirst, "r=x,p=AAAA", ErrMalformed, "c="},
		{"final other binding", rfc7677.clientFirst, strings.Replace(goodFinal, "c=biws", "c=eSws", 1), ErrMalformed, "c="},
		{"final other nonce", rfc7677.clientFirst, strings.Replace(goodFinal, "hvYD", "hvYE", 1), ErrMalformed, "nonce"},
		{"final nonce cut short", rfc7677.clientFirst, strings.Replace(goodFinal, "k0,p=", ",p=", 1), ErrMalformed, "nonce"},
		{"final without nonce", rfc7677.clientFirst, "c=biws,p=AAAA", ErrMalformed, "r="},
		{"final short proof", rfc7677.clientFirst, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA", ErrAuthenticationFailed, "wrong password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ScramSHA256.NewServer(lookupOf("user", cred), nil).(*scramServer)
			s.newNonce = fixedNonce(rfc7677.serverNonce)
			_, _, err := s.Next([]byte(tc.first))
			if tc.final != "" {
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = s.Next([]byte(tc.final))
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.detail) || !strings.Contains(err.Error(), "SCRAM-SHA-256") {
				t.Fatalf("got %v, want %v mentioning %q", err, tc.want, tc.detail)
			}
		})
	}
}

// Extensions Kafka's client may send, other than tokenauth=true, are accepted and ignored; an
// authorization id equal to the user is accepted, and the channel binding then repeats it.
func TestScramServerAcceptsExtensionsAndAuthzid(t *testing.T) {
	cred := mustCredential(t, ScramSHA256, "pencil", rfc7677.salt, 4096)
	s := ScramSHA256.NewServer(lookupOf("user", cred), nil).(*scramServer)
	cf, err := ScramSHA256.parseClientFirst("y,a=user,n=user,r=abc,tokenauth=false,x=1")
	if err != nil || cf.authzid != "user" || cf.gs2Header != "y,a=user," || cf.bare != "n=user,r=abc,tokenauth=false,x=1" || cf.extensions["x"] != "1" {
		t.Fatalf("parsed %+v, %v", cf, err)
	}
	if _, _, err := s.Next([]byte("y,a=user,n=user,r=abc,tokenauth=false")); err != nil {
		t.Fatal(err)
	}
}

func TestSaslnameEscaping(t *testing.T) {
	for _, name := range []string{"plain", "a,b", "a=b", "=2C,=3D", "ü"} {
		esc := escapeSaslname(name)
		if strings.ContainsAny(strings.ReplaceAll(strings.ReplaceAll(esc, "=2C", ""), "=3D", ""), ",=") {
			t.Fatalf("%q escaped as %q", name, esc)
		}
		if back, ok := unescapeSaslname(esc); !ok || back != name {
			t.Fatalf("%q → %q → %q, %v", name, esc, back, ok)
		}
	}
	for _, bad := range []string{"", "a=", "a=2", "a=2c", "a=41", "a\x00b", "\xff"} {
		if _, ok := unescapeSaslname(bad); ok {
			t.Fatalf("%q unescaped", bad)
		}
	}
}

func TestScramStates(t *testing.T) {
	c := ScramSHA512.NewClient("u", "p", nil)
	if _, _, err := c.Next(nil); !errors.Is(err, ErrState) {
		t.Fatalf("Next before Start: %v", err)
	}
	c.Start()
	if _, err := c.Start(); !errors.Is(err, ErrState) {
		t.Fatalf("Start twice: %v", err)
	}
	if _, err := ScramSHA256.NewClient("u", "p", bytes.NewReader(nil)).Start(); err == nil {
		t.Fatal("a nonce from an empty reader")
	}
	if _, err := ScramSHA256.Credential("p", []byte("salt"), MinIterations-1); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("too few iterations: %v", err)
	}
	if _, err := ScramSHA256.Credential("p", nil, MinIterations); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("no salt: %v", err)
	}
}

// A fixed random source makes a whole exchange reproducible, for the tests of those who use the
// package.
func TestScramDeterministicWithFixedRandom(t *testing.T) {
	run := func() []byte {
		c := ScramSHA256.NewClient("u", "p", bytes.NewReader(bytes.Repeat([]byte{1}, nonceSize)))
		return must(c.Start())
	}
	if a, b := run(), run(); !bytes.Equal(a, b) || !strings.HasPrefix(string(a), "n,,n=u,r=AQEB") {
		t.Fatalf("%s / %s", a, b)
	}
}

// librdkafka 2.0 sends its client nonce twice in the client-final message ("r=" client nonce, then
// the combined nonce), and Kafka accepts any nonce that ends with the combined one. So does the
// server, with the proof computed over the message as sent.
func TestScramServerAcceptsLibrdkafkaNonce(t *testing.T) {
	v := rfc7677
	cred := mustCredential(t, ScramSHA256, v.password, v.salt, 4096)
	s := ScramSHA256.NewServer(lookupOf(v.user, cred), nil).(*scramServer)
	s.newNonce = fixedNonce(v.serverNonce)
	if _, _, err := s.Next([]byte(v.clientFirst)); err != nil {
		t.Fatal(err)
	}
	withoutProof := "c=biws,r=" + v.clientNonce + v.clientNonce + v.serverNonce
	salt, _ := base64.StdEncoding.DecodeString(v.salt)
	salted, _ := ScramSHA256.saltedPassword(v.password, salt, 4096)
	clientKey := ScramSHA256.hmac(salted, "Client Key")
	authMessage := "n=user,r=" + v.clientNonce + "," + v.serverFirst + "," + withoutProof
	proof := xor(clientKey, ScramSHA256.hmac(ScramSHA256.sum(clientKey), authMessage))
	end, done, err := s.Next([]byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)))
	if err != nil || !done || !strings.HasPrefix(string(end), "v=") {
		t.Fatalf("%q, done %v, %v", end, done, err)
	}
}

func TestCredentialScram(t *testing.T) {
	for mech, want := range map[string]*Scram{
		MechanismPlain:       ScramSHA256,
		MechanismScramSHA256: ScramSHA256,
		MechanismScramSHA512: ScramSHA512,
		"GSSAPI":             nil,
	} {
		if got := CredentialScram(mech); got != want {
			t.Errorf("CredentialScram(%q) = %v, want %v", mech, got, want)
		}
	}
}
