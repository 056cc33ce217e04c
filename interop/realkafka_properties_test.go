package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/producer"
)

// This file compares kwire's producer properties with the Java producer's own definition of
// them, ProducerConfig.configDef() as kafka/src's ProducerConfigDump prints it: every property
// kwire takes under a Java name must be Java's, with Java's default and type, and every Java
// property kwire does not take is listed below with why, so that a Kafka upgrade that adds one
// fails here until the list says what kwire does about it.

// javaProducerProperty is one property of the Java producer as ProducerConfigDump prints it.
type javaProducerProperty struct {
	Name string `json:"name"`
	Type string `json:"type"` // ConfigDef.Type: BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD
	// Default is the parsed default as JSON: nil when there is none (the user must set it),
	// "null" for Java's null.
	Default    json.RawMessage `json:"default"`
	Importance string          `json:"importance"`
	Internal   bool            `json:"internal"`
}

// notJavaProperties are the properties kwire takes that the Java producer does not have, and why.
var notJavaProperties = map[string]string{
	"ssl.ca.location":          "librdkafka's name for the PEM file of trusted CAs (Java's: ssl.truststore.type=PEM and ssl.truststore.location)",
	"ssl.certificate.location": "librdkafka's name for the client certificate's PEM file (Java's: a PEM ssl.keystore.location with key and chain)",
	"ssl.key.location":         "librdkafka's name for the client key's PEM file (Java's: a PEM ssl.keystore.location with key and chain)",
	"sasl.username":            "librdkafka's name for the SASL user, for a configuration without sasl.jaas.config",
	"sasl.password":            "librdkafka's name for the SASL password, for a configuration without sasl.jaas.config",
	"ssl.server.name":          "kwire's own: the name the brokers' certificates are verified against, for brokers behind a tunnel or proxy",
	"ssl.insecure.skip.verify": "kwire's own, for tests: no verification of the brokers' certificates",
}

// defaultExceptions are the Java properties whose kwire default differs from Java's, and why.
var defaultExceptions = map[string]string{
	"client.id": "Java's default \"\" means \"make one up\": the Java producer then sends producer-N (a counter of the JVM), " +
		"never \"\"; kwire's default, kwire-producer, plays the same part and tells brokers' logs and quotas which client it is",
}

// Why kwire does not take a Java property; most of the reasons are shared by several properties.
const (
	whyJVMPlugin     = "loads Java classes into the JVM client (Go code configures the producer in Go)"
	whySerializer    = "kwire sends bytes: serialize in Go with producer.NewTyped and a Serializer"
	whyJavaMetrics   = "the Java client's metrics (JMX reporters, KIP-714 push); kwire's are Producer.Stats"
	whyKerberos      = "SASL GSSAPI (Kerberos): kwire has PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512"
	whyOAuth         = "SASL OAUTHBEARER: kwire has PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512"
	whyTokenLogin    = "token login and refresh, for OAUTHBEARER and GSSAPI, which kwire does not have"
	whyJSSE          = "configures Java's TLS implementation (JSSE); kwire uses Go's crypto/tls (Config.TLS in Go)"
	whyPassword      = "protects a JKS or PKCS12 store or an encrypted key; kwire reads unencrypted PEM files only"
	whyInlinePEM     = "PEM in the property itself; kwire reads PEM from files (not yet)"
	whyTransactions  = "transactions: not yet (a later issue)"
	whyTLSProtocols  = "not yet: kwire uses Go's TLS 1.2 and 1.3 with Go's cipher suites (Java's defaults allow the same versions); Config.TLS in Go"
	whyConnections   = "not yet: kwire bounds a connection's set-up by request.timeout.ms, reconnects after retry.backoff.ms, and keeps idle connections"
	whyMetadataNY    = "not yet: kwire keeps metadata of every topic it sent to and has no rebootstrap (KIP-899) nor cluster-id check"
	whyPartitionerNY = "not yet: kwire's sticky partitioner picks uniformly, without Java's adaptive weighing or rack awareness (KIP-1123)"
	whyDNSLookup     = "not yet: Go's dialer tries every address of a name, which is Java's default use_all_dns_ips; no other mode"
	whyDNSResolve    = "not yet: kwire resolves a bootstrap name when it dials it, and retries a failure as any failed connection, not at New"
	whyInternal      = "internal to the Java client (its buffer pool)"
)

// unsupportedJavaProperties are the Java producer's properties kwire does not take, and why.
var unsupportedJavaProperties = map[string]string{
	"bootstrap.resolve.timeout.ms":                        whyDNSResolve,
	"buffer.memory.allocation.strategy":                   whyInternal,
	"client.dns.lookup":                                   whyDNSLookup,
	"client.rack":                                         whyPartitionerNY,
	"config.providers":                                    whyJVMPlugin,
	"connections.max.idle.ms":                             whyConnections,
	"enable.metrics.push":                                 whyJavaMetrics,
	"interceptor.classes":                                 whyJVMPlugin,
	"key.serializer":                                      whySerializer,
	"metadata.cluster.check.enable":                       whyMetadataNY,
	"metadata.max.idle.ms":                                whyMetadataNY,
	"metadata.recovery.rebootstrap.trigger.ms":            whyMetadataNY,
	"metadata.recovery.strategy":                          whyMetadataNY,
	"metric.reporters":                                    whyJavaMetrics,
	"metrics.num.samples":                                 whyJavaMetrics,
	"metrics.recording.level":                             whyJavaMetrics,
	"metrics.sample.window.ms":                            whyJavaMetrics,
	"partitioner.adaptive.partitioning.enable":            whyPartitionerNY,
	"partitioner.availability.timeout.ms":                 whyPartitionerNY,
	"partitioner.rack.aware":                              whyPartitionerNY,
	"reconnect.backoff.max.ms":                            whyConnections,
	"reconnect.backoff.ms":                                whyConnections,
	"sasl.client.callback.handler.class":                  whyJVMPlugin,
	"sasl.kerberos.kinit.cmd":                             whyKerberos,
	"sasl.kerberos.min.time.before.relogin":               whyKerberos,
	"sasl.kerberos.service.name":                          whyKerberos,
	"sasl.kerberos.ticket.renew.jitter":                   whyKerberos,
	"sasl.kerberos.ticket.renew.window.factor":            whyKerberos,
	"sasl.login.callback.handler.class":                   whyJVMPlugin,
	"sasl.login.class":                                    whyJVMPlugin,
	"sasl.login.connect.timeout.ms":                       whyTokenLogin,
	"sasl.login.read.timeout.ms":                          whyTokenLogin,
	"sasl.login.refresh.buffer.seconds":                   whyTokenLogin,
	"sasl.login.refresh.min.period.seconds":               whyTokenLogin,
	"sasl.login.refresh.window.factor":                    whyTokenLogin,
	"sasl.login.refresh.window.jitter":                    whyTokenLogin,
	"sasl.login.retry.backoff.max.ms":                     whyTokenLogin,
	"sasl.login.retry.backoff.ms":                         whyTokenLogin,
	"sasl.oauthbearer.allow.unverified.audience":          whyOAuth,
	"sasl.oauthbearer.allow.unverified.issuer":            whyOAuth,
	"sasl.oauthbearer.assertion.algorithm":                whyOAuth,
	"sasl.oauthbearer.assertion.claim.aud":                whyOAuth,
	"sasl.oauthbearer.assertion.claim.exp.seconds":        whyOAuth,
	"sasl.oauthbearer.assertion.claim.iss":                whyOAuth,
	"sasl.oauthbearer.assertion.claim.jti.include":        whyOAuth,
	"sasl.oauthbearer.assertion.claim.nbf.seconds":        whyOAuth,
	"sasl.oauthbearer.assertion.claim.sub":                whyOAuth,
	"sasl.oauthbearer.assertion.file":                     whyOAuth,
	"sasl.oauthbearer.assertion.private.key.file":         whyOAuth,
	"sasl.oauthbearer.assertion.private.key.passphrase":   whyOAuth,
	"sasl.oauthbearer.assertion.template.file":            whyOAuth,
	"sasl.oauthbearer.client.credentials.client.id":       whyOAuth,
	"sasl.oauthbearer.client.credentials.client.secret":   whyOAuth,
	"sasl.oauthbearer.clock.skew.seconds":                 whyOAuth,
	"sasl.oauthbearer.expected.audience":                  whyOAuth,
	"sasl.oauthbearer.expected.issuer":                    whyOAuth,
	"sasl.oauthbearer.header.urlencode":                   whyOAuth,
	"sasl.oauthbearer.jwks.endpoint.refresh.ms":           whyOAuth,
	"sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms": whyOAuth,
	"sasl.oauthbearer.jwks.endpoint.retry.backoff.ms":     whyOAuth,
	"sasl.oauthbearer.jwks.endpoint.url":                  whyOAuth,
	"sasl.oauthbearer.jwt.retriever.class":                whyOAuth,
	"sasl.oauthbearer.jwt.validator.class":                whyOAuth,
	"sasl.oauthbearer.scope":                              whyOAuth,
	"sasl.oauthbearer.scope.claim.name":                   whyOAuth,
	"sasl.oauthbearer.sub.claim.name":                     whyOAuth,
	"sasl.oauthbearer.token.endpoint.url":                 whyOAuth,
	"security.providers":                                  whyJSSE,
	"socket.connection.setup.timeout.max.ms":              whyConnections,
	"socket.connection.setup.timeout.ms":                  whyConnections,
	"ssl.cipher.suites":                                   whyTLSProtocols,
	"ssl.enabled.protocols":                               whyTLSProtocols,
	"ssl.engine.factory.class":                            whyJSSE,
	"ssl.key.password":                                    whyPassword,
	"ssl.keymanager.algorithm":                            whyJSSE,
	"ssl.keystore.certificate.chain":                      whyInlinePEM,
	"ssl.keystore.key":                                    whyInlinePEM,
	"ssl.keystore.password":                               whyPassword,
	"ssl.protocol":                                        whyTLSProtocols,
	"ssl.provider":                                        whyJSSE,
	"ssl.secure.random.implementation":                    whyJSSE,
	"ssl.trustmanager.algorithm":                          whyJSSE,
	"ssl.truststore.certificates":                         whyInlinePEM,
	"ssl.truststore.password":                             whyPassword,
	"transaction.timeout.ms":                              whyTransactions,
	"transaction.two.phase.commit.enable":                 whyTransactions,
	"transactional.id":                                    whyTransactions,
	"value.serializer":                                    whySerializer,
}

// TestRealKafkaProducerProperties compares kwire's producer properties with kafka-clients'
// ProducerConfig, as the file's comment says. For each property kwire takes under a Java name,
// kwire's default (DefaultConfig's Properties) must equal Java's in the form both agree on
// (normalDefault), unless defaultExceptions explains why not, and kwire must parse the property as
// Java's type does (checkKwireType). The Java properties kwire does not take must be exactly
// unsupportedJavaProperties, and kwire must refuse each by name rather than ignore it.
func TestRealKafkaProducerProperties(t *testing.T) {
	requireKafka(t)
	java := javaProducerProperties(t)
	cfg := producer.DefaultConfig()
	kwire := cfg.Properties()
	var errs []string
	equal, excepted := 0, 0
	for _, name := range slices.Sorted(maps.Keys(kwire)) {
		jp, isJava := java[name]
		if why, notJava := notJavaProperties[name]; notJava || !isJava {
			switch {
			case isJava:
				errs = append(errs, fmt.Sprintf("%s is Java's now: take it out of notJavaProperties (%q)", name, why))
			case !notJava:
				errs = append(errs, fmt.Sprintf("kwire takes %s, which the Java producer does not have: rename it, or list it in notJavaProperties with why", name))
			}
			continue
		}
		if err := checkKwireType(name, jp.Type); err != nil {
			errs = append(errs, err.Error())
		}
		want, err := normalDefault(jp)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		got := kwireNormalDefault(name, jp.Type, kwire[name])
		why, exception := defaultExceptions[name]
		switch {
		case got == want && exception:
			errs = append(errs, fmt.Sprintf("%s: kwire's default %q is Java's now: take it out of defaultExceptions", name, got))
		case got == want:
			equal++
		case exception:
			excepted++
			t.Logf("%s: kwire's default %q, Java's %q: %s", name, got, want, why)
		default:
			errs = append(errs, fmt.Sprintf("%s: kwire's default is %q, Java's %q (%s %s)", name, got, want, jp.Type, jp.Default))
		}
	}
	for name := range notJavaProperties {
		if _, ok := kwire[name]; !ok {
			errs = append(errs, fmt.Sprintf("kwire no longer takes %s: take it out of notJavaProperties", name))
		}
	}
	for name := range defaultExceptions {
		_, isJava := java[name]
		_, isKwire := kwire[name]
		if !isJava || !isKwire {
			errs = append(errs, fmt.Sprintf("defaultExceptions names %s, which is not a Java property kwire takes", name))
		}
	}
	errs = append(errs, checkUnsupported(java, kwire)...)
	slices.Sort(errs)
	for _, e := range errs {
		t.Error(e)
	}
	t.Logf("Java producer (kafka-clients ProducerConfig.configDef()): %d properties; kwire: %d properties, %d of them Java's, %d not (%s)",
		len(java), len(kwire), len(kwire)-len(notJavaProperties), len(notJavaProperties), strings.Join(slices.Sorted(maps.Keys(notJavaProperties)), ", "))
	t.Logf("defaults of the Java properties kwire takes: %d equal, %d explained exceptions; Java properties kwire does not take: %d",
		equal, excepted, len(unsupportedJavaProperties))
}

// javaProducerProperties runs ProducerConfigDump and returns the Java producer's properties by
// name.
func javaProducerProperties(t *testing.T) map[string]javaProducerProperty {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := kafkaJava(ctx, t, "dev.kwire.interop.ProducerConfigDump")
	if err != nil {
		t.Fatal(err)
	}
	props := map[string]javaProducerProperty{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var p javaProducerProperty
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil || p.Name == "" || p.Type == "" {
			t.Fatalf("ProducerConfigDump printed %q: %v", sc.Text(), err)
		}
		props[p.Name] = p
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if _, ok := props["linger.ms"]; !ok {
		t.Fatalf("ProducerConfigDump printed no linger.ms:\n%s", out)
	}
	return props
}

// required is the normal form of the default of a property that has none: the user must set it.
const required = "(no default: required)"

// normalDefault is Java's default in the form it is compared with kwire's in: integers in
// decimal, booleans true or false, a list's elements joined by commas, a class by its binary
// name, a string as it is. Java's null is "", as kwire's properties have no null and print an
// unset string, class or password as empty; no default at all is required.
func normalDefault(p javaProducerProperty) (string, error) {
	if p.Default == nil {
		return required, nil
	}
	if string(p.Default) == "null" {
		return "", nil
	}
	var err error
	switch p.Type {
	case "SHORT", "INT", "LONG":
		var n json.Number
		if err = json.Unmarshal(p.Default, &n); err == nil {
			_, err = n.Int64()
		}
		return string(n), err
	case "BOOLEAN":
		var b bool
		err = json.Unmarshal(p.Default, &b)
		return strconv.FormatBool(b), err
	case "DOUBLE":
		var f float64
		err = json.Unmarshal(p.Default, &f)
		return strconv.FormatFloat(f, 'g', -1, 64), err
	case "LIST":
		var l []string
		err = json.Unmarshal(p.Default, &l)
		return strings.Join(l, ","), err
	}
	var s string
	if err = json.Unmarshal(p.Default, &s); err != nil {
		return "", fmt.Errorf("%s: a %s default that is not a JSON string: %s", p.Name, p.Type, p.Default)
	}
	return s, nil
}

// kwireNormalDefault is kwire's default v of property name, of the Java type javaType, in
// normalDefault's form; an empty default that ConfigFromProperties refuses for want of that
// property is required.
func kwireNormalDefault(name, javaType, v string) string {
	if v == "" {
		var ce *producer.ConfigError
		_, err := producer.ConfigFromProperties(nil)
		if errors.As(err, &ce) && ce.Property == name {
			return required
		}
	}
	switch javaType {
	case "SHORT", "INT", "LONG":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
	case "BOOLEAN":
		return strings.ToLower(v)
	case "DOUBLE":
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	case "LIST":
		var l []string
		for e := range strings.SplitSeq(v, ",") {
			if e = strings.TrimSpace(e); e != "" {
				l = append(l, e)
			}
		}
		return strings.Join(l, ",")
	}
	return v
}

// checkKwireType checks that kwire's Set parses property name as Java's type does where the
// types differ in what they take: an INT refuses 2^31 where a LONG takes it (and refuses 2^63),
// a BOOLEAN takes TRUE and False but not 1.
func checkKwireType(name, javaType string) error {
	cases := map[string][]struct {
		value string
		ok    bool
	}{
		"INT":     {{"2147483647", true}, {"2147483648", false}},
		"LONG":    {{"2147483648", true}, {"9223372036854775808", false}},
		"BOOLEAN": {{"TRUE", true}, {"False", true}, {"1", false}},
	}
	for _, c := range cases[javaType] {
		cfg := producer.DefaultConfig()
		if err := cfg.Set(name, c.value); (err == nil) != c.ok {
			return fmt.Errorf("%s is a Java %s, but kwire's Set(%q) gives %v", name, javaType, c.value, err)
		}
	}
	return nil
}

// checkUnsupported checks unsupportedJavaProperties against what Java has and kwire takes: every
// Java property is kwire's or listed, every listed one is Java's and not kwire's, and kwire's Set
// refuses it with a ConfigError naming it.
func checkUnsupported(java map[string]javaProducerProperty, kwire map[string]string) []string {
	var errs []string
	for name, p := range java {
		_, isKwire := kwire[name]
		if _, listed := unsupportedJavaProperties[name]; !isKwire && !listed {
			errs = append(errs, fmt.Sprintf("the Java producer has %s (%s, default %s, importance %s), which kwire does not take: list it in unsupportedJavaProperties with why, or support it",
				name, p.Type, p.Default, p.Importance))
		}
	}
	for name := range unsupportedJavaProperties {
		if _, ok := java[name]; !ok {
			errs = append(errs, fmt.Sprintf("the Java producer no longer has %s: take it out of unsupportedJavaProperties", name))
		}
		if _, ok := kwire[name]; ok {
			errs = append(errs, fmt.Sprintf("kwire takes %s now: take it out of unsupportedJavaProperties", name))
			continue
		}
		cfg := producer.DefaultConfig()
		var ce *producer.ConfigError
		if err := cfg.Set(name, "1"); !errors.As(err, &ce) || ce.Property != name {
			errs = append(errs, fmt.Sprintf("kwire's Set(%s) does not refuse it by name: %v", name, err))
		}
	}
	return errs
}
