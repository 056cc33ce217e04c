package simulator

import (
	"fmt"
	"strings"

	"github.com/kwire-dev/kwire/wire"
)

// LogRow is one record of the partition log, as the broker stored it.
type LogRow struct {
	Offset        int64
	Timestamp     int64
	Key, Value    []byte // nil is null
	Headers       []wire.Header
	Batch         int   // which stored batch holds it, from 0
	ProducerID    int64 // -1 without idempotence
	ProducerEpoch int16
	Sequence      int32 // the record's sequence number, or -1
	Codec         wire.Codec
	AckedFor      int // the record whose callback reported this offset, or -1
	Copies        int // how many records of the log have this one's key, value, headers and timestamp
	Sent          int // how many of the records sent have them
}

// Duplicate reports whether the log holds more copies of the record than were sent.
func (r *LogRow) Duplicate() bool { return r.Copies > r.Sent }

// readLog decodes the stored batches into rows, and marks the offsets the callbacks reported and
// the records stored more often than sent.
func readLog(stored [][]byte, sent []wire.Record, callbacks []Callback) ([]LogRow, error) {
	acked := map[int64]int{}
	for _, c := range callbacks {
		if c.Err == "" && c.Offset >= 0 {
			acked[c.Offset] = c.Index
		}
	}
	var rows []LogRow
	for i, data := range stored {
		var b wire.RecordBatch // a new one each time: keys and values may point into its buffers
		if _, err := b.Decode(data); err != nil {
			return nil, fmt.Errorf("stored batch %d: %w", i, err)
		}
		for j, r := range b.Records {
			row := LogRow{Offset: r.Offset, Timestamp: r.Timestamp, Key: r.Key, Value: r.Value, Headers: r.Headers, Batch: i,
				ProducerID: b.ProducerID, ProducerEpoch: b.ProducerEpoch, Sequence: -1, Codec: b.Attributes.Codec(), AckedFor: -1}
			if b.BaseSequence >= 0 {
				row.Sequence = b.BaseSequence + int32(j)
			}
			if idx, ok := acked[r.Offset]; ok {
				row.AckedFor = idx
			}
			rows = append(rows, row)
		}
	}
	countCopies(rows, sent)
	return rows, nil
}

// countCopies fills in each row's Copies and Sent.
func countCopies(rows []LogRow, sent []wire.Record) {
	sentBy, storedBy := map[string]int{}, map[string]int{}
	for i := range sent {
		sentBy[contentKey(sent[i].Key, sent[i].Value, sent[i].Headers, sent[i].Timestamp)]++
	}
	keys := make([]string, len(rows))
	for i := range rows {
		keys[i] = contentKey(rows[i].Key, rows[i].Value, rows[i].Headers, rows[i].Timestamp)
		storedBy[keys[i]]++
	}
	for i := range rows {
		rows[i].Copies, rows[i].Sent = storedBy[keys[i]], sentBy[keys[i]]
	}
}

// contentKey identifies a record by what the application sent: key, value, headers, timestamp,
// with null told from empty.
func contentKey(key, value []byte, headers []wire.Header, ts int64) string {
	var sb strings.Builder
	field := func(b []byte) {
		if b == nil {
			sb.WriteString("-1:")
			return
		}
		fmt.Fprintf(&sb, "%d:%s", len(b), b)
	}
	field(key)
	field(value)
	fmt.Fprintf(&sb, "%d headers:", len(headers))
	for _, h := range headers {
		field([]byte(h.Key))
		field(h.Value)
	}
	fmt.Fprintf(&sb, "@%d", ts)
	return sb.String()
}
