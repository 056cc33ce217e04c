package simulator

import (
	"fmt"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// attempts recognises a batch sent again and tells which attempts wrote it. An idempotent batch is
// known by its producer id, epoch and sequence numbers; another only by its bytes, which is all a
// broker has to go on without idempotence.
type attempts struct {
	first   map[string]int   // batch identity → the number of the exchange that first carried it
	written map[string]int64 // batch identity → the offset it was first written at
	offsets map[string][]int64
}

// newAttempts prepares for the batches of the partition log stored, which tell which attempts
// wrote: each stored batch is a producer's bytes with the broker's base offset and leader epoch
// written in.
func newAttempts(stored [][]byte) *attempts {
	a := &attempts{first: map[string]int{}, written: map[string]int64{}, offsets: map[string][]int64{}}
	for _, b := range stored {
		if h, err := wire.ReadBatchHeader(b); err == nil {
			k := unstamped(b)
			a.offsets[k] = append(a.offsets[k], h.BaseOffset)
		}
	}
	return a
}

// unstamped is a batch's bytes but those the broker writes into it as it appends it: from the
// magic byte on, after the base offset, length and partition leader epoch.
func unstamped(batch []byte) string { return string(batch[16:]) }

// claim finds where the log stored a batch with records' bytes that no earlier attempt claimed.
func (a *attempts) claim(records []byte) (int64, bool) {
	if len(records) < wire.BatchHeaderSize {
		return -1, false
	}
	k := unstamped(records)
	offs := a.offsets[k]
	if len(offs) == 0 {
		return -1, false
	}
	a.offsets[k] = offs[1:]
	return offs[0], true
}

// observe adds to en, the entry of produce exchange e, what became of each batch: written, a
// retry, a duplicate written again, or a duplicate the broker recognised.
func (a *attempts) observe(en *Entry, e *mockbroker.Exchange, req *protocol.ProduceRequest) {
	num := en.Exchange + 1
	for _, t := range req.TopicData {
		for _, p := range t.PartitionData {
			h, err := wire.ReadBatchHeader(p.Records)
			if err != nil {
				continue
			}
			id := identity(t.Name, p.Index, &h, p.Records)
			if prev, retry := a.first[id]; retry {
				en.Notes = append(en.Notes, fmt.Sprintf("A retry of #%d: the same batch again.", prev))
			} else {
				a.first[id] = num
			}
			a.outcome(en, e, t.Name, p.Index, &h, p.Records, id)
		}
	}
}

// outcome notes whether an attempt wrote the batch, wrote it again, or was recognised as a
// duplicate.
func (a *attempts) outcome(en *Entry, e *mockbroker.Exchange, topic string, partition int32, h *wire.BatchHeader, records []byte, id string) {
	code, answered := partitionCode(e.Response, topic, partition)
	handled := !applied(e, mockbroker.DropBeforeHandling)
	hidden := applied(e, mockbroker.DropAfterHandling) || applied(e, mockbroker.TimeoutAfterHandling) && code == kerr.RequestTimedOut.Code
	prev, before := a.written[id]
	if handled && (!answered || code == 0 || hidden) {
		if at, wrote := a.claim(records); wrote {
			a.wrote(en, id, at, prev, before, hidden)
			return
		}
	}
	if handled && answered && code == 0 && before && h.ProducerID >= 0 {
		en.Response = fmt.Sprintf("%s/%d: a duplicate: already written at offset %d, so answered with that offset and not written again", topic, partition, prev)
		en.Notes = append(en.Notes, fmt.Sprintf("The broker recognised producer id %d, epoch %d, %s as a batch it had written: idempotence at work.",
			h.ProducerID, h.ProducerEpoch, sequences(*h)))
		if en.Tone == ToneOK {
			en.Tone = ToneDup
		}
	}
}

// wrote notes an attempt that wrote batch id at offset at: the first time, or again (before, when
// it was first written at prev), which makes duplicates.
func (a *attempts) wrote(en *Entry, id string, at, prev int64, before, hidden bool) {
	switch {
	case before:
		en.Notes = append(en.Notes, fmt.Sprintf("Written again, at offset %d: the records written at offset %d are now in the log twice. "+
			"Without idempotence the broker cannot tell a retry from new records.", at, prev))
		en.Tone = ToneBad
	case hidden:
		en.Notes = append(en.Notes, fmt.Sprintf("The records were written at offset %d, but the producer was not told so.", at))
	}
	if !before {
		a.written[id] = at
	}
}

// identity names a batch across attempts: by producer id, epoch and sequence numbers if it is
// idempotent, else by the bytes the broker does not overwrite.
func identity(topic string, partition int32, h *wire.BatchHeader, records []byte) string {
	if h.ProducerID >= 0 {
		return fmt.Sprintf("%s/%d producer %d epoch %d sequence %d+%d", topic, partition, h.ProducerID, h.ProducerEpoch, h.BaseSequence, h.NumRecords)
	}
	return fmt.Sprintf("%s/%d bytes %x", topic, partition, unstamped(records))
}

// partitionCode is the error code a Produce response gives topic/partition, and whether it gives
// one (it does not when there is no response).
func partitionCode(m protocol.Message, topic string, partition int32) (int16, bool) {
	resp, ok := m.(*protocol.ProduceResponse)
	if !ok {
		return 0, false
	}
	for _, t := range resp.Responses {
		for _, p := range t.PartitionResponses {
			if t.Name == topic && p.Index == partition {
				return p.ErrorCode, true
			}
		}
	}
	return 0, false
}
