package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/sasl"
)

// saslPasswordEnv holds the password of a --sasl-user given without one.
const saslPasswordEnv = "KWIRE_SASL_PASSWORD"

// clientSecurity holds the TLS and SASL flags of the producing commands, kwire produce and kwire
// perf: shortcuts for the security properties, which -X (or --producer-props) may still set or
// override.
type clientSecurity struct {
	tls       bool
	caFile    string
	mechanism string
	user      secretFlag
}

// define adds the flags to c.
func (s *clientSecurity) define(c *cmdFlags) {
	c.fs.BoolVar(&s.tls, "tls", false, "Connect with TLS: security.protocol=SSL, or SASL_SSL with --sasl-mechanism. Without -b, the\nembedded broker listens with TLS too, with a certificate authority generated at start.")
	c.doc("tls", "", "", "--tls")
	c.fs.StringVar(&s.caFile, "tls-ca", "", "Trust the CA certificates in FILE (PEM) rather than the system's (ssl.ca.location); implies --tls.")
	c.doc("tls-ca", "", "FILE", "--tls-ca ca.pem")
	c.fs.StringVar(&s.mechanism, "sasl-mechanism", "", "Authenticate with SASL: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (sasl.mechanism), over\nsecurity.protocol=SASL_PLAINTEXT, or SASL_SSL with --tls. Without -b, the embedded broker\nrequires it, with the --sasl-user user.")
	c.doc("sasl-mechanism", "", "MECHANISM", "--sasl-mechanism SCRAM-SHA-512")
	c.fs.Var(&s.user, "sasl-user", "The SASL user and password (sasl.username and sasl.password): the password is everything after\nthe first \":\"; with no \":\", it is read from $"+saslPasswordEnv+". A command line is visible to\nother users of the machine: prefer the variable for real passwords. Needs --sasl-mechanism.")
	c.doc("sasl-user", "", "USER[:PASSWORD]", "--sasl-user alice")
}

// properties are the producer properties the flags stand for, in the order they apply.
func (s *clientSecurity) properties() ([]property, error) {
	if s.user.value != "" && s.mechanism == "" {
		return nil, usageErrorf("--sasl-user needs --sasl-mechanism (%s)", strings.Join(sasl.Mechanisms(), ", "))
	}
	useTLS, useSASL := s.tls || s.caFile != "", s.mechanism != ""
	var props []property
	switch {
	case useTLS && useSASL:
		props = append(props, property{"security.protocol", "SASL_SSL"})
	case useTLS:
		props = append(props, property{"security.protocol", "SSL"})
	case useSASL:
		props = append(props, property{"security.protocol", "SASL_PLAINTEXT"})
	}
	if s.caFile != "" {
		props = append(props, property{"ssl.ca.location", s.caFile})
	}
	if useSASL {
		props = append(props, property{"sasl.mechanism", s.mechanism})
	}
	if s.user.value != "" {
		user, password, err := s.credentials()
		if err != nil {
			return nil, err
		}
		props = append(props, property{"sasl.username", user}, property{"sasl.password", password})
	}
	return props, nil
}

// credentials splits --sasl-user, taking the password from the environment when it has none.
// Errors never show the password.
func (s *clientSecurity) credentials() (user, password string, err error) {
	user, password, ok := strings.Cut(s.user.value, ":")
	if !ok {
		password = os.Getenv(saslPasswordEnv)
	}
	switch {
	case user == "":
		return "", "", usageErrorf("--sasl-user: empty user name")
	case !ok && password == "":
		return "", "", usageErrorf("--sasl-user %q has no password: give USER:PASSWORD, or set $%s", user, saslPasswordEnv)
	case password == "":
		return "", "", usageErrorf("--sasl-user %q: empty password", user)
	}
	return user, password, nil
}

// secretFlag is a flag whose value holds a password: String never shows it, and Set never fails,
// because the flag package would quote the value in its error.
type secretFlag struct{ value string }

// String is the value up to its first ":" (the user name).
func (f *secretFlag) String() string {
	if f == nil {
		return ""
	}
	user, _, _ := strings.Cut(f.value, ":")
	return user
}

// Set keeps the value.
func (f *secretFlag) Set(s string) error {
	f.value = s
	return nil
}

// embeddedSecurity makes the embedded broker of a command given no -b listen as cfg connects:
// with TLS, a certificate from a CA generated now, which cfg trusts; with SASL, cfg's user for
// cfg's mechanism. It returns the broker's options and words for its announcement.
func embeddedSecurity(cfg *producer.Config) ([]mockbroker.Option, string, error) {
	var opts []mockbroker.Option
	var words []string
	if cfg.SecurityProtocol.UsesTLS() {
		if cfg.SSLCALocation != "" || cfg.SSLTruststoreLocation != "" {
			return nil, "", usageErrorf("a CA file (--tls-ca, ssl.ca.location) is for -b's brokers: the embedded broker's CA is generated at start")
		}
		ca, tlsOpt, err := newTestTLS()
		if err != nil {
			return nil, "", err
		}
		cfg.TLS = ca.ClientTLSConfig()
		opts = append(opts, tlsOpt)
		words = append(words, "TLS")
	}
	if cfg.SecurityProtocol.UsesSASL() {
		user, password, err := configCredentials(cfg)
		if err != nil {
			return nil, "", err
		}
		if user != "" && cfg.SASLMechanism != "" && cfg.SASLMechanism != "GSSAPI" && cfg.SASLMechanism != "OAUTHBEARER" {
			opts = append(opts, mockbroker.SASLUsers(cfg.SASLMechanism, map[string]string{user: password}))
			words = append(words, fmt.Sprintf("SASL %s for user %q", cfg.SASLMechanism, user))
		}
	}
	if len(words) == 0 {
		return opts, "", nil
	}
	return opts, " with " + strings.Join(words, " and "), nil
}

// configCredentials are the SASL user and password of cfg, from sasl.username and sasl.password
// or sasl.jaas.config; empty when there are none (the producer then says what is missing).
func configCredentials(cfg *producer.Config) (user, password string, err error) {
	if cfg.SASLUsername != "" {
		return cfg.SASLUsername, string(cfg.SASLPassword), nil
	}
	if cfg.SASLJAASConfig == "" {
		return "", "", nil
	}
	jc, err := sasl.ParseJAASConfig(string(cfg.SASLJAASConfig))
	if err == nil {
		user, password, err = jc.Credentials()
	}
	if err != nil {
		return "", "", &usageError{err.Error()}
	}
	return user, password, nil
}
