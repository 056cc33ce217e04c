package explorer

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/kwire-dev/kwire/wire/protocol"
)

// ClientID and CorrelationID are the request header's fields in every request the page shows.
const (
	ClientID      = "kwire-playground"
	CorrelationID = 1
)

// RequestInput is the Produce request that carries the Explorer's batch: one topic, one
// partition.
type RequestInput struct {
	Version         int16
	Topic           string
	TopicID         protocol.UUID // v13+, instead of the name
	Partition       int32
	Acks            int16
	TransactionalID *string // v3+, for a transactional batch
}

// ReadRequestInput parses the request settings of the form; transactional says whether the batch
// is. The error is an [*InputError] naming the input.
func ReadRequestInput(f Form, transactional bool) (*RequestInput, error) {
	r := &RequestInput{Topic: f.Get(KeyTopic)}
	v, err := f.Int(KeyProduceVersion, 16)
	if err != nil {
		return nil, err
	}
	if !protocol.ProduceVersions.Contains(int16(v)) {
		return nil, &InputError{Field: KeyProduceVersion, Start: -1, Message: fmt.Sprintf("Produce version: %d: kwire implements v%d to v%d",
			v, protocol.ProduceVersions.Min, protocol.ProduceVersions.Max)}
	}
	r.Version = int16(v)
	if r.TopicID, err = parseUUID(f.Get(KeyTopicID)); err != nil {
		return nil, &InputError{Field: KeyTopicID, Start: -1, Message: "topic id: " + err.Error()}
	}
	p, err := f.Int(KeyPartition, 32)
	if err != nil {
		return nil, err
	}
	a, err := f.Int(KeyAcks, 16)
	if err != nil {
		return nil, err
	}
	r.Partition, r.Acks = int32(p), int16(a)
	if transactional {
		id := f.Get(KeyTransactionalID)
		r.TransactionalID = &id
	}
	return r, nil
}

// parseUUID reads 32 hex digits, with or without the dashes of the canonical form.
func parseUUID(s string) (protocol.UUID, error) {
	var u protocol.UUID
	digits := strings.ReplaceAll(strings.TrimSpace(s), "-", "")
	if len(digits) != 2*len(u) {
		return u, fmt.Errorf("%q is not 32 hex digits", s)
	}
	if _, err := hex.Decode(u[:], []byte(digits)); err != nil {
		return u, fmt.Errorf("%q is not 32 hex digits", s)
	}
	return u, nil
}

// Frame is the framed Produce request (size, header, body) that carries batch.
func (r *RequestInput) Frame(batch []byte) []byte {
	client := ClientID
	h := &protocol.RequestHeader{APIKey: protocol.KeyProduce, APIVersion: r.Version, CorrelationID: CorrelationID, ClientID: &client}
	body := &protocol.ProduceRequest{
		TransactionalID: r.TransactionalID,
		Acks:            r.Acks,
		TimeoutMs:       30000,
		TopicData: []protocol.ProduceTopic{{
			Name:          r.Topic,
			TopicID:       r.TopicID,
			PartitionData: []protocol.ProducePartition{{Index: r.Partition, Records: batch}},
		}},
	}
	return protocol.AppendRequest(nil, h, body)
}
