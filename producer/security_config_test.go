package producer

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/mockbroker"
)

// jaasFor is a sasl.jaas.config line of module for user with password.
func jaasFor(module, user, password string) string {
	return fmt.Sprintf(`org.apache.kafka.common.security.%s required username="%s" password="%s";`, module, user, password)
}

// TestSecurityConfigErrors: New refuses settings that do not go together, with a *ConfigError
// naming the property, and never the password.
func TestSecurityConfigErrors(t *testing.T) {
	scram := jaasFor("scram.ScramLoginModule", "alice", testPassword)
	saslSSL := map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := maps.Clone(base)
		if m == nil {
			m = map[string]string{}
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		props            map[string]string
		property, reason string
	}{
		// SASL without credentials, credentials without SASL, and both ways at odds.
		{saslSSL, "sasl.jaas.config", "not set, nor sasl.username and sasl.password: security.protocol=SASL_SSL needs credentials"},
		{with(saslSSL, "sasl.username", "alice"), "sasl.password", "not set, but sasl.username is"},
		{with(saslSSL, "sasl.password", testPassword), "sasl.username", "not set, but sasl.password is"},
		{with(nil, "sasl.username", "alice", "sasl.password", testPassword), "sasl.username",
			"set, but security.protocol is PLAINTEXT: SASL credentials need SASL_PLAINTEXT or SASL_SSL"},
		{with(nil, "security.protocol", "SSL", "sasl.jaas.config", scram), "sasl.jaas.config", "set, but security.protocol is SSL: SASL credentials need SASL_PLAINTEXT or SASL_SSL"},
		{with(saslSSL, "sasl.jaas.config", scram, "sasl.username", "bob"), "sasl.username", `"bob" conflicts with the username "alice" of sasl.jaas.config`},
		{with(saslSSL, "sasl.jaas.config", scram, "sasl.password", "other"), "sasl.password", "conflicts with the password of sasl.jaas.config"},
		{with(saslSSL, "sasl.jaas.config", scram, "sasl.username", "alice", "sasl.password", testPassword), "", ""}, // they agree
		{with(saslSSL, "sasl.jaas.config", jaasFor("plain.PlainLoginModule", "alice", testPassword)), "", ""},
		// Mechanisms kwire does not have.
		{with(nil, "security.protocol", "SASL_SSL", "sasl.jaas.config", scram), "sasl.mechanism", "GSSAPI (Kerberos, the Java client's default) is not supported by kwire"},
		{with(saslSSL, "sasl.mechanism", "OAUTHBEARER", "sasl.jaas.config", scram), "sasl.mechanism", "OAUTHBEARER is not supported by kwire"},
		{with(nil, "sasl.mechanism", "PLAIN"), "", ""}, // a mechanism alone, without SASL, is ignored as in Java
		// TLS settings without TLS, Java stores that are not PEM, files given twice or half.
		{with(nil, "ssl.ca.location", "ca.pem"), "ssl.ca.location", "set, but security.protocol is PLAINTEXT: TLS settings need SSL or SASL_SSL"},
		{with(nil, "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config", scram, "ssl.insecure.skip.verify", "true"),
			"ssl.insecure.skip.verify", "set, but security.protocol is SASL_PLAINTEXT"},
		{with(nil, "security.protocol", "SSL", "ssl.truststore.location", "ts.jks"), "ssl.truststore.type", "JKS: kwire reads PEM stores only: set ssl.truststore.type=PEM with a PEM file, or use ssl.ca.location"},
		{with(nil, "security.protocol", "SSL", "ssl.keystore.location", "ks.p12", "ssl.keystore.type", "PKCS12"), "ssl.keystore.type", "PKCS12: kwire reads PEM stores only"},
		{with(nil, "security.protocol", "SSL", "ssl.truststore.location", "ts.pem", "ssl.truststore.type", "PEM", "ssl.ca.location", "ca.pem"),
			"ssl.truststore.location", "conflicts with ssl.ca.location"},
		{with(nil, "security.protocol", "SSL", "ssl.keystore.location", "ks.pem", "ssl.keystore.type", "PEM", "ssl.key.location", "k.pem"),
			"ssl.keystore.location", "conflicts with ssl.certificate.location and ssl.key.location"},
		{with(nil, "security.protocol", "SSL", "ssl.certificate.location", "c.pem"), "ssl.key.location", "not set, but ssl.certificate.location is"},
		{with(nil, "security.protocol", "SSL", "ssl.key.location", "k.pem"), "ssl.certificate.location", "not set, but ssl.key.location is"},
	}
	for _, tc := range cases {
		props := with(tc.props, "bootstrap.servers", "localhost:9092")
		_, err := ConfigFromProperties(props)
		if tc.property == "" {
			if err != nil {
				t.Errorf("%v: %v", props, err)
			}
			continue
		}
		wantConfigError(t, err, tc.property, tc.reason)
		requireNoPassword(t, "the error", err.Error())
	}
}

// TestSecurityFileErrors: New reads the TLS files and says which property names one it cannot use.
func TestSecurityFileErrors(t *testing.T) {
	ca := newTestCA(t)
	client, err := ca.Issue(mockbroker.CertOptions{Client: true})
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(client.KeyPEM)
	encrypted := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: block.Bytes})
	caFile := writeTemp(t, "ca.pem", ca.CertPEM)
	certFile := writeTemp(t, "client.pem", client.CertPEM)
	notPEM := writeTemp(t, "truststore.jks", []byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2})
	cases := []struct {
		props            map[string]string
		property, reason string
	}{
		{map[string]string{"ssl.ca.location": "/nonexistent/ca.pem"}, "ssl.ca.location", "no such file or directory"},
		{map[string]string{"ssl.ca.location": notPEM}, "ssl.ca.location", "holds no PEM certificate (kwire reads PEM, not JKS or PKCS12)"},
		{map[string]string{"ssl.truststore.type": "PEM", "ssl.truststore.location": notPEM}, "ssl.truststore.location", "holds no PEM certificate"},
		{map[string]string{"ssl.certificate.location": certFile, "ssl.key.location": writeTemp(t, "enc.key", encrypted)}, "ssl.certificate.location",
			"is encrypted; kwire reads unencrypted keys only"},
		{map[string]string{"ssl.certificate.location": certFile, "ssl.key.location": caFile}, "ssl.certificate.location", "tls: "},
		{map[string]string{"ssl.keystore.type": "PEM", "ssl.keystore.location": certFile}, "ssl.keystore.location", "tls: "},
	}
	for _, tc := range cases {
		cfg, err := ConfigFromProperties(maps.Collect(func(yield func(string, string) bool) {
			yield("bootstrap.servers", "localhost:9092")
			yield("security.protocol", "SSL")
			for k, v := range tc.props {
				yield(k, v)
			}
		}))
		if err != nil {
			t.Fatalf("%v: %v", tc.props, err)
		}
		_, err = New(cfg)
		wantConfigError(t, err, tc.property, tc.reason)
	}
}

// TestSecretsHidden: Properties, fmt and slog show neither sasl.password nor the password in
// sasl.jaas.config.
func TestSecretsHidden(t *testing.T) {
	cfg, err := ConfigFromProperties(map[string]string{
		"bootstrap.servers": "localhost:9092", "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-256",
		"sasl.jaas.config": jaasFor("scram.ScramLoginModule", "alice", testPassword),
		"sasl.username":    "alice", "sasl.password": testPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	props := cfg.Properties()
	if props["sasl.password"] != "[redacted]" || !strings.Contains(props["sasl.jaas.config"], `password="[redacted]"`) || !strings.Contains(props["sasl.jaas.config"], `username="alice"`) {
		t.Fatalf("Properties: sasl.password %q, sasl.jaas.config %q", props["sasl.password"], props["sasl.jaas.config"])
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "password", cfg.SASLPassword, "jaas", cfg.SASLJAASConfig)
	for what, text := range map[string]string{
		"Properties": fmt.Sprint(props), "%v": fmt.Sprintf("%v", cfg), "%+v": fmt.Sprintf("%+v", cfg), "%#v": fmt.Sprintf("%#v", cfg),
		"%s": fmt.Sprintf("%s", cfg.SASLPassword), "slog": logged.String(),
	} {
		requireNoPassword(t, what, text)
	}
	if Secret("").String() != "" || string(cfg.SASLPassword) != testPassword {
		t.Fatal("Secret's value changed")
	}
}

// TestTLSConfigSettings: the TLS configuration New builds keeps the caller's settings, adds the
// files' certificates, and sets the verification the properties ask for.
func TestTLSConfigSettings(t *testing.T) {
	ca := newTestCA(t)
	base := &tls.Config{MinVersion: tls.VersionTLS13, ServerName: "kafka.example.com"}
	cfg := DefaultConfig()
	cfg.SecurityProtocol, cfg.TLS, cfg.SSLCALocation = SecuritySSL, base, writeTemp(t, "ca.pem", ca.CertPEM)
	cfg.SSLSkipHostnameVerification = true
	tc, err := cfg.clientTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	if tc == base || tc.MinVersion != tls.VersionTLS13 || tc.ServerName != "kafka.example.com" || tc.RootCAs == nil ||
		!tc.InsecureSkipVerify || tc.VerifyConnection == nil || tc.ClientSessionCache == nil {
		t.Fatalf("TLS configuration %+v", tc)
	}
	if base.RootCAs != nil || base.InsecureSkipVerify {
		t.Fatal("the caller's configuration changed")
	}
	cfg.SSLInsecureSkipVerify, cfg.SSLServerName = true, "other.example.com"
	if tc, err = cfg.clientTLSConfig(); err != nil || !tc.InsecureSkipVerify || tc.VerifyConnection != nil || tc.ServerName != "other.example.com" {
		t.Fatalf("insecure: %+v, %v", tc, err)
	}
}
