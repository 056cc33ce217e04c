package protocol

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire"
)

// checkTiling requires the children of every field outside a decompressed buffer to follow each
// other without gaps or overlaps from the field's first byte, and to lie within it.
func checkTiling(t *testing.T, f *wire.Field, path string) {
	t.Helper()
	path += "." + f.Name
	if len(f.Children) == 0 || f.Failed() {
		return
	}
	at := f.Offset
	for i := range f.Children {
		c := &f.Children[i]
		if c.Buffer != nil {
			continue
		}
		if c.Offset != at {
			t.Fatalf("%s.%s starts at %d, want %d", path, c.Name, c.Offset, at)
		}
		at += c.Length
		checkTiling(t, c, path)
	}
	if at > f.Offset+f.Length {
		t.Fatalf("%s: children end at %d, past the field's end %d", path, at, f.Offset+f.Length)
	}
}

// find returns the first field named name, depth first, or nil.
func find(f *wire.Field, name string) *wire.Field {
	if f.Name == name {
		return f
	}
	for i := range f.Children {
		if got := find(&f.Children[i], name); got != nil {
			return got
		}
	}
	return nil
}

// TestDissectProduceRequest dissects a Produce request at every version: no failure, children tile
// their parents, and the record batch's fields sit where the batch lies in the frame.
func TestDissectProduceRequest(t *testing.T) {
	batch := testRecordBatch(t)
	for v := ProduceVersions.Min; v <= ProduceVersions.Max; v++ {
		client := "kwire"
		frame := AppendRequest(nil, &RequestHeader{APIKey: KeyProduce, APIVersion: v, CorrelationID: 7, ClientID: &client},
			produceRequestAt(v, batch, true))
		root := DissectRequest(frame)
		if fail := wire.FindFailure(&root); fail != nil {
			t.Fatalf("v%d: %v", v, fail)
		}
		if root.Length != len(frame) || root.Value != "Produce v"+strconv.Itoa(int(v)) {
			t.Errorf("v%d: root %q of %d bytes, want Produce v%d of %d", v, root.Value, root.Length, v, len(frame))
		}
		checkTiling(t, &root, "")
		crc := find(&root, "crc")
		if crc == nil {
			t.Fatalf("v%d: no crc field", v)
		}
		start := strings.Index(string(frame), string(batch))
		if crc.Offset != start+17 || !strings.HasSuffix(crc.Value, "(valid)") {
			t.Errorf("v%d: crc at %d %q, want at %d and valid", v, crc.Offset, crc.Value, start+17)
		}
	}
}

// TestDissectRequestLimits: the record batches of a request's partitions share one dissection's
// limits, so eight partitions of the 863-byte batch of a million records show about as many
// records in all as those limits allow, not eight times ten thousand.
func TestDissectRequestLimits(t *testing.T) {
	batch, err := bomb.Batch(bomb.Spec{Records: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	req := &ProduceRequest{Acks: 1, TimeoutMs: 1000, TopicData: []ProduceTopic{{Name: "t"}}}
	for i := range 8 {
		req.TopicData[0].PartitionData = append(req.TopicData[0].PartitionData, ProducePartition{Index: int32(i), Records: batch})
	}
	client := "kwire"
	root := DissectRequest(AppendRequest(nil, &RequestHeader{APIKey: KeyProduce, APIVersion: 9, ClientID: &client}, req))
	records := 0
	var count func(f *wire.Field)
	count = func(f *wire.Field) {
		if strings.HasPrefix(f.Name, "record[") {
			records++
		}
		for i := range f.Children {
			count(&f.Children[i])
		}
	}
	count(&root)
	if most := wire.DefaultDissectLimits.Fields/7 + 8; root.Failed() || records > most { // seven fields a record at least
		t.Fatalf("%d records shown, want at most %d (failed: %v)", records, most, root.Failed())
	}
}

// TestDissectRequestTruncated cuts a request at every length: the dissection fails, never panics,
// and names a field.
func TestDissectRequestTruncated(t *testing.T) {
	frame := AppendRequest(nil, &RequestHeader{APIKey: KeyProduce, APIVersion: 9}, produceRequestAt(9, testRecordBatch(t), false))
	for n := range len(frame) {
		root := DissectRequest(frame[:n])
		fail := wire.FindFailure(&root)
		if fail == nil {
			t.Fatalf("%d of %d bytes: no failure", n, len(frame))
		}
		if fail.Field.Offset > n {
			t.Fatalf("%d bytes: failure at offset %d: %v", n, fail.Field.Offset, fail)
		}
	}
}

// TestDissectRequestErrors checks the messages for a bad size, trailing bytes, an unknown API and
// an unsupported version.
func TestDissectRequestErrors(t *testing.T) {
	frame := AppendRequest(nil, &RequestHeader{APIKey: KeyProduce, APIVersion: 3}, produceRequestAt(3, nil, false))
	long := append(append([]byte{}, frame...), 1, 2, 3)
	unframed := append(append([]byte{}, frame...), 0)
	unframed[3]++ // the size covers the extra byte, which the body does not use
	meta := AppendRequest(nil, &RequestHeader{APIKey: KeyMetadata, APIVersion: 4}, &MetadataRequest{})
	old := append([]byte{}, frame...)
	old[6], old[7] = 0xff, 0xff // apiVersion -1
	for _, c := range []struct {
		name string
		src  []byte
		want string
	}{
		{"trailing after the size", long, "size at offset 0: size 69, but 72 bytes follow it"},
		{"trailing in the body", unframed, "body.trailing at offset"},
		{"version", old, "body at offset 14: Produce v-1: kwire implements v0 to v13"},
	} {
		root := DissectRequest(c.src)
		fail := wire.FindFailure(&root)
		if fail == nil {
			t.Errorf("%s: no failure", c.name)
			continue
		}
		if !strings.Contains(fail.Error(), c.want) {
			t.Errorf("%s: %q does not say %q", c.name, fail.Error(), c.want)
		}
	}
	root := DissectRequest(meta)
	if root.Failed() || root.Value != "Metadata v4" || !strings.Contains(root.Children[2].Value, "only Produce") {
		t.Errorf("metadata request: %+v", root)
	}
}

// TestLooksLikeRequest tells requests from record batches.
func TestLooksLikeRequest(t *testing.T) {
	batch := testRecordBatch(t)
	frame := AppendRequest(nil, &RequestHeader{APIKey: KeyProduce, APIVersion: 9}, produceRequestAt(9, batch, false))
	if !LooksLikeRequest(frame) || LooksLikeRequest(batch) || LooksLikeRequest(frame[:3]) || LooksLikeRequest(frame[:len(frame)-1]) {
		t.Error("LooksLikeRequest misjudges a request, a batch or a truncated request")
	}
}

// FuzzDissectRequest dissects arbitrary bytes as a request: it must never panic, and every field
// must lie within the bytes it describes.
func FuzzDissectRequest(f *testing.F) {
	batch := testRecordBatch(f)
	for _, v := range []int16{0, 3, 9, 13} {
		f.Add(AppendRequest(nil, &RequestHeader{APIKey: KeyProduce, APIVersion: v}, produceRequestAt(v, batch, true)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root := DissectRequest(data)
		checkWithin(t, &root, len(data))
	})
}

// checkWithin requires every field to lie within its byte space: the input, or the Buffer of the
// field itself or its nearest ancestor that has one.
func checkWithin(t *testing.T, f *wire.Field, size int) {
	if f.Buffer != nil {
		size = len(f.Buffer)
	}
	if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > size {
		t.Fatalf("field %s spans [%d,+%d) outside %d bytes", f.Name, f.Offset, f.Length, size)
	}
	for i := range f.Children {
		checkWithin(t, &f.Children[i], size)
	}
}
