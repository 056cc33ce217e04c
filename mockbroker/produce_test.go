package mockbroker

import (
	"encoding/binary"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// batchOf encodes values as one record batch; pid < 0 makes it non-idempotent.
func batchOf(t testing.TB, pid int64, epoch int16, seq int32, codec wire.Codec, values ...string) []byte {
	t.Helper()
	b := &wire.RecordBatch{BatchHeader: wire.BatchHeader{PartitionLeaderEpoch: -1, ProducerID: pid, ProducerEpoch: epoch, BaseSequence: seq}}
	if pid < 0 {
		b.ProducerID, b.ProducerEpoch, b.BaseSequence = -1, -1, -1
	}
	b.Attributes = b.Attributes.WithCodec(codec)
	for _, v := range values {
		b.Records = append(b.Records, wire.Record{Timestamp: 1000, Value: []byte(v)})
	}
	data, err := wire.AppendRecordBatch(nil, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func produceReq(acks int16, topic string, partition int32, records []byte) *protocol.ProduceRequest {
	return &protocol.ProduceRequest{Acks: acks, TimeoutMs: 5000, TopicData: []protocol.ProduceTopic{{
		Name: topic, PartitionData: []protocol.ProducePartition{{Index: partition, Records: records}}}}}
}

// produce sends one partition's records at version v and returns that partition's answer.
func produce(tc *testClient, v int16, acks int16, topic string, partition int32, records []byte) protocol.ProducePartitionResponse {
	tc.t.Helper()
	var resp protocol.ProduceResponse
	tc.roundTrip(v, produceReq(acks, topic, partition, records), &resp)
	return resp.Responses[0].PartitionResponses[0]
}

func TestProduceAndReadBack(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 2), Versions(Kafka44))
	tc := dialTest(t, c.Addrs()[0])
	for _, v := range []int16{7, 9, 11, 13} {
		for _, codec := range wire.Codecs {
			req := produceReq(1, "t", 0, batchOf(t, -1, 0, 0, codec, "a", "b"))
			req.TopicData[0].TopicID = c.topics["t"].id
			var resp protocol.ProduceResponse
			tc.roundTrip(v, req, &resp)
			pr := resp.Responses[0].PartitionResponses[0]
			if pr.ErrorCode != 0 {
				t.Fatalf("v%d %s: %v", v, codec, kerr.ForCode(pr.ErrorCode))
			}
		}
	}
	records, err := c.Records("t", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 40 || records[39].Offset != 39 || string(records[39].Value) != "b" {
		t.Fatalf("%d records, last %+v", len(records), records[len(records)-1])
	}
}

// Records are checked as Kafka checks them, in its order, with its error codes, and with the log
// start offset for the errors its log raises but MESSAGE_TOO_LARGE and CORRUPT_MESSAGE.
func TestProduceValidation(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1), NumBrokers(2), MessageMaxBytes(200), MinInsyncReplicas(2), ReplicationFactor(2))
	tc := dialTest(t, c.Addrs()[0])
	good := batchOf(t, -1, 0, 0, wire.CodecNone, "x")
	edit := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	recrc := func(b []byte) { binary.BigEndian.PutUint32(b[17:], wire.BatchCRC(b)) }
	corrupt := edit(func(b []byte) { b[len(b)-1] ^= 1 })
	miscounted := edit(func(b []byte) { b[60] = 2; recrc(b) })
	short := edit(func(b []byte) { b[60], b[26] = 2, 1; recrc(b) }) // two records said, offsets agree, one written
	badRecord := edit(func(b []byte) { b[len(b)-1] = 2; recrc(b) }) // a header count with no headers
	offset := edit(func(b []byte) { b[7] = 9 })
	control := edit(func(b []byte) { b[22] |= byte(wire.AttrControl); recrc(b) })
	big := batchOf(t, -1, 0, 0, wire.CodecNone, string(make([]byte, 300)))
	two := append(append([]byte(nil), good...), good...)
	for _, tt := range []struct {
		name      string
		version   int16
		acks      int16
		topic     string
		partition int32
		records   []byte
		want      *kerr.Error
		logStart  int64
	}{
		{"unknown topic", 9, 1, "nope", 0, good, kerr.UnknownTopicOrPartition, -1},
		{"unknown partition", 9, 1, "t", 5, good, kerr.UnknownTopicOrPartition, -1},
		{"unknown partition before no records", 9, 1, "t", 5, nil, kerr.UnknownTopicOrPartition, -1},
		{"no records", 9, 1, "t", 0, nil, kerr.InvalidRecord, -1},
		{"two batches", 9, 1, "t", 0, two, kerr.InvalidRecord, -1},
		{"zstd before v7", 6, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecZstd, "z"), kerr.UnsupportedCompressionType, -1},
		{"bad acks", 9, 2, "t", 0, good, kerr.InvalidRequiredAcks, -1},
		{"bad acks before a bad crc", 9, 2, "t", 0, corrupt, kerr.InvalidRequiredAcks, -1},
		{"base offset", 9, 1, "t", 0, offset, kerr.InvalidRecord, 0},
		{"too large", 9, 1, "t", 0, big, kerr.MessageTooLarge, -1},
		{"bad crc", 9, 1, "t", 0, corrupt, kerr.CorruptMessage, -1},
		{"record count", 9, 1, "t", 0, miscounted, kerr.InvalidRecord, 0},
		{"fewer records than counted", 9, 1, "t", 0, short, kerr.InvalidRecord, 0},
		{"malformed record", 9, 1, "t", 0, badRecord, kerr.InvalidRecord, 0},
		{"offset deltas", 9, 1, "t", 0, bombBatch(t, bomb.Spec{Records: 2}), kerr.InvalidRecord, 0},
		{"control batch", 9, 1, "t", 0, control, kerr.InvalidRecord, 0},
	} {
		pr := produce(tc, tt.version, tt.acks, tt.topic, tt.partition, tt.records)
		if pr.ErrorCode != tt.want.Code || pr.LogStartOffset != tt.logStart || pr.BaseOffset != -1 || pr.ErrorMessage != nil {
			t.Errorf("%s: %v, log start %d, base offset %d, message %v; want %v, log start %d", tt.name, kerr.ForCode(pr.ErrorCode),
				pr.LogStartOffset, pr.BaseOffset, pr.ErrorMessage, tt.want, tt.logStart)
		}
	}
	c.SetInSyncReplicas("t", 0, 1)
	if pr := produce(tc, 9, -1, "t", 0, good); pr.ErrorCode != kerr.NotEnoughReplicas.Code || pr.LogStartOffset != 0 {
		t.Errorf("acks=all with 1 of 2 in sync: %+v", pr)
	}
	if pr := produce(tc, 9, 1, "t", 0, good); pr.ErrorCode != 0 {
		t.Errorf("acks=1 with 1 of 2 in sync: %v", kerr.ForCode(pr.ErrorCode))
	}
	c.MoveLeader("t", 0, 1)
	if pr := produce(tc, 10, 1, "t", 0, good); pr.ErrorCode != kerr.NotLeaderOrFollower.Code || pr.CurrentLeader == nil || pr.CurrentLeader.LeaderID != 1 {
		t.Errorf("to the old leader: %+v", pr)
	}
	if pr := produce(dialTest(t, c.Addrs()[1]), 9, 1, "t", 0, good); pr.ErrorCode != 0 {
		t.Errorf("to the new leader: %v", kerr.ForCode(pr.ErrorCode))
	}
}

// Produce v13 names topics by id: an id no topic has is UNKNOWN_TOPIC_ID.
func TestProduceUnknownTopicID(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1), Versions(Kafka44))
	req := produceReq(1, "", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "x"))
	req.TopicData[0].TopicID = protocol.UUID{1}
	var resp protocol.ProduceResponse
	dialTest(t, c.Addrs()[0]).roundTrip(13, req, &resp)
	if pr := resp.Responses[0].PartitionResponses[0]; pr.ErrorCode != kerr.UnknownTopicID.Code || resp.Responses[0].TopicID != req.TopicData[0].TopicID {
		t.Fatalf("got %+v", resp.Responses[0])
	}
}

// An acks=0 produce that fails closes the connection, as Kafka tells a client that expects no
// answer; one that succeeds leaves it open.
func TestProduceAcksZeroFailureCloses(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	tc.send(9, produceReq(0, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "fine")))
	tc.send(9, produceReq(0, "t", 3, batchOf(t, -1, 0, 0, wire.CodecNone, "nowhere")))
	tc.expectClosed()
	if recs, _ := c.Records("t", 0); len(recs) != 1 {
		t.Fatalf("%d records stored, want 1", len(recs))
	}
}

func TestProduceAcksZeroSendsNothing(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	tc.send(9, produceReq(0, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "fire", "forget")))
	var resp protocol.ApiVersionsResponse
	tc.roundTrip(3, &protocol.ApiVersionsRequest{}, &resp) // the next answer is this one's
	if recs, _ := c.Records("t", 0); len(recs) != 2 {
		t.Fatalf("%d records stored", len(recs))
	}
}

func TestProduceLegacyMessageSets(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	msgs := []wire.LegacyMessage{{Timestamp: 5, Value: []byte("old")}, {Timestamp: 6, Key: []byte("k"), Value: []byte("older")}}
	for v, magic := range []int8{0, 1, 1} {
		set, _ := wire.AppendMessageSet(nil, msgs, magic, wire.CodecGzip)
		if pr := produce(tc, int16(v), 1, "t", 0, set); pr.ErrorCode != 0 {
			t.Fatalf("v%d magic %d: %v", v, magic, kerr.ForCode(pr.ErrorCode))
		}
	}
	set, _ := wire.AppendMessageSet(nil, msgs, 1, wire.CodecNone)
	if pr := produce(tc, 3, 1, "t", 0, set); pr.ErrorCode != kerr.InvalidRecord.Code {
		t.Fatalf("magic 1 in v3: %v", kerr.ForCode(pr.ErrorCode))
	}
	records, _ := c.Records("t", 0)
	if len(records) != 6 || string(records[5].Value) != "older" || records[1].Timestamp != wire.NoTimestamp || records[3].Timestamp != 6 {
		t.Fatalf("stored %+v", records)
	}
}

// The scenario of Kafka's documentation: an acknowledgement lost after the write makes a
// non-idempotent retry a duplicate, and an idempotent one a no-op.
func TestLostAcknowledgement(t *testing.T) {
	for _, idempotent := range []bool{false, true} {
		c := NewTestCluster(t, Topic("t", 1))
		pid, epoch := int64(-1), int16(-1)
		if idempotent {
			var ip protocol.InitProducerIDResponse
			dialTest(t, c.Addrs()[0]).roundTrip(4, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: -1, ProducerEpoch: -1}, &ip)
			pid, epoch = ip.ProducerID, ip.ProducerEpoch
		}
		batch := batchOf(t, pid, epoch, 0, wire.CodecNone, "once")
		c.Inject(Fault{API: protocol.KeyProduce, Action: DropAfterHandling})
		tc := dialTest(t, c.Addrs()[0])
		tc.send(9, produceReq(-1, "t", 0, batch))
		tc.expectClosed()
		pr := produce(dialTest(t, c.Addrs()[0]), 9, -1, "t", 0, batch) // the retry
		records, _ := c.Records("t", 0)
		want := map[bool]int{false: 2, true: 1}[idempotent]
		if pr.ErrorCode != 0 || len(records) != want || pr.BaseOffset != int64(want-1) {
			t.Errorf("idempotent=%v: retry %+v, %d records in the log, want %d", idempotent, pr, len(records), want)
		}
	}
}

func TestTimeoutAfterHandlingAndForcedErrors(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 2))
	tc := dialTest(t, c.Addrs()[0])
	c.Inject(Fault{API: protocol.KeyProduce, Action: TimeoutAfterHandling})
	if pr := produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "x")); pr.ErrorCode != kerr.RequestTimedOut.Code {
		t.Fatalf("got %+v", pr)
	}
	if recs, _ := c.Records("t", 0); len(recs) != 1 {
		t.Fatal("the write behind a timed-out answer must happen")
	}
	c.Inject(Fault{API: protocol.KeyProduce, Topic: "t", Partitions: []int32{1}, Action: RespondWithError, ErrorCode: kerr.NotEnoughReplicas.Code, Times: 2})
	for i, want := range []int16{kerr.NotEnoughReplicas.Code, 0, kerr.NotEnoughReplicas.Code, 0} {
		if pr := produce(tc, 9, 1, "t", int32(1-i%2), batchOf(t, -1, 0, 0, wire.CodecNone, "y")); pr.ErrorCode != want {
			t.Fatalf("request %d: %v, want %v", i, kerr.ForCode(pr.ErrorCode), kerr.ForCode(want))
		}
	}
}

func TestLogAppendTimeTopic(t *testing.T) {
	c := NewTestCluster(t, LogAppendTimeTopic("lat", 1))
	pr := produce(dialTest(t, c.Addrs()[0]), 9, 1, "lat", 0, batchOf(t, -1, 0, 0, wire.CodecLZ4, "a"))
	records, _ := c.Records("lat", 0)
	if pr.LogAppendTimeMs <= 1000 || len(records) != 1 || records[0].Timestamp != pr.LogAppendTimeMs {
		t.Fatalf("response %+v, records %+v", pr, records)
	}
}

func TestProduceThrottle(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1), ProduceThrottle(250))
	var resp protocol.ProduceResponse
	dialTest(t, c.Addrs()[0]).roundTrip(9, produceReq(1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "a")), &resp)
	if resp.ThrottleTimeMs != 250 {
		t.Fatalf("throttle %d", resp.ThrottleTimeMs)
	}
}

// TestFirstBatchAtAnySequence: as Apache Kafka 4.4 does (checked against it), a partition takes
// an idempotent producer's first batch at any sequence, since its earlier ones may be gone with
// the log's retention, and then wants the sequences that follow it.
func TestFirstBatchAtAnySequence(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	var init protocol.InitProducerIDResponse
	tc.roundTrip(4, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: -1, ProducerEpoch: -1}, &init)
	id, epoch := init.ProducerID, init.ProducerEpoch
	for _, step := range []struct {
		seq    int32
		code   int16
		offset int64
	}{{100, 0, 0}, {0, kerr.OutOfOrderSequenceNumber.Code, -1}, {101, 0, 1}} {
		pr := produce(tc, 9, -1, "t", 0, batchOf(t, id, epoch, step.seq, wire.CodecNone, "a"))
		if pr.ErrorCode != step.code || pr.BaseOffset != step.offset {
			t.Errorf("sequence %d: %v at offset %d, want %v at %d", step.seq, kerr.ForCode(pr.ErrorCode), pr.BaseOffset, kerr.ForCode(step.code), step.offset)
		}
	}
}

// idempotentOnTwoPartitions starts a cluster with topic t of two partitions and writes a new
// idempotent producer's first batch, sequence 0, to each; it returns the connection and the
// producer's id and epoch.
func idempotentOnTwoPartitions(t *testing.T) (*Cluster, *testClient, int64, int16) {
	t.Helper()
	c := NewTestCluster(t, Topic("t", 2))
	tc := dialTest(t, c.Addrs()[0])
	var init protocol.InitProducerIDResponse
	tc.roundTrip(4, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 60000, ProducerID: -1, ProducerEpoch: -1}, &init)
	id, epoch := init.ProducerID, init.ProducerEpoch
	for p := range int32(2) {
		if pr := produce(tc, 9, -1, "t", p, batchOf(t, id, epoch, 0, wire.CodecNone, "a")); pr.ErrorCode != 0 {
			t.Fatalf("t/%d: first batch: %v", p, kerr.ForCode(pr.ErrorCode))
		}
	}
	return c, tc, id, epoch
}

// TestForgetProducers: after the fault, the partition takes an idempotent producer's next batch
// at any sequence, as for a producer it never saw; other partitions still know it.
func TestForgetProducers(t *testing.T) {
	c, tc, id, epoch := idempotentOnTwoPartitions(t)
	c.Inject(Fault{API: protocol.KeyProduce, Topic: "t", Partitions: []int32{0}, Action: ForgetProducers})
	if pr := produce(tc, 9, -1, "t", 0, batchOf(t, id, epoch, 7, wire.CodecNone, "b")); pr.ErrorCode != 0 || pr.BaseOffset != 1 {
		t.Fatalf("t/0 after ForgetProducers, sequence 7: %v at %d, want it written at 1", kerr.ForCode(pr.ErrorCode), pr.BaseOffset)
	}
	if pr := produce(tc, 9, -1, "t", 1, batchOf(t, id, epoch, 7, wire.CodecNone, "b")); pr.ErrorCode != kerr.OutOfOrderSequenceNumber.Code {
		t.Fatalf("t/1 kept its sequences, yet took sequence 7 after 0: %v", kerr.ForCode(pr.ErrorCode))
	}
}

// TestForgetSequences: after the fault, the partition answers an idempotent producer's next
// batch OUT_OF_ORDER_SEQUENCE_NUMBER, other partitions still know it, and a new epoch starting at
// sequence 0 is written.
func TestForgetSequences(t *testing.T) {
	c, tc, id, epoch := idempotentOnTwoPartitions(t)
	c.Inject(Fault{API: protocol.KeyProduce, Topic: "t", Partitions: []int32{0}, Action: ForgetSequences})
	if pr := produce(tc, 9, -1, "t", 0, batchOf(t, id, epoch, 1, wire.CodecNone, "b")); pr.ErrorCode != kerr.OutOfOrderSequenceNumber.Code {
		t.Fatalf("t/0 after ForgetSequences: %v, want OUT_OF_ORDER_SEQUENCE_NUMBER", kerr.ForCode(pr.ErrorCode))
	}
	if pr := produce(tc, 9, -1, "t", 1, batchOf(t, id, epoch, 1, wire.CodecNone, "b")); pr.ErrorCode != 0 {
		t.Fatalf("t/1 kept its sequences: %v", kerr.ForCode(pr.ErrorCode))
	}
	if pr := produce(tc, 9, -1, "t", 0, batchOf(t, id, epoch+1, 0, wire.CodecNone, "b")); pr.ErrorCode != 0 || pr.BaseOffset != 1 {
		t.Fatalf("t/0 under a new epoch: %+v", pr)
	}
}

// TestProduceStampsLeaderEpoch: the leader writes its epoch into each batch it appends, where the
// producer wrote -1, as Kafka's does; the Java consumer reports it as each record's leader epoch.
func TestProduceStampsLeaderEpoch(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1), NumBrokers(2))
	produce(dialTest(t, c.Addrs()[0]), 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "a"))
	if err := c.MoveLeader("t", 0, 1); err != nil {
		t.Fatal(err)
	}
	produce(dialTest(t, c.Addrs()[1]), 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecLZ4, "b", "c"))
	var resp protocol.FetchResponse
	dialTest(t, c.Addrs()[1]).roundTrip(12, fetchReq("t", 0, 0), &resp)
	records := resp.Responses[0].Partitions[0].Records
	var b wire.RecordBatch
	for i, want := range []int32{0, 1} {
		var err error
		if records, err = b.Decode(records); err != nil || b.PartitionLeaderEpoch != want {
			t.Fatalf("batch %d: leader epoch %d, want %d (%v)", i, b.PartitionLeaderEpoch, want, err)
		}
	}
}
