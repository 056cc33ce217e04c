package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
)

// brokerAbout is what kwire broker --help says the command does.
const brokerAbout = `Runs kwire's mock Kafka cluster until SIGINT or SIGTERM, then closes every connection and exits
0. Real clients (kcat, franz-go, sarama, the Java client) can produce to it and consume from it;
records live in memory only.

When the cluster is ready, kwire broker prints exactly one line on stdout:

  ready HOST:PORT[,HOST:PORT...]

the bootstrap addresses, one per broker. Broker i listens on the --listen port plus i (with
port 0, each on a free port). Unknown topics are created on first use with --partitions
partitions, unless --no-auto-create.

The brokers log on stderr what they do to connections and topics: connections they close and
why (a request over --max-request-bytes, a connection idle for --idle-timeout, one over --max-connections),
topics they create, and when their logs reach --max-log-bytes. -v logs every request too.

A broker fed for ever must let go of records, as Kafka's retention does: each partition keeps
--retention-bytes and --retention-ms worth (a topic created with retention.bytes or retention.ms
keeps its own), and all partitions together at most --max-log-bytes (1 GiB by default: more
than a test or a demo reads back, about a million records of 1 KB, and little enough for a
laptop or a CI machine). Past it the oldest records of any partition are deleted; produces are
never refused, and consumers find the log start moved, as after Kafka's retention. Unless
GOMEMLIMIT is set, the Go runtime's soft memory limit is then --max-log-bytes plus an eighth and
64 MiB, so that the process stays near what its logs hold instead of growing to twice that
between garbage collections.

With --tls the brokers speak TLS, with a certificate from a certificate authority generated at
start (--tls-ca-out writes its certificate for clients). With --sasl-user clients must
authenticate with SASL (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, see --sasl-mechanism) before
anything but ApiVersions, as on a Kafka SASL_PLAINTEXT or, with --tls, SASL_SSL listener.
`

// brokerExamples are the command lines kwire broker --help shows.
const brokerExamples = `  kwire broker
  kwire broker --listen 127.0.0.1:0 --brokers 3 --topic orders:6 -v
  kwire broker --max-log-bytes 256MiB --retention-bytes 16MiB --retention-ms 3600000
  kwire broker --kafka 4.0 --no-auto-create --topic events
  kwire broker --tls --tls-ca-out ca.pem --sasl-mechanism SCRAM-SHA-256 --sasl-user alice:alice-secret
`

// kafkaVersions are the version profiles --kafka chooses from.
var kafkaVersions = map[string]mockbroker.VersionProfile{"3.9": mockbroker.Kafka39, "4.0": mockbroker.Kafka40, "4.4": mockbroker.Kafka44}

// brokerCommand defines kwire broker's flags and returns its action.
func brokerCommand() (*cmdFlags, action) {
	var (
		listen       string
		brokers      int
		partitions   int
		replication  int
		noAutoCreate bool
		maxConns     int
		idleTimeout  time.Duration
		retentionMs  int64
		verbose      bool
		topics       topicFlags
		security     brokerSecurity
	)
	kafka := newChoice("3.9", "4.0", "4.4")
	retentionBytes, maxLogBytes, maxRequestBytes := byteSize(-1), byteSize(defaultMaxLogBytes), byteSize(100<<20)
	c := newCmdFlags("broker", "kwire broker [flags]", brokerAbout, brokerExamples)
	c.fs.StringVar(&listen, "listen", "127.0.0.1:9092", "The first broker's address; broker i listens on its port plus i (default 127.0.0.1:9092).")
	c.doc("listen", "l", "HOST:PORT", "--listen 127.0.0.1:0")
	c.fs.IntVar(&brokers, "brokers", 1, "How many brokers the cluster runs (default 1).")
	c.doc("brokers", "", "N", "--brokers 3")
	c.fs.Var(&topics, "topic", "A topic to create at start, with PARTITIONS partitions (default --partitions); repeatable.")
	c.doc("topic", "t", "NAME[:PARTITIONS]", "--topic orders:6")
	c.fs.IntVar(&partitions, "partitions", 1, "The partition count of auto-created topics and of --topic without one (default 1).")
	c.doc("partitions", "p", "N", "--partitions 4")
	c.fs.IntVar(&replication, "replication-factor", 1, "How many replicas each partition reports (simulated; at most --brokers; default 1).")
	c.doc("replication-factor", "", "N", "--replication-factor 3")
	c.fs.BoolVar(&noAutoCreate, "no-auto-create", false, "Answer UNKNOWN_TOPIC_OR_PARTITION for unknown topics instead of creating them.")
	c.doc("no-auto-create", "", "", "--no-auto-create")
	c.fs.Var(kafka, "kafka", "The Kafka version whose API version ranges the brokers advertise: 3.9, 4.0 or 4.4 (default 3.9).")
	c.doc("kafka", "", "VERSION", "--kafka 4.0")
	c.fs.IntVar(&maxConns, "max-connections", 10000, "How many connections each broker serves at once; it closes more as soon as they open. 0 for\nno limit (default 10000).")
	c.doc("max-connections", "", "N", "--max-connections 100")
	c.fs.DurationVar(&idleTimeout, "idle-timeout", 10*time.Minute, "Close a connection that sends no request for this long (Kafka's connections.max.idle.ms); 0 for\nnever (default 10m).")
	c.doc("idle-timeout", "", "DURATION", "--idle-timeout 30s")
	c.fs.Var(&maxRequestBytes, "max-request-bytes", "The largest request a broker reads (Kafka's socket.request.max.bytes); it closes a connection\nthat announces a larger one. Handling a request may take a few hundred times its size in\nmemory, so a small machine wants it lower (default 100MiB).")
	c.doc("max-request-bytes", "", "SIZE", "--max-request-bytes 8MiB")
	c.fs.Var(&retentionBytes, "retention-bytes", "The bytes each partition keeps (Kafka's log.retention.bytes): past them it deletes its oldest\nrecords. A number of bytes, or of KiB, MiB, GiB or TiB; -1 for no limit (default -1).")
	c.doc("retention-bytes", "", "SIZE", "--retention-bytes 64MiB")
	c.fs.Int64Var(&retentionMs, "retention-ms", 7*24*time.Hour.Milliseconds(), "How long each partition keeps a record batch after its largest timestamp (Kafka's\nlog.retention.ms), checked every 5 minutes as Kafka does; -1 to keep them for ever (default\n604800000, 7 days).")
	c.doc("retention-ms", "", "MS", "--retention-ms 3600000")
	c.fs.Var(&maxLogBytes, "max-log-bytes", "The memory the records of all partitions may take together: past it the oldest, of any\npartition, are deleted. A number of bytes, or of KiB, MiB, GiB or TiB; 0 for no limit (default\n1GiB).")
	c.doc("max-log-bytes", "", "SIZE", "--max-log-bytes 256MiB")
	c.fs.BoolVar(&verbose, "verbose", false, "Log every request and response on stderr too.")
	c.doc("verbose", "v", "", "-v")
	security.define(c)
	return c, func(args []string, s streams) error {
		if len(args) > 0 {
			return usageErrorf("unexpected argument %q", args[0])
		}
		if brokers < 1 || partitions < 1 || replication < 1 {
			return usageErrorf("--brokers, --partitions and --replication-factor must be at least 1")
		}
		if maxConns < 0 || idleTimeout < 0 || maxLogBytes < 0 {
			return usageErrorf("--max-connections, --idle-timeout and --max-log-bytes must not be negative")
		}
		if retentionMs < -1 {
			return usageErrorf("--retention-ms must be at least -1")
		}
		if maxRequestBytes < 1 || maxRequestBytes > math.MaxInt32 {
			return usageErrorf("--max-request-bytes must be from 1 to %d bytes", math.MaxInt32)
		}
		opts := []mockbroker.Option{
			mockbroker.ListenAddr(listen), mockbroker.NumBrokers(brokers), mockbroker.DefaultPartitions(int32(partitions)),
			mockbroker.ReplicationFactor(int16(replication)), mockbroker.AutoCreateTopics(!noAutoCreate),
			mockbroker.Versions(kafkaVersions[kafka.value]), mockbroker.MaxConnections(maxConns), mockbroker.IdleTimeout(idleTimeout),
			mockbroker.MaxRequestBytes(int32(maxRequestBytes)),
			mockbroker.LogRetentionBytes(int64(retentionBytes)), mockbroker.LogRetentionTime(millis(retentionMs)),
			mockbroker.MaxLogBytes(int64(maxLogBytes)),
			mockbroker.Logger(log.New(s.stderr, "", log.Ltime|log.Lmicroseconds)),
			mockbroker.CaptureLimit(0), // nothing reads them back, and -v logs each as it happens
		}
		secure, err := security.options()
		if err != nil {
			return err
		}
		opts = append(opts, secure...)
		for _, t := range topics {
			n := t.partitions
			if n == 0 {
				n = int32(partitions)
			}
			opts = append(opts, mockbroker.Topic(t.name, n))
		}
		if verbose {
			opts = append(opts, mockbroker.OnExchange(exchangeLogger(s.stderr)))
		}
		if maxLogBytes > 0 && os.Getenv("GOMEMLIMIT") == "" {
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(softMemoryLimit(int64(maxLogBytes))))
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return serveCluster(ctx, s.stdout, opts)
	}
}

// millis is ms milliseconds, or the longest duration if that is longer (292 years).
func millis(ms int64) time.Duration {
	return time.Duration(min(ms, int64(math.MaxInt64/time.Millisecond))) * time.Millisecond
}

// defaultMaxLogBytes is --max-log-bytes' default.
const defaultMaxLogBytes = 1 << 30

// softMemoryLimit is the Go runtime's soft memory limit for a broker whose logs take at most
// maxLog: the logs, an eighth for the deleted batches a log may keep until it moves to a new array
// (at most a sixteenth) and the collector's slack, and 64 MiB for the runtime, the connections'
// buffers and what requests hold while they are served: a Fetch answer of the Java consumer's
// fetch.max.bytes (50 MiB) and produce requests of 1 MiB. Go's garbage collector otherwise lets
// the heap grow to twice what is live before collecting.
func softMemoryLimit(maxLog int64) int64 {
	const headroom = 64 << 20
	if maxLog > (math.MaxInt64-headroom)/9*8 {
		return math.MaxInt64
	}
	return maxLog + maxLog/8 + headroom
}

// serveCluster runs a cluster with opts, announces it on stdout, and closes it when ctx is done.
func serveCluster(ctx context.Context, stdout io.Writer, opts []mockbroker.Option) error {
	c, err := mockbroker.NewCluster(opts...)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "ready %s\n", strings.Join(c.Addrs(), ",")); err != nil {
		c.Close()
		return err
	}
	<-ctx.Done()
	return c.Close()
}

// exchangeLogger returns an OnExchange hook that writes one line per exchange to w.
func exchangeLogger(w io.Writer) func(mockbroker.Exchange) {
	l := log.New(w, "", log.Ltime|log.Lmicroseconds)
	return func(e mockbroker.Exchange) {
		client := ""
		if e.Header.ClientID != nil {
			client = *e.Header.ClientID
		}
		answer := "no response"
		if e.ResponseBytes != nil {
			answer = fmt.Sprintf("%d bytes back", len(e.ResponseBytes))
		}
		faults := ""
		for _, f := range e.Faults {
			faults += fmt.Sprintf(" [fault: %v]", f.Action)
		}
		l.Printf("broker %d conn %d client %q: %s v%d correlation %d, %d bytes -> %s in %v%s",
			e.Broker, e.Conn, client, e.Header.APIKey, e.Header.APIVersion, e.Header.CorrelationID,
			len(e.RequestBytes), answer, e.Took.Round(time.Microsecond), faults)
	}
}

// topicFlags collects repeated --topic NAME[:PARTITIONS] flags.
type topicFlags []topicFlag

type topicFlag struct {
	name       string
	partitions int32 // 0: the --partitions default
}

// String lists the topics as given.
func (t *topicFlags) String() string {
	var parts []string
	for _, f := range *t {
		parts = append(parts, f.name)
	}
	return strings.Join(parts, ",")
}

// Set adds one NAME[:PARTITIONS].
func (t *topicFlags) Set(s string) error {
	name, count, hasCount := strings.Cut(s, ":")
	f := topicFlag{name: name}
	if name == "" {
		return fmt.Errorf("topic %q: empty name", s)
	}
	if hasCount {
		n, err := strconv.ParseInt(count, 10, 32)
		if err != nil || n < 1 {
			return fmt.Errorf("topic %q: partitions must be a positive number", s)
		}
		f.partitions = int32(n)
	}
	*t = append(*t, f)
	return nil
}
