package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/sasl"
)

// brokerSecurity holds kwire broker's TLS and SASL flags.
type brokerSecurity struct {
	tls        bool
	caOut      string
	mechanisms listFlag
	users      saslUserFlags
}

// define adds the flags to c.
func (s *brokerSecurity) define(c *cmdFlags) {
	c.fs.BoolVar(&s.tls, "tls", false, "Listen with TLS (SSL, or SASL_SSL with --sasl-user), with a certificate for 127.0.0.1, ::1 and\nlocalhost signed by a certificate authority generated at start.")
	c.doc("tls", "", "", "--tls")
	c.fs.StringVar(&s.caOut, "tls-ca-out", "", "Write the generated CA's certificate (PEM) to FILE before the ready line, for clients to trust\n(kcat -X ssl.ca.location=FILE). Needs --tls.")
	c.doc("tls-ca-out", "", "FILE", "--tls-ca-out ca.pem")
	c.fs.Var(&s.mechanisms, "sasl-mechanism", "A SASL mechanism to enable: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; repeatable or comma-separated\n(default: all three when --sasl-user is given). Clients must then authenticate (SASL_PLAINTEXT,\nor SASL_SSL with --tls).")
	c.doc("sasl-mechanism", "", "MECHANISM", "--sasl-mechanism SCRAM-SHA-256,SCRAM-SHA-512")
	c.fs.Var(&s.users, "sasl-user", "A SASL user, for every enabled mechanism; repeatable. The password is everything after the first\n\":\". Only salted SCRAM credentials are kept, and no password is logged; but a command line\nis visible to other users of the machine, so use test passwords.")
	c.doc("sasl-user", "", "USER:PASSWORD", "--sasl-user alice:alice-secret")
}

// options checks the flags and returns the cluster options they ask for. With --tls-ca-out it
// writes the CA certificate.
func (s *brokerSecurity) options() ([]mockbroker.Option, error) {
	if s.caOut != "" && !s.tls {
		return nil, usageErrorf("--tls-ca-out needs --tls")
	}
	if len(s.mechanisms) > 0 && len(s.users) == 0 {
		return nil, usageErrorf("--sasl-mechanism needs at least one --sasl-user")
	}
	for _, m := range s.mechanisms {
		if !slices.Contains(sasl.Mechanisms(), m) {
			return nil, usageErrorf("--sasl-mechanism %q: must be one of %s", m, strings.Join(sasl.Mechanisms(), ", "))
		}
	}
	users, err := s.users.parse()
	if err != nil {
		return nil, err
	}
	var opts []mockbroker.Option
	if s.tls {
		o, err := s.tlsOption()
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	mechanisms := s.mechanisms
	if len(mechanisms) == 0 && len(users) > 0 {
		mechanisms = sasl.Mechanisms()
	}
	for _, m := range mechanisms {
		opts = append(opts, mockbroker.SASLUsers(m, users))
	}
	return opts, nil
}

// tlsOption generates the CA and the broker's certificate, and writes the CA certificate out if
// asked to.
func (s *brokerSecurity) tlsOption() (mockbroker.Option, error) {
	ca, opt, err := newTestTLS()
	if err != nil {
		return nil, err
	}
	if s.caOut != "" {
		if err := os.WriteFile(s.caOut, ca.CertPEM, 0o644); err != nil {
			return nil, fmt.Errorf("--tls-ca-out: %w", err)
		}
	}
	return opt, nil
}

// newTestTLS generates a CA and returns it with the option that makes a cluster listen with TLS,
// with a certificate from it for 127.0.0.1, ::1 and localhost.
func newTestTLS() (*mockbroker.TestCA, mockbroker.Option, error) {
	ca, err := mockbroker.NewTestCA()
	if err != nil {
		return nil, nil, err
	}
	cfg, err := ca.ServerTLSConfig()
	if err != nil {
		return nil, nil, err
	}
	return ca, mockbroker.TLS(cfg), nil
}

// listFlag collects a repeatable flag whose values may also be comma-separated lists.
type listFlag []string

// String lists the values, comma-separated.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds the comma-separated values of s.
func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return fmt.Errorf("empty value in %q", s)
		}
		*l = append(*l, v)
	}
	return nil
}

// saslUserFlags collects repeated --sasl-user USER:PASSWORD flags as given; [saslUserFlags.parse]
// checks them later, because the flag package would quote a value it refuses, password and all,
// in its error.
type saslUserFlags []string

// String lists the user names, never the passwords.
func (u *saslUserFlags) String() string {
	var names []string
	for _, x := range *u {
		name, _, _ := strings.Cut(x, ":")
		names = append(names, name)
	}
	return strings.Join(names, ",")
}

// Set adds one USER:PASSWORD.
func (u *saslUserFlags) Set(s string) error {
	*u = append(*u, s)
	return nil
}

// parse maps each user to its password (the last given for a user repeated). Errors name the
// user, never the password.
func (u saslUserFlags) parse() (map[string]string, error) {
	m := make(map[string]string, len(u))
	for i, x := range u {
		name, password, ok := strings.Cut(x, ":")
		switch {
		case !ok:
			return nil, usageErrorf("--sasl-user number %d: want USER:PASSWORD, found no \":\"", i+1)
		case name == "":
			return nil, usageErrorf("--sasl-user number %d: empty user name before \":\"", i+1)
		case password == "":
			return nil, usageErrorf("--sasl-user %q: empty password", name)
		}
		m[name] = password
	}
	return m, nil
}
