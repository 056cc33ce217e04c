package protocol

import (
	"fmt"

	"github.com/kwire-dev/kwire/wire"
)

// dissectInitProducerIDResponse dissects the body of an InitProducerId response at version into
// body: the producer id and epoch an idempotent producer stamps on its batches.
func dissectInitProducerIDResponse(d *fieldReader, body *wire.Field, version int16) {
	d.int32(body, "throttleTimeMs")
	code := d.errorCode(body, "errorCode")
	id := d.int64(body, "producerId")
	epoch := d.int16(body, "producerEpoch")
	if version >= 6 {
		d.int64(body, "ongoingTxnProducerId")
		d.int16(body, "ongoingTxnProducerEpoch")
	}
	d.taggedFields(body, nil)
	body.Value = fmt.Sprintf("producer id %d, epoch %d", id, epoch)
	if code != 0 {
		body.Value = errorCodeText(code)
	}
}
