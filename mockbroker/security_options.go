package mockbroker

import (
	"crypto/tls"
	"fmt"
	"time"

	"github.com/kwire-dev/kwire/sasl"
)

// TLS makes every broker listen with TLS, cfg being its server configuration (certificates, and
// ClientAuth and ClientCAs to require client certificates). Default: plaintext. [Cluster.ServeConn]
// then runs TLS over the connection it is given too. [TestCA] makes a configuration for tests.
// With [SASLUsers] as well, the listener is SASL_SSL; without, SSL.
func TLS(cfg *tls.Config) Option { return func(c *config) { c.tls = cfg } }

// SASLUsers enables mechanism ("PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512") on every broker, with
// users, a map of user name to password. Default: no SASL. Called several times, it enables
// several mechanisms, or adds users to one. The passwords are turned into salted, iterated SCRAM
// credentials (SCRAM-SHA-256's for PLAIN) when SASLUsers is called, and only those are kept.
//
// With SASL enabled a broker behaves as Kafka's SASL_PLAINTEXT (or, with [TLS], SASL_SSL)
// listener: a connection must authenticate (SaslHandshake, then SaslAuthenticate) before any
// request other than ApiVersions; anything else closes it, and so does a request larger than
// [SASLMaxReceiveBytes] until then. An unknown mechanism or bad credentials close it after the
// error answer. NewCluster fails if mechanism is unknown, users is empty or a user name is.
func SASLUsers(mechanism string, users map[string]string) Option {
	creds, err := deriveCredentials(mechanism, users)
	if err != nil {
		return func(c *config) { c.err = firstErr(c.err, err) }
	}
	return func(c *config) {
		if c.saslUsers == nil {
			c.saslUsers = sasl.NewUsers(nil, 0)
		}
		for user, cred := range creds {
			if err := c.saslUsers.AddCredential(mechanism, user, cred); err != nil {
				c.err = firstErr(c.err, fmt.Errorf("mockbroker: %w", err))
			}
		}
	}
}

// deriveCredentials turns users' passwords into credentials for mechanism: SCRAM-SHA-256's for
// PLAIN, which checks a password against them.
func deriveCredentials(mechanism string, users map[string]string) (map[string]sasl.ScramCredential, error) {
	m := sasl.CredentialScram(mechanism)
	if m == nil {
		return nil, fmt.Errorf("mockbroker: SASL mechanism %q: kwire implements %v", mechanism, sasl.Mechanisms())
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("mockbroker: SASL mechanism %s: no users", mechanism)
	}
	creds := make(map[string]sasl.ScramCredential, len(users))
	for user, password := range users {
		cred, err := m.NewCredential(password, 0, nil)
		if err != nil {
			return nil, fmt.Errorf("mockbroker: SASL user %q: %w", user, err)
		}
		creds[user] = cred
	}
	return creds, nil
}

// SASLCredentials enables SASL with a user database built elsewhere, for credentials stored rather
// than derived from passwords here ([sasl.Users.AddCredential]); its mechanisms are the ones
// enabled. It replaces what earlier SASLUsers options set, and later ones add to it.
func SASLCredentials(users *sasl.Users) Option { return func(c *config) { c.saslUsers = users } }

// SASLSessionLifetime makes authenticated SASL sessions last d (Kafka's connections.max.reauth.ms;
// default 0, no limit, as in Kafka). SaslAuthenticate v1+ reports it as SessionLifetimeMs (KIP-368);
// a connection whose session has expired may start re-authenticating with SaslHandshake, and is
// closed on any other request, as Kafka does.
func SASLSessionLifetime(d time.Duration) Option {
	return func(c *config) { c.saslLifetime = max(d, 0) }
}

// SASLMaxReceiveBytes sets the largest request a connection to a SASL broker may send before it
// has authenticated, and while it authenticates again (default 524288, Kafka's
// sasl.server.max.receive.size; never more than [MaxRequestBytes]). A larger one closes the
// connection, as in Kafka: a client that has not said who it is cannot make the broker take in
// 100 MiB.
func SASLMaxReceiveBytes(n int32) Option { return func(c *config) { c.saslMaxBytes = n } }

// firstErr keeps the first error.
func firstErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}
