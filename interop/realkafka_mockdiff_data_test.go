package interop

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// The cases of the APIs that write and read records.

// diffCodecs are the codecs every produce case writes with.
var diffCodecs = []wire.Codec{wire.CodecNone, wire.CodecGzip, wire.CodecSnappy, wire.CodecLZ4, wire.CodecZstd}

// batchSpec describes a record batch: its codec, records and producer fields. The records'
// timestamps are fixed by the test's start, so both brokers get the same bytes, but for the
// producer id and epoch each gave an idempotent batch.
type batchSpec struct {
	codec      wire.Codec
	records    int
	valueSize  int   // bytes of each value beyond its short prefix
	firstTS    int64 // the first record's timestamp; the next ones are a second apart
	idempotent bool
	epochDelta int16 // added to the producer's epoch
	producerID int64 // with idempotent, in place of the side's producer id when not 0
	sequence   int32
}

// batch encodes spec for side s (an idempotent batch carries the producer id s holds).
func (d *differ) batch(s *diffSide, spec batchSpec) []byte {
	b := wire.RecordBatch{BatchHeader: wire.BatchHeader{PartitionLeaderEpoch: -1, Attributes: wire.Attributes(0).WithCodec(spec.codec),
		ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}}
	if spec.idempotent {
		b.ProducerID, b.ProducerEpoch, b.BaseSequence = s.producerID, s.producerEpoch+spec.epochDelta, spec.sequence
		if spec.producerID != 0 {
			b.ProducerID = spec.producerID
		}
	}
	ts := spec.firstTS
	if ts == 0 {
		ts = d.recordTime(0)
	}
	for i := range spec.records {
		value := make([]byte, 0, 16+spec.valueSize)
		value = fmt.Appendf(value, "value-%d-", i)
		for j := range spec.valueSize {
			value = append(value, byte(j*7919>>3))
		}
		rec := wire.Record{Timestamp: ts + int64(i)*1000, Key: fmt.Appendf(nil, "key-%d", i%3), Value: value,
			Headers: []wire.Header{{Key: "h", Value: []byte{byte(i)}}, {Key: "null"}}}
		if i%4 == 3 {
			rec.Key = nil
		}
		b.Records = append(b.Records, rec)
	}
	out, err := wire.AppendRecordBatch(nil, &b, 0)
	if err != nil {
		d.t.Fatal(err)
	}
	return out
}

// recordTime is the timestamp of the i-th record of the batches of diffFetch: a minute before the
// test started, a second apart, so that a broker's own timestamps (log-append time), which are
// later, never equal one.
func (d *differ) recordTime(i int) int64 { return d.since - 60_000 + int64(i)*1000 }

// produceTo is the request writing records (one batch for each side) to topic/partition.
func produceTo(topic string, partition int32, acks int16, records func(s *diffSide) []byte) func(s *diffSide) protocol.Message {
	return func(s *diffSide) protocol.Message {
		return &protocol.ProduceRequest{Acks: acks, TimeoutMs: 30000, TopicData: []protocol.ProduceTopic{{Name: topic, TopicID: s.topicIDs[topic],
			PartitionData: []protocol.ProducePartition{{Index: partition, Records: records(s)}}}}}
	}
}

// spec is records for produceTo: the batch spec describes.
func (d *differ) spec(spec batchSpec) func(s *diffSide) []byte {
	return func(s *diffSide) []byte { return d.batch(s, spec) }
}

// The offsets of record batch fields that cases edit.
const (
	batchAttributesAt  = 21
	batchProducerIDAt  = 43
	batchRecordCountAt = 57
)

// diffProduce produces at each version: every codec with acks 1, acks -1 and 0 (and acks=0
// requests that fail), invalid acks, a batch too large, a corrupt CRC, two batches in one
// partition, a batch whose record count lies, empty records, a base offset other than 0, a control
// batch, a producer id without a sequence, an unknown partition and topic (alone and beside a
// known one), and a topic with log-append time.
func diffProduce(d *differ) {
	d.eachVersion(protocol.KeyProduce, func(v int16) {
		topic := d.topic("produce-v%d", v)
		if v <= 2 {
			// Kafka 4 advertises v0–v2 but closes the connection on them (KAFKA-18659).
			d.exchange("refused", v, produceTo(topic, 0, 1, d.spec(batchSpec{records: 1})))
			return
		}
		d.createTopic(topic, 1)
		for _, codec := range diffCodecs {
			d.exchange(codec.String(), v, produceTo(topic, 0, 1, d.spec(batchSpec{codec: codec, records: 3})))
		}
		d.exchange("acks=-1", v, produceTo(topic, 0, -1, d.spec(batchSpec{codec: wire.CodecLZ4, records: 2})))
		d.exchange("acks=0", v, produceTo(topic, 0, 0, d.spec(batchSpec{records: 2})))
		d.exchange("after acks=0", v, produceTo(topic, 0, 1, d.spec(batchSpec{records: 1})))
		d.exchange("acks=0, unknown partition", v, produceTo(topic, 3, 0, d.spec(batchSpec{records: 1})))
		d.exchange("acks=0, corrupt CRC", v, produceTo(topic, 0, 0, func(s *diffSide) []byte {
			b := d.batch(s, batchSpec{records: 2})
			b[len(b)-3] ^= 0xff
			return b
		}))
		d.exchange("acks=2", v, produceTo(topic, 0, 2, d.spec(batchSpec{records: 1})))
		d.exchange("too large", v, produceTo(topic, 0, 1, d.spec(batchSpec{records: 2, valueSize: 600 << 10})))
		d.exchange("corrupt CRC", v, produceTo(topic, 0, 1, func(s *diffSide) []byte {
			b := d.batch(s, batchSpec{records: 2})
			b[len(b)-3] ^= 0xff
			return b
		}))
		d.exchange("two batches", v, produceTo(topic, 0, 1, func(s *diffSide) []byte {
			return append(d.batch(s, batchSpec{records: 1}), d.batch(s, batchSpec{records: 1})...)
		}))
		d.exchange("record count lies", v, produceTo(topic, 0, 1, func(s *diffSide) []byte {
			b := d.batch(s, batchSpec{records: 2})
			binary.BigEndian.PutUint32(b[batchRecordCountAt:], 3) // three records said, two written
			recrc(b)
			return b
		}))
		d.exchange("empty records", v, produceTo(topic, 0, 1, func(*diffSide) []byte { return []byte{} }))
		d.exchange("base offset not 0", v, produceTo(topic, 0, 1, func(s *diffSide) []byte {
			b := d.batch(s, batchSpec{records: 1})
			wire.SetBaseOffset(b, 5)
			return b
		}))
		d.exchange("control batch", v, produceTo(topic, 0, 1, func(s *diffSide) []byte {
			b := d.batch(s, batchSpec{records: 1})
			binary.BigEndian.PutUint16(b[batchAttributesAt:], uint16(wire.AttrControl))
			recrc(b)
			return b
		}))
		d.exchange("producer id without a sequence", v, produceTo(topic, 0, 1, func(s *diffSide) []byte {
			b := d.batch(s, batchSpec{records: 1})
			binary.BigEndian.PutUint64(b[batchProducerIDAt:], 5) // base sequence still -1
			recrc(b)
			return b
		}))
		d.exchange("two topics, one unknown", v, func(s *diffSide) protocol.Message {
			req := produceTo(topic, 0, 1, d.spec(batchSpec{records: 1}))(s).(*protocol.ProduceRequest)
			missing := produceTo(topic+"-none", 0, 1, d.spec(batchSpec{records: 1}))(s).(*protocol.ProduceRequest)
			missing.TopicData[0].TopicID = protocol.UUID{8}
			req.TopicData = append(req.TopicData, missing.TopicData...)
			return req
		})
		d.exchange("unknown partition", v, produceTo(topic, 7, 1, d.spec(batchSpec{records: 1})))
		d.exchange("unknown topic", v, func(s *diffSide) protocol.Message {
			return &protocol.ProduceRequest{Acks: 1, TimeoutMs: 30000, TopicData: []protocol.ProduceTopic{{Name: topic + "-missing", TopicID: protocol.UUID{9, 9, 9},
				PartitionData: []protocol.ProducePartition{{Index: 0, Records: d.batch(s, batchSpec{records: 1})}}}}}
		})
		lat := topic + "-lat"
		d.createTopic(lat, 1, "message.timestamp.type", "LogAppendTime")
		d.exchange("log-append time", v, produceTo(lat, 0, 1, d.spec(batchSpec{codec: wire.CodecGzip, records: 2})))
	})
}

// recrc recomputes the CRC of the batch b holds.
func recrc(b []byte) { binary.BigEndian.PutUint32(b[wire.BatchCRCStart-4:], wire.BatchCRC(b)) }

// initProducer gets a producer id and epoch from each broker with InitProducerId at version,
// waiting out the answers Kafka gives while it gets a block of producer ids from its controller.
func (d *differ) initProducer(label string, version int16, req *protocol.InitProducerIDRequest) {
	k, m := d.exchangeSettled(label, version, same(req), func(r protocol.Message) bool {
		return r.(*protocol.InitProducerIDResponse).ErrorCode == kerr.CoordinatorLoadInProgress.Code
	})
	for s, r := range map[*diffSide]protocol.Message{d.kafka: k, d.mock: m} {
		if resp := r.(*protocol.InitProducerIDResponse); resp.ErrorCode == 0 {
			s.producerID, s.producerEpoch = resp.ProducerID, resp.ProducerEpoch
		}
	}
}

// diffIdempotence produces idempotent batches at each version: in sequence, a retry of the
// last batch and of an earlier one, a gap in the sequence, a new epoch, a stale epoch and a
// producer id the broker never gave.
func diffIdempotence(d *differ) {
	d.eachVersion(protocol.KeyProduce, func(v int16) {
		if v <= 2 {
			return
		}
		topic := d.topic("idempotent-v%d", v)
		d.createTopic(topic, 1)
		d.initProducer("for "+topic, d.served(protocol.KeyInitProducerID).Max, &protocol.InitProducerIDRequest{ProducerID: -1, ProducerEpoch: -1})
		send := func(label string, spec batchSpec) {
			spec.idempotent = true
			d.exchange(label, v, produceTo(topic, 0, -1, d.spec(spec)))
		}
		send("sequence 0", batchSpec{codec: wire.CodecLZ4, records: 3})
		send("retry of the last batch", batchSpec{codec: wire.CodecLZ4, records: 3})
		send("sequence 3", batchSpec{records: 2, sequence: 3})
		send("sequence 5", batchSpec{records: 1, sequence: 5})
		send("retry of an earlier batch", batchSpec{records: 2, sequence: 3})
		send("a gap", batchSpec{records: 1, sequence: 10})
		send("a retry that overlaps", batchSpec{records: 3, sequence: 4})
		send("a new epoch, sequence 0", batchSpec{records: 1, epochDelta: 1})
		send("a new epoch, sequence 1", batchSpec{records: 1, epochDelta: 2, sequence: 1})
		send("the stale epoch", batchSpec{records: 1, sequence: 6})
		send("an unknown producer, sequence 0", batchSpec{records: 1, producerID: 77_777})
		send("an unknown producer, sequence 5", batchSpec{records: 1, producerID: 88_888, sequence: 5})
	})
}

// fetchEnd is the high watermark of partition 0 of the topic diffFetch and diffListOffsets read.
const fetchEnd = 11

// fetchTopic is the topic diffFetch and diffListOffsets read: partition 0 holds one batch of each
// codec and an idempotent one (offsets 0 to fetchEnd-1), partition 1 is empty.
func (d *differ) fetchTopic() string { return d.topic("fetch") }

// fetchLATTopic is the topic of one batch stamped with log-append time that they read too.
func (d *differ) fetchLATTopic() string { return d.topic("fetch-lat") }

// fillFetchTopics creates and fills the topics the fetch and list offsets cases read.
func (d *differ) fillFetchTopics() {
	if _, ok := d.kafka.topicIDs[d.fetchTopic()]; ok {
		return
	}
	v := d.served(protocol.KeyProduce).Max
	d.createTopic(d.fetchTopic(), 2)
	first := 0
	for i, codec := range diffCodecs {
		d.exchange(fmt.Sprintf("fill %s", codec), v, produceTo(d.fetchTopic(), 0, -1, d.spec(batchSpec{codec: codec, records: i%2 + 1, firstTS: d.recordTime(first)})))
		first += i%2 + 1
	}
	d.initProducer("for "+d.fetchTopic(), d.served(protocol.KeyInitProducerID).Max, &protocol.InitProducerIDRequest{ProducerID: -1, ProducerEpoch: -1})
	d.exchange("fill idempotent", v, produceTo(d.fetchTopic(), 0, -1, d.spec(batchSpec{codec: wire.CodecLZ4, records: fetchEnd - first, firstTS: d.recordTime(first), idempotent: true})))
	d.createTopic(d.fetchLATTopic(), 1, "message.timestamp.type", "LogAppendTime")
	d.exchange("fill log-append time", v, produceTo(d.fetchLATTopic(), 0, -1, d.spec(batchSpec{codec: wire.CodecSnappy, records: 3})))
}

// fetchPart is one partition of a fetch request.
type fetchPart struct {
	topic       string
	partition   int32
	offset      int64
	maxBytes    int32 // 0 for 1 MiB
	leaderEpoch int32 // CurrentLeaderEpoch; 0 for -1 (unknown)
}

// fetchOf is a sessionless fetch of parts at the isolation level, waiting up to 100 ms for 1 byte.
// Consecutive parts of one topic go in one topic entry, as clients send them.
func fetchOf(isolation int8, parts ...fetchPart) func(s *diffSide) protocol.Message {
	return func(s *diffSide) protocol.Message {
		req := &protocol.FetchRequest{ReplicaID: -1, MaxWaitMs: 100, MinBytes: 1, MaxBytes: 50 << 20, IsolationLevel: isolation, SessionEpoch: -1}
		for _, p := range parts {
			maxBytes, epoch := p.maxBytes, p.leaderEpoch
			if maxBytes == 0 {
				maxBytes = 1 << 20
			}
			if epoch == 0 {
				epoch = -1
			}
			id, ok := s.topicIDs[p.topic]
			if !ok {
				id = protocol.UUID{7, 7, 7}
			}
			if n := len(req.Topics); n == 0 || req.Topics[n-1].Topic != p.topic {
				req.Topics = append(req.Topics, protocol.FetchTopic{Topic: p.topic, TopicID: id})
			}
			t := &req.Topics[len(req.Topics)-1]
			t.Partitions = append(t.Partitions, protocol.FetchPartition{Partition: p.partition, CurrentLeaderEpoch: epoch,
				FetchOffset: p.offset, LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: maxBytes})
		}
		return req
	}
}

// diffFetch fetches at each version: everything, read committed, from the middle of a batch, at
// the end, out of range, within a partition's and the request's byte limits, an unknown partition
// and topic, a leader epoch from the future, a new fetch session and log-append time.
func diffFetch(d *differ) {
	d.fillFetchTopics()
	d.eachVersion(protocol.KeyFetch, func(v int16) {
		p0 := fetchPart{topic: d.fetchTopic()}
		p1 := fetchPart{topic: d.fetchTopic(), partition: 1}
		d.exchange("everything", v, fetchOf(0, p0, p1))
		d.exchange("read committed", v, fetchOf(1, p0, p1))
		d.exchange("from the middle of a batch", v, fetchOf(0, fetchPart{topic: d.fetchTopic(), offset: 4}))
		d.exchange("at the end", v, func(s *diffSide) protocol.Message {
			req := fetchOf(0, fetchPart{topic: d.fetchTopic(), offset: fetchEnd})(s).(*protocol.FetchRequest)
			req.MinBytes, req.MaxWaitMs = 0, 0
			return req
		})
		d.exchange("out of range", v, fetchOf(0, fetchPart{topic: d.fetchTopic(), offset: 50}))
		d.exchange("partition byte limit", v, fetchOf(0, fetchPart{topic: d.fetchTopic(), maxBytes: 1}))
		d.exchange("request byte limit", v, func(s *diffSide) protocol.Message {
			req := fetchOf(0, p0, p1)(s).(*protocol.FetchRequest)
			req.MaxBytes = 1
			return req
		})
		d.exchange("unknown partition", v, fetchOf(0, fetchPart{topic: d.fetchTopic(), partition: 5}))
		d.exchange("one topic in two entries", v, func(s *diffSide) protocol.Message {
			req := fetchOf(0, p0, p1)(s).(*protocol.FetchRequest)
			t := req.Topics[0]
			req.Topics = []protocol.FetchTopic{{Topic: t.Topic, TopicID: t.TopicID, Partitions: t.Partitions[:1]}, {Topic: t.Topic, TopicID: t.TopicID, Partitions: t.Partitions[1:]}}
			return req
		})
		d.exchange("unknown topic", v, fetchOf(0, fetchPart{topic: d.topic("fetch-missing")}))
		if v >= 9 {
			d.exchange("leader epoch from the future", v, fetchOf(0, fetchPart{topic: d.fetchTopic(), leaderEpoch: 5}))
			d.exchange("current leader epoch", v, fetchOf(0, fetchPart{topic: d.fetchTopic(), leaderEpoch: 0}))
		}
		if v >= 7 {
			d.exchange("new session", v, func(s *diffSide) protocol.Message {
				req := fetchOf(0, p0)(s).(*protocol.FetchRequest)
				req.SessionEpoch = 0
				return req
			})
		}
		d.exchange("log-append time", v, fetchOf(0, fetchPart{topic: d.fetchLATTopic()}))
	})
}

// listOffsetsOf asks for the offset of each partition of topic at its timestamp in parts, at the
// isolation level and with the current leader epoch given.
func listOffsetsOf(isolation int8, topic string, leaderEpoch int32, parts map[int32]int64) func(*diffSide) protocol.Message {
	req := &protocol.ListOffsetsRequest{ReplicaID: -1, IsolationLevel: isolation, TimeoutMs: 30000, Topics: []protocol.ListOffsetsTopic{{Name: topic}}}
	for _, p := range slices.Sorted(maps.Keys(parts)) {
		req.Topics[0].Partitions = append(req.Topics[0].Partitions, protocol.ListOffsetsPartition{PartitionIndex: p, CurrentLeaderEpoch: leaderEpoch, Timestamp: parts[p]})
	}
	return same(req)
}

// diffListOffsets asks at each version for every special offset, offsets by time (before, within,
// between and after the records), both isolation levels, an unknown partition and topic, and a
// leader epoch from the future.
func diffListOffsets(d *differ) {
	d.fillFetchTopics()
	d.eachVersion(protocol.KeyListOffsets, func(v int16) {
		list := func(label string, isolation int8, ts int64) {
			d.exchange(label, v, listOffsetsOf(isolation, d.fetchTopic(), -1, map[int32]int64{0: ts, 1: ts}))
		}
		list("latest", 0, -1)
		list("earliest", 0, -2)
		list("max timestamp", 0, -3)
		list("earliest local", 0, -4)
		list("latest tiered", 0, -5)
		list("earliest pending upload", 0, -6)
		list("an unknown special timestamp", 0, -7)
		if v >= 2 {
			list("latest, read committed", 1, -1)
			list("by time, read committed", 1, d.recordTime(3))
		}
		list("by time, before the first record", 0, d.recordTime(-5))
		list("by time, a record's", 0, d.recordTime(4))
		list("by time, between records", 0, d.recordTime(6)-300)
		list("by time, after the last record", 0, d.recordTime(fetchEnd+5))
		d.exchange("unknown partition", v, listOffsetsOf(0, d.fetchTopic(), -1, map[int32]int64{0: -1, 9: -1}))
		d.exchange("unknown topic", v, listOffsetsOf(0, d.topic("list-missing"), -1, map[int32]int64{0: -1}))
		if v >= 4 {
			d.exchange("leader epoch from the future", v, listOffsetsOf(0, d.fetchTopic(), 5, map[int32]int64{0: -1}))
			d.exchange("current leader epoch", v, listOffsetsOf(0, d.fetchTopic(), 0, map[int32]int64{0: -1}))
		}
		d.exchange("log-append time, max timestamp", v, listOffsetsOf(0, d.fetchLATTopic(), -1, map[int32]int64{0: -3}))
		d.exchange("log-append time, by time", v, listOffsetsOf(0, d.fetchLATTopic(), -1, map[int32]int64{0: d.since}))
	})
}
