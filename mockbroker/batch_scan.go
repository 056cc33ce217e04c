package mockbroker

// Reading a batch's records one at a time, never holding them: to check what a producer sends, and
// to find a stored record by time.

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
)

// Bounds on what a produced batch may cost to decode, beyond what Kafka checks. A decoded record
// takes some 100 bytes (a header 40) for as little as 7 encoded (2), so the bytes a batch
// decompresses into, which wire.MaxRecordsSize bounds, say little of what decoding it costs: the
// issue's 14 KB zstd batch of 19 million empty records decompresses into 133 MB and decodes into
// 2 GB. The broker checks records without decoding them, and refuses what would cost a later full
// decode (a Fetch down-converted to magic 0 or 1, Records, a consumer) that much.
const (
	// maxBatchRecords bounds the records of one batch. librdkafka's largest batch.num.messages is
	// 1,000,000, and a batch within the default message.max.bytes (1 MiB) cannot hold many more:
	// its offset deltas run 0, 1, 2, … (checked below), so even empty records compress to some
	// 0.8 bytes each with zstd.
	maxBatchRecords = 1 << 20
	// maxRequestDecoded bounds what decoding all the batches of one Produce request would hold
	// (wire.RecordScanner.DecodedSize): decompressed bytes, records and headers; it also bounds
	// the memory checking them takes. A batch of maxBatchRecords empty records takes 110 MB. Real
	// clients send at most 1 MiB a request (max.request.size, librdkafka's message.max.bytes):
	// 100-byte records compressed 10:1 decode into some 20 MiB, and reaching the bound takes
	// compression beyond 60:1, or a million records of a few bytes each.
	maxRequestDecoded = 128 << 20
)

// scanners recycles the scanners that read batches' records, with their decompression buffers.
var scanners = sync.Pool{New: func() any { return new(wire.RecordScanner) }}

// batchTimes is what ListOffsets needs to know of a stored batch's records' timestamps, noted when
// they are checked on append so that a lookup need not read them.
type batchTimes struct {
	firstTS  int64 // the first record's timestamp
	maxTS    int64 // the largest of its records' timestamps
	maxDelta int32 // the offset delta of the first record with maxTS
}

// checkRecords reads the records of batch, whose header h and CRC are checked, as Kafka's log
// validator iterates them, and returns their times. budget is what the request may still decode
// (see maxRequestDecoded), less what this batch takes. Errors are *kerr.Error values wrapped with
// the reason: CORRUPT_MESSAGE for compressed data that does not decompress, INVALID_RECORD for the
// records (Kafka's InvalidRecordException: a count that disagrees with them, a malformed record)
// and for the bounds.
func checkRecords(batch []byte, h *wire.BatchHeader, budget *int) (batchTimes, error) {
	if h.NumRecords > maxBatchRecords {
		return batchTimes{}, fmt.Errorf("%w: %d records, more than the %d a batch may hold", kerr.InvalidRecord, h.NumRecords, maxBatchRecords)
	}
	s := scanners.Get().(*wire.RecordScanner)
	defer scanners.Put(s)
	left := max(*budget, 0)
	if _, err := s.Reset(batch, left); err != nil {
		if errors.Is(err, wire.ErrDecompressLimit) {
			return batchTimes{}, fmt.Errorf("%w: %d bytes left to decode of the request's %d: %v", kerr.InvalidRecord, left, maxRequestDecoded, err)
		}
		return batchTimes{}, fmt.Errorf("%w: %v", kerr.CorruptMessage, err)
	}
	t, err := scanTimes(s)
	*budget -= s.DecodedSize()
	switch {
	case errors.Is(err, wire.ErrDecodeLimit):
		return t, fmt.Errorf("%w: %d bytes left to decode of the request's %d: %v", kerr.InvalidRecord, left, maxRequestDecoded, err)
	case err != nil:
		return t, fmt.Errorf("%w: %v", kerr.InvalidRecord, err)
	}
	return t, nil
}

// scanTimes reads s's records, checking that their offset deltas run from 0, and returns their
// times.
func scanTimes(s *wire.RecordScanner) (batchTimes, error) {
	var t batchTimes
	for i := int32(0); s.Scan(); i++ {
		rec := s.Record()
		switch delta := rec.Offset - s.BaseOffset; {
		case delta != int64(i):
			return t, fmt.Errorf("record %d has offset delta %d", i, delta)
		case i == 0:
			t = batchTimes{firstTS: rec.Timestamp, maxTS: rec.Timestamp}
		case rec.Timestamp > t.maxTS:
			t.maxTS, t.maxDelta = rec.Timestamp, i
		}
	}
	return t, s.Err()
}

// firstAtOrAfter is the offset delta and timestamp of the first record of batch, a stored batch
// (so one that decodes), whose timestamp is at or after ts, or -1, -1 if none is.
func firstAtOrAfter(batch []byte, ts int64) (delta int32, timestamp int64) {
	s := scanners.Get().(*wire.RecordScanner)
	defer scanners.Put(s)
	s.Reset(batch, math.MaxInt)
	for i := int32(0); s.Scan(); i++ {
		if rec := s.Record(); rec.Timestamp >= ts {
			return i, rec.Timestamp
		}
	}
	return -1, -1
}
