package protocol

import (
	"github.com/kwire-dev/kwire/wire"
)

// FetchRequest reads records from partitions (FetchRequest.json). Kafka 4.0 dropped versions 0–3
// from brokers; they are kept here for older brokers (their records are message sets, magic 0/1).
type FetchRequest struct {
	ClusterID           *string            // v12+, tagged (tag 0); nil when absent
	ReplicaID           int32              // v0–14; -1 for a consumer
	ReplicaState        *FetchReplicaState // v15+, tagged (tag 1), replaces ReplicaID; nil when absent
	MaxWaitMs           int32
	MinBytes            int32
	MaxBytes            int32 // v3+
	IsolationLevel      int8  // v4+; 0 read uncommitted, 1 read committed
	SessionID           int32 // v7+
	SessionEpoch        int32 // v7+
	Topics              []FetchTopic
	ForgottenTopicsData []FetchForgottenTopic // v7+
	RackID              string                // v11+
	Tags                []wire.TaggedField    // v12+, the unknown tagged fields
}

// FetchReplicaState identifies a follower fetching as a replica (KIP-903).
type FetchReplicaState struct {
	ReplicaID    int32 // -1 for a consumer
	ReplicaEpoch int64 // the broker epoch, -1 if not available
	Tags         []wire.TaggedField
}

// FetchTopic is one topic of a FetchRequest.
type FetchTopic struct {
	Topic      string // v0–12
	TopicID    UUID   // v13+
	Partitions []FetchPartition
	Tags       []wire.TaggedField // v12+
}

// FetchPartition is one partition to fetch and where from.
type FetchPartition struct {
	Partition          int32
	CurrentLeaderEpoch int32 // v9+; -1 if unknown
	FetchOffset        int64
	LastFetchedEpoch   int32 // v12+; -1 if unknown
	LogStartOffset     int64 // v5+; -1 unless a follower
	PartitionMaxBytes  int32
	ReplicaDirectoryID UUID               // v17+, tagged (tag 0); the zero UUID is absent
	HighWatermark      *int64             // v18+, tagged (tag 1); nil when absent (KIP-1166)
	Tags               []wire.TaggedField // v12+, the unknown tagged fields
}

// FetchForgottenTopic lists partitions to drop from an incremental fetch session.
type FetchForgottenTopic struct {
	Topic      string // v7–12
	TopicID    UUID   // v13+
	Partitions []int32
	Tags       []wire.TaggedField // v12+
}

// FetchVersions are the versions of Fetch kwire implements.
var FetchVersions = VersionRange{0, 18}

// Key is KeyFetch.
func (*FetchRequest) Key() APIKey { return KeyFetch }

// fetchTopicMinSize is the fewest bytes a topic entry of a fetch request or response (or a
// forgotten topic) takes at version: its name or id, an empty array and, when flexible, no tags.
func fetchTopicMinSize(version int16, flexible bool) int {
	switch {
	case version >= 13:
		return 16 + 1 + 1
	case flexible:
		return 1 + 1 + 1
	default:
		return 2 + 4
	}
}

func fetchPartitionMinSize(version int16, flexible bool) int {
	n := 4 + 8 + 4 // partition, fetchOffset, partitionMaxBytes
	if version >= 9 {
		n += 4
	}
	if version >= 12 {
		n += 4
	}
	if version >= 5 {
		n += 8
	}
	if flexible {
		n++
	}
	return n
}

// AppendTo appends the request encoded at version.
func (m *FetchRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyFetch.Flexible(version)}
	if version <= 14 {
		w.int32(m.ReplicaID)
	}
	w.int32(m.MaxWaitMs)
	w.int32(m.MinBytes)
	if version >= 3 {
		w.int32(m.MaxBytes)
	}
	if version >= 4 {
		w.int8(m.IsolationLevel)
	}
	if version >= 7 {
		w.int32(m.SessionID)
		w.int32(m.SessionEpoch)
	}
	w.arrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		if version >= 13 {
			w.uuid(t.TopicID)
		} else {
			w.str(t.Topic)
		}
		w.arrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.int32(p.Partition)
			if version >= 9 {
				w.int32(p.CurrentLeaderEpoch)
			}
			w.int64(p.FetchOffset)
			if version >= 12 {
				w.int32(p.LastFetchedEpoch)
			}
			if version >= 5 {
				w.int64(p.LogStartOffset)
			}
			w.int32(p.PartitionMaxBytes)
			if w.flexible {
				var known []wire.TaggedField
				if version >= 17 && p.ReplicaDirectoryID != (UUID{}) {
					known = append(known, wire.TaggedField{Tag: 0, Data: append([]byte(nil), p.ReplicaDirectoryID[:]...)})
				}
				if version >= 18 && p.HighWatermark != nil {
					known = append(known, wire.TaggedField{Tag: 1, Data: wire.AppendInt64(nil, *p.HighWatermark)})
				}
				writeTagsMerged(&w, known, p.Tags)
			}
		}
		w.tags(t.Tags)
	}
	if version >= 7 {
		w.arrayLen(len(m.ForgottenTopicsData))
		for i := range m.ForgottenTopicsData {
			t := &m.ForgottenTopicsData[i]
			if version >= 13 {
				w.uuid(t.TopicID)
			} else {
				w.str(t.Topic)
			}
			w.arrayLen(len(t.Partitions))
			for _, p := range t.Partitions {
				w.int32(p)
			}
			w.tags(t.Tags)
		}
	}
	if version >= 11 {
		w.str(m.RackID)
	}
	if w.flexible {
		var known []wire.TaggedField
		if m.ClusterID != nil {
			known = append(known, wire.TaggedField{Tag: 0, Data: wire.AppendCompactNullableString(nil, m.ClusterID)})
		}
		if version >= 15 && m.ReplicaState != nil {
			known = append(known, wire.TaggedField{Tag: 1, Data: encodeTagged(m.ReplicaState.put)})
		}
		writeTagsMerged(&w, known, m.Tags)
	}
	return w.buf
}

// Decode decodes the request encoded at version from src.
func (m *FetchRequest) Decode(src []byte, version int16) error {
	r := newReader(src, KeyFetch.Flexible(version))
	checkVersion(&r.Reader, KeyFetch, version, FetchVersions)
	*m = FetchRequest{}
	if version <= 14 {
		r.SetField("replicaId")
		m.ReplicaID = r.Int32()
	}
	r.SetField("maxWaitMs")
	m.MaxWaitMs = r.Int32()
	r.SetField("minBytes")
	m.MinBytes = r.Int32()
	if version >= 3 {
		r.SetField("maxBytes")
		m.MaxBytes = r.Int32()
	}
	if version >= 4 {
		r.SetField("isolationLevel")
		m.IsolationLevel = r.Int8()
	}
	if version >= 7 {
		r.SetField("sessionId")
		m.SessionID = r.Int32()
		r.SetField("sessionEpoch")
		m.SessionEpoch = r.Int32()
	}
	r.SetField("topics")
	if n := nonNullArrayLen(r, fetchTopicMinSize(version, r.flexible)); n > 0 {
		m.Topics = make([]FetchTopic, n)
		partMin := fetchPartitionMinSize(version, r.flexible)
		for i := range m.Topics {
			t := &m.Topics[i]
			if version >= 13 {
				r.SetField("topics.topicId")
				t.TopicID = r.uuid()
			} else {
				r.SetField("topics.topic")
				t.Topic = r.str()
			}
			r.SetField("topics.partitions")
			if n := nonNullArrayLen(r, partMin); n > 0 {
				t.Partitions = make([]FetchPartition, n)
				for j := range t.Partitions {
					decodeFetchPartition(r, &t.Partitions[j], version)
				}
			}
			t.Tags = readTagSection(r, "topics.tags", nil)
		}
	}
	if version >= 7 {
		r.SetField("forgottenTopicsData")
		if n := nonNullArrayLen(r, fetchTopicMinSize(version, r.flexible)); n > 0 {
			m.ForgottenTopicsData = make([]FetchForgottenTopic, n)
			for i := range m.ForgottenTopicsData {
				t := &m.ForgottenTopicsData[i]
				if version >= 13 {
					r.SetField("forgottenTopicsData.topicId")
					t.TopicID = r.uuid()
				} else {
					r.SetField("forgottenTopicsData.topic")
					t.Topic = r.str()
				}
				r.SetField("forgottenTopicsData.partitions")
				if n := nonNullArrayLen(r, 4); n > 0 {
					t.Partitions = make([]int32, n)
					for k := range t.Partitions {
						t.Partitions[k] = r.Int32()
					}
				}
				t.Tags = readTagSection(r, "forgottenTopicsData.tags", nil)
			}
		}
	}
	if version >= 11 {
		r.SetField("rackId")
		m.RackID = r.str()
	}
	m.Tags = readTagSection(r, "tags", func(tag uint32) bool {
		switch {
		case tag == 0:
			r.SetField("clusterId")
			m.ClusterID = r.CompactNullableString()
		case tag == 1 && version >= 15:
			m.ReplicaState = new(FetchReplicaState)
			m.ReplicaState.read(r)
		default:
			return false
		}
		return true
	})
	return r.done()
}

func decodeFetchPartition(r *reader, p *FetchPartition, version int16) {
	r.SetField("topics.partitions.partition")
	p.Partition = r.Int32()
	if version >= 9 {
		r.SetField("topics.partitions.currentLeaderEpoch")
		p.CurrentLeaderEpoch = r.Int32()
	}
	r.SetField("topics.partitions.fetchOffset")
	p.FetchOffset = r.Int64()
	if version >= 12 {
		r.SetField("topics.partitions.lastFetchedEpoch")
		p.LastFetchedEpoch = r.Int32()
	}
	if version >= 5 {
		r.SetField("topics.partitions.logStartOffset")
		p.LogStartOffset = r.Int64()
	}
	r.SetField("topics.partitions.partitionMaxBytes")
	p.PartitionMaxBytes = r.Int32()
	p.Tags = readTagSection(r, "topics.partitions.tags", func(tag uint32) bool {
		switch {
		case tag == 0 && version >= 17:
			r.SetField("topics.partitions.replicaDirectoryId")
			p.ReplicaDirectoryID = r.uuid()
		case tag == 1 && version >= 18:
			r.SetField("topics.partitions.highWatermark")
			hw := r.Int64()
			p.HighWatermark = &hw
		default:
			return false
		}
		return true
	})
}

func (s *FetchReplicaState) put(w *writer) {
	w.int32(s.ReplicaID)
	w.int64(s.ReplicaEpoch)
	w.tags(s.Tags)
}

func (s *FetchReplicaState) read(r *reader) {
	r.SetField("replicaState.replicaId")
	s.ReplicaID = r.Int32()
	r.SetField("replicaState.replicaEpoch")
	s.ReplicaEpoch = r.Int64()
	s.Tags = readTagSection(r, "replicaState.tags", nil)
}

// FetchResponse answers a FetchRequest (FetchResponse.json).
type FetchResponse struct {
	ThrottleTimeMs int32 // v1+
	ErrorCode      int16 // v7+, for the whole request
	SessionID      int32 // v7+; 0 outside a fetch session
	Responses      []FetchTopicResponse
	NodeEndpoints  []NodeEndpoint     // v16+, tagged (tag 0): the leaders named in CurrentLeader
	Tags           []wire.TaggedField // v12+, the unknown tagged fields
}

// FetchTopicResponse is the data fetched from one topic.
type FetchTopicResponse struct {
	Topic      string // v0–12
	TopicID    UUID   // v13+
	Partitions []FetchPartitionResponse
	Tags       []wire.TaggedField // v12+
}

// FetchPartitionResponse is the data fetched from one partition.
type FetchPartitionResponse struct {
	PartitionIndex       int32
	ErrorCode            int16
	HighWatermark        int64
	LastStableOffset     int64                     // v4+
	LogStartOffset       int64                     // v5+
	DivergingEpoch       *FetchEpochEndOffset      // v12+, tagged (tag 0); nil when absent
	CurrentLeader        *LeaderIDAndEpoch         // v12+, tagged (tag 1); nil when absent
	SnapshotID           *FetchSnapshotID          // v12+, tagged (tag 2); nil when absent
	AbortedTransactions  []FetchAbortedTransaction // v4+; nil is null, distinct from empty
	PreferredReadReplica int32                     // v11+; -1 for none
	Records              []byte                    // record batches as on the wire; nil is null
	Tags                 []wire.TaggedField        // v12+, the unknown tagged fields
}

// FetchEpochEndOffset is where a follower's log diverges from the leader's (KIP-595).
type FetchEpochEndOffset struct {
	Epoch     int32
	EndOffset int64
	Tags      []wire.TaggedField
}

// FetchSnapshotID names the snapshot to fetch when the offset is below the log start (KIP-595).
type FetchSnapshotID struct {
	EndOffset int64
	Epoch     int32
	Tags      []wire.TaggedField
}

// FetchAbortedTransaction is a transaction aborted within the fetched range.
type FetchAbortedTransaction struct {
	ProducerID  int64
	FirstOffset int64
	Tags        []wire.TaggedField // v12+
}

// Key is KeyFetch.
func (*FetchResponse) Key() APIKey { return KeyFetch }

func fetchPartitionResponseMinSize(version int16, flexible bool) int {
	n := 4 + 2 + 8
	if version >= 4 {
		n += 8
		if flexible {
			n++ // abortedTransactions
		} else {
			n += 4
		}
	}
	if version >= 5 {
		n += 8
	}
	if version >= 11 {
		n += 4
	}
	if flexible {
		n += 1 + 1 // records, tags
	} else {
		n += 4
	}
	return n
}

// AppendTo appends the response encoded at version.
func (m *FetchResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyFetch.Flexible(version)}
	if version >= 1 {
		w.int32(m.ThrottleTimeMs)
	}
	if version >= 7 {
		w.int16(m.ErrorCode)
		w.int32(m.SessionID)
	}
	w.arrayLen(len(m.Responses))
	for i := range m.Responses {
		t := &m.Responses[i]
		if version >= 13 {
			w.uuid(t.TopicID)
		} else {
			w.str(t.Topic)
		}
		w.arrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.int32(p.PartitionIndex)
			w.int16(p.ErrorCode)
			w.int64(p.HighWatermark)
			if version >= 4 {
				w.int64(p.LastStableOffset)
			}
			if version >= 5 {
				w.int64(p.LogStartOffset)
			}
			if version >= 4 {
				if p.AbortedTransactions == nil {
					w.arrayLen(-1)
				} else {
					w.arrayLen(len(p.AbortedTransactions))
				}
				for k := range p.AbortedTransactions {
					a := &p.AbortedTransactions[k]
					w.int64(a.ProducerID)
					w.int64(a.FirstOffset)
					w.tags(a.Tags)
				}
			}
			if version >= 11 {
				w.int32(p.PreferredReadReplica)
			}
			w.nbytes(p.Records)
			if w.flexible {
				var known []wire.TaggedField
				if p.DivergingEpoch != nil {
					known = append(known, wire.TaggedField{Tag: 0, Data: encodeTagged(p.DivergingEpoch.put)})
				}
				if p.CurrentLeader != nil {
					known = append(known, wire.TaggedField{Tag: 1, Data: encodeTagged(p.CurrentLeader.put)})
				}
				if p.SnapshotID != nil {
					known = append(known, wire.TaggedField{Tag: 2, Data: encodeTagged(p.SnapshotID.put)})
				}
				writeTagsMerged(&w, known, p.Tags)
			}
		}
		w.tags(t.Tags)
	}
	if w.flexible {
		var known []wire.TaggedField
		if version >= 16 && len(m.NodeEndpoints) > 0 {
			known = append(known, wire.TaggedField{Tag: 0, Data: encodeTagged(func(w *writer) { putNodeEndpoints(w, m.NodeEndpoints) })})
		}
		writeTagsMerged(&w, known, m.Tags)
	}
	return w.buf
}

// Decode decodes the response encoded at version from src. Records alias src.
func (m *FetchResponse) Decode(src []byte, version int16) error {
	r := newReader(src, KeyFetch.Flexible(version))
	checkVersion(&r.Reader, KeyFetch, version, FetchVersions)
	*m = FetchResponse{}
	if version >= 1 {
		r.SetField("throttleTimeMs")
		m.ThrottleTimeMs = r.Int32()
	}
	if version >= 7 {
		r.SetField("errorCode")
		m.ErrorCode = r.Int16()
		r.SetField("sessionId")
		m.SessionID = r.Int32()
	}
	r.SetField("responses")
	if n := nonNullArrayLen(r, fetchTopicMinSize(version, r.flexible)); n > 0 {
		m.Responses = make([]FetchTopicResponse, n)
		partMin := fetchPartitionResponseMinSize(version, r.flexible)
		for i := range m.Responses {
			t := &m.Responses[i]
			if version >= 13 {
				r.SetField("responses.topicId")
				t.TopicID = r.uuid()
			} else {
				r.SetField("responses.topic")
				t.Topic = r.str()
			}
			r.SetField("responses.partitions")
			if n := nonNullArrayLen(r, partMin); n > 0 {
				t.Partitions = make([]FetchPartitionResponse, n)
				for j := range t.Partitions {
					decodeFetchPartitionResponse(r, &t.Partitions[j], version)
				}
			}
			t.Tags = readTagSection(r, "responses.tags", nil)
		}
	}
	m.Tags = readTagSection(r, "tags", func(tag uint32) bool {
		if tag != 0 || version < 16 {
			return false
		}
		m.NodeEndpoints = readNodeEndpoints(r, "nodeEndpoints")
		return true
	})
	return r.done()
}

func decodeFetchPartitionResponse(r *reader, p *FetchPartitionResponse, version int16) {
	r.SetField("responses.partitions.partitionIndex")
	p.PartitionIndex = r.Int32()
	r.SetField("responses.partitions.errorCode")
	p.ErrorCode = r.Int16()
	r.SetField("responses.partitions.highWatermark")
	p.HighWatermark = r.Int64()
	if version >= 4 {
		r.SetField("responses.partitions.lastStableOffset")
		p.LastStableOffset = r.Int64()
	}
	if version >= 5 {
		r.SetField("responses.partitions.logStartOffset")
		p.LogStartOffset = r.Int64()
	}
	if version >= 4 {
		r.SetField("responses.partitions.abortedTransactions")
		minSize := 8 + 8
		if r.flexible {
			minSize++
		}
		if n := r.arrayLen(minSize); n >= 0 {
			p.AbortedTransactions = make([]FetchAbortedTransaction, n)
			for k := range p.AbortedTransactions {
				a := &p.AbortedTransactions[k]
				r.SetField("responses.partitions.abortedTransactions.producerId")
				a.ProducerID = r.Int64()
				r.SetField("responses.partitions.abortedTransactions.firstOffset")
				a.FirstOffset = r.Int64()
				a.Tags = readTagSection(r, "responses.partitions.abortedTransactions.tags", nil)
			}
		}
	}
	if version >= 11 {
		r.SetField("responses.partitions.preferredReadReplica")
		p.PreferredReadReplica = r.Int32()
	}
	r.SetField("responses.partitions.records")
	p.Records = r.nbytes()
	p.Tags = readTagSection(r, "responses.partitions.tags", func(tag uint32) bool {
		switch tag {
		case 0:
			p.DivergingEpoch = new(FetchEpochEndOffset)
			p.DivergingEpoch.read(r)
		case 1:
			p.CurrentLeader = new(LeaderIDAndEpoch)
			p.CurrentLeader.read(r, "responses.partitions.currentLeader")
		case 2:
			p.SnapshotID = new(FetchSnapshotID)
			p.SnapshotID.read(r)
		default:
			return false
		}
		return true
	})
}

func (e *FetchEpochEndOffset) put(w *writer) {
	w.int32(e.Epoch)
	w.int64(e.EndOffset)
	w.tags(e.Tags)
}

func (e *FetchEpochEndOffset) read(r *reader) {
	r.SetField("responses.partitions.divergingEpoch.epoch")
	e.Epoch = r.Int32()
	r.SetField("responses.partitions.divergingEpoch.endOffset")
	e.EndOffset = r.Int64()
	e.Tags = readTagSection(r, "responses.partitions.divergingEpoch.tags", nil)
}

func (s *FetchSnapshotID) put(w *writer) {
	w.int64(s.EndOffset)
	w.int32(s.Epoch)
	w.tags(s.Tags)
}

func (s *FetchSnapshotID) read(r *reader) {
	r.SetField("responses.partitions.snapshotId.endOffset")
	s.EndOffset = r.Int64()
	r.SetField("responses.partitions.snapshotId.epoch")
	s.Epoch = r.Int32()
	s.Tags = readTagSection(r, "responses.partitions.snapshotId.tags", nil)
}
