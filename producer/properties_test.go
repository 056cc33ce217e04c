package producer

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
)

// propertyCases set each property to a value other than its default, written as a user might, and
// say how Properties prints it and what it does to the Config.
var propertyCases = []struct {
	name, value string
	printed     string
	check       func(c *Config) bool
}{
	{"acks", "all", "all", func(c *Config) bool { return c.Acks == AcksAll }},
	{"acks", "-1", "all", func(c *Config) bool { return c.Acks == AcksAll }},
	{"acks", "ALL", "all", func(c *Config) bool { return c.Acks == AcksAll }},
	{"acks", "1", "1", func(c *Config) bool { return c.Acks == AcksLeader }},
	{"acks", " 0 ", "0", func(c *Config) bool { return c.Acks == AcksNone }},
	{"batch.size", "65536", "65536", func(c *Config) bool { return c.BatchSize == 65536 }},
	{"bootstrap.servers", " a:9092 , b.example.com:19092,[::1]:9093", "a:9092,b.example.com:19092,[::1]:9093",
		func(c *Config) bool {
			return slices.Equal(c.BootstrapServers, []string{"a:9092", "b.example.com:19092", "[::1]:9093"})
		}},
	{"buffer.memory", "8589934592", "8589934592", func(c *Config) bool { return c.BufferMemory == 8<<30 }},
	{"client.id", "orders-svc", "orders-svc", func(c *Config) bool { return c.ClientID == "orders-svc" }},
	{"compression.gzip.level", "9", "9", func(c *Config) bool { return c.CompressionLevels[wire.CodecGzip] == 9 }},
	{"compression.lz4.level", "17", "17", func(c *Config) bool { return c.CompressionLevels[wire.CodecLZ4] == 17 }},
	{"compression.type", "zstd", "zstd", func(c *Config) bool { return c.Compression == wire.CodecZstd }},
	{"compression.type", "LZ4", "lz4", func(c *Config) bool { return c.Compression == wire.CodecLZ4 }},
	{"compression.type", "snappy", "snappy", func(c *Config) bool { return c.Compression == wire.CodecSnappy }},
	{"compression.type", "gzip", "gzip", func(c *Config) bool { return c.Compression == wire.CodecGzip }},
	{"compression.type", "none", "none", func(c *Config) bool { return c.Compression == wire.CodecNone }},
	{"compression.zstd.level", "-5", "-5", func(c *Config) bool { return c.CompressionLevels[wire.CodecZstd] == -5 }},
	{"delivery.timeout.ms", "300000", "300000", func(c *Config) bool { return c.DeliveryTimeout == 5*time.Minute }},
	{"enable.idempotence", "false", "false", func(c *Config) bool { return c.Idempotence == Off }},
	{"enable.idempotence", "True", "true", func(c *Config) bool { return c.Idempotence == On }},
	{"linger.ms", "20", "20", func(c *Config) bool { return c.Linger == 20*time.Millisecond }},
	{"linger.ms", "0", "0", func(c *Config) bool { return c.Linger == 0 }},
	{"max.block.ms", "1000", "1000", func(c *Config) bool { return c.MaxBlock == time.Second }},
	{"max.in.flight.requests.per.connection", "1", "1", func(c *Config) bool { return c.MaxInFlight == 1 }},
	{"max.request.size", "10485760", "10485760", func(c *Config) bool { return c.MaxRequestSize == 10<<20 }},
	{"metadata.max.age.ms", "60000", "60000", func(c *Config) bool { return c.MetadataMaxAge == time.Minute }},
	{"partitioner.class", "org.apache.kafka.clients.producer.RoundRobinPartitioner", "org.apache.kafka.clients.producer.RoundRobinPartitioner",
		func(c *Config) bool { _, ok := c.Partitioner.(*RoundRobinPartitioner); return ok }},
	{"partitioner.class", "", "", func(c *Config) bool { return c.Partitioner == nil }},
	{"partitioner.ignore.keys", "true", "true", func(c *Config) bool { return c.IgnoreKeys }},
	{"receive.buffer.bytes", "-1", "-1", func(c *Config) bool { return c.ReceiveBuffer == -1 }},
	{"request.timeout.ms", "5000", "5000", func(c *Config) bool { return c.RequestTimeout == 5*time.Second }},
	{"retries", "3", "3", func(c *Config) bool { return c.Retries == 3 }},
	{"retry.backoff.max.ms", "2000", "2000", func(c *Config) bool { return c.RetryBackoffMax == 2*time.Second }},
	{"retry.backoff.ms", "250", "250", func(c *Config) bool { return c.RetryBackoff == 250*time.Millisecond }},
	{"send.buffer.bytes", "1048576", "1048576", func(c *Config) bool { return c.SendBuffer == 1<<20 }},
	{"security.protocol", "sasl_ssl", "SASL_SSL", func(c *Config) bool { return c.SecurityProtocol == SecuritySASLSSL }},
	{"security.protocol", "SASL_PLAINTEXT", "SASL_PLAINTEXT", func(c *Config) bool { return c.SecurityProtocol == SecuritySASLPlaintext }},
	{"security.protocol", "SSL", "SSL", func(c *Config) bool { return c.SecurityProtocol == SecuritySSL }},
	{"security.protocol", "plaintext", "PLAINTEXT", func(c *Config) bool { return c.SecurityProtocol == SecurityPlaintext }},
	{"sasl.mechanism", "SCRAM-SHA-512", "SCRAM-SHA-512", func(c *Config) bool { return c.SASLMechanism == "SCRAM-SHA-512" }},
	{"sasl.mechanism", "scram-sha-256", "SCRAM-SHA-256", func(c *Config) bool { return c.SASLMechanism == "SCRAM-SHA-256" }},
	{"sasl.mechanism", "PLAIN", "PLAIN", func(c *Config) bool { return c.SASLMechanism == "PLAIN" }},
	{"sasl.jaas.config", `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cr=t";`,
		`org.apache.kafka.common.security.scram.ScramLoginModule required password="[redacted]" username="alice";`,
		func(c *Config) bool {
			u, p, err := c.saslCredentials()
			return err == nil && u == "alice" && p == "s3cr=t"
		}},
	{"sasl.password", "pa55:word", "[redacted]", func(c *Config) bool { return c.SASLPassword == "pa55:word" }},
	{"sasl.username", "alice", "alice", func(c *Config) bool { return c.SASLUsername == "alice" }},
	{"ssl.ca.location", "/etc/kafka/ca.pem", "/etc/kafka/ca.pem", func(c *Config) bool { return c.SSLCALocation == "/etc/kafka/ca.pem" }},
	{"ssl.certificate.location", "client.pem", "client.pem", func(c *Config) bool { return c.SSLCertificateLocation == "client.pem" }},
	{"ssl.key.location", "client.key", "client.key", func(c *Config) bool { return c.SSLKeyLocation == "client.key" }},
	{"ssl.endpoint.identification.algorithm", "", "", func(c *Config) bool { return c.SSLSkipHostnameVerification }},
	{"ssl.endpoint.identification.algorithm", "none", "", func(c *Config) bool { return c.SSLSkipHostnameVerification }},
	{"ssl.endpoint.identification.algorithm", "HTTPS", "https", func(c *Config) bool { return !c.SSLSkipHostnameVerification }},
	{"ssl.insecure.skip.verify", "true", "true", func(c *Config) bool { return c.SSLInsecureSkipVerify }},
	{"ssl.keystore.location", "/etc/kafka/client.pem", "/etc/kafka/client.pem", func(c *Config) bool { return c.SSLKeystoreLocation == "/etc/kafka/client.pem" }},
	{"ssl.keystore.type", "pem", "PEM", func(c *Config) bool { return c.SSLKeystoreType == "PEM" }},
	{"ssl.server.name", "kafka.internal", "kafka.internal", func(c *Config) bool { return c.SSLServerName == "kafka.internal" }},
	{"ssl.truststore.location", "/etc/kafka/ca.pem", "/etc/kafka/ca.pem", func(c *Config) bool { return c.SSLTruststoreLocation == "/etc/kafka/ca.pem" }},
	{"ssl.truststore.type", "PKCS12", "PKCS12", func(c *Config) bool { return c.SSLTruststoreType == "PKCS12" }},
}

// securityContext are the settings a property set to value needs beside it to pass New's checks:
// a protocol for TLS settings, a mechanism and credentials for SASL.
func securityContext(name, value string) map[string]string {
	sasl := map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "u", "sasl.password": "p"}
	switch {
	case name == "security.protocol" && strings.HasPrefix(strings.ToUpper(value), "SASL"):
		delete(sasl, "security.protocol")
		return sasl
	case name == "sasl.jaas.config":
		return map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512"}
	case strings.HasPrefix(name, "sasl."):
		delete(sasl, name)
		return sasl
	case name == "ssl.certificate.location":
		return map[string]string{"security.protocol": "SSL", "ssl.key.location": "k.pem"}
	case name == "ssl.key.location":
		return map[string]string{"security.protocol": "SSL", "ssl.certificate.location": "c.pem"}
	case name == "ssl.truststore.location":
		return map[string]string{"security.protocol": "SSL", "ssl.truststore.type": "PEM"}
	case name == "ssl.keystore.location":
		return map[string]string{"security.protocol": "SSL", "ssl.keystore.type": "PEM"}
	case strings.HasPrefix(name, "ssl."):
		return map[string]string{"security.protocol": "SSL"}
	}
	return nil
}

// secretProperties print as [redacted], so a round trip through Properties loses their value.
var secretProperties = map[string]bool{"sasl.password": true, "sasl.jaas.config": true}

func TestPropertiesTableIsSortedAndUnique(t *testing.T) {
	for i := 1; i < len(properties); i++ {
		if properties[i-1].name >= properties[i].name {
			t.Fatalf("properties out of order: %s before %s", properties[i-1].name, properties[i].name)
		}
	}
}

func TestSetEveryProperty(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range propertyCases {
		covered[tc.name] = true
		c := DefaultConfig()
		if err := c.Set(tc.name, tc.value); err != nil {
			t.Errorf("Set(%s, %q): %v", tc.name, tc.value, err)
			continue
		}
		if !tc.check(&c) {
			t.Errorf("Set(%s, %q): the Config did not change as expected: %+v", tc.name, tc.value, c)
		}
		if got := c.Properties()[tc.name]; got != tc.printed {
			t.Errorf("Set(%s, %q): Properties says %q, want %q", tc.name, tc.value, got, tc.printed)
		}
	}
	for _, p := range properties {
		if !covered[p.name] {
			t.Errorf("no case sets %s", p.name)
		}
	}
}

func TestPropertiesRoundTrip(t *testing.T) {
	for _, tc := range propertyCases {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			props := map[string]string{"bootstrap.servers": "localhost:9092", tc.name: tc.value}
			maps.Copy(props, securityContext(tc.name, tc.value))
			c, err := ConfigFromProperties(props)
			if err != nil {
				t.Fatal(err)
			}
			printed := c.Properties()
			again, err := ConfigFromProperties(printed)
			if err != nil {
				t.Fatalf("Properties do not parse back: %v\n%v", err, printed)
			}
			if !maps.Equal(again.Properties(), printed) {
				t.Fatalf("round trip changed the properties:\n%v\n%v", printed, again.Properties())
			}
			if !secretProperties[tc.name] && !tc.check(&again) {
				t.Fatalf("round trip lost the setting: %+v", again)
			}
		})
	}
}

func TestDefaultProperties(t *testing.T) {
	c := DefaultConfig()
	got := c.Properties()
	if len(got) != len(properties) {
		t.Fatalf("%d properties, want %d", len(got), len(properties))
	}
	// The Java client's defaults, as kwire's DefaultConfig has them.
	want := map[string]string{
		"acks": "all", "batch.size": "16384", "buffer.memory": "33554432", "compression.type": "none",
		"compression.gzip.level": "-1", "compression.lz4.level": "9", "compression.zstd.level": "3",
		"delivery.timeout.ms": "120000", "enable.idempotence": "true", "linger.ms": "5",
		"max.block.ms": "60000", "max.in.flight.requests.per.connection": "5", "max.request.size": "1048576",
		"metadata.max.age.ms": "300000", "partitioner.class": "", "partitioner.ignore.keys": "false",
		"receive.buffer.bytes": "32768", "request.timeout.ms": "30000", "retries": "2147483647",
		"retry.backoff.max.ms": "1000", "retry.backoff.ms": "100", "send.buffer.bytes": "131072",
		"bootstrap.servers": "", "client.id": "kwire-producer",
		"security.protocol": "PLAINTEXT", "sasl.mechanism": "GSSAPI", "sasl.jaas.config": "", "sasl.username": "", "sasl.password": "",
		"ssl.ca.location": "", "ssl.certificate.location": "", "ssl.key.location": "", "ssl.endpoint.identification.algorithm": "https",
		"ssl.insecure.skip.verify": "false", "ssl.keystore.location": "", "ssl.keystore.type": "JKS", "ssl.server.name": "",
		"ssl.truststore.location": "", "ssl.truststore.type": "JKS",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("default properties:\n got %v\nwant %v", got, want)
	}
	// Java's default levels compress as kwire's defaults do; setting them keeps them valid.
	props := maps.Clone(got)
	props["bootstrap.servers"] = "localhost:9092"
	if _, err := ConfigFromProperties(props); err != nil {
		t.Fatal(err)
	}
}

func TestPropertiesShowsSubMillisecondDurations(t *testing.T) {
	c := DefaultConfig()
	c.Linger = 1500 * time.Microsecond
	if got := c.Properties()["linger.ms"]; got != "1.5" {
		t.Fatalf("linger.ms = %q, want 1.5", got)
	}
}

func TestPropertiesNamesOtherPartitioners(t *testing.T) {
	c := DefaultConfig()
	c.Partitioner = constantPartitioner(0)
	if got := c.Properties()["partitioner.class"]; got != "producer.constantPartitioner" {
		t.Fatalf("partitioner.class = %q", got)
	}
}

// constantPartitioner sends every record to one partition.
type constantPartitioner int32

func (p constantPartitioner) Partition(string, []byte, int32) int32 { return int32(p) }

// wantConfigError requires err to be a *ConfigError naming property with a reason containing
// reason.
func wantConfigError(t *testing.T, err error, property, reason string) {
	t.Helper()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *ConfigError", err, err)
	}
	if ce.Property != property || !strings.Contains(ce.Reason, reason) {
		t.Fatalf("error names %s: %q; want %s: ...%s...", ce.Property, ce.Reason, property, reason)
	}
}

func TestSetBadValues(t *testing.T) {
	cases := []struct{ name, value, reason string }{
		{"linger.ms", "abc", `"abc" is not an integer`},
		{"linger.ms", "1.5", `"1.5" is not an integer`},
		{"linger.ms", "", `"" is not an integer`},
		{"linger.ms", "9223372036854775807", `out of range (at most 9223372036854 ms)`},
		{"max.block.ms", "99999999999999999999", `out of range for a long`},
		{"request.timeout.ms", "2147483648", `"2147483648" is out of range for an int`},
		{"delivery.timeout.ms", "1e6", `not an integer`},
		{"batch.size", "16k", `"16k" is not an integer`},
		{"buffer.memory", "32MB", `not an integer`},
		{"retries", "many", `not an integer`},
		{"max.in.flight.requests.per.connection", "five", `not an integer`},
		{"max.request.size", "0x100000", `not an integer`},
		{"metadata.max.age.ms", "5m", `not an integer`},
		{"send.buffer.bytes", "big", `not an integer`},
		{"receive.buffer.bytes", "-", `not an integer`},
		{"retry.backoff.ms", "0.1", `not an integer`},
		{"retry.backoff.max.ms", "1s", `not an integer`},
		{"compression.gzip.level", "best", `not an integer`},
		{"compression.lz4.level", "x", `not an integer`},
		{"compression.zstd.level", "max", `not an integer`},
		{"acks", "2", `"2" is not all, -1, 0 or 1`},
		{"acks", "leader", `not all, -1, 0 or 1`},
		{"compression.type", "brotli", `"brotli" is not none, gzip, snappy, lz4 or zstd`},
		{"enable.idempotence", "yes", `"yes" is not true or false`},
		{"partitioner.ignore.keys", "1", `"1" is not true or false`},
		{"partitioner.class", "com.example.MyPartitioner", `"com.example.MyPartitioner" is not a partitioner kwire has`},
		{"partitioner.class", "RoundRobinPartitioner", `is not a partitioner kwire has`},
		{"bootstrap.servers", "localhost", `"localhost" is not host:port`},
		{"bootstrap.servers", "a:9092,,b:9092", `"" is not host:port`},
		{"bootstrap.servers", "a:kafka", `"a:kafka": "kafka" is not a port number`},
		{"bootstrap.servers", ":9092", `":9092" is not host:port`},
		{"bootstrap.servers", "a:70000", `is not a port number`},
		{"security.protocol", "TLS", `"TLS" is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL`},
		{"sasl.mechanism", "SCRAM-SHA-1", `"SCRAM-SHA-1" is not PLAIN, SCRAM-SHA-256, SCRAM-SHA-512`},
		{"sasl.jaas.config", `org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="p"`, `offset 90: want an option name or the closing ";", found the end`},
		{"sasl.jaas.config", `org.apache.kafka.common.security.plain.PlainLoginModule required username="a";`, `no password option`},
		{"sasl.jaas.config", `com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true;`, `kwire takes user names and passwords from`},
		{"ssl.endpoint.identification.algorithm", "ldaps", `"ldaps" is not https, or empty`},
		{"ssl.truststore.type", "BCFKS", `"BCFKS" is not JKS, PKCS12 or PEM`},
		{"ssl.insecure.skip.verify", "yes", `"yes" is not true or false`},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		before := c.Properties()
		err := c.Set(tc.name, tc.value)
		wantConfigError(t, err, tc.name, tc.reason)
		if !maps.Equal(before, c.Properties()) {
			t.Errorf("Set(%s, %q) failed but changed the Config", tc.name, tc.value)
		}
	}
}

func TestConfigErrorMessage(t *testing.T) {
	c := DefaultConfig()
	err := c.Set("linger.ms", "abc")
	if want := `producer: invalid configuration: linger.ms: "abc" is not an integer`; err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
}

func TestUnknownProperties(t *testing.T) {
	cases := []struct{ name, reason string }{
		{"lingr.ms", "unknown property; did you mean linger.ms?"},
		{"Linger.ms", "unknown property; did you mean linger.ms?"},
		{"batch.sise", "unknown property; did you mean batch.size?"},
		{"request.timeout", "unknown property; did you mean request.timeout.ms?"},
		{"bootstrap.server", "unknown property; did you mean bootstrap.servers?"},
		{"enable.idempotency", "unknown property; did you mean enable.idempotence?"},
		{"retry.backof.ms", "unknown property; did you mean retry.backoff.ms?"},
		{"compression.codec", "unknown property; did you mean compression.type?"},
		{"key.serializer", "unknown property; kwire sends bytes: serialize keys in Go with NewTyped"},
		{"value.serializer", "unknown property; kwire sends bytes: serialize values in Go with NewTyped"},
		// Java client settings with no meaning here, and nothing close.
		{"transactional.id", "unknown property"},
		{"interceptor.classes", "unknown property"},
		{"sasl.mechanisms", "unknown property; did you mean sasl.mechanism?"},
		{"ssl.key.password", "unknown property; kwire reads unencrypted PEM keys only"},
		{"enable.ssl.certificate.verification", "unknown property; kwire's is ssl.insecure.skip.verify=true"},
		{"sasl.kerberos.service.name", "unknown property; kwire has no GSSAPI"},
		{"", "unknown property"},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		err := c.Set(tc.name, "x")
		wantConfigError(t, err, tc.name, tc.reason)
		var ce *ConfigError
		errors.As(err, &ce)
		if !strings.Contains(tc.reason, "did you mean") && strings.Contains(ce.Reason, "did you mean") {
			t.Errorf("%s: suggestion for a name not close to any: %q", tc.name, ce.Reason)
		}
	}
}

func TestConfigFromPropertiesConflicts(t *testing.T) {
	base := map[string]string{"bootstrap.servers": "localhost:9092"}
	cases := []struct {
		props    map[string]string
		property string
		reason   string
	}{
		{map[string]string{"enable.idempotence": "true", "acks": "1"}, "acks", "must be all (-1) with enable.idempotence=true"},
		{map[string]string{"enable.idempotence": "true", "retries": "0"}, "retries", "enable.idempotence=true"},
		{map[string]string{"enable.idempotence": "true", "max.in.flight.requests.per.connection": "6"},
			"max.in.flight.requests.per.connection", "enable.idempotence=true"},
		{map[string]string{"delivery.timeout.ms": "30000", "linger.ms": "100", "request.timeout.ms": "30000"},
			"delivery.timeout.ms", "less than linger.ms + request.timeout.ms"},
		{map[string]string{"linger.ms": "-1"}, "linger.ms", "must not be negative"},
		{map[string]string{"compression.lz4.level": "18"}, "compression.lz4.level", "out of range"},
		{map[string]string{"compression.type": "snappy", "compression.gzip.level": "0"}, "", ""}, // fine
		{map[string]string{"bootstrap.servers": ""}, "bootstrap.servers", "no servers given"},
		{map[string]string{"partitioner.class": uniformStickyClass, "partitioner.ignore.keys": "false"},
			"partitioner.ignore.keys", "conflicts with partitioner.class"},
		{map[string]string{"partitioner.class": defaultClass, "partitioner.ignore.keys": "true"},
			"partitioner.ignore.keys", "conflicts with partitioner.class"},
		{map[string]string{"partitioner.class": uniformStickyClass, "partitioner.ignore.keys": "TRUE"}, "", ""},
		{map[string]string{"partitioner.class": roundRobinClass, "partitioner.ignore.keys": "false"}, "", ""},
		// Sorted order: acks is the first bad property.
		{map[string]string{"retries": "x", "acks": "x", "linger.ms": "x"}, "acks", `"x" is not all`},
	}
	for _, tc := range cases {
		props := maps.Clone(base)
		maps.Copy(props, tc.props)
		_, err := ConfigFromProperties(props)
		if tc.property == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.props, err)
			}
			continue
		}
		wantConfigError(t, err, tc.property, tc.reason)
	}
}

func TestJavaPartitionerClasses(t *testing.T) {
	cases := []struct {
		class      string
		ignoreKeys bool
	}{
		{defaultClass, false},
		{uniformStickyClass, true},
		{"", false},
	}
	for _, tc := range cases {
		c, err := ConfigFromProperties(map[string]string{"bootstrap.servers": "h:1", "partitioner.class": tc.class})
		if err != nil {
			t.Fatal(err)
		}
		if c.Partitioner != nil || c.IgnoreKeys != tc.ignoreKeys {
			t.Errorf("%q: Partitioner %v, IgnoreKeys %v", tc.class, c.Partitioner, c.IgnoreKeys)
		}
	}
}

func TestSetLevelDoesNotChangeCopies(t *testing.T) {
	a := DefaultConfig()
	if err := a.Set("compression.zstd.level", "5"); err != nil {
		t.Fatal(err)
	}
	b := a
	if err := b.Set("compression.zstd.level", "9"); err != nil {
		t.Fatal(err)
	}
	if a.CompressionLevels[wire.CodecZstd] != 5 || b.CompressionLevels[wire.CodecZstd] != 9 {
		t.Fatalf("levels a %v, b %v", a.CompressionLevels, b.CompressionLevels)
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"kitten", "sitting", 3},
		{"lingr.ms", "linger.ms", 1}, {"acks", "acks", 0}, {"flaw", "lawn", 2},
	}
	for _, tc := range cases {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}

// TestPropertiesDriveAProducer configures a producer from Java properties only and checks that
// the partitioner they name is the one used.
func TestPropertiesDriveAProducer(t *testing.T) {
	c := mockbroker.NewTestCluster(t, mockbroker.Topic("rr", 4))
	cfg, err := ConfigFromProperties(map[string]string{
		"bootstrap.servers":  strings.Join(c.Addrs(), ","),
		"partitioner.class":  roundRobinClass,
		"linger.ms":          "0",
		"compression.type":   "zstd",
		"retry.backoff.ms":   "5",
		"request.timeout.ms": "2000",
		"max.block.ms":       "10000",
	})
	if err != nil {
		t.Fatal(err)
	}
	p := newTestProducer(t, cfg)
	for i := range 8 {
		md, err := p.SendSync(context.Background(), &Record{Topic: "rr", Key: []byte("same"), Value: []byte{byte(i)}})
		if err != nil {
			t.Fatal(err)
		}
		if md.Partition != int32(i%4) {
			t.Fatalf("record %d went to partition %d, want %d", i, md.Partition, i%4)
		}
	}
	for part := range int32(4) {
		recs, err := c.Records("rr", part)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 {
			t.Fatalf("partition %d has %d records, want 2", part, len(recs))
		}
	}
}
