package explorer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/recordjson"
)

// BatchInput is what the Explorer encodes: the records, parsed, and the batch settings in the
// form `kwire batch` uses, so that both encode through [recordjson.Batch.AppendRecords].
type BatchInput struct {
	Settings  recordjson.Batch
	Records   []wire.Record
	Timestamp int64 // for records without their own
}

// ReadBatchInput parses the Explorer's form. The error is an [*InputError] naming the input.
func ReadBatchInput(f Form) (*BatchInput, error) {
	in := &BatchInput{}
	s := &in.Settings
	codec, err := wire.ParseCodec(f.Get(KeyCompression))
	if err != nil {
		return nil, &InputError{Field: KeyCompression, Message: "compression: " + err.Error(), Start: -1}
	}
	s.Compression = codec.String()
	level, err := f.Int(KeyLevel, 32)
	if err != nil {
		return nil, err
	}
	if err := codec.CheckLevel(int(level)); err != nil {
		return nil, &InputError{Field: KeyLevel, Message: "level: " + strings.TrimPrefix(err.Error(), "wire: "), Start: -1}
	}
	s.Level = int(level)
	if err := readProducer(f, s); err != nil {
		return nil, err
	}
	if in.Timestamp, err = f.Int(KeyTimestamp, 64); err != nil {
		return nil, err
	}
	if in.Records, err = ReadRecords(f, KeyRecords, in.Timestamp); err != nil {
		return nil, err
	}
	return in, nil
}

// readProducer reads the idempotence settings into s: none unless idempotent is ticked.
func readProducer(f Form, s *recordjson.Batch) error {
	s.Transactional = f.Checked(KeyTransactional)
	if !f.Checked(KeyIdempotent) {
		if s.Transactional {
			return &InputError{Field: KeyTransactional, Start: -1,
				Message: "transactional: a transactional batch needs idempotence (tick idempotent: a transactional producer is idempotent)"}
		}
		return nil
	}
	id, err := f.Int(KeyProducerID, 64)
	if err != nil {
		return err
	}
	if id < 0 {
		return &InputError{Field: KeyProducerID, Start: -1, Message: fmt.Sprintf("producer id: %d: an idempotent producer's id is 0 or more", id)}
	}
	epoch, err := f.Int(KeyProducerEpoch, 16)
	if err != nil {
		return err
	}
	seq, err := f.Int(KeyBaseSequence, 32)
	if err != nil {
		return err
	}
	e, q := int16(epoch), int32(seq)
	s.ProducerID, s.ProducerEpoch, s.BaseSequence = &id, &e, &q
	return nil
}

// ReadRecords parses the JSONL records of the form's text area key as kwire batch --jsonl does,
// with timestamp ts for records without their own. The error is an [*InputError] that points at
// the line, or the character, at fault.
func ReadRecords(f Form, key string, ts int64) ([]wire.Record, error) {
	text := f.Get(key)
	records, err := recordjson.ReadLines(strings.NewReader(text), ts)
	if le, ok := errors.AsType[*recordjson.LineError](err); ok {
		e := &InputError{Field: key, Message: "records: " + le.Error()}
		e.Start, e.End = lineSpan(text, le.Line)
		if le.Column > 0 {
			lineStart := byteOffsetOfLine(text, le.Line)
			e.Start, e.End = byteSpan(text, lineStart+le.Column-1, 1)
		}
		return nil, e
	}
	if err != nil {
		return nil, &InputError{Field: key, Message: "records: " + err.Error(), Start: -1}
	}
	if len(records) == 0 {
		return nil, &InputError{Field: key, Start: -1,
			Message: `records: none: write one JSON record a line, e.g. {"key":"k","value":"v"}`}
	}
	return records, nil
}

// byteOffsetOfLine is the byte offset where line (from 1) of text starts.
func byteOffsetOfLine(text string, line int) int {
	offset := 0
	for i := 1; i < line; i++ {
		nl := strings.IndexByte(text[offset:], '\n')
		if nl < 0 {
			return len(text)
		}
		offset += nl + 1
	}
	return offset
}

// EncodeWith encodes the batch with codec instead, at level, and leaves in unchanged.
func (in *BatchInput) EncodeWith(codec wire.Codec, level int) ([]byte, error) {
	s := in.Settings
	s.Compression, s.Level = codec.String(), level
	return s.AppendRecords(nil, in.Records)
}

// CommandLine is the kwire batch command that writes the same bytes from the same JSONL.
func (in *BatchInput) CommandLine() string {
	s := &in.Settings
	args := []string{"kwire batch --jsonl", "--timestamp", fmt.Sprint(in.Timestamp)}
	if s.Compression != "none" {
		args = append(args, "-z", s.Compression)
	}
	if s.Level != 0 {
		args = append(args, "--level", fmt.Sprint(s.Level))
	}
	if s.ProducerID != nil {
		args = append(args, "--producer-id", fmt.Sprint(*s.ProducerID),
			"--producer-epoch", fmt.Sprint(*s.ProducerEpoch), "--base-sequence", fmt.Sprint(*s.BaseSequence))
	}
	if s.Transactional {
		args = append(args, "--transactional")
	}
	return strings.Join(args, " ")
}
