package mockbroker

import (
	"crypto/tls"
	"io"
	"log"
	"time"

	"github.com/kwire-dev/kwire/sasl"
)

// Option configures a Cluster.
type Option func(*config)

type config struct {
	brokers           int
	topics            []topicSpec
	autoCreate        bool
	defaultPartitions int32
	replication       int16
	minInsync         int
	messageMaxBytes   int32
	maxRequestBytes   int32
	maxConnections    int           // per broker; 0: no limit
	idleTimeout       time.Duration // 0: none
	requestTimeout    time.Duration // 0: none
	profile           VersionProfile
	logger            *log.Logger
	listen            string
	captureLimit      int
	captureBytes      int
	maxPartitions     int
	retention         retention     // log.retention.bytes and log.retention.ms: every topic's, unless it sets its own
	retentionCheck    time.Duration // log.retention.check.interval.ms
	maxLogBytes       int64         // 0: no limit
	produceThrottleMs int32
	onExchange        func(Exchange)
	tls               *tls.Config
	saslUsers         *sasl.Users   // nil: no SASL
	saslLifetime      time.Duration // 0: sessions do not expire
	saslMaxBytes      int32         // until a connection has authenticated
	err               error         // the first option that failed, for NewCluster to return
}

type topicSpec struct {
	name          string
	partitions    int32
	replication   int16     // 0 for the cluster's default
	assignments   [][]int32 // each partition's replicas, leader first; nil to place them
	logAppendTime bool
	retention     *retention // nil: the cluster's
}

func defaultConfig() config {
	return config{
		brokers:           1,
		autoCreate:        true,
		defaultPartitions: 1,
		replication:       1,
		minInsync:         1,
		messageMaxBytes:   1048588, // Kafka's message.max.bytes default
		maxRequestBytes:   100 << 20,
		maxConnections:    10000,
		idleTimeout:       10 * time.Minute,
		requestTimeout:    30 * time.Second,
		profile:           Kafka39,
		logger:            log.New(io.Discard, "", 0),
		listen:            "127.0.0.1:0",
		captureLimit:      10000,
		captureBytes:      256 << 20,
		saslMaxBytes:      512 << 10, // Kafka's sasl.server.max.receive.size default
		maxPartitions:     100000,
		retention:         retention{bytes: -1, ms: 7 * 24 * time.Hour.Milliseconds()},
		retentionCheck:    5 * time.Minute,
	}
}

// NumBrokers sets how many brokers the cluster runs (default 1). Broker ids count from 0.
func NumBrokers(n int) Option { return func(c *config) { c.brokers = max(n, 1) } }

// Topic creates a topic with partitions partitions at start.
func Topic(name string, partitions int32) Option {
	return func(c *config) { c.topics = append(c.topics, topicSpec{name: name, partitions: partitions}) }
}

// LogAppendTimeTopic creates a topic whose timestamps the broker sets on append
// (message.timestamp.type=LogAppendTime).
func LogAppendTimeTopic(name string, partitions int32) Option {
	return func(c *config) {
		c.topics = append(c.topics, topicSpec{name: name, partitions: partitions, logAppendTime: true})
	}
}

// AutoCreateTopics sets whether Metadata and Produce create unknown topics (default true, as
// Kafka's auto.create.topics.enable).
func AutoCreateTopics(on bool) Option { return func(c *config) { c.autoCreate = on } }

// DefaultPartitions sets the partition count of auto-created topics (default 1, num.partitions).
func DefaultPartitions(n int32) Option { return func(c *config) { c.defaultPartitions = max(n, 1) } }

// ReplicationFactor sets how many replicas each partition reports (default 1, capped at the broker
// count). Replicas are simulated: only the leader stores data.
func ReplicationFactor(n int16) Option { return func(c *config) { c.replication = max(n, 1) } }

// MinInsyncReplicas sets min.insync.replicas (default 1): an acks=all produce to a partition with
// fewer in-sync replicas answers NOT_ENOUGH_REPLICAS. See [Cluster.SetInSyncReplicas].
func MinInsyncReplicas(n int) Option { return func(c *config) { c.minInsync = max(n, 1) } }

// MessageMaxBytes sets message.max.bytes (default 1048588): a larger batch answers
// MESSAGE_TOO_LARGE.
func MessageMaxBytes(n int32) Option { return func(c *config) { c.messageMaxBytes = n } }

// MaxRequestBytes sets socket.request.max.bytes (default 100 MiB): a connection announcing a larger
// request is closed.
func MaxRequestBytes(n int32) Option { return func(c *config) { c.maxRequestBytes = n } }

// MaxConnections sets how many connections each broker serves at once (default 10,000; 0 for no
// limit, Kafka's max.connections default). A connection over the limit is closed as soon as it is
// accepted. A Kafka client holds one connection to each broker it uses, so tests never come near
// the default; it bounds what idle connections can cost where the file descriptor limit is high
// (each holds a goroutine and a 64 KiB read buffer).
func MaxConnections(n int) Option { return func(c *config) { c.maxConnections = max(n, 0) } }

// IdleTimeout closes a connection that sends no request for d (default 10 minutes, Kafka's
// connections.max.idle.ms; 0 for never). The time runs from the last answer, so a client waiting
// for one, such as a fetch waiting for data, is not idle. Kafka's clients close their own idle
// connections first, after 9 minutes.
func IdleTimeout(d time.Duration) Option { return func(c *config) { c.idleTimeout = max(d, 0) } }

// RequestTimeout closes a connection whose request has begun but is not whole d later, or that
// leaves a response untaken for d (default 30 seconds; 0 for never). The default is clients' own
// request.timeout.ms: a client gives up on a request it has had no answer to for that long, so
// the broker drops nothing a client still waits for.
func RequestTimeout(d time.Duration) Option { return func(c *config) { c.requestTimeout = max(d, 0) } }

// Versions sets the API version ranges the brokers advertise, and the advertised versions they
// refuse (default [Kafka39]).
func Versions(p VersionProfile) Option { return func(c *config) { c.profile = p } }

// Logger sets where the cluster logs connections, requests and why it closed a connection
// (default: nowhere).
func Logger(l *log.Logger) Option { return func(c *config) { c.logger = l } }

// ListenAddr sets the first broker's listen address (default 127.0.0.1:0). With a fixed port, broker
// i listens on port+i of the same host; with port 0 each gets a free port.
func ListenAddr(addr string) Option { return func(c *config) { c.listen = addr } }

// CaptureLimit sets how many of the latest exchanges the cluster keeps for [Cluster.Exchanges]
// (default 10,000); 0 captures nothing, for load tests.
func CaptureLimit(n int) Option { return func(c *config) { c.captureLimit = max(n, 0) } }

// CaptureBytes bounds the bytes of the exchanges the cluster keeps for [Cluster.Exchanges], the
// buffers of their request and response frames (default 256 MiB): past it the oldest give way,
// whatever [CaptureLimit] allows. 0 captures nothing.
func CaptureBytes(n int) Option { return func(c *config) { c.captureBytes = max(n, 0) } }

// MaxPartitions bounds the partitions of all the cluster's topics (default 100,000, about 12 MB
// with three replicas each, before any record): CreateTopics refuses a topic past it with
// POLICY_VIOLATION, and a Metadata request does not auto-create topics past it.
func MaxPartitions(n int) Option { return func(c *config) { c.maxPartitions = max(n, 0) } }

// LogRetentionBytes sets log.retention.bytes, the bytes each partition keeps unless its topic
// was created with its own retention.bytes (default -1: no limit). As a batch is appended, the
// partition deletes its oldest batches while the rest hold at least n bytes, as Kafka deletes a
// log's oldest segments: a log keeps at most n bytes and a batch.
func LogRetentionBytes(n int64) Option { return func(c *config) { c.retention.bytes = max(n, -1) } }

// LogRetentionTime sets log.retention.ms, how long each partition keeps a batch unless its topic
// was created with its own retention.ms (default 7 days; negative: for ever). The time runs from
// the batch's largest timestamp, or from its append if its records have none, as Kafka's runs
// from a segment's. When a partition is next used (by a produce, a fetch, a ListOffsets or
// [Cluster.Records]) once [LogRetentionCheckInterval] has passed since its last check, it deletes
// its expired batches from the oldest on, up to the first that is not.
func LogRetentionTime(d time.Duration) Option {
	return func(c *config) { c.retention.ms = max(d.Milliseconds(), -1) }
}

// LogRetentionCheckInterval sets log.retention.check.interval.ms, how often a partition looks for
// batches older than its retention.ms (default 5 minutes, as Kafka; 0: whenever it is used). As
// in Kafka, a batch written with a timestamp older than the retention stays readable until then.
func LogRetentionCheckInterval(d time.Duration) Option {
	return func(c *config) { c.retentionCheck = max(d, 0) }
}

// MaxLogBytes bounds the memory the batches of all partitions take together (default 0: no
// limit). Past it the cluster deletes its oldest batches, whichever partitions hold them, moving
// each log's start; it never refuses a write. Each batch then takes an allocation of its own,
// counted whole, rather than staying in the request it came in, which it would keep whole. A
// deleted batch's memory goes once the fetches that took it have answered, and a log keeps at
// most a sixteenth of its memory more for deleted batches. Tests keep small logs and want back
// what they wrote, so by default nothing is deleted; a broker fed for long, such as kwire
// broker, wants a limit.
func MaxLogBytes(n int64) Option { return func(c *config) { c.maxLogBytes = max(n, 0) } }

// capturing reports whether the cluster keeps exchanges at all.
func (c *config) capturing() bool { return c.captureLimit > 0 && c.captureBytes > 0 }

// ProduceThrottle makes every produce response carry throttle_time_ms = ms, as a broker enforcing
// a produce quota does; clients must hold further requests to the broker until it passes.
func ProduceThrottle(ms int32) Option { return func(c *config) { c.produceThrottleMs = ms } }

// OnExchange calls f with every exchange as it completes, from the connection's goroutine (so
// exchanges of one connection arrive in order), whatever the capture limit. It lets a caller log
// or stream the traffic live; f must not block for long.
func OnExchange(f func(Exchange)) Option { return func(c *config) { c.onExchange = f } }
