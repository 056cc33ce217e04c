package protocol

import (
	"github.com/kwire-dev/kwire/wire"
)

// ProduceRequest writes record batches to partitions (ProduceRequest.json). Kafka 4.0 dropped
// versions 0–2 from brokers; they differ from version 3 only by the missing transactional id, and
// kwire still speaks them to older brokers.
type ProduceRequest struct {
	TransactionalID *string // v3+; nil unless the producer is transactional
	Acks            int16   // 0: none, 1: the leader, -1: the full ISR
	TimeoutMs       int32
	TopicData       []ProduceTopic
	Tags            []wire.TaggedField // v9+
}

// ProduceTopic is one topic of a ProduceRequest.
type ProduceTopic struct {
	Name          string // v0–12
	TopicID       UUID   // v13+ (KIP-516)
	PartitionData []ProducePartition
	Tags          []wire.TaggedField // v9+
}

// ProducePartition is one partition of a ProduceTopic and the records to append to it.
type ProducePartition struct {
	Index   int32
	Records []byte             // record batches as they go on the wire; nil is null
	Tags    []wire.TaggedField // v9+
}

// ProduceVersions are the versions of Produce kwire implements.
var ProduceVersions = VersionRange{0, 13}

// Key is KeyProduce.
func (*ProduceRequest) Key() APIKey { return KeyProduce }

// produceTopicMinSize is the fewest bytes a ProduceTopic or ProduceTopicResponse takes at version:
// its name or id, an empty partition array and, when flexible, an empty tag section.
func produceTopicMinSize(version int16, flexible bool) int {
	switch {
	case version >= 13:
		return 16 + 1 + 1
	case flexible:
		return 1 + 1 + 1
	default:
		return 2 + 4
	}
}

// AppendTo appends the request encoded at version.
func (m *ProduceRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyProduce.Flexible(version)}
	if version >= 3 {
		w.nstr(m.TransactionalID)
	}
	w.int16(m.Acks)
	w.int32(m.TimeoutMs)
	w.arrayLen(len(m.TopicData))
	for i := range m.TopicData {
		t := &m.TopicData[i]
		if version >= 13 {
			w.uuid(t.TopicID)
		} else {
			w.str(t.Name)
		}
		w.arrayLen(len(t.PartitionData))
		for j := range t.PartitionData {
			p := &t.PartitionData[j]
			w.int32(p.Index)
			w.nbytes(p.Records)
			w.tags(p.Tags)
		}
		w.tags(t.Tags)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the request encoded at version from src. Records alias src.
func (m *ProduceRequest) Decode(src []byte, version int16) error {
	r := newReader(src, KeyProduce.Flexible(version))
	checkVersion(&r.Reader, KeyProduce, version, ProduceVersions)
	*m = ProduceRequest{}
	if version >= 3 {
		r.SetField("transactionalId")
		m.TransactionalID = r.nstr()
	}
	r.SetField("acks")
	m.Acks = r.Int16()
	r.SetField("timeoutMs")
	m.TimeoutMs = r.Int32()
	r.SetField("topicData")
	if n := nonNullArrayLen(r, produceTopicMinSize(version, r.flexible)); n > 0 {
		m.TopicData = make([]ProduceTopic, n)
		partMin := 4 + 4
		if r.flexible {
			partMin = 4 + 1 + 1
		}
		for i := range m.TopicData {
			t := &m.TopicData[i]
			if version >= 13 {
				r.SetField("topicData.topicId")
				t.TopicID = r.uuid()
			} else {
				r.SetField("topicData.name")
				t.Name = r.str()
			}
			r.SetField("topicData.partitionData")
			if n := nonNullArrayLen(r, partMin); n > 0 {
				t.PartitionData = make([]ProducePartition, n)
				for j := range t.PartitionData {
					p := &t.PartitionData[j]
					r.SetField("topicData.partitionData.index")
					p.Index = r.Int32()
					r.SetField("topicData.partitionData.records")
					p.Records = r.nbytes()
					p.Tags = readTagSection(r, "topicData.partitionData.tags", nil)
				}
			}
			t.Tags = readTagSection(r, "topicData.tags", nil)
		}
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

// ProduceResponse answers a ProduceRequest (ProduceResponse.json); brokers send none for acks=0.
type ProduceResponse struct {
	Responses      []ProduceTopicResponse
	ThrottleTimeMs int32              // v1+
	NodeEndpoints  []NodeEndpoint     // v10+, tagged (tag 0): the leaders named in CurrentLeader
	Tags           []wire.TaggedField // v9+, the unknown tagged fields
}

// ProduceTopicResponse is the outcome for one topic.
type ProduceTopicResponse struct {
	Name               string // v0–12
	TopicID            UUID   // v13+ (KIP-516)
	PartitionResponses []ProducePartitionResponse
	Tags               []wire.TaggedField // v9+
}

// ProducePartitionResponse is the outcome for one partition.
type ProducePartitionResponse struct {
	Index           int32
	ErrorCode       int16
	BaseOffset      int64
	LogAppendTimeMs int64                // v2+; -1 unless the topic uses log-append time
	LogStartOffset  int64                // v5+
	RecordErrors    []ProduceRecordError // v8+
	ErrorMessage    *string              // v8+
	CurrentLeader   *LeaderIDAndEpoch    // v10+, tagged (tag 0); nil when absent
	Tags            []wire.TaggedField   // v9+, the unknown tagged fields
}

// ProduceRecordError names a record that made the broker drop its batch (KIP-467).
type ProduceRecordError struct {
	BatchIndex             int32
	BatchIndexErrorMessage *string
	Tags                   []wire.TaggedField // v9+
}

// LeaderIDAndEpoch is a partition's current leader, sent with NOT_LEADER_OR_FOLLOWER and similar
// errors so that a client can go to it without a metadata request (KIP-951).
type LeaderIDAndEpoch struct {
	LeaderID    int32 // -1 if unknown
	LeaderEpoch int32 // -1 if unknown
	Tags        []wire.TaggedField
}

// NodeEndpoint is the address of a broker named in a response (KIP-951).
type NodeEndpoint struct {
	NodeID int32
	Host   string
	Port   int32
	Rack   *string
	Tags   []wire.TaggedField
}

// Key is KeyProduce.
func (*ProduceResponse) Key() APIKey { return KeyProduce }

func producePartitionResponseMinSize(version int16, flexible bool) int {
	n := 4 + 2 + 8
	if version >= 2 {
		n += 8
	}
	if version >= 5 {
		n += 8
	}
	if version >= 8 {
		if flexible {
			n += 1 + 1 // recordErrors, errorMessage
		} else {
			n += 4 + 2
		}
	}
	if flexible {
		n++
	}
	return n
}

// AppendTo appends the response encoded at version.
func (m *ProduceResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyProduce.Flexible(version)}
	w.arrayLen(len(m.Responses))
	for i := range m.Responses {
		t := &m.Responses[i]
		if version >= 13 {
			w.uuid(t.TopicID)
		} else {
			w.str(t.Name)
		}
		w.arrayLen(len(t.PartitionResponses))
		for j := range t.PartitionResponses {
			p := &t.PartitionResponses[j]
			w.int32(p.Index)
			w.int16(p.ErrorCode)
			w.int64(p.BaseOffset)
			if version >= 2 {
				w.int64(p.LogAppendTimeMs)
			}
			if version >= 5 {
				w.int64(p.LogStartOffset)
			}
			if version >= 8 {
				w.arrayLen(len(p.RecordErrors))
				for k := range p.RecordErrors {
					e := &p.RecordErrors[k]
					w.int32(e.BatchIndex)
					w.nstr(e.BatchIndexErrorMessage)
					w.tags(e.Tags)
				}
				w.nstr(p.ErrorMessage)
			}
			if w.flexible {
				var known []wire.TaggedField
				if version >= 10 && p.CurrentLeader != nil {
					known = append(known, wire.TaggedField{Tag: 0, Data: encodeTagged(p.CurrentLeader.put)})
				}
				writeTagsMerged(&w, known, p.Tags)
			}
		}
		w.tags(t.Tags)
	}
	if version >= 1 {
		w.int32(m.ThrottleTimeMs)
	}
	if w.flexible {
		var known []wire.TaggedField
		if version >= 10 && len(m.NodeEndpoints) > 0 {
			known = append(known, wire.TaggedField{Tag: 0, Data: encodeTagged(func(w *writer) { putNodeEndpoints(w, m.NodeEndpoints) })})
		}
		writeTagsMerged(&w, known, m.Tags)
	}
	return w.buf
}

// Decode decodes the response encoded at version from src.
func (m *ProduceResponse) Decode(src []byte, version int16) error {
	r := newReader(src, KeyProduce.Flexible(version))
	checkVersion(&r.Reader, KeyProduce, version, ProduceVersions)
	*m = ProduceResponse{}
	r.SetField("responses")
	if n := nonNullArrayLen(r, produceTopicMinSize(version, r.flexible)); n > 0 {
		m.Responses = make([]ProduceTopicResponse, n)
		partMin := producePartitionResponseMinSize(version, r.flexible)
		for i := range m.Responses {
			t := &m.Responses[i]
			if version >= 13 {
				r.SetField("responses.topicId")
				t.TopicID = r.uuid()
			} else {
				r.SetField("responses.name")
				t.Name = r.str()
			}
			r.SetField("responses.partitionResponses")
			if n := nonNullArrayLen(r, partMin); n > 0 {
				t.PartitionResponses = make([]ProducePartitionResponse, n)
				for j := range t.PartitionResponses {
					decodeProducePartitionResponse(r, &t.PartitionResponses[j], version)
				}
			}
			t.Tags = readTagSection(r, "responses.tags", nil)
		}
	}
	if version >= 1 {
		r.SetField("throttleTimeMs")
		m.ThrottleTimeMs = r.Int32()
	}
	m.Tags = readTagSection(r, "tags", func(tag uint32) bool {
		if tag != 0 || version < 10 {
			return false
		}
		m.NodeEndpoints = readNodeEndpoints(r, "nodeEndpoints")
		return true
	})
	return r.done()
}

func decodeProducePartitionResponse(r *reader, p *ProducePartitionResponse, version int16) {
	r.SetField("responses.partitionResponses.index")
	p.Index = r.Int32()
	r.SetField("responses.partitionResponses.errorCode")
	p.ErrorCode = r.Int16()
	r.SetField("responses.partitionResponses.baseOffset")
	p.BaseOffset = r.Int64()
	if version >= 2 {
		r.SetField("responses.partitionResponses.logAppendTimeMs")
		p.LogAppendTimeMs = r.Int64()
	}
	if version >= 5 {
		r.SetField("responses.partitionResponses.logStartOffset")
		p.LogStartOffset = r.Int64()
	}
	if version >= 8 {
		r.SetField("responses.partitionResponses.recordErrors")
		minSize := 4 + 2
		if r.flexible {
			minSize = 4 + 1 + 1
		}
		if n := nonNullArrayLen(r, minSize); n > 0 {
			p.RecordErrors = make([]ProduceRecordError, n)
			for k := range p.RecordErrors {
				e := &p.RecordErrors[k]
				r.SetField("responses.partitionResponses.recordErrors.batchIndex")
				e.BatchIndex = r.Int32()
				r.SetField("responses.partitionResponses.recordErrors.batchIndexErrorMessage")
				e.BatchIndexErrorMessage = r.nstr()
				e.Tags = readTagSection(r, "responses.partitionResponses.recordErrors.tags", nil)
			}
		}
		r.SetField("responses.partitionResponses.errorMessage")
		p.ErrorMessage = r.nstr()
	}
	p.Tags = readTagSection(r, "responses.partitionResponses.tags", func(tag uint32) bool {
		if tag != 0 || version < 10 {
			return false
		}
		p.CurrentLeader = new(LeaderIDAndEpoch)
		p.CurrentLeader.read(r, "responses.partitionResponses.currentLeader")
		return true
	})
}

// put writes l as a flexible struct (it only ever appears as a tagged field).
func (l *LeaderIDAndEpoch) put(w *writer) {
	w.int32(l.LeaderID)
	w.int32(l.LeaderEpoch)
	w.tags(l.Tags)
}

func (l *LeaderIDAndEpoch) read(r *reader, field string) {
	r.SetField(field + ".leaderId")
	l.LeaderID = r.Int32()
	r.SetField(field + ".leaderEpoch")
	l.LeaderEpoch = r.Int32()
	l.Tags = readTagSection(r, field+".tags", nil)
}

// nodeEndpointMinSize is the fewest bytes a NodeEndpoint takes: id, empty host, port, null rack, no tags.
const nodeEndpointMinSize = 4 + 1 + 4 + 1 + 1

// putNodeEndpoints writes the compact array of a NodeEndpoints tagged field.
func putNodeEndpoints(w *writer, eps []NodeEndpoint) {
	w.arrayLen(len(eps))
	for i := range eps {
		e := &eps[i]
		w.int32(e.NodeID)
		w.str(e.Host)
		w.int32(e.Port)
		w.nstr(e.Rack)
		w.tags(e.Tags)
	}
}

func readNodeEndpoints(r *reader, field string) []NodeEndpoint {
	r.SetField(field)
	n := nonNullArrayLen(r, nodeEndpointMinSize)
	if n <= 0 {
		return nil
	}
	eps := make([]NodeEndpoint, n)
	for i := range eps {
		e := &eps[i]
		r.SetField(field + ".nodeId")
		e.NodeID = r.Int32()
		r.SetField(field + ".host")
		e.Host = r.str()
		r.SetField(field + ".port")
		e.Port = r.Int32()
		r.SetField(field + ".rack")
		e.Rack = r.nstr()
		e.Tags = readTagSection(r, field+".tags", nil)
	}
	return eps
}
