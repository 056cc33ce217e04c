package producer

import (
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// Record is what a producer sends: the Java client's ProducerRecord. Value nil is a null value
// (a tombstone on compacted topics); Key nil is a null key, which the default partitioner spreads
// with the sticky partitioner.
type Record struct {
	Topic     string
	Key       []byte
	Value     []byte
	Headers   []wire.Header
	Timestamp time.Time // zero: the time of Send
	Partition Partition // zero: the partitioner chooses
}

// Partition is a record's partition: chosen by the partitioner (the zero value), or explicit.
type Partition struct {
	index    int32
	explicit bool
}

// ToPartition sends a record to partition p rather than where the partitioner would.
func ToPartition(p int32) Partition { return Partition{index: p, explicit: true} }

// Index is the explicit partition, and whether there is one.
func (p Partition) Index() (int32, bool) { return p.index, p.explicit }

// Metadata is where a record landed: the Java client's RecordMetadata.
type Metadata struct {
	Topic     string
	Partition int32
	// Offset is -1 where the broker does not say: with acks=0, and for an idempotent batch
	// whose acknowledgement was lost and that the broker then knew only as written
	// (DUPLICATE_SEQUENCE_NUMBER, or a later batch acknowledged before its retry).
	Offset    int64
	Timestamp time.Time // the record's, or the broker's on log-append-time topics
}
