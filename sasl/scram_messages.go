package sasl

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The messages of a SCRAM exchange (RFC 5802 section 7), their text and their parsing. Parsers
// take untrusted bytes: they never panic, allocate no more than a copy of what they are given, and
// name in errors the attribute that is wrong, never a value (the client's messages hold no
// password, but an error is no place for a proof either).

// gs2NoBinding is the GS2 header of a client that neither uses nor wants channel binding and
// names no authorization id; its base64 form, "biws", is the c= of the client-final message.
const gs2NoBinding = "n,,"

// clientFirst is a parsed client-first message.
type clientFirst struct {
	gs2Header  string            // "n,," or "y,," with an optional a= authorization id inside
	authzid    string            // "" when absent
	user       string            // unescaped
	nonce      string            // the client's nonce
	bare       string            // client-first-message-bare: the message after the GS2 header
	extensions map[string]string // Kafka's extensions after the nonce (tokenauth=true), nil if none
}

// serverFirst is a parsed server-first message.
type serverFirst struct {
	nonce      string // the client's nonce followed by the server's
	salt       []byte
	iterations int
}

// clientFinal is a parsed client-final message.
type clientFinal struct {
	binding      string // c=: base64 of the GS2 header
	nonce        string
	withoutProof string // client-final-message-without-proof, part of AuthMessage
	proof        []byte
}

// escapeSaslname escapes a user name for n= and a=: "," as "=2C" and "=" as "=3D".
func escapeSaslname(s string) string {
	if !strings.ContainsAny(s, ",=") {
		return s
	}
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

// unescapeSaslname reverses escapeSaslname; any other "=" sequence, or a name that is empty, not
// UTF-8 or holds NUL, is malformed.
func unescapeSaslname(s string) (string, bool) {
	if s == "" || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return "", false
	}
	if strings.IndexByte(s, '=') < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1 : min(i+3, len(s))] {
		case "2C":
			b.WriteByte(',')
		case "3D":
			b.WriteByte('=')
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

// validNonce reports whether s is a nonce: printable ASCII other than ",".
func validNonce(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == ',' {
			return false
		}
	}
	return true
}

// attribute splits the next comma-separated "k=value" attribute off s, where k is one letter. It
// returns the attribute's value and the rest of s after the comma; ok is false if s does not start
// with "k=".
func attribute(s string, k byte) (value, rest string, ok bool) {
	if len(s) < 2 || s[0] != k || s[1] != '=' {
		return "", s, false
	}
	value, rest, _ = strings.Cut(s[2:], ",")
	return value, rest, true
}

// parseClientFirst parses a client-first message:
//
//	gs2-cbind-flag "," [ "a=" saslname ] "," "n=" saslname "," "r=" nonce [ "," extensions ]
func (m *Scram) parseClientFirst(msg string) (clientFirst, error) {
	bad := func(detail string) (clientFirst, error) {
		return clientFirst{}, fail(m.name, ErrMalformed, "client-first message: "+detail)
	}
	var cf clientFirst
	flag, rest, _ := strings.Cut(msg, ",")
	switch {
	case flag == "n" || flag == "y":
	case strings.HasPrefix(flag, "p="):
		return clientFirst{}, fail(m.name, ErrUnsupported, "client-first message: channel binding (p=) is not offered")
	default:
		return bad("GS2 header does not start with n, y or p=")
	}
	authz, rest, found := strings.Cut(rest, ",")
	if !found {
		return bad("GS2 header has one comma, want two")
	}
	if authz != "" {
		a, _, ok := attribute(authz, 'a')
		if !ok {
			return bad("authorization id is not a=NAME")
		}
		if cf.authzid, ok = unescapeSaslname(a); !ok {
			return bad("authorization id (a=) is not a valid name")
		}
	}
	cf.gs2Header, cf.bare = msg[:len(msg)-len(rest)], rest
	if strings.HasPrefix(rest, "m=") {
		return clientFirst{}, fail(m.name, ErrUnsupported, "client-first message: mandatory extension (m=)")
	}
	n, rest, ok := attribute(rest, 'n')
	if !ok {
		return bad("no user name (n=)")
	}
	if cf.user, ok = unescapeSaslname(n); !ok {
		return bad("user name (n=) is not a valid name")
	}
	if cf.nonce, rest, ok = attribute(rest, 'r'); !ok || !validNonce(cf.nonce) {
		return bad("no valid nonce (r=) after the user name")
	}
	var err error
	if cf.extensions, err = parseExtensions(rest); err != nil {
		return bad(err.Error())
	}
	return cf, nil
}

// parseExtensions parses Kafka's SCRAM extensions, "key=value" pairs separated by commas after
// the nonce of a client-first message (RFC 5802 allows one-letter keys; Kafka's are words).
func parseExtensions(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	ext := make(map[string]string)
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, ",")
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.IndexFunc(k, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) >= 0 {
			return nil, fmt.Errorf("extension %d is not KEY=VALUE", len(ext)+1)
		}
		ext[k] = v
	}
	return ext, nil
}

// parseServerFirst parses a server-first message, "r=" nonce "," "s=" salt "," "i=" count, and
// checks that the nonce extends the client's and the count is one a client should compute.
func (m *Scram) parseServerFirst(msg, clientNonce string) (serverFirst, error) {
	bad := func(detail string) (serverFirst, error) {
		return serverFirst{}, fail(m.name, ErrMalformed, "server-first message: "+detail)
	}
	if strings.HasPrefix(msg, "m=") {
		return serverFirst{}, fail(m.name, ErrUnsupported, "server-first message: mandatory extension (m=)")
	}
	if v, _, ok := attribute(msg, 'e'); ok {
		return serverFirst{}, fail(m.name, ErrAuthenticationFailed, fmt.Sprintf("server error %q", clip(v)))
	}
	var sf serverFirst
	nonce, rest, ok := attribute(msg, 'r')
	if !ok || !validNonce(nonce) {
		return bad("no valid nonce (r=)")
	}
	if !strings.HasPrefix(nonce, clientNonce) || len(nonce) == len(clientNonce) {
		return bad("the nonce does not extend the client's")
	}
	sf.nonce = nonce
	salt, rest, ok := attribute(rest, 's')
	if !ok {
		return bad("no salt (s=)")
	}
	var err error
	if sf.salt, err = base64.StdEncoding.DecodeString(salt); err != nil || len(sf.salt) == 0 {
		return bad("salt (s=) is not base64")
	}
	count, _, ok := attribute(rest, 'i')
	if !ok {
		return bad("no iteration count (i=)")
	}
	if sf.iterations, err = strconv.Atoi(count); err != nil || sf.iterations < 1 {
		return bad("iteration count (i=) is not a positive number")
	}
	if sf.iterations < MinIterations || sf.iterations > clientMaxIterations {
		return serverFirst{}, fail(m.name, ErrUnsupported, fmt.Sprintf("server-first message: %d iterations, outside %d..%d", sf.iterations, MinIterations, clientMaxIterations))
	}
	return sf, nil
}

// parseClientFinal parses a client-final message:
//
//	"c=" base64 "," "r=" nonce [ "," extensions ] "," "p=" base64
func (m *Scram) parseClientFinal(msg string) (clientFinal, error) {
	bad := func(detail string) (clientFinal, error) {
		return clientFinal{}, fail(m.name, ErrMalformed, "client-final message: "+detail)
	}
	var cf clientFinal
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return bad("no proof (p=) at the end")
	}
	cf.withoutProof = msg[:i]
	var err error
	if cf.proof, err = base64.StdEncoding.DecodeString(msg[i+3:]); err != nil {
		return bad("proof (p=) is not base64")
	}
	binding, rest, ok := attribute(cf.withoutProof, 'c')
	if !ok {
		return bad("no channel binding (c=)")
	}
	cf.binding = binding
	if cf.nonce, _, ok = attribute(rest, 'r'); !ok || !validNonce(cf.nonce) {
		return bad("no valid nonce (r=) after the channel binding")
	}
	return cf, nil
}

// parseServerFinal parses a server-final message and returns its verifier (v=), or an error
// carrying the server's error (e=).
func (m *Scram) parseServerFinal(msg string) ([]byte, error) {
	if v, _, ok := attribute(msg, 'e'); ok {
		return nil, fail(m.name, ErrAuthenticationFailed, fmt.Sprintf("server error %q", clip(v)))
	}
	v, _, ok := attribute(msg, 'v')
	if !ok {
		return nil, fail(m.name, ErrMalformed, "server-final message: no verifier (v=)")
	}
	sig, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fail(m.name, ErrMalformed, "server-final message: verifier (v=) is not base64")
	}
	return sig, nil
}

// clip shortens a server's error value for an error message.
func clip(s string) string {
	const limit = 200
	if len(s) <= limit {
		return s
	}
	return strings.ToValidUTF8(s[:limit], "") + "…"
}
