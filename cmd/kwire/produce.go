package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/producer"
)

// produceAbout is what kwire produce --help says the command does.
const produceAbout = `Produces records to a Kafka topic with kwire's producer: one record a line, read from the FILEs
in turn or from stdin. With -K SEP each line is KEY SEP VALUE, split at the first SEP, as kcat -K
does; a line without SEP is an error naming it, and nothing of the input is sent. Without -K the
line is the value and the key is null.

Without -b, kwire produce starts a mock Kafka broker inside the process, says so on stderr and
produces to it, so the command works on a machine without Kafka (the records are gone at exit).

The producer runs with Kafka 4.x's defaults (acks=all, idempotence on); -X sets any producer
property by its Java name (or librdkafka's, for the TLS files and SASL credentials), after -b, -z
and the TLS and SASL flags, which stand for security.protocol, ssl.ca.location, sasl.mechanism,
sasl.username and sasl.password. Every record that is not delivered is reported on stderr with
its input line and the reason; the exit status is 0 only if all were delivered.
`

// produceExamples are the command lines kwire produce --help shows.
const produceExamples = `  printf 'hello\nkafka\n' | kwire produce -t greetings
  kwire produce -t orders -b 127.0.0.1:9092 -K : -z lz4 --report orders.txt
  kwire produce -t events -X acks=1 -X linger.ms=20 -X enable.idempotence=false events.log
  KWIRE_SASL_PASSWORD=… kwire produce -t orders -b kafka.example.com:9093 --tls-ca ca.pem --sasl-mechanism SCRAM-SHA-512 --sasl-user alice
  kwire produce -t orders -b kafka.example.com:9093 -X security.protocol=SASL_SSL -X sasl.mechanism=PLAIN -X sasl.username=alice -X sasl.password=…
`

// produceOptions are kwire produce's flags.
type produceOptions struct {
	topic     string
	brokers   string
	partition int
	keySep    string
	codec     codecFlag
	security  clientSecurity
	props     propertyFlags
	report    bool
}

// produceCommand defines kwire produce's flags and returns its action.
func produceCommand() (*cmdFlags, action) {
	var o produceOptions
	c := newCmdFlags("produce", "kwire produce -t TOPIC [flags] [FILE...]", produceAbout, produceExamples)
	c.fs.StringVar(&o.topic, "topic", "", "The topic to produce to (required).")
	c.doc("topic", "t", "TOPIC", "-t orders")
	c.fs.StringVar(&o.brokers, "bootstrap-servers", "", "The brokers to bootstrap from, comma-separated (bootstrap.servers); none: an embedded mock broker.")
	c.doc("bootstrap-servers", "b", "HOST:PORT[,...]", "-b 127.0.0.1:9092")
	c.fs.IntVar(&o.partition, "partition", -1, "Send every record to this partition; -1 (the default) leaves it to the partitioner: the key's hash, or sticky without a key.")
	c.doc("partition", "p", "N", "-p 0")
	c.fs.StringVar(&o.keySep, "key-delimiter", "", "Split each line at the first SEP into key and value.")
	c.doc("key-delimiter", "K", "SEP", "-K :")
	c.fs.Var(&o.codec, "compression", "Compress batches with none, gzip, snappy, lz4 or zstd (compression.type; default none).")
	c.doc("compression", "z", "CODEC", "-z zstd")
	o.security.define(c)
	c.fs.Var(&o.props, "property", "Set a producer property by its Java name, e.g. acks=1 or linger.ms=20; repeatable.")
	c.doc("property", "X", "NAME=VALUE", "-X linger.ms=20")
	c.fs.BoolVar(&o.report, "report", false, `Print one JSON object per delivered record on stdout:
{"topic":"t","partition":0,"offset":0,"timestamp":1700000000000,"input":"stdin:1"}`)
	c.doc("report", "", "", "--report")
	return c, func(files []string, s streams) error {
		if o.topic == "" {
			return usageErrorf("-t TOPIC is required")
		}
		if o.partition < -1 || o.partition > math.MaxInt32 {
			return usageErrorf("-p %d: a partition is 0 or more, or -1 for the partitioner's choice", o.partition)
		}
		return o.run(files, s)
	}
}

// run produces the records of files (stdin if none).
func (o *produceOptions) run(files []string, s streams) error {
	inputs, err := readInputs(files, s.stdin)
	if err != nil {
		return err
	}
	records, err := o.records(inputs)
	if err != nil {
		return err
	}
	cfg, err := producerConfig(o.brokers, o.codec, &o.security, o.props)
	if err != nil {
		return err
	}
	stop, err := embeddedBroker(&cfg, "kwire produce", s.stderr)
	if err != nil {
		return err
	}
	defer stop()
	return produceAll(cfg, o.topic, records, o.report, s)
}

// input is one file's contents, named for messages.
type input struct {
	name string
	data []byte
}

// readInputs reads every file (or stdin, if none) before anything is sent, so that a missing file
// fails the command before it produces anything.
func readInputs(files []string, stdin io.Reader) ([]input, error) {
	if len(files) == 0 {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		return []input{{"stdin", data}}, nil
	}
	inputs := make([]input, len(files))
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		inputs[i] = input{f, data}
	}
	return inputs, nil
}

// lineRecord is a record to produce and where it came from.
type lineRecord struct {
	record producer.Record
	where  string // FILE:LINE
}

// records makes one record of each line of inputs.
func (o *produceOptions) records(inputs []input) ([]lineRecord, error) {
	var out []lineRecord
	for _, in := range inputs {
		for i, line := range splitLines(in.data) {
			where := fmt.Sprintf("%s:%d", in.name, i+1)
			r := producer.Record{Topic: o.topic, Value: line}
			if o.keySep != "" {
				key, value, ok := bytes.Cut(line, []byte(o.keySep))
				if !ok {
					return nil, fmt.Errorf("%s: no key separator %q in %s", where, o.keySep, quoteLine(line))
				}
				r.Key, r.Value = key, value
			}
			if o.partition >= 0 {
				r.Partition = producer.ToPartition(int32(o.partition))
			}
			out = append(out, lineRecord{r, where})
		}
	}
	return out, nil
}

// producerConfig is Kafka's default producer configuration with the bootstrap servers (unless
// none), the codec, the security flags' properties and then the properties set.
func producerConfig(brokers string, codec codecFlag, security *clientSecurity, props propertyFlags) (producer.Config, error) {
	cfg := producer.DefaultConfig()
	cfg.ClientID = "kwire"
	settings := propertyFlags{{"compression.type", codec.String()}}
	if brokers != "" {
		settings = append(settings, property{"bootstrap.servers", brokers})
	}
	secure, err := security.properties()
	if err != nil {
		return cfg, err
	}
	settings = append(settings, secure...)
	for _, p := range append(settings, props...) {
		if err := cfg.Set(p.name, p.value); err != nil {
			return cfg, &usageError{err.Error()}
		}
	}
	return cfg, nil
}

// embeddedBroker starts a one-broker mock cluster if cfg has no bootstrap servers, listening as cfg
// connects (TLS, SASL), points cfg at it, says so on stderr, and returns the function that stops
// it (which does nothing when cfg had servers).
func embeddedBroker(cfg *producer.Config, command string, stderr io.Writer) (func(), error) {
	if len(cfg.BootstrapServers) > 0 {
		return func() {}, nil
	}
	opts, security, err := embeddedSecurity(cfg)
	if err != nil {
		return nil, err
	}
	cluster, err := mockbroker.NewCluster(append(opts, mockbroker.CaptureLimit(0))...)
	if err != nil {
		return nil, err
	}
	cfg.BootstrapServers = cluster.Addrs()
	fmt.Fprintf(stderr, "%s: no -b given: using an embedded mock broker at %s%s (its records are gone at exit)\n", command, cfg.BootstrapServers[0], security)
	return func() { cluster.Close() }, nil
}

// produceAll sends the records, waits for every one, and reports them: deliveries as JSON on
// stdout with report, failures on stderr. It fails unless all were delivered.
func produceAll(cfg producer.Config, topic string, records []lineRecord, report bool, s streams) error {
	p, err := producer.New(cfg)
	if err != nil {
		return &usageError{err.Error()}
	}
	out := &deliveryLog{stdout: bufio.NewWriter(s.stdout), stderr: s.stderr, report: report}
	stopProgress := showProgress(s.stderr, len(records), out)
	ctx := context.Background()
	var sendErr error
	for i := range records {
		r := &records[i]
		if sendErr = p.Send(ctx, &r.record, out.callback(r)); sendErr != nil {
			sendErr = fmt.Errorf("%s: %w", r.where, sendErr)
			break
		}
	}
	closeErr := p.Close(ctx)
	stopProgress()
	if err := out.stdout.Flush(); err != nil {
		return err
	}
	delivered, failed := out.delivered.Load(), out.failed.Load()
	fmt.Fprintf(s.stderr, "kwire produce: %d of %d records delivered to topic %s\n", delivered, len(records), topic)
	switch {
	case sendErr != nil:
		return fmt.Errorf("stopped sending at %w", sendErr)
	case closeErr != nil:
		return closeErr
	case failed > 0:
		return fmt.Errorf("%d records not delivered", failed)
	}
	return nil
}

// deliveryLog reports each record's outcome as its callback arrives (on the producer's goroutine).
type deliveryLog struct {
	mu                sync.Mutex
	stdout            *bufio.Writer
	stderr            io.Writer
	report            bool
	delivered, failed atomic.Int64
}

// delivery is one --report line.
type delivery struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Timestamp int64  `json:"timestamp"`
	Input     string `json:"input"`
}

// callback returns the completion callback of r.
func (l *deliveryLog) callback(r *lineRecord) func(producer.Metadata, error) {
	return func(md producer.Metadata, err error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if err != nil {
			l.failed.Add(1)
			fmt.Fprintf(l.stderr, "kwire produce: %s: not delivered: %v\n", r.where, err)
			return
		}
		l.delivered.Add(1)
		if l.report {
			line, _ := json.Marshal(delivery{md.Topic, md.Partition, md.Offset, md.Timestamp.UnixMilli(), r.where})
			l.stdout.Write(append(line, '\n'))
		}
	}
}

// showProgress writes a progress line to stderr every second while it is a terminal, and returns
// the function that stops it.
func showProgress(stderr io.Writer, total int, l *deliveryLog) func() {
	if !isTerminal(stderr) {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(stderr, "\r\033[K")
				return
			case <-tick.C:
				fmt.Fprintf(stderr, "\r\033[Kkwire produce: %d of %d delivered, %d failed", l.delivered.Load(), total, l.failed.Load())
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// propertyFlags collects repeated -X NAME=VALUE flags, in order.
type propertyFlags []property

type property struct{ name, value string }

// String lists the properties as given.
func (p *propertyFlags) String() string {
	var parts []string
	for _, x := range *p {
		parts = append(parts, x.name+"="+x.value)
	}
	return strings.Join(parts, " ")
}

// Set adds one NAME=VALUE.
func (p *propertyFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return errors.New("want NAME=VALUE, e.g. linger.ms=20")
	}
	*p = append(*p, property{name, value})
	return nil
}
