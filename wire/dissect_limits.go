package wire

import (
	"errors"
	"fmt"
	"math"
)

// DissectLimits bound how much a dissection shows, so that a small input cannot make a huge tree:
// unbounded, the 835-byte zstd batch of a million empty records dissects into 4 GB of fields and
// 600 MB of text. A limit of 0 or less is no limit.
type DissectLimits struct {
	// Records is the most records shown of each batch, entries (batches or legacy messages) of
	// each sequence, and headers of each record. A field named "truncated" stands for the rest:
	// "truncated after N records", the records checked all the same.
	Records int
	// Fields is the most fields with a value the whole dissection shows, about eight a record;
	// once they are spent, each list stops at its next entry, as at Records.
	Fields int
	// Decompressed is the most bytes the whole dissection decompresses, besides the bound on each
	// batch, MaxRecordsSize; a compressed batch past it is shown without its records.
	Decompressed int
}

// DefaultDissectLimits are the limits of [DissectRecordBatches]: ten thousand records of a batch
// are more than a person reads, and more than any client but one configured for it puts in a
// batch (librdkafka's default batch.num.messages is 10,000; Java's default batch.size of 16 KiB
// holds a few thousand small records); a quarter of a million fields show some thirty-five
// thousand records (about 20 MB of text) however many batches the input holds.
var DefaultDissectLimits = DissectLimits{Records: 10_000, Fields: 250_000, Decompressed: MaxRecordsSize}

// A DissectBudget is what dissections may still show and decompress. The dissections of one
// input share one, as the batches in a Produce request's partitions do, so that together they keep
// within its limits.
type DissectBudget struct {
	records      int // per list
	fields       int // left
	decompressed int // left
}

// NewDissectBudget returns a budget of l.
func NewDissectBudget(l DissectLimits) *DissectBudget {
	orAll := func(n int) int {
		if n <= 0 {
			return math.MaxInt
		}
		return n
	}
	return &DissectBudget{records: orAll(l.Records), fields: orAll(l.Fields), decompressed: orAll(l.Decompressed)}
}

// full reports whether a list that shows n entries may show no more.
func (b *DissectBudget) full(n int) bool { return n >= b.records || b.fields <= 0 }

// errDecompressBudget means a dissection has decompressed as much as its limits allow.
var errDecompressBudget = errors.New("the dissection has decompressed all its limits allow")

// decompress decompresses src, a records section or a legacy message's value, within MaxRecordsSize
// and what b has left.
func (b *DissectBudget) decompress(src []byte, codec Codec) ([]byte, error) {
	limit := min(MaxRecordsSize, b.decompressed)
	raw, err := AppendDecompress(nil, src, codec, limit)
	if errors.Is(err, ErrDecompressLimit) && limit < MaxRecordsSize {
		return nil, errDecompressBudget
	}
	b.decompressed -= len(raw)
	return raw, err
}

// truncateRecords ends a batch's records after the first shown: a field over the bytes left,
// whose records are checked, without a field each, and the first error met marked.
func (d *dissector) truncateRecords(h *BatchHeader, shown int) Field {
	at, rest := d.r.Offset(), d.r.Rest()
	f := Field{Name: "truncated", Offset: at, Length: len(rest),
		Value: fmt.Sprintf("truncated after %d records: %d more in %d bytes, checked but not shown", shown, int(h.NumRecords)-shown, len(rest))}
	rr := recordReader{h: h, read: shown}
	rr.r.Reset(rest, at)
	var rec Record
	var err error
	for err == nil && rr.read < int(h.NumRecords) {
		err = rr.next(&rec, nil)
	}
	if err == nil {
		err = rr.end()
	}
	if err != nil {
		f.Err = err.Error()
	}
	d.r.Span(len(rest))
	return f
}

// truncateHeaders ends a record's headers after the first shown: a field over the rest, which
// are checked, without a field each, and marked with the first error met.
func (d *dissector) truncateHeaders(shown, n int) Field {
	f := Field{Name: "truncated", Offset: d.r.Offset(), Value: fmt.Sprintf("truncated after %d headers: %d more, checked but not shown", shown, n-shown)}
	for j := shown; j < n && d.ok(); j++ {
		readHeader(&d.r)
	}
	f.Length = d.r.Offset() - f.Offset
	if err := d.r.Err(); err != nil {
		f.Err, d.failed = FieldErr(err), true
	}
	return f
}
