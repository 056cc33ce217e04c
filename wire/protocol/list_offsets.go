package protocol

import (
	"github.com/kwire-dev/kwire/wire"
)

// ListOffsetsRequest asks for the offset of each partition at a timestamp, or at one of the
// special timestamps: -1 latest, -2 earliest, -3 max timestamp (v7+), -4 earliest local (v8+),
// -5 latest tiered (v9+) (ListOffsetsRequest.json). Kafka 4.0 dropped version 0 from brokers; it is
// kept here for older ones.
type ListOffsetsRequest struct {
	ReplicaID      int32 // -1 for a consumer
	IsolationLevel int8  // v2+; 0 read uncommitted, 1 read committed
	Topics         []ListOffsetsTopic
	TimeoutMs      int32              // v10+; how long to wait for a lookup in remote storage (KIP-1075)
	Tags           []wire.TaggedField // v6+
}

// ListOffsetsTopic is one topic of a ListOffsetsRequest.
type ListOffsetsTopic struct {
	Name       string
	Partitions []ListOffsetsPartition
	Tags       []wire.TaggedField // v6+
}

// ListOffsetsPartition is one partition and the timestamp to look up in it.
type ListOffsetsPartition struct {
	PartitionIndex     int32
	CurrentLeaderEpoch int32 // v4+; -1 if unknown
	Timestamp          int64
	MaxNumOffsets      int32              // v0 only
	Tags               []wire.TaggedField // v6+
}

// ListOffsetsVersions are the versions of ListOffsets kwire implements.
var ListOffsetsVersions = VersionRange{0, 10}

// Key is KeyListOffsets.
func (*ListOffsetsRequest) Key() APIKey { return KeyListOffsets }

// listOffsetsTopicMinSize is the fewest bytes a topic of a request or response takes: its name, an
// empty partition array and, when flexible, no tags.
func listOffsetsTopicMinSize(flexible bool) int {
	if flexible {
		return 1 + 1 + 1
	}
	return 2 + 4
}

func listOffsetsPartitionMinSize(version int16, flexible bool) int {
	n := 4 + 8
	if version >= 4 {
		n += 4
	}
	if version == 0 {
		n += 4
	}
	if flexible {
		n++
	}
	return n
}

// AppendTo appends the request encoded at version.
func (m *ListOffsetsRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyListOffsets.Flexible(version)}
	w.int32(m.ReplicaID)
	if version >= 2 {
		w.int8(m.IsolationLevel)
	}
	w.arrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.str(t.Name)
		w.arrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.int32(p.PartitionIndex)
			if version >= 4 {
				w.int32(p.CurrentLeaderEpoch)
			}
			w.int64(p.Timestamp)
			if version == 0 {
				w.int32(p.MaxNumOffsets)
			}
			w.tags(p.Tags)
		}
		w.tags(t.Tags)
	}
	if version >= 10 {
		w.int32(m.TimeoutMs)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the request encoded at version from src.
func (m *ListOffsetsRequest) Decode(src []byte, version int16) error {
	r := newReader(src, KeyListOffsets.Flexible(version))
	checkVersion(&r.Reader, KeyListOffsets, version, ListOffsetsVersions)
	*m = ListOffsetsRequest{}
	r.SetField("replicaId")
	m.ReplicaID = r.Int32()
	if version >= 2 {
		r.SetField("isolationLevel")
		m.IsolationLevel = r.Int8()
	}
	r.SetField("topics")
	if n := nonNullArrayLen(r, listOffsetsTopicMinSize(r.flexible)); n > 0 {
		m.Topics = make([]ListOffsetsTopic, n)
		partMin := listOffsetsPartitionMinSize(version, r.flexible)
		for i := range m.Topics {
			t := &m.Topics[i]
			r.SetField("topics.name")
			t.Name = r.str()
			r.SetField("topics.partitions")
			if n := nonNullArrayLen(r, partMin); n > 0 {
				t.Partitions = make([]ListOffsetsPartition, n)
				for j := range t.Partitions {
					p := &t.Partitions[j]
					r.SetField("topics.partitions.partitionIndex")
					p.PartitionIndex = r.Int32()
					if version >= 4 {
						r.SetField("topics.partitions.currentLeaderEpoch")
						p.CurrentLeaderEpoch = r.Int32()
					}
					r.SetField("topics.partitions.timestamp")
					p.Timestamp = r.Int64()
					if version == 0 {
						r.SetField("topics.partitions.maxNumOffsets")
						p.MaxNumOffsets = r.Int32()
					}
					p.Tags = readTagSection(r, "topics.partitions.tags", nil)
				}
			}
			t.Tags = readTagSection(r, "topics.tags", nil)
		}
	}
	if version >= 10 {
		r.SetField("timeoutMs")
		m.TimeoutMs = r.Int32()
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

// ListOffsetsResponse answers a ListOffsetsRequest (ListOffsetsResponse.json).
type ListOffsetsResponse struct {
	ThrottleTimeMs int32 // v2+
	Topics         []ListOffsetsTopicResponse
	Tags           []wire.TaggedField // v6+
}

// ListOffsetsTopicResponse is the offsets found in one topic.
type ListOffsetsTopicResponse struct {
	Name       string
	Partitions []ListOffsetsPartitionResponse
	Tags       []wire.TaggedField // v6+
}

// ListOffsetsPartitionResponse is the offset found in one partition.
type ListOffsetsPartitionResponse struct {
	PartitionIndex  int32
	ErrorCode       int16
	OldStyleOffsets []int64            // v0 only
	Timestamp       int64              // v1+; -1 if none
	Offset          int64              // v1+; -1 if none
	LeaderEpoch     int32              // v4+; -1 if unknown
	Tags            []wire.TaggedField // v6+
}

// Key is KeyListOffsets.
func (*ListOffsetsResponse) Key() APIKey { return KeyListOffsets }

func listOffsetsPartitionResponseMinSize(version int16, flexible bool) int {
	n := 4 + 2
	if version == 0 {
		n += 4 // oldStyleOffsets, never flexible
	} else {
		n += 8 + 8
	}
	if version >= 4 {
		n += 4
	}
	if flexible {
		n++
	}
	return n
}

// AppendTo appends the response encoded at version.
func (m *ListOffsetsResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyListOffsets.Flexible(version)}
	if version >= 2 {
		w.int32(m.ThrottleTimeMs)
	}
	w.arrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.str(t.Name)
		w.arrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.int32(p.PartitionIndex)
			w.int16(p.ErrorCode)
			if version == 0 {
				w.arrayLen(len(p.OldStyleOffsets))
				for _, o := range p.OldStyleOffsets {
					w.int64(o)
				}
			}
			if version >= 1 {
				w.int64(p.Timestamp)
				w.int64(p.Offset)
			}
			if version >= 4 {
				w.int32(p.LeaderEpoch)
			}
			w.tags(p.Tags)
		}
		w.tags(t.Tags)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the response encoded at version from src.
func (m *ListOffsetsResponse) Decode(src []byte, version int16) error {
	r := newReader(src, KeyListOffsets.Flexible(version))
	checkVersion(&r.Reader, KeyListOffsets, version, ListOffsetsVersions)
	*m = ListOffsetsResponse{}
	if version >= 2 {
		r.SetField("throttleTimeMs")
		m.ThrottleTimeMs = r.Int32()
	}
	r.SetField("topics")
	if n := nonNullArrayLen(r, listOffsetsTopicMinSize(r.flexible)); n > 0 {
		m.Topics = make([]ListOffsetsTopicResponse, n)
		partMin := listOffsetsPartitionResponseMinSize(version, r.flexible)
		for i := range m.Topics {
			t := &m.Topics[i]
			r.SetField("topics.name")
			t.Name = r.str()
			r.SetField("topics.partitions")
			if n := nonNullArrayLen(r, partMin); n > 0 {
				t.Partitions = make([]ListOffsetsPartitionResponse, n)
				for j := range t.Partitions {
					decodeListOffsetsPartitionResponse(r, &t.Partitions[j], version)
				}
			}
			t.Tags = readTagSection(r, "topics.tags", nil)
		}
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

func decodeListOffsetsPartitionResponse(r *reader, p *ListOffsetsPartitionResponse, version int16) {
	r.SetField("topics.partitions.partitionIndex")
	p.PartitionIndex = r.Int32()
	r.SetField("topics.partitions.errorCode")
	p.ErrorCode = r.Int16()
	if version == 0 {
		r.SetField("topics.partitions.oldStyleOffsets")
		if n := nonNullArrayLen(r, 8); n > 0 {
			p.OldStyleOffsets = make([]int64, n)
			for k := range p.OldStyleOffsets {
				p.OldStyleOffsets[k] = r.Int64()
			}
		}
	}
	if version >= 1 {
		r.SetField("topics.partitions.timestamp")
		p.Timestamp = r.Int64()
		r.SetField("topics.partitions.offset")
		p.Offset = r.Int64()
	}
	if version >= 4 {
		r.SetField("topics.partitions.leaderEpoch")
		p.LeaderEpoch = r.Int32()
	}
	p.Tags = readTagSection(r, "topics.partitions.tags", nil)
}
