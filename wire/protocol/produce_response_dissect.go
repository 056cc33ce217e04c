package protocol

import (
	"fmt"

	"github.com/kwire-dev/kwire/wire"
)

// dissectProduceResponse dissects the body of a Produce response at version into body.
func dissectProduceResponse(d *fieldReader, body *wire.Field, version int16) {
	d.array(body, "responses", "topics", func(i int) wire.Field { return dissectProduceTopicResponse(d, i, version) })
	if version >= 1 {
		d.int32(body, "throttleTimeMs")
	}
	var known map[uint32]tagDissector
	if version >= 10 {
		known = map[uint32]tagDissector{0: {"nodeEndpoints (tag 0)", dissectNodeEndpoints}}
	}
	d.taggedFields(body, known)
	body.Value = fmt.Sprintf("ProduceResponse v%d", version)
}

// dissectProduceTopicResponse dissects topic i of a Produce response.
func dissectProduceTopicResponse(d *fieldReader, i int, version int16) wire.Field {
	t := d.produceTopic(i, version)
	d.array(&t, "partitionResponses", "partitions", func(j int) wire.Field { return dissectProducePartitionResponse(d, j, version) })
	d.taggedFields(&t, nil)
	t.Length = d.r.Offset() - t.Offset
	return t
}

// dissectProducePartitionResponse dissects partition j of a Produce topic response.
func dissectProducePartitionResponse(d *fieldReader, j int, version int16) wire.Field {
	p := wire.Field{Name: fmt.Sprintf("partition[%d]", j), Offset: d.r.Offset()}
	index := d.int32(&p, "index")
	code := d.errorCode(&p, "errorCode")
	offset := d.int64(&p, "baseOffset")
	if version >= 2 {
		d.int64(&p, "logAppendTimeMs")
	}
	if version >= 5 {
		d.int64(&p, "logStartOffset")
	}
	if version >= 8 {
		dissectRecordErrors(d, &p)
		d.span(&p, "errorMessage", false, true)
	}
	var known map[uint32]tagDissector
	if version >= 10 {
		known = map[uint32]tagDissector{0: {"currentLeader (tag 0)", dissectLeaderIDAndEpoch}}
	}
	d.taggedFields(&p, known)
	p.Length = d.r.Offset() - p.Offset
	p.Value = fmt.Sprintf("partition %d: offset %d", index, offset)
	if code != 0 {
		p.Value = fmt.Sprintf("partition %d: %s", index, errorCodeText(code))
	}
	return p
}

// dissectRecordErrors dissects the records that made the broker drop a batch (v8+, KIP-467).
func dissectRecordErrors(d *fieldReader, p *wire.Field) {
	d.array(p, "recordErrors", "records", func(k int) wire.Field {
		e := wire.Field{Name: fmt.Sprintf("recordError[%d]", k), Offset: d.r.Offset()}
		d.int32(&e, "batchIndex")
		d.span(&e, "batchIndexErrorMessage", false, true)
		d.taggedFields(&e, nil)
		e.Length = d.r.Offset() - e.Offset
		return e
	})
}

// dissectLeaderIDAndEpoch dissects a partition's current leader, sent with
// NOT_LEADER_OR_FOLLOWER (KIP-951).
func dissectLeaderIDAndEpoch(d *fieldReader, f *wire.Field) {
	id := d.int32(f, "leaderId")
	epoch := d.int32(f, "leaderEpoch")
	d.taggedFields(f, nil)
	f.Value = fmt.Sprintf("broker %d, leader epoch %d", id, epoch)
}

// dissectNodeEndpoints dissects the addresses of the leaders a Produce response names (KIP-951).
func dissectNodeEndpoints(d *fieldReader, f *wire.Field) {
	n := d.arrayLen(f)
	for i := 0; i < n && d.ok() && !d.failed; i++ {
		e := wire.Field{Name: fmt.Sprintf("node[%d]", i), Offset: d.r.Offset()}
		id := d.int32(&e, "nodeId")
		_, host := d.span(&e, "host", false, false)
		port := d.int32(&e, "port")
		d.span(&e, "rack", false, true)
		d.taggedFields(&e, nil)
		e.Length = d.r.Offset() - e.Offset
		e.Value = fmt.Sprintf("broker %d at %s:%d", id, host, port)
		f.Children = append(f.Children, e)
	}
	f.Value = fmt.Sprintf("%d brokers", max(n, 0))
}
