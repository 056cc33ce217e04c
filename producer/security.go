package producer

// Security settings: security.protocol, what the TLS and SASL settings mean together, and the
// checks New makes of them before anything connects. The TLS client configuration is built in
// tls_config.go, SASL authentication runs in sasl_auth.go, failures are typed in auth_error.go,
// and the Java property names are in security_properties.go.

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"strings"

	"github.com/kwire-dev/kwire/sasl"
)

// SecurityProtocol is how the producer's connections are protected and authenticated: the Java
// client's security.protocol.
type SecurityProtocol int8

// The security protocols.
const (
	SecurityPlaintext     SecurityProtocol = iota // PLAINTEXT: neither TLS nor SASL (the default)
	SecuritySSL                                   // SSL: TLS
	SecuritySASLPlaintext                         // SASL_PLAINTEXT: SASL authentication, no TLS
	SecuritySASLSSL                               // SASL_SSL: SASL authentication over TLS
)

// securityProtocolNames are the protocols' names, by value.
var securityProtocolNames = [...]string{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}

// String is the protocol's name as security.protocol spells it.
func (p SecurityProtocol) String() string {
	if p < 0 || int(p) >= len(securityProtocolNames) {
		return fmt.Sprintf("SecurityProtocol(%d)", int8(p))
	}
	return securityProtocolNames[p]
}

// ParseSecurityProtocol parses a security.protocol value, in any case, as the Java client does.
func ParseSecurityProtocol(s string) (SecurityProtocol, error) {
	for i, name := range securityProtocolNames {
		if strings.EqualFold(s, name) {
			return SecurityProtocol(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", s)
}

// UsesTLS reports whether connections use TLS: SSL and SASL_SSL.
func (p SecurityProtocol) UsesTLS() bool { return p == SecuritySSL || p == SecuritySASLSSL }

// UsesSASL reports whether connections authenticate with SASL: SASL_PLAINTEXT and SASL_SSL.
func (p SecurityProtocol) UsesSASL() bool { return p == SecuritySASLPlaintext || p == SecuritySASLSSL }

// redacted is what a secret shows as.
const redacted = "[redacted]"

// Secret is a setting that holds a password: fmt, log and log/slog print it as [redacted] (an
// empty one as nothing), so that a Config can be printed or logged. string(s) is the value.
type Secret string

// String is [redacted], or empty for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString is String quoted, for %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue is String, for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// security is what New makes of the security settings: the TLS client configuration (nil
// without TLS) and the SASL mechanism and credentials (mechanism empty without SASL).
type security struct {
	tls       *tls.Config
	mechanism string
	user      string
	password  string
}

// newSecurity resolves the security settings, which validate has checked: it reads the TLS files
// and the credentials. Errors are *ConfigError naming the property.
func newSecurity(c *Config) (*security, error) {
	sec := &security{}
	if c.SecurityProtocol.UsesTLS() {
		tc, err := c.clientTLSConfig()
		if err != nil {
			return nil, err
		}
		sec.tls = tc
	}
	if c.SecurityProtocol.UsesSASL() {
		user, password, err := c.saslCredentials()
		if err != nil {
			return nil, err
		}
		sec.mechanism, sec.user, sec.password = c.saslMechanism(), user, password
	}
	return sec, nil
}

// validateSecurity checks the security settings against each other, without reading files.
func (c *Config) validateSecurity() error {
	if c.SecurityProtocol < SecurityPlaintext || c.SecurityProtocol > SecuritySASLSSL {
		return configErrorf("security.protocol", "unknown protocol %d", int8(c.SecurityProtocol))
	}
	if err := c.validateTLS(); err != nil {
		return err
	}
	return c.validateSASL()
}

// tlsSettings names the TLS settings that are set.
func (c *Config) tlsSettings() []string {
	var set []string
	for _, s := range []struct {
		on   bool
		name string
	}{
		{c.TLS != nil, "TLS"},
		{c.SSLCALocation != "", "ssl.ca.location"},
		{c.SSLCertificateLocation != "", "ssl.certificate.location"},
		{c.SSLKeyLocation != "", "ssl.key.location"},
		{c.SSLTruststoreLocation != "", "ssl.truststore.location"},
		{c.SSLKeystoreLocation != "", "ssl.keystore.location"},
		{c.SSLSkipHostnameVerification, "ssl.endpoint.identification.algorithm"},
		{c.SSLServerName != "", "ssl.server.name"},
		{c.SSLInsecureSkipVerify, "ssl.insecure.skip.verify"},
	} {
		if s.on {
			set = append(set, s.name)
		}
	}
	return set
}

// validateTLS checks that TLS settings come with a TLS protocol, that the Java stores are PEM,
// and that each file is given one way only.
func (c *Config) validateTLS() error {
	if set := c.tlsSettings(); len(set) > 0 && !c.SecurityProtocol.UsesTLS() {
		return configErrorf(set[0], "set, but security.protocol is %s: TLS settings need SSL or SASL_SSL", c.SecurityProtocol)
	}
	for _, store := range []struct{ typ, location, typeProp, locationProp, instead string }{
		{c.SSLTruststoreType, c.SSLTruststoreLocation, "ssl.truststore.type", "ssl.truststore.location", "ssl.ca.location"},
		{c.SSLKeystoreType, c.SSLKeystoreLocation, "ssl.keystore.type", "ssl.keystore.location", "ssl.certificate.location and ssl.key.location"},
	} {
		if err := checkStoreType(store.typ); err != nil {
			return configErrorf(store.typeProp, "%v", err)
		}
		if store.location != "" && !strings.EqualFold(store.typ, "PEM") {
			return configErrorf(store.typeProp, "%s: kwire reads PEM stores only: set %s=PEM with a PEM file, or use %s",
				storeTypeOrDefault(store.typ), store.typeProp, store.instead)
		}
	}
	switch {
	case c.SSLCALocation != "" && c.SSLTruststoreLocation != "":
		return configErrorf("ssl.truststore.location", "conflicts with ssl.ca.location: give the CA certificates one way")
	case c.SSLKeystoreLocation != "" && (c.SSLCertificateLocation != "" || c.SSLKeyLocation != ""):
		return configErrorf("ssl.keystore.location", "conflicts with ssl.certificate.location and ssl.key.location: give the client certificate one way")
	case c.SSLCertificateLocation != "" && c.SSLKeyLocation == "":
		return configErrorf("ssl.key.location", "not set, but ssl.certificate.location is: a client certificate needs its key")
	case c.SSLKeyLocation != "" && c.SSLCertificateLocation == "":
		return configErrorf("ssl.certificate.location", "not set, but ssl.key.location is: a client key needs its certificate")
	}
	return nil
}

// saslCredentialSettings names the SASL credential settings that are set.
func (c *Config) saslCredentialSettings() []string {
	var set []string
	for _, s := range []struct {
		on   bool
		name string
	}{
		{c.SASLJAASConfig != "", "sasl.jaas.config"},
		{c.SASLUsername != "", "sasl.username"},
		{c.SASLPassword != "", "sasl.password"},
	} {
		if s.on {
			set = append(set, s.name)
		}
	}
	return set
}

// validateSASL checks that credentials come with a SASL protocol, and that a SASL protocol has a
// mechanism kwire implements and one set of credentials.
func (c *Config) validateSASL() error {
	set := c.saslCredentialSettings()
	if !c.SecurityProtocol.UsesSASL() {
		if len(set) > 0 {
			return configErrorf(set[0], "set, but security.protocol is %s: SASL credentials need SASL_PLAINTEXT or SASL_SSL", c.SecurityProtocol)
		}
		return nil
	}
	if err := checkMechanism(c.saslMechanism()); err != nil {
		return &ConfigError{Property: "sasl.mechanism", Reason: err.Error()}
	}
	_, _, err := c.saslCredentials()
	return err
}

// saslMechanism is the configured mechanism, Java's default GSSAPI when none is.
func (c *Config) saslMechanism() string {
	if c.SASLMechanism == "" {
		return "GSSAPI"
	}
	return c.SASLMechanism
}

// checkMechanism accepts the mechanisms kwire implements and explains the others.
func checkMechanism(m string) error {
	switch m {
	case sasl.MechanismPlain, sasl.MechanismScramSHA256, sasl.MechanismScramSHA512:
		return nil
	case "GSSAPI":
		return fmt.Errorf("GSSAPI (Kerberos, the Java client's default) is not supported by kwire: set sasl.mechanism to %s", strings.Join(sasl.Mechanisms(), ", "))
	case "OAUTHBEARER":
		return fmt.Errorf("OAUTHBEARER is not supported by kwire: it has %s", strings.Join(sasl.Mechanisms(), ", "))
	}
	return fmt.Errorf("%q is not a SASL mechanism kwire has (%s)", m, strings.Join(sasl.Mechanisms(), ", "))
}

// saslCredentials is the user name and password: from sasl.jaas.config, or sasl.username and
// sasl.password, or both when they agree. Errors are *ConfigError naming the property, and never
// hold the password.
func (c *Config) saslCredentials() (user, password string, err error) {
	user, password = c.SASLUsername, string(c.SASLPassword)
	if c.SASLJAASConfig == "" {
		switch {
		case user == "" && password == "":
			return "", "", configErrorf("sasl.jaas.config", "not set, nor sasl.username and sasl.password: security.protocol=%s needs credentials", c.SecurityProtocol)
		case user == "":
			return "", "", configErrorf("sasl.username", "not set, but sasl.password is")
		case password == "":
			return "", "", configErrorf("sasl.password", "not set, but sasl.username is")
		}
		return user, password, nil
	}
	jaasUser, jaasPassword, err := parseJAASCredentials(string(c.SASLJAASConfig))
	if err != nil {
		return "", "", &ConfigError{Property: "sasl.jaas.config", Reason: err.Error()}
	}
	switch {
	case user != "" && user != jaasUser:
		return "", "", configErrorf("sasl.username", "%q conflicts with the username %q of sasl.jaas.config: give the credentials one way", user, jaasUser)
	case password != "" && password != jaasPassword:
		return "", "", configErrorf("sasl.password", "conflicts with the password of sasl.jaas.config: give the credentials one way")
	}
	return jaasUser, jaasPassword, nil
}

// parseJAASCredentials parses a sasl.jaas.config value and returns its user name and password.
// The error does not repeat the property's name, and never holds the password.
func parseJAASCredentials(s string) (user, password string, err error) {
	jc, err := sasl.ParseJAASConfig(s)
	if err == nil {
		user, password, err = jc.Credentials()
	}
	if err != nil {
		return "", "", fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "sasl.jaas.config: "))
	}
	return user, password, nil
}
