package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/recordjson"
)

// hexBytesPerLine is how many bytes a line of hex output holds, as in the golden files.
const hexBytesPerLine = 32

// batchAbout is what kwire batch --help says the command does.
const batchAbout = `Reads records from stdin and writes them as ONE Kafka record batch (magic 2), encoded as Kafka's
Java producer encodes it: base offset 0, partitionLeaderEpoch -1, offset deltas from 0, baseTimestamp
the first record's timestamp and maxTimestamp the largest. The same input and flags give the same
bytes, byte for byte, once --timestamp fixes the time.

Input, one record a line:
  (default)  the line is the record's value; its key is null.
  -K SEP     the line is KEY SEP VALUE, split at the first SEP, as kcat -K does. A line without SEP
             is an error naming the line rather than a record with a null key, because silent null
             keys hide mistakes.
  --jsonl    the line is a JSON record:
               {"key": "k", "value": "v", "headers": [{"key": "h", "value": "x"}], "timestamp": 1700000000000}
             key, value and header values are strings or null; an absent key or value is null, an
             absent timestamp is --timestamp's. Blank lines are skipped.
Lines end with "\n" or "\r\n". In the default and -K modes every line is a record, an empty line
too (an empty value, not null), except that the final newline does not start another record.
No records at all is an error.
`

// batchExamples are the command lines kwire batch --help shows.
const batchExamples = `  printf 'a\nb\nc\n' | kwire batch --timestamp 0 | kwire dissect
  printf 'k1:v1\nk2:v2\n' | kwire batch -K : -z lz4 -o dissect
  echo '{"key":null,"value":"v","headers":[{"key":"h","value":null}]}' | kwire batch --jsonl -o json
  kwire batch --producer-id 42 --producer-epoch 3 --transactional -o raw < values.txt > batch.bin
`

// batchOptions are kwire batch's flags.
type batchOptions struct {
	keySep        string
	jsonl         bool
	codec         wire.Codec
	level         int
	timestamp     int64
	producerID    int64
	producerEpoch int64
	baseSequence  int64
	transactional bool
	output        *choice
}

// batchCommand defines kwire batch's flags and returns its action.
func batchCommand() (*cmdFlags, action) {
	o := &batchOptions{output: newChoice("hex", "raw", "dissect", "json")}
	c := newCmdFlags("batch", "kwire batch [flags] < records", batchAbout, batchExamples)
	fs := c.fs
	fs.StringVar(&o.keySep, "key-separator", "", `Split each line into key and value at the first SEP (not with --jsonl).`)
	c.doc("key-separator", "K", "SEP", "-K :")
	fs.BoolVar(&o.jsonl, "jsonl", false, `Read one JSON record a line, with key, value, headers and timestamp.`)
	c.doc("jsonl", "", "", `--jsonl`)
	fs.Var((*codecFlag)(&o.codec), "compression", `Compress the records with CODEC: none, gzip, snappy, lz4 or zstd (default none).`)
	c.doc("compression", "z", "CODEC", "-z zstd")
	fs.IntVar(&o.level, "level", 0, `The compression level, as Kafka's compression.<codec>.level (default 0, the codec's
default): gzip 1 to 9, lz4 1 to 17, zstd -131072 to 22; none and snappy have none.`)
	c.doc("level", "", "N", "-z gzip --level 9")
	fs.Int64Var(&o.timestamp, "timestamp", 0, `The timestamp in milliseconds since the epoch of every record without one of its own
(default now).`)
	c.doc("timestamp", "", "MS", "--timestamp 1700000000000")
	fs.Int64Var(&o.producerID, "producer-id", wire.NoProducerID, `The producer id of an idempotent producer (default -1: not idempotent). With an id of
0 or more, --producer-epoch and --base-sequence default to 0, as for a fresh idempotent
producer.`)
	c.doc("producer-id", "", "N", "--producer-id 42")
	fs.Int64Var(&o.producerEpoch, "producer-epoch", int64(wire.NoProducerEpoch), `The producer epoch, -32768 to 32767 (default -1, or 0 with --producer-id).`)
	c.doc("producer-epoch", "", "N", "--producer-id 42 --producer-epoch 3")
	fs.Int64Var(&o.baseSequence, "base-sequence", int64(wire.NoSequence), `The sequence number of the first record, a 32-bit integer (default -1, or 0 with
--producer-id).`)
	c.doc("base-sequence", "", "N", "--producer-id 42 --base-sequence 100")
	fs.BoolVar(&o.transactional, "transactional", false, `Mark the batch transactional. Needs --producer-id, as Kafka does: only an idempotent
producer writes transactions.`)
	c.doc("transactional", "", "", "--producer-id 42 --transactional")
	fs.Var(o.output, "output", `What to write: hex (32 bytes a line), raw (exactly the batch's bytes), dissect (the field
tree, as kwire dissect prints it) or json (the batch decoded back: header fields and records)
(default hex).`)
	c.doc("output", "o", "FORMAT", "-o raw > batch.bin")
	return c, func(args []string, s streams) error {
		if len(args) > 0 {
			return usageErrorf("unexpected argument %q: records come from stdin", args[0])
		}
		if err := o.complete(c); err != nil {
			return err
		}
		return o.run(s)
	}
}

// complete checks the flags against each other and fills in the defaults that depend on others.
// Its errors are *usageError.
func (o *batchOptions) complete(c *cmdFlags) error {
	if c.isSet("key-separator") {
		if o.jsonl {
			return usageErrorf("-K %q and --jsonl cannot be combined", o.keySep)
		}
		if o.keySep == "" {
			return usageErrorf("-K needs a separator that is not empty")
		}
	}
	if err := o.codec.CheckLevel(o.level); err != nil {
		return &usageError{err.Error()}
	}
	if !c.isSet("timestamp") {
		o.timestamp = time.Now().UnixMilli()
	}
	if o.producerID >= 0 {
		if !c.isSet("producer-epoch") {
			o.producerEpoch = 0
		}
		if !c.isSet("base-sequence") {
			o.baseSequence = 0
		}
	} else if o.transactional {
		return usageErrorf("--transactional needs --producer-id (a transactional producer is idempotent)")
	}
	if o.producerEpoch < math.MinInt16 || o.producerEpoch > math.MaxInt16 {
		return usageErrorf("--producer-epoch %d out of range %d to %d", o.producerEpoch, math.MinInt16, math.MaxInt16)
	}
	if o.baseSequence < math.MinInt32 || o.baseSequence > math.MaxInt32 {
		return usageErrorf("--base-sequence %d out of range %d to %d", o.baseSequence, math.MinInt32, math.MaxInt32)
	}
	return nil
}

// run reads the records, encodes the batch and writes it out.
func (o *batchOptions) run(s streams) error {
	records, err := o.readRecords(s.stdin)
	if err != nil {
		return err
	}
	if len(records) == 0 {
		return errors.New("no records on stdin")
	}
	epoch, seq := int16(o.producerEpoch), int32(o.baseSequence)
	settings := recordjson.Batch{
		Compression:   o.codec.String(),
		Level:         o.level,
		ProducerID:    &o.producerID,
		ProducerEpoch: &epoch,
		BaseSequence:  &seq,
		Transactional: o.transactional,
	}
	encoded, err := settings.AppendRecords(nil, records)
	if err != nil {
		return err
	}
	return writeBatch(s.stdout, encoded, o.output.value)
}

// readRecords reads stdin in the input mode the flags choose.
func (o *batchOptions) readRecords(stdin io.Reader) ([]wire.Record, error) {
	if o.jsonl {
		records, err := recordjson.ReadLines(stdin, o.timestamp)
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		return records, nil
	}
	data, err := io.ReadAll(stdin)
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	return lineRecords(data, o.keySep, o.timestamp)
}

// writeBatch writes the encoded batch to w in format: hex, raw, dissect or json.
func writeBatch(w io.Writer, encoded []byte, format string) error {
	switch format {
	case "raw":
		_, err := w.Write(encoded)
		return err
	case "dissect":
		return writeDissection(w, wire.DissectRecordBatches(encoded), "text")
	case "json":
		view, err := decodeBatchJSON(encoded)
		if err != nil {
			return err
		}
		out, err := json.MarshalIndent(view, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(out, '\n'))
		return err
	default:
		_, err := io.WriteString(w, hexbytes.Format(encoded, hexBytesPerLine))
		return err
	}
}

// codecFlag is a flag whose value is a compression codec's name.
type codecFlag wire.Codec

// String is the codec's name.
func (c *codecFlag) String() string {
	if c == nil {
		return ""
	}
	return wire.Codec(*c).String()
}

// Set sets the codec named s.
func (c *codecFlag) Set(s string) error {
	codec, err := wire.ParseCodec(s)
	if err != nil {
		return err
	}
	*c = codecFlag(codec)
	return nil
}
