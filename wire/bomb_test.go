package wire_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire"
)

// millionRecords is the 835-byte zstd batch of a million empty records (7 MB
// decompressed), built once.
var millionRecords = sync.OnceValue(func() []byte {
	b, err := bomb.Batch(bomb.Spec{Records: 1 << 20})
	if err != nil {
		panic(err)
	}
	return b
})

// Scanning a million records costs a few times their 7 MB decompressed, nothing per record (decoding
// them holds 100 MB of Records), and says what decoding them would hold.
func TestRecordScannerBomb(t *testing.T) {
	data := millionRecords()
	var s wire.RecordScanner
	n := 0
	alloc := bomb.Allocated(func() {
		s.Reset(data, wire.MaxRecordsSize)
		for s.Scan() {
			n++
		}
	})
	if n != 1<<20 || s.Err() != nil || alloc > 32<<20 {
		t.Fatalf("%d records scanned (%v), %d bytes allocated", n, s.Err(), alloc)
	}
	if size := s.DecodedSize(); size < 100<<20 {
		t.Fatalf("decoded size %d, want the records' at least", size)
	}
}

// The dissection of the 835-byte batch of a million records shows the first ten thousand and
// says it truncated the rest, which it checks: tens of megabytes, not 4 GB and 600 MB of text.
func TestDissectBomb(t *testing.T) {
	data := millionRecords()
	var root wire.Field
	n := bomb.Allocated(func() { root = wire.DissectRecordBatches(data) })
	inner := &root.Children[0].Children[len(root.Children[0].Children)-1].Children[0]
	trunc := inner.Children[len(inner.Children)-1]
	if root.Failed() || len(inner.Children) != 10_001 || !strings.HasPrefix(trunc.Value, "truncated after 10000 records") || n > 64<<20 {
		t.Fatalf("%d records fields, the last %s: %q; %d bytes allocated", len(inner.Children), trunc.Name, trunc.Value, n)
	}
}
