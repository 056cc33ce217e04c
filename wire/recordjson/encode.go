package recordjson

import (
	"errors"

	"github.com/kwire-dev/kwire/wire"
)

// ErrTransactionalWithoutProducer means a batch was marked transactional without a producer id.
// Kafka refuses such a batch: only an idempotent producer writes transactions.
var ErrTransactionalWithoutProducer = errors.New("a transactional batch needs a producer id (a transactional producer is idempotent)")

// AppendRecords appends to dst the one record batch that holds records under b's settings: its
// codec and level, producer id, epoch and base sequence, and transactional flag. b.Records and
// b.Timestamp are not used; records carry their own timestamps (see [ReadLines]).
//
// This is the one encoder behind `kwire batch` and the playground, so that both give the same bytes
// for the same inputs: base offset 0, partitionLeaderEpoch -1 and the rest as
// [wire.AppendRecordBatch] derives it. It fails with [ErrTransactionalWithoutProducer] for a
// transactional batch without a producer id, and for a codec or level that does not exist.
func (b *Batch) AppendRecords(dst []byte, records []wire.Record) ([]byte, error) {
	if b.Transactional && valueOr(b.ProducerID, wire.NoProducerID) < 0 {
		return dst, ErrTransactionalWithoutProducer
	}
	wb, level, err := b.header()
	if err != nil {
		return dst, err
	}
	wb.Records = records
	return wire.AppendRecordBatch(dst, wb, level)
}
