package simulator

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// requestSummary says in a line what a request asks.
func requestSummary(m protocol.Message) string {
	switch req := m.(type) {
	case *protocol.ApiVersionsRequest:
		if req.ClientSoftwareName == "" {
			return "which versions of each API the broker speaks"
		}
		return fmt.Sprintf("which versions the broker speaks, from %s %s", req.ClientSoftwareName, req.ClientSoftwareVersion)
	case *protocol.MetadataRequest:
		if req.Topics == nil {
			return "metadata of every topic"
		}
		var names []string
		for _, t := range req.Topics {
			if t.Name != nil {
				names = append(names, *t.Name)
			}
		}
		return "the leaders of " + strings.Join(names, ", ")
	case *protocol.InitProducerIDRequest:
		if req.TransactionalID == nil {
			return "a producer id and epoch for an idempotent producer"
		}
		return "a producer id for transactional id " + *req.TransactionalID
	case *protocol.ProduceRequest:
		return produceRequestSummary(req)
	case nil:
		return ""
	}
	return m.Key().String()
}

// produceRequestSummary says what a Produce request carries, partition by partition.
func produceRequestSummary(req *protocol.ProduceRequest) string {
	var parts []string
	for _, t := range req.TopicData {
		for _, p := range t.PartitionData {
			parts = append(parts, fmt.Sprintf("%s/%d: %s", t.Name, p.Index, batchSummary(p.Records)))
		}
	}
	return fmt.Sprintf("acks=%d; %s", req.Acks, strings.Join(parts, "; "))
}

// batchSummary says what a record batch holds: records, size, codec, and an idempotent
// producer's id, epoch and sequence numbers.
func batchSummary(records []byte) string {
	h, err := wire.ReadBatchHeader(records)
	if err != nil {
		return fmt.Sprintf("%d bytes that are not a record batch", len(records))
	}
	s := fmt.Sprintf("%d %s in a %d-byte batch (%s)", h.NumRecords, plural(int(h.NumRecords), "record"), len(records), h.Attributes.Codec())
	if h.ProducerID < 0 {
		return s + ", no producer id"
	}
	return s + fmt.Sprintf(", producer id %d, epoch %d, %s", h.ProducerID, h.ProducerEpoch, sequences(h))
}

// sequences names a batch's sequence numbers, e.g. "sequence 0–2".
func sequences(h wire.BatchHeader) string {
	if h.NumRecords <= 1 {
		return fmt.Sprintf("sequence %d", h.BaseSequence)
	}
	return fmt.Sprintf("sequences %d–%d", h.BaseSequence, h.BaseSequence+h.NumRecords-1)
}

// responseSummary says in a line what a response answers, and how it went.
func responseSummary(m protocol.Message) (string, Tone) {
	switch resp := m.(type) {
	case *protocol.ApiVersionsResponse:
		if resp.ErrorCode != 0 {
			return errorName(resp.ErrorCode), ToneWarn
		}
		return apiVersionsSummary(resp), ToneOK
	case *protocol.MetadataResponse:
		return metadataSummary(resp), ToneOK
	case *protocol.InitProducerIDResponse:
		if resp.ErrorCode != 0 {
			return errorName(resp.ErrorCode), errorTone(resp.ErrorCode)
		}
		return fmt.Sprintf("producer id %d, epoch %d", resp.ProducerID, resp.ProducerEpoch), ToneOK
	case *protocol.ProduceResponse:
		return produceResponseSummary(resp)
	}
	return m.Key().String() + " response", ToneOK
}

// apiVersionsSummary names how many APIs the broker speaks and its Produce versions.
func apiVersionsSummary(resp *protocol.ApiVersionsResponse) string {
	for _, k := range resp.APIKeys {
		if k.APIKey == protocol.KeyProduce {
			return fmt.Sprintf("%d APIs, Produce v%d to v%d among them", len(resp.APIKeys), k.MinVersion, k.MaxVersion)
		}
	}
	return fmt.Sprintf("%d APIs", len(resp.APIKeys))
}

// metadataSummary lists the brokers and each partition's leader.
func metadataSummary(resp *protocol.MetadataResponse) string {
	var ids []string
	for _, b := range resp.Brokers {
		ids = append(ids, fmt.Sprint(b.NodeID))
	}
	s := "brokers " + strings.Join(ids, ", ")
	for _, t := range resp.Topics {
		name := ""
		if t.Name != nil {
			name = *t.Name
		}
		if t.ErrorCode != 0 {
			s += fmt.Sprintf("; %s: %s", name, errorName(t.ErrorCode))
			continue
		}
		for _, p := range t.Partitions {
			s += fmt.Sprintf("; %s/%d: leader broker %d (epoch %d), replicas %v", name, p.PartitionIndex, p.LeaderID, p.LeaderEpoch, p.ReplicaNodes)
		}
	}
	return s
}

// produceResponseSummary says, partition by partition, where the records went or why not.
func produceResponseSummary(resp *protocol.ProduceResponse) (string, Tone) {
	var parts []string
	tone := ToneOK
	for _, t := range resp.Responses {
		for _, p := range t.PartitionResponses {
			if p.ErrorCode == 0 {
				parts = append(parts, fmt.Sprintf("%s/%d: written at offset %d", t.Name, p.Index, p.BaseOffset))
				continue
			}
			s := fmt.Sprintf("%s/%d: %s", t.Name, p.Index, errorName(p.ErrorCode))
			if p.CurrentLeader != nil && p.CurrentLeader.LeaderID >= 0 {
				s += fmt.Sprintf(", the leader is now broker %d", p.CurrentLeader.LeaderID)
			}
			parts = append(parts, s)
			tone = worse(tone, errorTone(p.ErrorCode))
		}
	}
	return strings.Join(parts, "; "), tone
}

// errorName is Kafka's name for an error code, with whether the producer retries it.
func errorName(code int16) string {
	var ke *kerr.Error
	if !errors.As(kerr.ForCode(code), &ke) {
		return "NONE"
	}
	if ke.Retriable {
		return ke.Name + " (retriable)"
	}
	return ke.Name
}

// errorTone is the tone of an error code: a warning if it is retriable, bad otherwise.
func errorTone(code int16) Tone {
	if kerr.IsRetriable(kerr.ForCode(code)) {
		return ToneWarn
	}
	return ToneBad
}

// worse is the graver of two tones.
func worse(a, b Tone) Tone {
	rank := map[Tone]int{ToneNone: 0, ToneOK: 1, ToneDup: 2, ToneWarn: 3, ToneBad: 4}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
