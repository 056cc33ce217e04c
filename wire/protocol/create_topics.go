package protocol

import (
	"github.com/kwire-dev/kwire/wire"
)

// CreateTopicsRequest asks the controller to create topics (CreateTopicsRequest.json). Version 4
// lets NumPartitions and ReplicationFactor be -1 (the broker defaults) without assignments;
// versions 6 and 7 are version 5 with THROTTLING_QUOTA_EXCEEDED and topic ids in the response.
type CreateTopicsRequest struct {
	Topics       []CreateTopicsTopic
	TimeoutMs    int32
	ValidateOnly bool               // v1+; check the request, create nothing
	Tags         []wire.TaggedField // v5+
}

// CreateTopicsTopic is one topic to create.
type CreateTopicsTopic struct {
	Name              string
	NumPartitions     int32 // -1 with Assignments or for the broker's default
	ReplicationFactor int16 // -1 with Assignments or for the broker's default
	Assignments       []CreateTopicsAssignment
	Configs           []CreateTopicsConfig
	Tags              []wire.TaggedField // v5+
}

// CreateTopicsAssignment places one partition of a new topic on brokers by hand.
type CreateTopicsAssignment struct {
	PartitionIndex int32
	BrokerIDs      []int32
	Tags           []wire.TaggedField // v5+
}

// CreateTopicsConfig is one topic configuration to set.
type CreateTopicsConfig struct {
	Name  string
	Value *string
	Tags  []wire.TaggedField // v5+
}

// CreateTopicsVersions are the versions of CreateTopics kwire implements.
var CreateTopicsVersions = VersionRange{0, 7}

// Key is KeyCreateTopics.
func (*CreateTopicsRequest) Key() APIKey { return KeyCreateTopics }

// createTopicsLenSizes are the fewest bytes a string and an array take: their length prefixes.
func createTopicsLenSizes(flexible bool) (str, arr int) {
	if flexible {
		return 1, 1
	}
	return 2, 4
}

func createTopicsTopicMinSize(flexible bool) int {
	str, arr := createTopicsLenSizes(flexible)
	n := str + 4 + 2 + 2*arr
	if flexible {
		n++
	}
	return n
}

func createTopicsAssignmentMinSize(flexible bool) int {
	_, arr := createTopicsLenSizes(flexible)
	n := 4 + arr
	if flexible {
		n++
	}
	return n
}

func createTopicsConfigMinSize(flexible bool) int {
	str, _ := createTopicsLenSizes(flexible)
	n := 2 * str
	if flexible {
		n++
	}
	return n
}

// AppendTo appends the request encoded at version.
func (m *CreateTopicsRequest) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyCreateTopics.Flexible(version)}
	w.arrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.str(t.Name)
		w.int32(t.NumPartitions)
		w.int16(t.ReplicationFactor)
		w.arrayLen(len(t.Assignments))
		for j := range t.Assignments {
			a := &t.Assignments[j]
			w.int32(a.PartitionIndex)
			putBrokerIDs(&w, a.BrokerIDs)
			w.tags(a.Tags)
		}
		w.arrayLen(len(t.Configs))
		for j := range t.Configs {
			c := &t.Configs[j]
			w.str(c.Name)
			w.nstr(c.Value)
			w.tags(c.Tags)
		}
		w.tags(t.Tags)
	}
	w.int32(m.TimeoutMs)
	if version >= 1 {
		w.bool(m.ValidateOnly)
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the request encoded at version from src.
func (m *CreateTopicsRequest) Decode(src []byte, version int16) error {
	r := newReader(src, KeyCreateTopics.Flexible(version))
	checkVersion(&r.Reader, KeyCreateTopics, version, CreateTopicsVersions)
	*m = CreateTopicsRequest{}
	r.SetField("topics")
	if n := nonNullArrayLen(r, createTopicsTopicMinSize(r.flexible)); n > 0 {
		m.Topics = make([]CreateTopicsTopic, n)
		for i := range m.Topics {
			decodeCreateTopicsTopic(r, &m.Topics[i])
		}
	}
	r.SetField("timeoutMs")
	m.TimeoutMs = r.Int32()
	if version >= 1 {
		r.SetField("validateOnly")
		m.ValidateOnly = r.Bool()
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

func decodeCreateTopicsTopic(r *reader, t *CreateTopicsTopic) {
	r.SetField("topics.name")
	t.Name = r.str()
	r.SetField("topics.numPartitions")
	t.NumPartitions = r.Int32()
	r.SetField("topics.replicationFactor")
	t.ReplicationFactor = r.Int16()
	r.SetField("topics.assignments")
	if n := nonNullArrayLen(r, createTopicsAssignmentMinSize(r.flexible)); n > 0 {
		t.Assignments = make([]CreateTopicsAssignment, n)
		for j := range t.Assignments {
			a := &t.Assignments[j]
			r.SetField("topics.assignments.partitionIndex")
			a.PartitionIndex = r.Int32()
			a.BrokerIDs = readBrokerIDs(r, "topics.assignments.brokerIds")
			a.Tags = readTagSection(r, "topics.assignments.tags", nil)
		}
	}
	r.SetField("topics.configs")
	if n := nonNullArrayLen(r, createTopicsConfigMinSize(r.flexible)); n > 0 {
		t.Configs = make([]CreateTopicsConfig, n)
		for j := range t.Configs {
			c := &t.Configs[j]
			r.SetField("topics.configs.name")
			c.Name = r.str()
			r.SetField("topics.configs.value")
			c.Value = r.nstr()
			c.Tags = readTagSection(r, "topics.configs.tags", nil)
		}
	}
	t.Tags = readTagSection(r, "topics.tags", nil)
}

// CreateTopicsResponse answers a CreateTopicsRequest (CreateTopicsResponse.json).
type CreateTopicsResponse struct {
	ThrottleTimeMs int32 // v2+
	Topics         []CreateTopicsTopicResult
	Tags           []wire.TaggedField // v5+
}

// CreateTopicsTopicResult is the outcome for one topic.
type CreateTopicsTopicResult struct {
	Name         string
	TopicID      UUID // v7+
	ErrorCode    int16
	ErrorMessage *string // v1+
	// TopicConfigErrorCode is the error that kept the broker from returning the topic's configs;
	// 0 is absent.
	TopicConfigErrorCode int16 // v5+, tagged (tag 0)
	NumPartitions        int32 // v5+; -1 if unknown
	ReplicationFactor    int16 // v5+; -1 if unknown
	// Configs are the new topic's configurations; nil is null (as on an error), distinct from
	// empty.
	Configs []CreateTopicsConfigResult // v5+, nullable
	Tags    []wire.TaggedField         // v5+, the unknown tagged fields
}

// CreateTopicsConfigResult is one configuration of a created topic.
type CreateTopicsConfigResult struct {
	Name         string
	Value        *string
	ReadOnly     bool
	ConfigSource int8 // -1 if unknown
	IsSensitive  bool
	Tags         []wire.TaggedField
}

// Key is KeyCreateTopics.
func (*CreateTopicsResponse) Key() APIKey { return KeyCreateTopics }

func createTopicsTopicResultMinSize(version int16, flexible bool) int {
	str, _ := createTopicsLenSizes(flexible)
	n := str + 2 // name, errorCode
	if version >= 7 {
		n += 16
	}
	if version >= 1 {
		n += str // errorMessage
	}
	if version >= 5 {
		n += 4 + 2 + 1 // numPartitions, replicationFactor, null configs (v5+ is flexible)
	}
	if flexible {
		n++
	}
	return n
}

const createTopicsConfigResultMinSize = 1 + 1 + 1 + 1 + 1 + 1 // always flexible: name, value, three flags, tags

// AppendTo appends the response encoded at version.
func (m *CreateTopicsResponse) AppendTo(dst []byte, version int16) []byte {
	w := writer{buf: dst, flexible: KeyCreateTopics.Flexible(version)}
	if version >= 2 {
		w.int32(m.ThrottleTimeMs)
	}
	w.arrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.str(t.Name)
		if version >= 7 {
			w.uuid(t.TopicID)
		}
		w.int16(t.ErrorCode)
		if version >= 1 {
			w.nstr(t.ErrorMessage)
		}
		if version >= 5 {
			w.int32(t.NumPartitions)
			w.int16(t.ReplicationFactor)
			if t.Configs == nil {
				w.arrayLen(-1)
			} else {
				w.arrayLen(len(t.Configs))
			}
			for j := range t.Configs {
				c := &t.Configs[j]
				w.str(c.Name)
				w.nstr(c.Value)
				w.bool(c.ReadOnly)
				w.int8(c.ConfigSource)
				w.bool(c.IsSensitive)
				w.tags(c.Tags)
			}
		}
		if w.flexible {
			var known []wire.TaggedField
			if t.TopicConfigErrorCode != 0 {
				known = append(known, wire.TaggedField{Tag: 0, Data: wire.AppendInt16(nil, t.TopicConfigErrorCode)})
			}
			writeTagsMerged(&w, known, t.Tags)
		}
	}
	w.tags(m.Tags)
	return w.buf
}

// Decode decodes the response encoded at version from src.
func (m *CreateTopicsResponse) Decode(src []byte, version int16) error {
	r := newReader(src, KeyCreateTopics.Flexible(version))
	checkVersion(&r.Reader, KeyCreateTopics, version, CreateTopicsVersions)
	*m = CreateTopicsResponse{}
	if version >= 2 {
		r.SetField("throttleTimeMs")
		m.ThrottleTimeMs = r.Int32()
	}
	r.SetField("topics")
	if n := nonNullArrayLen(r, createTopicsTopicResultMinSize(version, r.flexible)); n > 0 {
		m.Topics = make([]CreateTopicsTopicResult, n)
		for i := range m.Topics {
			decodeCreateTopicsTopicResult(r, &m.Topics[i], version)
		}
	}
	m.Tags = readTagSection(r, "tags", nil)
	return r.done()
}

func decodeCreateTopicsTopicResult(r *reader, t *CreateTopicsTopicResult, version int16) {
	r.SetField("topics.name")
	t.Name = r.str()
	if version >= 7 {
		r.SetField("topics.topicId")
		t.TopicID = r.uuid()
	}
	r.SetField("topics.errorCode")
	t.ErrorCode = r.Int16()
	if version >= 1 {
		r.SetField("topics.errorMessage")
		t.ErrorMessage = r.nstr()
	}
	if version >= 5 {
		r.SetField("topics.numPartitions")
		t.NumPartitions = r.Int32()
		r.SetField("topics.replicationFactor")
		t.ReplicationFactor = r.Int16()
		r.SetField("topics.configs")
		if n := r.arrayLen(createTopicsConfigResultMinSize); n >= 0 {
			t.Configs = make([]CreateTopicsConfigResult, n)
			for j := range t.Configs {
				c := &t.Configs[j]
				r.SetField("topics.configs.name")
				c.Name = r.str()
				r.SetField("topics.configs.value")
				c.Value = r.nstr()
				r.SetField("topics.configs.readOnly")
				c.ReadOnly = r.Bool()
				r.SetField("topics.configs.configSource")
				c.ConfigSource = r.Int8()
				r.SetField("topics.configs.isSensitive")
				c.IsSensitive = r.Bool()
				c.Tags = readTagSection(r, "topics.configs.tags", nil)
			}
		}
	}
	t.Tags = readTagSection(r, "topics.tags", func(tag uint32) bool {
		if tag != 0 {
			return false
		}
		r.SetField("topics.topicConfigErrorCode")
		t.TopicConfigErrorCode = r.Int16()
		return true
	})
}
