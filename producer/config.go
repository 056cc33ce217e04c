package producer

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"math"
	"net"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// Acks is how many acknowledgements the leader must have before it answers a produce request
// (the Java client's acks).
type Acks int16

// The acks settings.
const (
	AcksNone   Acks = 0  // do not wait for the broker: no answer, no retries, no offsets
	AcksLeader Acks = 1  // the leader wrote the records
	AcksAll    Acks = -1 // every in-sync replica has them
)

// Toggle is a setting that is on, off, or left to its default; kwire needs to know when a user
// asked for idempotence explicitly, as the Java client does, to fail on conflicting settings
// instead of quietly turning it off.
type Toggle int8

// The toggle states.
const (
	Default Toggle = iota
	On
	Off
)

// Config is a producer's configuration. Start from [DefaultConfig] (Kafka 4.x's defaults) and
// change what you need, in Go or by Java property name with [Config.Set]. Each field's comment
// names its Java property.
type Config struct {
	BootstrapServers []string // bootstrap.servers: host:port of any brokers of the cluster
	ClientID         string   // client.id (default kwire-producer)

	Acks        Acks   // acks (default all)
	Idempotence Toggle // enable.idempotence (default: on unless acks, retries or max.in.flight forbid it)
	Retries     int    // retries (default MaxInt32); 0 never retries

	Linger       time.Duration // linger.ms (default 5ms): how long a batch waits for more records
	BatchSize    int           // batch.size (default 16384): a batch's size in bytes, before compression
	BufferMemory int64         // buffer.memory (default 32 MiB): bytes of records buffered at most
	MaxBlock     time.Duration // max.block.ms (default 60s): how long Send waits for buffer space or metadata

	Compression wire.Codec // compression.type (default none)
	// CompressionLevels holds compression.gzip.level, compression.lz4.level and
	// compression.zstd.level; a codec not in the map uses its default level.
	CompressionLevels map[wire.Codec]int

	MaxInFlight     int           // max.in.flight.requests.per.connection (default 5)
	RetryBackoff    time.Duration // retry.backoff.ms (default 100ms)
	RetryBackoffMax time.Duration // retry.backoff.max.ms (default 1s)
	RequestTimeout  time.Duration // request.timeout.ms (default 30s): one attempt
	DeliveryTimeout time.Duration // delivery.timeout.ms (default 120s): a record's whole life
	MaxRequestSize  int           // max.request.size (default 1 MiB): a produce request's size, and a record's
	MetadataMaxAge  time.Duration // metadata.max.age.ms (default 5min)
	SendBuffer      int           // send.buffer.bytes (default 131072; -1: the OS default)
	ReceiveBuffer   int           // receive.buffer.bytes (default 32768; -1: the OS default)

	// Partitioner chooses partitions for records without an explicit one (partitioner.class);
	// nil is the Java client's default: murmur2 of the key, or uniform sticky without a key.
	Partitioner Partitioner
	// IgnoreKeys makes the default partitioner ignore keys (partitioner.ignore.keys).
	IgnoreKeys bool

	// Logger receives the producer's events: connections, retries, errors. Nil logs nothing.
	Logger *slog.Logger

	// Dialer opens every connection the producer makes, for metadata and for produce requests
	// alike, to addr: a bootstrap server or a broker's host:port as the metadata advertises it.
	// The producer gives it request.timeout.ms to connect (ctx ends then, or when the producer
	// closes) and uses the connection as returned; send.buffer.bytes, receive.buffer.bytes and
	// TCP_NODELAY apply only to TCP connections the producer dials itself. Nil dials TCP. It has
	// no Java property: it lets tests and the browser playground run over net.Pipe.
	Dialer func(ctx context.Context, addr string) (net.Conn, error)

	// SecurityProtocol is security.protocol (default PLAINTEXT): whether connections use TLS
	// (SSL, SASL_SSL) and authenticate with SASL (SASL_PLAINTEXT, SASL_SSL). With a Dialer, TLS
	// runs over the connections it returns.
	SecurityProtocol SecurityProtocol

	// TLS is the TLS client configuration to start from, for SSL and SASL_SSL; Go only. The
	// ssl.* settings below apply to a copy of it (nil: an empty one): a CA file replaces its
	// RootCAs, a client certificate is added to its Certificates. ServerName, when empty, is the
	// host of each broker's address.
	TLS *tls.Config
	// SSLCALocation is librdkafka's ssl.ca.location: a PEM file of the CA certificates that sign
	// the brokers' certificates. Empty: the system's roots (or TLS.RootCAs).
	SSLCALocation string
	// SSLCertificateLocation and SSLKeyLocation are librdkafka's ssl.certificate.location and
	// ssl.key.location: the client's certificate chain and its unencrypted private key, PEM, for
	// brokers that require client certificates (mutual TLS).
	SSLCertificateLocation string
	SSLKeyLocation         string
	// SSLTruststoreType and SSLTruststoreLocation are the Java client's ssl.truststore.type and
	// ssl.truststore.location. kwire reads PEM truststores only (ssl.truststore.type=PEM), which
	// are what ssl.ca.location is: one of the two may be set. Empty type means Java's default,
	// JKS, which kwire cannot read.
	SSLTruststoreType     string
	SSLTruststoreLocation string
	// SSLKeystoreType and SSLKeystoreLocation are the Java client's ssl.keystore.type and
	// ssl.keystore.location: with type PEM, one file holding the client's unencrypted private key
	// and its certificate chain, instead of ssl.certificate.location and ssl.key.location.
	SSLKeystoreType     string
	SSLKeystoreLocation string
	// SSLSkipHostnameVerification is ssl.endpoint.identification.algorithm empty (or librdkafka's
	// none): the broker's certificate must chain to a trusted CA but need not name the host. The
	// default, false, is the Java client's https: it must name it.
	SSLSkipHostnameVerification bool
	// SSLServerName is kwire's ssl.server.name (neither Java nor librdkafka has it): the name the
	// brokers' certificates are verified against and sent in SNI, instead of each broker's host;
	// for brokers reached through a tunnel or a proxy.
	SSLServerName string
	// SSLInsecureSkipVerify is kwire's ssl.insecure.skip.verify (neither Java nor librdkafka has
	// it): no verification of the brokers' certificates at all. For tests only: anyone on the path
	// can read and change the connection.
	SSLInsecureSkipVerify bool

	// SASLMechanism is sasl.mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, for SASL_PLAINTEXT
	// and SASL_SSL. Empty means Java's default, GSSAPI (Kerberos), which kwire does not have, nor
	// OAUTHBEARER. PLAIN sends the password itself: use it with SASL_SSL.
	SASLMechanism string
	// SASLJAASConfig is sasl.jaas.config as Java users write it:
	//
	//	org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="…";
	//
	// (PlainLoginModule or ScramLoginModule; either serves every mechanism).
	SASLJAASConfig Secret
	// SASLUsername and SASLPassword are librdkafka's sasl.username and sasl.password: the
	// credentials without sasl.jaas.config. Both may be given with it only if they agree.
	SASLUsername string
	SASLPassword Secret
}

// DefaultConfig is the Java client's defaults (those of kafka-clients 4.4's ProducerConfig, which
// interop's TestRealKafkaProducerProperties compares them with), with no bootstrap servers and
// client.id kwire-producer, where the Java producer makes up producer-1, producer-2, ….
func DefaultConfig() Config {
	return Config{
		ClientID:        "kwire-producer",
		Acks:            AcksAll,
		Retries:         math.MaxInt32,
		Linger:          5 * time.Millisecond,
		BatchSize:       16384,
		BufferMemory:    32 << 20,
		MaxBlock:        60 * time.Second,
		Compression:     wire.CodecNone,
		MaxInFlight:     5,
		RetryBackoff:    100 * time.Millisecond,
		RetryBackoffMax: time.Second,
		RequestTimeout:  30 * time.Second,
		DeliveryTimeout: 120 * time.Second,
		MaxRequestSize:  1 << 20,
		MetadataMaxAge:  5 * time.Minute,
		SendBuffer:      131072,
		ReceiveBuffer:   32768,
	}
}

// ConfigError is a setting the producer cannot work with, named by its Java property.
type ConfigError struct {
	Property string
	Reason   string
}

// Error says which property and why.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("producer: invalid configuration: %s: %s", e.Property, e.Reason)
}

func configErrorf(property, format string, args ...any) error {
	return &ConfigError{Property: property, Reason: fmt.Sprintf(format, args...)}
}

// idempotent reports whether the producer runs idempotently: asked for, or by default when the
// other settings allow it.
func (c *Config) idempotent() bool {
	switch c.Idempotence {
	case On:
		return true
	case Off:
		return false
	}
	return c.Acks == AcksAll && c.Retries > 0 && c.MaxInFlight <= 5
}

// validate checks the settings one by one and against each other, as the Java client does at
// construction.
func (c *Config) validate() error {
	if len(c.BootstrapServers) == 0 {
		return configErrorf("bootstrap.servers", "no servers given")
	}
	checks := []struct {
		ok       bool
		property string
		reason   string
	}{
		{c.Acks == AcksNone || c.Acks == AcksLeader || c.Acks == AcksAll, "acks", fmt.Sprintf("%d is not 0, 1 or all (-1)", c.Acks)},
		{c.Retries >= 0, "retries", "must not be negative"},
		{c.Linger >= 0, "linger.ms", "must not be negative"},
		{c.BatchSize >= 0, "batch.size", "must not be negative"},
		{c.BufferMemory > 0, "buffer.memory", "must be positive"},
		{c.MaxBlock >= 0, "max.block.ms", "must not be negative"},
		{c.MaxInFlight >= 1, "max.in.flight.requests.per.connection", "must be at least 1"},
		{c.RetryBackoff >= 0, "retry.backoff.ms", "must not be negative"},
		{c.RetryBackoffMax >= 0, "retry.backoff.max.ms", "must not be negative"},
		{c.RequestTimeout > 0, "request.timeout.ms", "must be positive"},
		{c.DeliveryTimeout > 0, "delivery.timeout.ms", "must be positive"},
		{c.MaxRequestSize > 0, "max.request.size", "must be positive"},
		{c.MetadataMaxAge >= 0, "metadata.max.age.ms", "must not be negative"},
		{c.SendBuffer >= -1, "send.buffer.bytes", "must be -1 (the OS default) or more"},
		{c.ReceiveBuffer >= -1, "receive.buffer.bytes", "must be -1 (the OS default) or more"},
		{c.Idempotence == Default || c.Idempotence == On || c.Idempotence == Off, "enable.idempotence", "unknown toggle"},
	}
	for _, ch := range checks {
		if !ch.ok {
			return configErrorf(ch.property, "%s", ch.reason)
		}
	}
	if err := c.Compression.CheckLevel(0); err != nil {
		return configErrorf("compression.type", "%v", err)
	}
	for codec, level := range c.CompressionLevels {
		if err := codec.CheckLevel(level); err != nil {
			return configErrorf("compression."+codec.String()+".level", "%v", err)
		}
	}
	if min := c.Linger + c.RequestTimeout; c.DeliveryTimeout < min {
		return configErrorf("delivery.timeout.ms", "%v is less than linger.ms + request.timeout.ms (%v)", c.DeliveryTimeout, min)
	}
	if err := c.validateSecurity(); err != nil {
		return err
	}
	if c.Idempotence == On {
		switch {
		case c.Acks != AcksAll:
			return configErrorf("acks", "must be all (-1) with enable.idempotence=true")
		case c.Retries == 0:
			return configErrorf("retries", "must be more than 0 with enable.idempotence=true")
		case c.MaxInFlight > 5:
			return configErrorf("max.in.flight.requests.per.connection", "must be at most 5 with enable.idempotence=true")
		}
	}
	return nil
}

// level is the compression level for the configured codec: its configured level or 0 (the codec's
// default).
func (c *Config) level() int { return c.CompressionLevels[c.Compression] }
