package producer

// The Java (and librdkafka) property names of the security settings: the setters and getters of
// their rows in the property table (properties.go). Secrets print as [redacted]: Properties never
// shows a password, so a configuration printed and fed back needs its passwords again.

import (
	"fmt"
	"strings"

	"github.com/kwire-dev/kwire/sasl"
)

// securityHints add a word to the error for Java and librdkafka security properties kwire has
// no use for.
var securityHints = map[string]string{
	"enable.ssl.certificate.verification": "kwire's is ssl.insecure.skip.verify=true (tests only)",
	"ssl.key.password":                    "kwire reads unencrypted PEM keys only",
	"ssl.keystore.password":               "kwire reads unencrypted PEM keystores only (ssl.keystore.type=PEM)",
	"ssl.truststore.password":             "kwire reads PEM truststores, which need no password (ssl.truststore.type=PEM)",
	"ssl.truststore.certificates":         "kwire reads PEM from files: ssl.truststore.location or ssl.ca.location",
	"ssl.keystore.certificate.chain":      "kwire reads PEM from files: ssl.keystore.location, or ssl.certificate.location and ssl.key.location",
	"ssl.keystore.key":                    "kwire reads PEM from files: ssl.keystore.location, or ssl.certificate.location and ssl.key.location",
	"sasl.kerberos.service.name":          "kwire has no GSSAPI (Kerberos): sasl.mechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
}

// stringProp is a property held as it is in a string field.
func stringProp(name string, field func(*Config) *string) property {
	return property{
		name: name,
		set:  func(c *Config, v string) error { *field(c) = v; return nil },
		get:  func(c *Config) string { return *field(c) },
	}
}

// setSecurityProtocol parses security.protocol.
func setSecurityProtocol(c *Config, v string) error {
	p, err := ParseSecurityProtocol(v)
	if err == nil {
		c.SecurityProtocol = p
	}
	return err
}

// setSASLMechanism parses sasl.mechanism, in any case: kwire's mechanisms, and the Java client's
// GSSAPI and OAUTHBEARER, which New refuses with SASL (GSSAPI is the default Properties prints).
func setSASLMechanism(c *Config, v string) error {
	m := strings.ToUpper(v)
	if checkMechanism(m) == nil || m == "GSSAPI" || m == "OAUTHBEARER" {
		c.SASLMechanism = m
		return nil
	}
	return fmt.Errorf("%q is not %s (nor GSSAPI or OAUTHBEARER, which kwire does not have)", v, strings.Join(sasl.Mechanisms(), ", "))
}

// setJAASConfig parses sasl.jaas.config, which must name a user name and password with
// PlainLoginModule or ScramLoginModule. The error says where it does not parse, never the
// password.
func setJAASConfig(c *Config, v string) error {
	if v != "" {
		if _, _, err := parseJAASCredentials(v); err != nil {
			return err
		}
	}
	c.SASLJAASConfig = Secret(v)
	return nil
}

// getJAASConfig prints sasl.jaas.config with its password [redacted].
func getJAASConfig(c *Config) string {
	if c.SASLJAASConfig == "" {
		return ""
	}
	jc, err := sasl.ParseJAASConfig(string(c.SASLJAASConfig))
	if err != nil {
		return redacted // it does not parse: New says why
	}
	return jc.String()
}

// setEndpointIdentification parses ssl.endpoint.identification.algorithm: https (Java's default)
// verifies that the broker's certificate names its host; empty, or librdkafka's none, does not.
func setEndpointIdentification(c *Config, v string) error {
	switch {
	case strings.EqualFold(v, "https"):
		c.SSLSkipHostnameVerification = false
	case v == "" || strings.EqualFold(v, "none"):
		c.SSLSkipHostnameVerification = true
	default:
		return fmt.Errorf("%q is not https, or empty (none) for no host name verification", v)
	}
	return nil
}

// getEndpointIdentification prints ssl.endpoint.identification.algorithm: https or empty.
func getEndpointIdentification(c *Config) string {
	if c.SSLSkipHostnameVerification {
		return ""
	}
	return "https"
}

// storeTypes are the Java client's ssl.truststore.type and ssl.keystore.type values; kwire reads
// PEM only.
var storeTypes = []string{"JKS", "PKCS12", "PEM"}

// storeTypeProp is ssl.truststore.type or ssl.keystore.type: JKS, PKCS12 or PEM in any case,
// kept in upper case; empty is Java's default, JKS.
func storeTypeProp(name string, field func(*Config) *string) property {
	return property{
		name: name,
		set: func(c *Config, v string) error {
			if err := checkStoreType(v); err != nil {
				return err
			}
			*field(c) = strings.ToUpper(v)
			return nil
		},
		get: func(c *Config) string { return storeTypeOrDefault(*field(c)) },
	}
}

// checkStoreType accepts JKS, PKCS12 and PEM in any case, and empty.
func checkStoreType(v string) error {
	if v == "" {
		return nil
	}
	for _, t := range storeTypes {
		if strings.EqualFold(v, t) {
			return nil
		}
	}
	return fmt.Errorf("%q is not JKS, PKCS12 or PEM", v)
}

// storeTypeOrDefault is a store type, Java's default JKS when empty.
func storeTypeOrDefault(v string) string {
	if v == "" {
		return "JKS"
	}
	return strings.ToUpper(v)
}

// getSecret prints a secret: [redacted], or empty.
func getSecret(field func(*Config) *Secret) func(*Config) string {
	return func(c *Config) string { return field(c).String() }
}
