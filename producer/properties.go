package producer

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// Configuration by Java property name: every supported property is one row of [properties], with
// a setter that parses the Java client's format into Config and a getter that prints it back, so
// Set, Properties and the list of known names cannot drift apart.
//
// Values are parsed as the Java client's ConfigDef parses them: surrounding spaces are trimmed,
// booleans are true or false in any case, lists are comma-separated, ints are 32-bit and longs
// 64-bit. Ranges and settings that conflict with each other are checked by validate, as New does.

// property is one supported Java property.
type property struct {
	name string
	// set parses value (already trimmed) into c; its error is the reason, without the name.
	set func(c *Config, value string) error
	// get prints c's setting in the Java client's format.
	get func(c *Config) string
}

// The Java class names partitioner.class accepts.
const (
	roundRobinClass = "org.apache.kafka.clients.producer.RoundRobinPartitioner"
	// defaultClass and uniformStickyClass were deprecated by KIP-794 (Kafka 3.3) and removed in
	// Kafka 4.0; they are accepted so configurations written for older clients keep working.
	defaultClass       = "org.apache.kafka.clients.producer.internals.DefaultPartitioner"
	uniformStickyClass = "org.apache.kafka.clients.producer.UniformStickyPartitioner"
)

// properties are the supported properties, sorted by name.
var properties = []property{
	{"acks", setAcks, getAcks},
	intProp("batch.size", func(c *Config) *int { return &c.BatchSize }),
	{"bootstrap.servers", setServers, func(c *Config) string { return strings.Join(c.BootstrapServers, ",") }},
	longProp("buffer.memory", func(c *Config) *int64 { return &c.BufferMemory }),
	{"client.id", func(c *Config, v string) error { c.ClientID = v; return nil }, func(c *Config) string { return c.ClientID }},
	levelProp(wire.CodecGzip, -1),
	levelProp(wire.CodecLZ4, 9),
	{"compression.type", setCompression, func(c *Config) string { return c.Compression.String() }},
	levelProp(wire.CodecZstd, 3),
	msProp("delivery.timeout.ms", 32, func(c *Config) *time.Duration { return &c.DeliveryTimeout }),
	{"enable.idempotence", setIdempotence, func(c *Config) string { return strconv.FormatBool(c.idempotent()) }},
	msProp("linger.ms", 64, func(c *Config) *time.Duration { return &c.Linger }),
	msProp("max.block.ms", 64, func(c *Config) *time.Duration { return &c.MaxBlock }),
	intProp("max.in.flight.requests.per.connection", func(c *Config) *int { return &c.MaxInFlight }),
	intProp("max.request.size", func(c *Config) *int { return &c.MaxRequestSize }),
	msProp("metadata.max.age.ms", 64, func(c *Config) *time.Duration { return &c.MetadataMaxAge }),
	{"partitioner.class", setPartitionerClass, getPartitionerClass},
	boolProp("partitioner.ignore.keys", func(c *Config) *bool { return &c.IgnoreKeys }),
	intProp("receive.buffer.bytes", func(c *Config) *int { return &c.ReceiveBuffer }),
	msProp("request.timeout.ms", 32, func(c *Config) *time.Duration { return &c.RequestTimeout }),
	intProp("retries", func(c *Config) *int { return &c.Retries }),
	msProp("retry.backoff.max.ms", 64, func(c *Config) *time.Duration { return &c.RetryBackoffMax }),
	msProp("retry.backoff.ms", 64, func(c *Config) *time.Duration { return &c.RetryBackoff }),
	{"sasl.jaas.config", setJAASConfig, getJAASConfig},
	{"sasl.mechanism", setSASLMechanism, func(c *Config) string { return c.saslMechanism() }},
	{"sasl.password", func(c *Config, v string) error { c.SASLPassword = Secret(v); return nil }, getSecret(func(c *Config) *Secret { return &c.SASLPassword })},
	stringProp("sasl.username", func(c *Config) *string { return &c.SASLUsername }),
	{"security.protocol", setSecurityProtocol, func(c *Config) string { return c.SecurityProtocol.String() }},
	intProp("send.buffer.bytes", func(c *Config) *int { return &c.SendBuffer }),
	stringProp("ssl.ca.location", func(c *Config) *string { return &c.SSLCALocation }),
	stringProp("ssl.certificate.location", func(c *Config) *string { return &c.SSLCertificateLocation }),
	{"ssl.endpoint.identification.algorithm", setEndpointIdentification, getEndpointIdentification},
	boolProp("ssl.insecure.skip.verify", func(c *Config) *bool { return &c.SSLInsecureSkipVerify }), // kwire's own
	stringProp("ssl.key.location", func(c *Config) *string { return &c.SSLKeyLocation }),
	stringProp("ssl.keystore.location", func(c *Config) *string { return &c.SSLKeystoreLocation }),
	storeTypeProp("ssl.keystore.type", func(c *Config) *string { return &c.SSLKeystoreType }),
	stringProp("ssl.server.name", func(c *Config) *string { return &c.SSLServerName }), // kwire's own
	stringProp("ssl.truststore.location", func(c *Config) *string { return &c.SSLTruststoreLocation }),
	storeTypeProp("ssl.truststore.type", func(c *Config) *string { return &c.SSLTruststoreType }),
}

// propertyHints add a word to the error for Java client properties kwire has no use for.
var propertyHints = map[string]string{
	"key.serializer":   "kwire sends bytes: serialize keys in Go with NewTyped and a Serializer",
	"value.serializer": "kwire sends bytes: serialize values in Go with NewTyped and a Serializer",
}

// Set sets one property by its Java client name (linger.ms, acks, ...) from its value in the
// Java client's format, so configurations written for Java clients can be used as they are.
//
// Set checks the value's format; ranges and conflicts between properties are checked by New (and
// by [ConfigFromProperties]), as in the Java client. The error is a [*ConfigError] naming the
// property: a bad value, or an unknown property, with the closest known name when there is one.
// It never holds the value of sasl.password or the password in sasl.jaas.config.
//
// Besides the Java client's properties, Set takes librdkafka's names for the TLS files and the
// SASL credentials (ssl.ca.location, ssl.certificate.location, ssl.key.location, sasl.username,
// sasl.password) and two of kwire's own, ssl.server.name and ssl.insecure.skip.verify; see the
// fields of [Config].
func (c *Config) Set(name, value string) error {
	p := lookupProperty(name)
	if p == nil {
		return unknownProperty(name)
	}
	if err := p.set(c, strings.TrimSpace(value)); err != nil {
		return &ConfigError{Property: name, Reason: err.Error()}
	}
	return nil
}

// ConfigFromProperties is [DefaultConfig] with props applied by [Config.Set], in sorted order so
// the outcome never depends on map iteration, then checked as New checks it: the error is the
// first problem found, as a [*ConfigError] naming the property.
func ConfigFromProperties(props map[string]string) (Config, error) {
	c := DefaultConfig()
	for _, name := range slices.Sorted(maps.Keys(props)) {
		if err := c.Set(name, props[name]); err != nil {
			return Config{}, err
		}
	}
	if err := checkPartitionerKeys(props); err != nil {
		return Config{}, err
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Properties is every supported property with its current value in the Java client's format, for
// printing the effective configuration. Feeding it back to [ConfigFromProperties] gives the same
// Properties, except for the settings below that have no Java spelling.
//
// Passwords are never shown: sasl.password, and the password in sasl.jaas.config, print as
// [redacted]; fed back, they must be given again.
//
// Some settings have no exact Java spelling: enable.idempotence is the effective value, true or
// false, where the Config may leave it to the default; durations that are not whole milliseconds
// show as decimals (which Set does not take); partitioner.class is empty for the default
// partitioner, and the Go type's name for a partitioner not named by a Java class.
func (c *Config) Properties() map[string]string {
	out := make(map[string]string, len(properties))
	for _, p := range properties {
		out[p.name] = p.get(c)
	}
	return out
}

// lookupProperty is the row of name, or nil.
func lookupProperty(name string) *property {
	i, ok := slices.BinarySearchFunc(properties, name, func(p property, name string) int {
		return strings.Compare(p.name, name)
	})
	if !ok {
		return nil
	}
	return &properties[i]
}

// unknownProperty is the error for a name not in the table, with a hint or the closest name.
func unknownProperty(name string) error {
	reason := "unknown property"
	hint, ok := propertyHints[name]
	if !ok {
		hint, ok = securityHints[name]
	}
	if ok {
		reason += "; " + hint
	} else if near := closestProperty(name); near != "" {
		reason += "; did you mean " + near + "?"
	}
	return &ConfigError{Property: name, Reason: reason}
}

// closestProperty is the known name nearest name by edit distance, if it is close enough to be a
// likely typo: at most 2 edits, or a quarter of the name's length for long names.
func closestProperty(name string) string {
	best, bestDist := "", math.MaxInt
	for _, p := range properties {
		if d := editDistance(name, p.name); d < bestDist {
			best, bestDist = p.name, d
		}
	}
	if bestDist > max(2, len(name)/4) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// parseInt parses a Java int (bits 32) or long (bits 64).
func parseInt(v string, bits int) (int64, error) {
	n, err := strconv.ParseInt(v, 10, bits)
	switch {
	case errors.Is(err, strconv.ErrRange) && bits == 32:
		return 0, fmt.Errorf("%q is out of range for an int", v)
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%q is out of range for a long", v)
	case err != nil:
		return 0, fmt.Errorf("%q is not an integer", v)
	}
	return n, nil
}

// parseBool parses a Java boolean: true or false, in any case.
func parseBool(v string) (bool, error) {
	switch {
	case strings.EqualFold(v, "true"):
		return true, nil
	case strings.EqualFold(v, "false"):
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", v)
}

// intProp is a Java int property held in an int field.
func intProp(name string, field func(*Config) *int) property {
	return property{
		name: name,
		set: func(c *Config, v string) error {
			n, err := parseInt(v, 32)
			if err == nil {
				*field(c) = int(n)
			}
			return err
		},
		get: func(c *Config) string { return strconv.Itoa(*field(c)) },
	}
}

// longProp is a Java long property held in an int64 field.
func longProp(name string, field func(*Config) *int64) property {
	return property{
		name: name,
		set: func(c *Config, v string) error {
			n, err := parseInt(v, 64)
			if err == nil {
				*field(c) = n
			}
			return err
		},
		get: func(c *Config) string { return strconv.FormatInt(*field(c), 10) },
	}
}

// msProp is a Java int (bits 32) or long (bits 64) property of milliseconds held in a Duration.
func msProp(name string, bits int, field func(*Config) *time.Duration) property {
	return property{
		name: name,
		set: func(c *Config, v string) error {
			ms, err := parseInt(v, bits)
			if err != nil {
				return err
			}
			if limit := int64(math.MaxInt64 / time.Millisecond); ms > limit || ms < -limit {
				return fmt.Errorf("%q is out of range (at most %d ms)", v, limit)
			}
			*field(c) = time.Duration(ms) * time.Millisecond
			return nil
		},
		get: func(c *Config) string { return formatMs(*field(c)) },
	}
}

// formatMs prints d in milliseconds: a whole number when it is one, a decimal otherwise.
func formatMs(d time.Duration) string {
	if d%time.Millisecond == 0 {
		return strconv.FormatInt(d.Milliseconds(), 10)
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}

// boolProp is a Java boolean property held in a bool field.
func boolProp(name string, field func(*Config) *bool) property {
	return property{
		name: name,
		set: func(c *Config, v string) error {
			b, err := parseBool(v)
			if err == nil {
				*field(c) = b
			}
			return err
		},
		get: func(c *Config) string { return strconv.FormatBool(*field(c)) },
	}
}

// levelProp is compression.<codec>.level, held in CompressionLevels; javaDefault is the Java
// client's default level, which Properties shows for a codec left at its default (kwire's 0 and
// the Java default compress alike).
func levelProp(codec wire.Codec, javaDefault int) property {
	return property{
		name: "compression." + codec.String() + ".level",
		set: func(c *Config, v string) error {
			n, err := parseInt(v, 32)
			if err != nil {
				return err
			}
			// A copy of the map, so that Configs copied from this one do not change with it.
			levels := maps.Clone(c.CompressionLevels)
			if levels == nil {
				levels = map[wire.Codec]int{}
			}
			levels[codec] = int(n)
			c.CompressionLevels = levels
			return nil
		},
		get: func(c *Config) string {
			if level := c.CompressionLevels[codec]; level != 0 {
				return strconv.Itoa(level)
			}
			return strconv.Itoa(javaDefault)
		},
	}
}

// setAcks parses acks: all, -1, 0 or 1.
func setAcks(c *Config, v string) error {
	switch strings.ToLower(v) {
	case "all", "-1":
		c.Acks = AcksAll
	case "0":
		c.Acks = AcksNone
	case "1":
		c.Acks = AcksLeader
	default:
		return fmt.Errorf("%q is not all, -1, 0 or 1", v)
	}
	return nil
}

// getAcks prints acks as the Java client does: all rather than -1.
func getAcks(c *Config) string {
	if c.Acks == AcksAll {
		return "all"
	}
	return strconv.Itoa(int(c.Acks))
}

// setServers parses bootstrap.servers: host:port entries separated by commas; an empty value is
// no servers, which New rejects.
func setServers(c *Config, v string) error {
	if v == "" {
		c.BootstrapServers = nil
		return nil
	}
	var servers []string
	for s := range strings.SplitSeq(v, ",") {
		s = strings.TrimSpace(s)
		if err := checkServer(s); err != nil {
			return err
		}
		servers = append(servers, s)
	}
	c.BootstrapServers = servers
	return nil
}

// checkServer checks that s is host:port with a host and a port number.
func checkServer(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return fmt.Errorf("%q is not host:port", s)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("%q: %q is not a port number", s, port)
	}
	return nil
}

// setCompression parses compression.type: none, gzip, snappy, lz4 or zstd.
func setCompression(c *Config, v string) error {
	codec, err := wire.ParseCodec(v)
	if err != nil {
		return fmt.Errorf("%q is not none, gzip, snappy, lz4 or zstd", v)
	}
	c.Compression = codec
	return nil
}

// setIdempotence parses enable.idempotence. Setting it either way makes it explicit, so that
// settings that conflict with true fail, as in the Java client.
func setIdempotence(c *Config, v string) error {
	on, err := parseBool(v)
	if err != nil {
		return err
	}
	c.Idempotence = Off
	if on {
		c.Idempotence = On
	}
	return nil
}

// setPartitionerClass parses partitioner.class. Java classes cannot be loaded here, so only the
// Java client's own partitioners are known:
//   - empty (Java's null): the built-in partitioner, Partitioner nil.
//   - RoundRobinPartitioner: a new [RoundRobinPartitioner].
//   - DefaultPartitioner (removed in Kafka 4.0): it hashed keys and was sticky without them, which
//     is the built-in partitioner with keys honoured: Partitioner nil, IgnoreKeys false.
//   - UniformStickyPartitioner (removed in Kafka 4.0): sticky for every record, keys or not, which
//     is the built-in partitioner ignoring keys: Partitioner nil, IgnoreKeys true.
//
// A partitioner of your own is set in Go, in Config.Partitioner.
func setPartitionerClass(c *Config, v string) error {
	switch v {
	case "":
		c.Partitioner = nil
	case roundRobinClass:
		c.Partitioner = &RoundRobinPartitioner{}
	case defaultClass:
		c.Partitioner, c.IgnoreKeys = nil, false
	case uniformStickyClass:
		c.Partitioner, c.IgnoreKeys = nil, true
	default:
		return fmt.Errorf("%q is not a partitioner kwire has (%s, or empty for the default); set Config.Partitioner for your own", v, roundRobinClass)
	}
	return nil
}

// getPartitionerClass prints partitioner.class: empty for the built-in partitioner, the Java class
// of RoundRobinPartitioner, or the Go type of another partitioner.
func getPartitionerClass(c *Config) string {
	switch c.Partitioner.(type) {
	case nil:
		return ""
	case *RoundRobinPartitioner:
		return roundRobinClass
	}
	return fmt.Sprintf("%T", c.Partitioner)
}

// checkPartitionerKeys rejects a partitioner.class whose treatment of keys partitioner.ignore.keys
// contradicts: DefaultPartitioner always hashed keys and UniformStickyPartitioner never did, while
// both become kwire's built-in partitioner, which follows partitioner.ignore.keys.
func checkPartitionerKeys(props map[string]string) error {
	class := strings.TrimSpace(props["partitioner.class"])
	v, ok := props["partitioner.ignore.keys"]
	if !ok || (class != defaultClass && class != uniformStickyClass) {
		return nil
	}
	ignore, _ := parseBool(strings.TrimSpace(v)) // already parsed by Set
	classIgnores := class == uniformStickyClass
	if ignore == classIgnores {
		return nil
	}
	does := "hashes"
	if classIgnores {
		does = "ignores"
	}
	return configErrorf("partitioner.ignore.keys", "%t conflicts with partitioner.class=%s, which %s keys", ignore, class, does)
}
