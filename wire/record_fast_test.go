package wire

import (
	"reflect"
	"testing"
)

// FuzzRecordFast: wherever the fast record decoder accepts bytes, the careful one accepts them
// too, takes as many, and decodes the same record; the fast path only ever saves time.
func FuzzRecordFast(f *testing.F) {
	for _, r := range []Record{
		{Timestamp: 5, Key: []byte("k"), Value: []byte("value")},
		{Timestamp: -3, Value: []byte{}},
		{Key: nil, Value: nil},
		{Value: []byte("v"), Headers: []Header{{Key: "h", Value: nil}}},
	} {
		f.Add(appendRecord(nil, &r, 7, r.Timestamp), false)
	}
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, true)
	f.Fuzz(func(t *testing.T, data []byte, logAppend bool) {
		b := RecordBatch{BatchHeader: BatchHeader{BaseOffset: 100, BaseTimestamp: 1700000000000, MaxTimestamp: 1700000000009}}
		if logAppend {
			b.Attributes |= AttrLogAppendTime
		}
		var fast, careful Record
		n := b.readRecordFast(data, &fast)
		if n == 0 {
			return
		}
		var rr recordReader
		var headers []Header
		rr.reset(&b.BatchHeader, data, 0)
		if err := rr.readRecord(&careful, &headers); err != nil {
			t.Fatalf("fast path took %d bytes the careful one rejects: %v", n, err)
		}
		if used := len(data) - rr.r.Remaining(); used != n {
			t.Fatalf("fast path took %d bytes, the careful one %d", n, used)
		}
		if !reflect.DeepEqual(fast, careful) {
			t.Fatalf("fast path decoded %+v, the careful one %+v", fast, careful)
		}
	})
}
