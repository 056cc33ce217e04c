package protocol

import (
	"fmt"

	"github.com/kwire-dev/kwire/wire"
)

// acksMeaning says what a Produce request's acks asks for.
func acksMeaning(acks int16) string {
	switch acks {
	case 0:
		return "0 (no acknowledgement)"
	case 1:
		return "1 (the leader)"
	case -1:
		return "-1 (all in-sync replicas)"
	}
	return fmt.Sprintf("%d (invalid: 0, 1 or -1)", acks)
}

// dissectProduceRequest dissects the body of a Produce request at version into body.
func dissectProduceRequest(d *fieldReader, body *wire.Field, version int16) {
	if version >= 3 {
		d.span(body, "transactionalId", false, true)
	}
	off, acks := d.r.Offset(), d.r.Int16()
	d.add(body, "acks", off, func() string { return acksMeaning(acks) })
	d.int32(body, "timeoutMs")
	d.array(body, "topicData", "topics", func(i int) wire.Field { return dissectProduceTopic(d, i, version) })
	d.tags(body)
	body.Value = fmt.Sprintf("ProduceRequest v%d", version)
}

// dissectProduceTopic dissects topic i of a Produce request.
func dissectProduceTopic(d *fieldReader, i int, version int16) wire.Field {
	t := d.produceTopic(i, version)
	d.array(&t, "partitionData", "partitions", func(j int) wire.Field { return dissectProducePartition(d, j) })
	d.tags(&t)
	t.Length = d.r.Offset() - t.Offset
	return t
}

// produceTopic starts topic i of a Produce request or response: its name (v0–12) or id (v13+),
// which also names the field.
func (d *fieldReader) produceTopic(i int, version int16) wire.Field {
	t := wire.Field{Name: fmt.Sprintf("topic[%d]", i), Offset: d.r.Offset()}
	if version >= 13 {
		d.uuid(&t, "topicId")
		t.Value = "id " + last(&t).Value
	} else {
		name, _ := d.span(&t, "name", false, false)
		t.Value = name.Value
	}
	return t
}

// dissectProducePartition dissects partition j of a Produce topic, its record batches included.
func dissectProducePartition(d *fieldReader, j int) wire.Field {
	p := wire.Field{Name: fmt.Sprintf("partition[%d]", j), Offset: d.r.Offset()}
	index := d.int32(&p, "index")
	records, data := d.span(&p, "records", true, true)
	if len(data) > 0 {
		holder := last(records)
		batches := d.batches.DissectRecordBatches(data)
		shiftOffsets(&batches, holder.Offset)
		holder.Name, holder.Value, holder.Children = "recordBatches", batches.Value, batches.Children
	}
	p.Value = fmt.Sprintf("partition %d", index)
	d.tags(&p)
	p.Length = d.r.Offset() - p.Offset
	return p
}
