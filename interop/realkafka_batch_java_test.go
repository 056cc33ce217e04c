package interop

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/recordjson"
)

// This file runs BatchBytes.java (interop/kafka/src), the Java client's own record builder and
// decoder, as one JVM that answers requests a line at a time, and turns its answers into the views
// of compare_test.go.

// javaBatches is a running `BatchBytes serve`.
type javaBatches struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	stderr  *lockedBuffer
	encoded map[string][]byte // Java's bytes for each batch asked for, by its JSON
}

// javaBatchesTimeout bounds a BatchBytes process: it answers a test's requests in under a minute on
// a busy machine (zstd's level 22 alone takes seconds: libzstd sets up tables for a 128 MiB window).
const javaBatchesTimeout = 5 * time.Minute

// startJavaBatches starts BatchBytes serve for t, stopped (its stdin closed, then killed if
// javaBatchesTimeout has passed) when t ends.
func startJavaBatches(t testing.TB) *javaBatches {
	t.Helper()
	requireKafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), javaBatchesTimeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, "bash", kafkaScript, "run", "dev.kwire.interop.BatchBytes", "serve")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	j := &javaBatches{cmd: cmd, stderr: &lockedBuffer{}, encoded: map[string][]byte{}}
	cmd.Stderr = j.stderr
	var err error
	if j.in, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	j.out = bufio.NewReaderSize(stdout, 1<<20)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start BatchBytes: %v", err)
	}
	t.Cleanup(func() {
		j.in.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("BatchBytes serve: %v\n%s", err, j.stderr)
		}
	})
	return j
}

// ask sends one request and decodes the one-line answer into v; an answer {"error":…} is an error.
func (j *javaBatches) ask(req any, v any) error {
	line, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if _, err := j.in.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("BatchBytes: write request: %w\n%s", err, j.stderr)
	}
	answer, err := j.out.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("BatchBytes: no answer: %w\n%s", err, j.stderr)
	}
	var failed struct{ Error string }
	if err := json.Unmarshal(answer, &failed); err == nil && failed.Error != "" {
		return errors.New("BatchBytes: " + failed.Error)
	}
	return json.Unmarshal(answer, v)
}

// encode builds b with the Java producer's record builder and returns its bytes. A batch asked
// for again is not built again: the builder gives the same bytes for the same batch.
func (j *javaBatches) encode(b *recordjson.Batch) ([]byte, error) {
	key, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	if raw, ok := j.encoded[string(key)]; ok {
		return raw, nil
	}
	var answer struct{ Hex string }
	if err := j.ask(map[string]json.RawMessage{"encode": key}, &answer); err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(answer.Hex)
	if err == nil {
		j.encoded[string(key)] = raw
	}
	return raw, err
}

// javaLevels is each codec's compression level range as the Java client has it (KIP-390).
type javaLevels map[string]struct{ Min, Default, Max int }

func (j *javaBatches) levels() (javaLevels, error) {
	var l javaLevels
	err := j.ask(map[string]bool{"levels": true}, &l)
	return l, err
}

// javaDecoded is a records blob as the Java client's decoder read it.
type javaDecoded struct {
	Batches  []javaBatch
	Trailing int // bytes after the last whole batch
}

// javaBatch is one batch as BatchBytes prints it: the header as DefaultRecordBatch reports it.
type javaBatch struct {
	BaseOffset           int64
	SizeInBytes          int32
	PartitionLeaderEpoch int32
	Magic                int8
	CRC                  uint32
	Compression          string
	TimestampType        string
	Transactional        bool
	Control              bool
	DeleteHorizon        bool
	LastOffset           int64
	BaseTimestamp        int64
	MaxTimestamp         int64
	ProducerID           int64
	ProducerEpoch        int16
	BaseSequence         int32
	Count                int32
	Records              []javaBatchRecord
}

// javaBatchRecord is one record as DefaultRecord reports it. Bytes are base64 in the JSON; null is nil.
type javaBatchRecord struct {
	Offset     int64
	Sequence   int32
	Timestamp  int64
	Attributes int8
	Key        []byte
	Value      []byte
	Headers    []struct {
		Key   string
		Value []byte
	}
}

// decode reads raw with the Java client's decoder, which must find exactly one batch and nothing after it.
func (j *javaBatches) decode(raw []byte) (*javaBatch, error) {
	var d javaDecoded
	if err := j.ask(map[string]string{"decode": hex.EncodeToString(raw)}, &d); err != nil {
		return nil, err
	}
	if len(d.Batches) != 1 || d.Trailing != 0 {
		return nil, fmt.Errorf("Java read %d batches and left %d bytes, want 1 and 0", len(d.Batches), d.Trailing)
	}
	return &d.Batches[0], nil
}

// timestampTypes are the names Java gives the attributes' timestamp type bit.
var timestampTypes = map[string]wire.Attributes{"CreateTime": 0, "LogAppendTime": wire.AttrLogAppendTime}

// views turns Java's reading into the neutral views, rebuilding the attributes from the parts
// Java reports (its API has no raw attributes).
func (b *javaBatch) views() (headerView, []recView, error) {
	codec, err := wire.ParseCodec(b.Compression)
	if err != nil {
		return headerView{}, nil, err
	}
	ts, ok := timestampTypes[b.TimestampType]
	if !ok {
		return headerView{}, nil, fmt.Errorf("Java reports timestamp type %q", b.TimestampType)
	}
	attrs := wire.Attributes(0).WithCodec(codec) | ts
	for bit, set := range map[wire.Attributes]bool{wire.AttrTransactional: b.Transactional, wire.AttrControl: b.Control, wire.AttrDeleteHorizon: b.DeleteHorizon} {
		if set {
			attrs |= bit
		}
	}
	h := headerView{
		BaseOffset: b.BaseOffset, Length: b.SizeInBytes - 12, PartitionLeaderEpoch: b.PartitionLeaderEpoch,
		Magic: b.Magic, CRC: b.CRC, Attributes: int16(attrs), LastOffsetDelta: int32(b.LastOffset - b.BaseOffset),
		BaseTimestamp: b.BaseTimestamp, MaxTimestamp: b.MaxTimestamp, ProducerID: b.ProducerID,
		ProducerEpoch: b.ProducerEpoch, BaseSequence: b.BaseSequence, NumRecords: b.Count,
	}
	recs := make([]recView, len(b.Records))
	for i, r := range b.Records {
		v := recView{
			Attributes: r.Attributes, TimestampDelta: r.Timestamp - b.BaseTimestamp, OffsetDelta: int32(r.Offset - b.BaseOffset),
			Timestamp: r.Timestamp, Offset: r.Offset, Key: r.Key, Value: r.Value,
		}
		for _, hd := range r.Headers {
			v.Headers = append(v.Headers, hdrView{Key: hd.Key, Value: hd.Value})
		}
		recs[i] = v
	}
	return h, recs, nil
}

// sequenceDiffs checks the sequence Java gives each record: the base sequence plus the offset
// delta, wrapping past math.MaxInt32 to 0 as Kafka's sequences do, or -1 without a producer.
func (b *javaBatch) sequenceDiffs() []string {
	var out []string
	for i, r := range b.Records {
		want := int32(-1)
		if b.BaseSequence >= 0 {
			want = int32((int64(b.BaseSequence) + r.Offset - b.BaseOffset) % (1 << 31))
		}
		if r.Sequence != want {
			out = append(out, fmt.Sprintf("records[%d].Sequence: got %d, want %d", i, r.Sequence, want))
		}
	}
	return out
}
