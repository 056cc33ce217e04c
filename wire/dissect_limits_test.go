package wire

import (
	"strings"
	"testing"
)

// dissectWithin dissects src within l.
func dissectWithin(src []byte, l DissectLimits) Field {
	return NewDissectBudget(l).DissectRecordBatches(src)
}

// find returns the field at the end of path, names from below root, or nil.
func find(root *Field, path ...string) *Field {
	f := root
	for _, name := range path {
		var next *Field
		for i := range f.Children {
			if f.Children[i].Name == name {
				next = &f.Children[i]
			}
		}
		if next == nil {
			return nil
		}
		f = next
	}
	return f
}

// batchOf encodes n records of value v with codec, the i-th with headers headers.
func batchOf(t *testing.T, n, headers int, codec Codec) []byte {
	t.Helper()
	b := &RecordBatch{}
	b.Attributes = b.Attributes.WithCodec(codec)
	for range n {
		b.Records = append(b.Records, Record{Value: []byte("v"), Headers: make([]Header, headers)})
	}
	data, err := AppendRecordBatch(nil, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Past Records, a batch's records are a field that says so, checked all the same: a corrupt one
// is marked there.
func TestDissectRecordsLimit(t *testing.T) {
	good := batchOf(t, 20, 0, CodecNone)
	root := dissectWithin(good, DissectLimits{Records: 5})
	trunc := find(&root, "batch[0]", "records", "truncated")
	if root.Failed() || trunc == nil || !strings.HasPrefix(trunc.Value, "truncated after 5 records: 15 more") || find(&root, "batch[0]", "records", "record[5]") != nil {
		t.Fatalf("truncated field %+v (failed %v)", trunc, root.Failed())
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-3] = 0x7f // the last record's value length
	root = dissectWithin(recrc(bad), DissectLimits{Records: 5})
	if trunc = find(&root, "batch[0]", "records", "truncated"); trunc == nil || !strings.Contains(trunc.Err, "records[19].value") {
		t.Fatalf("a corrupt record past the limit: %+v", trunc)
	}
}

// A compressed batch's buffer keeps the records shown, not the whole decompressed section.
func TestDissectRecordsLimitCompressed(t *testing.T) {
	root := dissectWithin(batchOf(t, 20, 0, CodecGzip), DissectLimits{Records: 5})
	inner := find(&root, "batch[0]", "records", "records (decompressed)")
	if inner == nil || len(inner.Buffer) != 5*8 || inner.Length != 5*8 || root.Failed() {
		t.Fatalf("%+v", inner)
	}
	if trunc := find(inner, "truncated"); trunc == nil || trunc.Offset != 5*8 || trunc.Length != 0 {
		t.Fatalf("truncated field %+v", trunc)
	}
}

// Past Records, a record's headers are a field that says so, checked all the same.
func TestDissectHeadersLimit(t *testing.T) {
	good := batchOf(t, 1, 10, CodecNone)
	root := dissectWithin(good, DissectLimits{Records: 3})
	trunc := find(&root, "batch[0]", "records", "record[0]", "headers", "truncated")
	if root.Failed() || trunc == nil || !strings.HasPrefix(trunc.Value, "truncated after 3 headers: 7 more") || trunc.Length != 7*2 {
		t.Fatalf("truncated field %+v (failed %v)", trunc, root.Failed())
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-2] = 0x7f // the last header's key length
	root = dissectWithin(recrc(bad), DissectLimits{Records: 3})
	if trunc = find(&root, "batch[0]", "records", "record[0]", "headers", "truncated"); trunc == nil || trunc.Err == "" || !root.Failed() {
		t.Fatalf("a corrupt header past the limit: %+v", trunc)
	}
}

// The fields and the decompression of a whole dissection are bounded, across its batches.
func TestDissectBudgetShared(t *testing.T) {
	two := append(batchOf(t, 5, 0, CodecNone), batchOf(t, 5, 0, CodecNone)...)
	root := dissectWithin(two, DissectLimits{Fields: 30})
	if trunc := find(&root, "truncated"); root.Failed() || trunc == nil || !strings.HasPrefix(trunc.Value, "truncated after 1 entries") {
		t.Fatalf("%+v", root.Children)
	}
	b := NewDissectBudget(DissectLimits{Decompressed: 60})
	first, second := b.DissectRecordBatches(batchOf(t, 5, 0, CodecLZ4)), b.DissectRecordBatches(batchOf(t, 5, 0, CodecLZ4))
	if find(&first, "batch[0]", "records", "records (decompressed)") == nil || second.Failed() ||
		!strings.Contains(find(&second, "batch[0]", "records").Value, "not decompressed") {
		t.Fatalf("first %+v, second %+v", first.Children[0].Children, second.Children[0].Children)
	}
}
