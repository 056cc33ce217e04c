package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/producer"
)

// produceAbout is what kwire produce --help says the command does.
const produceAbout = `Produces records to a Kafka topic with kwire's producer: one record a line, read from the FILEs
in turn or from stdin and sent as it is read, so that a pipe that stays open (tail -f) is
followed. A line is every byte before a "\n": a "\r" before it stays in the value, as kcat keeps
it (Kafka's console producer ends lines at "\r" and "\r\n" too). With -K SEP each line is KEY SEP
VALUE, split at the first SEP, as kcat -K does; a line without SEP stops the sending there, with
an error naming it. Without -K the line is the value and the key is null.

Without -b, kwire produce starts a mock Kafka broker inside the process, says so on stderr and
produces to it, so the command works on a machine without Kafka (the records are gone at exit).

The producer runs with Kafka 4.x's defaults (acks=all, idempotence on); -X sets any producer
property by its Java name (or librdkafka's, for the TLS files and SASL credentials), after -b, -z
and the TLS and SASL flags, which stand for security.protocol, ssl.ca.location, sasl.mechanism,
sasl.username and sasl.password.

Every record that fails is listed on stderr with its FILE:LINE and the reason ("not delivered"),
and so is every record read and not sent because the sending stopped before it ("not sent": at a
record the producer refused, a line without SEP, or a signal). The last line counts the records
read: delivered, failed, not sent, and unknown when kwire stopped waiting for their answers.

SIGINT (Ctrl-C) or SIGTERM stops the reading; the records already sent have up to
delivery.timeout.ms to be delivered or fail, and are reported. A second signal stops at once: the
records still waiting for an answer are counted as unknown, as they may have been written.

Exit status: 0 if the input was read to its end and every record delivered, 1 if not, 2 for a
bad command line, 130 after SIGINT and 143 after SIGTERM.
`

// produceExamples are the command lines kwire produce --help shows.
const produceExamples = `  printf 'hello\nkafka\n' | kwire produce -t greetings
  kwire produce -t orders -b 127.0.0.1:9092 -K : -z lz4 --report orders.txt
  tail -f app.log | kwire produce -t logs -b 127.0.0.1:9092
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
	inputs, closeInputs, err := openInputs(files, s.stdin)
	if err != nil {
		return err
	}
	defer closeInputs()
	cfg, err := producerConfig(o.brokers, o.codec, &o.security, o.props)
	if err != nil {
		return err
	}
	stop, err := embeddedBroker(&cfg, "kwire produce", s.stderr)
	if err != nil {
		return err
	}
	defer stop()
	return o.produceAll(cfg, inputs, s)
}

// openInputs opens every file (or takes stdin, if none) before anything is sent, so that a
// missing file fails the command before it produces anything, and returns the function that
// closes them.
func openInputs(files []string, stdin io.Reader) ([]namedInput, func(), error) {
	if len(files) == 0 {
		return []namedInput{{"stdin", stdin}}, func() {}, nil
	}
	var inputs []namedInput
	var opened []*os.File
	closeAll := func() {
		for _, f := range opened {
			f.Close()
		}
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		opened = append(opened, f)
		inputs = append(inputs, namedInput{name, f})
	}
	return inputs, closeAll, nil
}

// record is the record of one line: its value, or with -K its key and value.
func (o *produceOptions) record(line []byte) (producer.Record, error) {
	r := producer.Record{Topic: o.topic, Value: line}
	if o.keySep != "" {
		key, value, ok := bytes.Cut(line, []byte(o.keySep))
		if !ok {
			return r, fmt.Errorf("no key separator %q in %s", o.keySep, quoteLine(line))
		}
		r.Key, r.Value = key, value
	}
	if o.partition >= 0 {
		r.Partition = producer.ToPartition(int32(o.partition))
	}
	return r, nil
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

// produceAll sends a record of each line of the inputs as it reads them, waits for the records
// sent, and reports every record read: deliveries on stdout with --report, the others on stderr,
// then the summary. It fails unless it read the inputs to their end and delivered every record.
// The first SIGINT or SIGTERM stops the reading and sending, and the records sent have up to
// delivery.timeout.ms to complete; a second signal stops that wait.
func (o *produceOptions) produceAll(cfg producer.Config, inputs []namedInput, s streams) error {
	p, err := producer.New(cfg)
	if err != nil {
		return &usageError{err.Error()}
	}
	src := newLineSource(inputs)
	defer src.close()
	log := newDeliveryLog(s, o.report)
	sig := catchInterrupts(func(e *interruptedError) {
		log.printf("kwire produce: %v: reading stopped; waiting up to %v (delivery.timeout.ms) for the records sent; a second signal stops at once\n", e, cfg.DeliveryTimeout)
	})
	defer sig.stop()
	stopProgress := showProgress(s.stderr, log)
	at, stopErr := o.sendLines(sig.reading, p, src, log)
	wait, cancel := context.WithTimeout(sig.waiting, cfg.DeliveryTimeout)
	defer cancel()
	closeErr := p.Close(wait)
	stopProgress()
	stopErr = listUnsent(log, src, at, stopErr, sig.interrupted())
	if err := log.summarize(o.topic); err != nil {
		return err
	}
	switch {
	case stopErr != nil:
		return stopErr
	case closeErr != nil:
		return fmt.Errorf("waiting for the records sent: %w", closeErr)
	case log.undelivered() > 0:
		return fmt.Errorf("%d records not delivered", log.undelivered())
	}
	return nil
}

// sendLines sends a record of each line of src as it reads it, until the input ends, ctx ends,
// or a line or its record cannot be sent; it returns the error that stopped it (nil at the end of
// the input) and the place of the line it stopped at, if it stopped at one.
func (o *produceOptions) sendLines(ctx context.Context, p *producer.Producer, src *lineSource, log *deliveryLog) (place, error) {
	for {
		line, at, err := src.next(ctx)
		if errors.Is(err, io.EOF) {
			return place{}, nil
		}
		if err != nil {
			return place{}, err
		}
		log.read.Add(1)
		r, err := o.record(line)
		if err == nil {
			err = p.Send(ctx, &r, log.callback(at))
		}
		if err != nil {
			return at, err
		}
	}
}

// listUnsent lists as not sent the line sending stopped at (if at.line > 0) and those read after
// it, and returns the run's error: the interruption, or err, why sending stopped.
func listUnsent(log *deliveryLog, src *lineSource, at place, err error, interrupted *interruptedError) error {
	var why, after string // why the line at was not sent; why those after it were not
	switch {
	case interrupted != nil:
		why, after = interrupted.Error(), interrupted.Error()
	case at.line > 0:
		why, after = err.Error(), "sending stopped at "+at.String()
		err = fmt.Errorf("stopped sending at %s: %w", at, err)
	case err != nil:
		after = err.Error()
	}
	if at.line > 0 {
		log.unsent(at, why)
	}
	rest := src.rest()
	log.read.Add(int64(len(rest)))
	for _, p := range rest {
		log.unsent(p, after)
	}
	if interrupted == nil {
		return err
	}
	if last, ok := src.lastRead(); ok {
		return fmt.Errorf("%w after reading up to %s", interrupted, last)
	}
	return interrupted
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
