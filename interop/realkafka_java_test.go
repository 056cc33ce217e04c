package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// This file runs the Java client's programs in kafka/src (Consume, Produce) and reads what they
// print.

// javaRecord is one record as the Java KafkaConsumer read it (Consume.java).
type javaRecord struct {
	Topic         string       `json:"t"`
	Partition     int32        `json:"p"`
	Offset        int64        `json:"o"`
	Timestamp     int64        `json:"ts"`
	TimestampType string       `json:"tt"` // CreateTime or LogAppendTime
	LeaderEpoch   *int32       `json:"le"` // the partition leader epoch of its batch; nil: none
	Key           []byte       `json:"k"`  // nil: null
	Value         []byte       `json:"v"`  // nil: null
	Headers       []javaHeader `json:"h"`
	// KeyPartition is the partition the Java producer's partitioner picks for Key among the
	// topic's partitions; nil without a key.
	KeyPartition *int32 `json:"kp"`
}

// javaHeader is a record header; a nil Value is null.
type javaHeader struct {
	Key   string
	Value []byte
}

// UnmarshalJSON reads a header as Consume prints it: ["key", "base64 value" or null].
func (h *javaHeader) UnmarshalJSON(b []byte) error {
	var kv []json.RawMessage
	if err := json.Unmarshal(b, &kv); err != nil {
		return err
	}
	if len(kv) != 2 {
		return fmt.Errorf("a header is [key, value], not %s", b)
	}
	if err := json.Unmarshal(kv[0], &h.Key); err != nil {
		return err
	}
	return json.Unmarshal(kv[1], &h.Value)
}

// javaConsume reads topics from the beginning to their end with the Java KafkaConsumer, assign and
// seek, with props (NAME=VALUE) set on it.
func javaConsume(ctx context.Context, t testing.TB, bootstrap string, topics []string, props ...string) ([]javaRecord, error) {
	t.Helper()
	args := []string{"--bootstrap", bootstrap}
	for _, topic := range topics {
		args = append(args, "--topic", topic)
	}
	for _, p := range props {
		args = append(args, "--property", p)
	}
	out, err := kafkaJava(ctx, t, "dev.kwire.interop.Consume", args...)
	if err != nil {
		return nil, err
	}
	var records []javaRecord
	for line := 1; len(out) > 0; line++ {
		text, rest, _ := bytes.Cut(out, []byte("\n"))
		r, err := parseConsumeLine(text)
		if err != nil {
			return nil, fmt.Errorf("Consume's line %d, %q: %w", line, text, err)
		}
		records = append(records, r)
		out = rest
	}
	return records, nil
}

// javaAck is where the Java producer says record Seq landed, or why it failed.
type javaAck struct {
	Seq       int
	Partition int32
	Offset    int64
	Err       string // empty when acknowledged
}

// javaProduce runs the Java KafkaProducer (Produce.java; see its doc for args) and returns one
// javaAck per record in the order sent. A run in which some records failed returns them with
// the error of the exit status.
func javaProduce(ctx context.Context, t testing.TB, bootstrap, topic string, records int, args ...string) ([]javaAck, error) {
	t.Helper()
	args = append([]string{"--bootstrap", bootstrap, "--topic", topic, "--records", strconv.Itoa(records)}, args...)
	out, runErr := kafkaJava(ctx, t, "dev.kwire.interop.Produce", args...)
	acks, err := readJavaAcks(out, records)
	if err != nil {
		return nil, err
	}
	return acks, runErr
}

// readJavaAcks reads the lines Produce prints, one a record in the order sent.
func readJavaAcks(out []byte, records int) ([]javaAck, error) {
	acks := make([]javaAck, 0, records)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 {
			return nil, fmt.Errorf("Produce printed %q", line)
		}
		var a javaAck
		var err error
		if a.Seq, err = strconv.Atoi(f[0]); err != nil {
			return nil, fmt.Errorf("Produce printed %q", line)
		}
		if f[1] == "error" {
			a.Err, a.Partition, a.Offset = f[2], -1, -1
		} else {
			p, perr := strconv.ParseInt(f[1], 10, 32)
			o, oerr := strconv.ParseInt(f[2], 10, 64)
			if perr != nil || oerr != nil {
				return nil, fmt.Errorf("Produce printed %q", line)
			}
			a.Partition, a.Offset = int32(p), o
		}
		acks = append(acks, a)
	}
	return acks, nil
}
