package protocol

import (
	"github.com/kwire-dev/kwire/wire"
)

// MetadataRequest asks for the brokers of the cluster and the partitions and leaders of topics
// (MetadataRequest.json).
type MetadataRequest struct {
	// Topics are the topics to describe. nil means all topics: it is written as the null array from
	// v1 and, at v0 (which has no null), as the empty array that v0 reads as "all topics". A
	// non-nil empty slice asks for no topics from v1; at v0 it too is written as empty, so v0 cannot
	// ask for no topics. Decoding gives nil for "all topics" at every version.
	Topics                             []MetadataRequestTopic // nullable v1+
	AllowAutoTopicCreation             bool                   // v4+
	IncludeClusterAuthorizedOperations bool                   // v8–10
	IncludeTopicAuthorizedOperations   bool                   // v8+
	Tags                               []wire.TaggedField     // v9+
}

// MetadataRequestTopic names one topic to describe, by name or (v10+) by id.
type MetadataRequestTopic struct {
	TopicID UUID // v10+; the zero UUID when asking by name
	// Name is the topic name. It may be nil (asking by id) only from v10; at lower versions a nil
	// Name is written as the empty string.
	Name *string            // nullable v10+
	Tags []wire.TaggedField // v9+
}

// MetadataVersions are the versions of Metadata kwire implements.
var MetadataVersions = VersionRange{0, 13}

// Key is KeyMetadata.
func (*MetadataRequest) Key() APIKey { return KeyMetadata }

func metadataRequestTopicMinSize(version int16, flexible bool) int {
	switch {
	case version >= 10:
		return 16 + 1 + 1 // id, null name, tags
	case flexible:
		return 1 + 1
	default:
		return 2
	}
}

// AppendTo appends the request encoded at version.
func (m *MetadataRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyMetadata.Flexible(version)}
	if m.Topics == nil && version >= 1 {
		w.arrayLen(-1)
	} else {
		w.arrayLen(len(m.Topics))
	}
	for i := range m.Topics {
		t := &m.Topics[i]
		if version >= 10 {
			w.uuid(t.TopicID)
			w.nstr(t.Name)
		} else {
			w.str(metadataDeref(t.Name))
		}
		w.tags(t.Tags)
	}
	if version >= 4 {
		w.bool(m.AllowAutoTopicCreation)
	}
	if version >= 8 && version <= 10 {
		w.bool(m.IncludeClusterAuthorizedOperations)
	}
	if version >= 8 {
		w.bool(m.IncludeTopicAuthorizedOperations)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the request encoded at version from src.
func (m *MetadataRequest) Decode(src []byte, version int16) error {
	r := newReader(src, KeyMetadata.Flexible(version))
	checkVersion(&r.Reader, KeyMetadata, version, MetadataVersions)
	*m = MetadataRequest{}
	r.SetField("topics")
	var n int
	if version >= 1 {
		n = r.arrayLen(metadataRequestTopicMinSize(version, r.flexible))
	} else {
		n = nonNullArrayLen(r, metadataRequestTopicMinSize(version, r.flexible))
	}
	if n > 0 || (n == 0 && version >= 1) {
		m.Topics = make([]MetadataRequestTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			if version >= 10 {
				r.SetField("topics.topicId")
				t.TopicID = r.uuid()
				r.SetField("topics.name")
				t.Name = r.nstr()
			} else {
				r.SetField("topics.name")
				name := r.str()
				t.Name = &name
			}
			t.Tags = readTagSection(r, "topics.tags", nil)
		}
	}
	if version >= 4 {
		r.SetField("allowAutoTopicCreation")
		m.AllowAutoTopicCreation = r.Bool()
	}
	if version >= 8 && version <= 10 {
		r.SetField("includeClusterAuthorizedOperations")
		m.IncludeClusterAuthorizedOperations = r.Bool()
	}
	if version >= 8 {
		r.SetField("includeTopicAuthorizedOperations")
		m.IncludeTopicAuthorizedOperations = r.Bool()
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

// MetadataResponse describes the cluster's brokers and the requested topics
// (MetadataResponse.json).
type MetadataResponse struct {
	ThrottleTimeMs              int32 // v3+
	Brokers                     []MetadataBroker
	ClusterID                   *string // v2+
	ControllerID                int32   // v1+; -1 if unknown
	Topics                      []MetadataTopic
	ClusterAuthorizedOperations int32              // v8–10; math.MinInt32 if not requested
	ErrorCode                   int16              // v13+, for the whole request (KIP-1102)
	Tags                        []wire.TaggedField // v9+
}

// MetadataBroker is one broker of the cluster.
type MetadataBroker struct {
	NodeID int32
	Host   string
	Port   int32
	Rack   *string            // v1+; nil when the broker has no rack
	Tags   []wire.TaggedField // v9+
}

// MetadataTopic describes one topic.
type MetadataTopic struct {
	ErrorCode int16
	// Name is the topic name; it may be nil only from v12, for a topic asked for by an id the
	// broker does not know. At lower versions a nil Name is written as the empty string.
	Name                      *string // nullable v12+
	TopicID                   UUID    // v10+
	IsInternal                bool    // v1+
	Partitions                []MetadataPartition
	TopicAuthorizedOperations int32              // v8+; math.MinInt32 if not requested
	Tags                      []wire.TaggedField // v9+
}

// MetadataPartition describes one partition of a topic.
type MetadataPartition struct {
	ErrorCode       int16
	PartitionIndex  int32
	LeaderID        int32
	LeaderEpoch     int32 // v7+; -1 if unknown
	ReplicaNodes    []int32
	IsrNodes        []int32
	OfflineReplicas []int32            // v5+
	Tags            []wire.TaggedField // v9+
}

// Key is KeyMetadata.
func (*MetadataResponse) Key() APIKey { return KeyMetadata }

// metadataLenSizes are the fewest bytes a string and an array take at a version: their length
// prefixes.
func metadataLenSizes(flexible bool) (str, arr int) {
	if flexible {
		return 1, 1
	}
	return 2, 4
}

func metadataBrokerMinSize(version int16, flexible bool) int {
	str, _ := metadataLenSizes(flexible)
	n := 4 + str + 4
	if version >= 1 {
		n += str // rack
	}
	if flexible {
		n++
	}
	return n
}

func metadataTopicMinSize(version int16, flexible bool) int {
	str, arr := metadataLenSizes(flexible)
	n := 2 + str + arr
	if version >= 10 {
		n += 16
	}
	if version >= 1 {
		n++
	}
	if version >= 8 {
		n += 4
	}
	if flexible {
		n++
	}
	return n
}

func metadataPartitionMinSize(version int16, flexible bool) int {
	_, arr := metadataLenSizes(flexible)
	n := 2 + 4 + 4 + 2*arr
	if version >= 7 {
		n += 4
	}
	if version >= 5 {
		n += arr
	}
	if flexible {
		n++
	}
	return n
}

// AppendTo appends the response encoded at version.
func (m *MetadataResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyMetadata.Flexible(version)}
	if version >= 3 {
		w.int32(m.ThrottleTimeMs)
	}
	w.arrayLen(len(m.Brokers))
	for i := range m.Brokers {
		b := &m.Brokers[i]
		w.int32(b.NodeID)
		w.str(b.Host)
		w.int32(b.Port)
		if version >= 1 {
			w.nstr(b.Rack)
		}
		w.tags(b.Tags)
	}
	if version >= 2 {
		w.nstr(m.ClusterID)
	}
	if version >= 1 {
		w.int32(m.ControllerID)
	}
	w.arrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.int16(t.ErrorCode)
		if version >= 12 {
			w.nstr(t.Name)
		} else {
			w.str(metadataDeref(t.Name))
		}
		if version >= 10 {
			w.uuid(t.TopicID)
		}
		if version >= 1 {
			w.bool(t.IsInternal)
		}
		w.arrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.int16(p.ErrorCode)
			w.int32(p.PartitionIndex)
			w.int32(p.LeaderID)
			if version >= 7 {
				w.int32(p.LeaderEpoch)
			}
			putBrokerIDs(&w, p.ReplicaNodes)
			putBrokerIDs(&w, p.IsrNodes)
			if version >= 5 {
				putBrokerIDs(&w, p.OfflineReplicas)
			}
			w.tags(p.Tags)
		}
		if version >= 8 {
			w.int32(t.TopicAuthorizedOperations)
		}
		w.tags(t.Tags)
	}
	if version >= 8 && version <= 10 {
		w.int32(m.ClusterAuthorizedOperations)
	}
	if version >= 13 {
		w.int16(m.ErrorCode)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the response encoded at version from src.
func (m *MetadataResponse) Decode(src []byte, version int16) error {
	r := newReader(src, KeyMetadata.Flexible(version))
	checkVersion(&r.Reader, KeyMetadata, version, MetadataVersions)
	*m = MetadataResponse{}
	if version >= 3 {
		r.SetField("throttleTimeMs")
		m.ThrottleTimeMs = r.Int32()
	}
	r.SetField("brokers")
	if n := nonNullArrayLen(r, metadataBrokerMinSize(version, r.flexible)); n > 0 {
		m.Brokers = make([]MetadataBroker, n)
		for i := range m.Brokers {
			b := &m.Brokers[i]
			r.SetField("brokers.nodeId")
			b.NodeID = r.Int32()
			r.SetField("brokers.host")
			b.Host = r.str()
			r.SetField("brokers.port")
			b.Port = r.Int32()
			if version >= 1 {
				r.SetField("brokers.rack")
				b.Rack = r.nstr()
			}
			b.Tags = readTagSection(r, "brokers.tags", nil)
		}
	}
	if version >= 2 {
		r.SetField("clusterId")
		m.ClusterID = r.nstr()
	}
	if version >= 1 {
		r.SetField("controllerId")
		m.ControllerID = r.Int32()
	}
	r.SetField("topics")
	if n := nonNullArrayLen(r, metadataTopicMinSize(version, r.flexible)); n > 0 {
		m.Topics = make([]MetadataTopic, n)
		for i := range m.Topics {
			decodeMetadataTopic(r, &m.Topics[i], version)
		}
	}
	if version >= 8 && version <= 10 {
		r.SetField("clusterAuthorizedOperations")
		m.ClusterAuthorizedOperations = r.Int32()
	}
	if version >= 13 {
		r.SetField("errorCode")
		m.ErrorCode = r.Int16()
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

func decodeMetadataTopic(r *reader, t *MetadataTopic, version int16) {
	r.SetField("topics.errorCode")
	t.ErrorCode = r.Int16()
	r.SetField("topics.name")
	if version >= 12 {
		t.Name = r.nstr()
	} else {
		name := r.str()
		t.Name = &name
	}
	if version >= 10 {
		r.SetField("topics.topicId")
		t.TopicID = r.uuid()
	}
	if version >= 1 {
		r.SetField("topics.isInternal")
		t.IsInternal = r.Bool()
	}
	r.SetField("topics.partitions")
	if n := nonNullArrayLen(r, metadataPartitionMinSize(version, r.flexible)); n > 0 {
		t.Partitions = make([]MetadataPartition, n)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			r.SetField("topics.partitions.errorCode")
			p.ErrorCode = r.Int16()
			r.SetField("topics.partitions.partitionIndex")
			p.PartitionIndex = r.Int32()
			r.SetField("topics.partitions.leaderId")
			p.LeaderID = r.Int32()
			if version >= 7 {
				r.SetField("topics.partitions.leaderEpoch")
				p.LeaderEpoch = r.Int32()
			}
			p.ReplicaNodes = readBrokerIDs(r, "topics.partitions.replicaNodes")
			p.IsrNodes = readBrokerIDs(r, "topics.partitions.isrNodes")
			if version >= 5 {
				p.OfflineReplicas = readBrokerIDs(r, "topics.partitions.offlineReplicas")
			}
			p.Tags = readTagSection(r, "topics.partitions.tags", nil)
		}
	}
	if version >= 8 {
		r.SetField("topics.topicAuthorizedOperations")
		t.TopicAuthorizedOperations = r.Int32()
	}
	t.Tags = readTagSection(r, "topics.tags", nil)
}

// putBrokerIDs writes a non-nullable array of int32 broker ids (or partition indexes); nil is
// written as empty.
func putBrokerIDs(w *writer, ids []int32) {
	w.arrayLen(len(ids))
	for _, id := range ids {
		w.int32(id)
	}
}

// readBrokerIDs reads a non-nullable array of int32s, naming field in errors; empty gives nil.
func readBrokerIDs(r *reader, field string) []int32 {
	r.SetField(field)
	n := nonNullArrayLen(r, 4)
	if n <= 0 {
		return nil
	}
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = r.Int32()
	}
	return ids
}

// metadataDeref is *s, or "" for nil: how a nil name is written at versions where it cannot be
// null.
func metadataDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
