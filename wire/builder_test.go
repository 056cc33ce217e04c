package wire

import (
	"bytes"
	"testing"
)

// TestBuilderMatchesAppendRecordBatch: a batch built a record at a time is byte for byte the batch
// AppendRecordBatch writes for the same records and header, under every codec.
func TestBuilderMatchesAppendRecordBatch(t *testing.T) {
	for _, n := range []int{0, 1, 3, 500} {
		for _, codec := range Codecs {
			want := testBatch(n, 40)
			if n > 2 {
				want.Records[2].Timestamp = want.Records[0].Timestamp - 7 // not monotonic
			}
			want.BatchHeader = BatchHeader{PartitionLeaderEpoch: -1, ProducerID: 9, ProducerEpoch: 2, BaseSequence: 100}
			want.Attributes = want.Attributes.WithCodec(codec)
			wantBytes, err := AppendRecordBatch(nil, want, 0)
			if err != nil {
				t.Fatal(err)
			}
			var b BatchBuilder
			for i := range want.Records {
				b.Append(&want.Records[i])
			}
			if size := b.Size(); codec == CodecNone && size != len(wantBytes) {
				t.Fatalf("%d records, %s: Size %d, batch has %d bytes", n, codec, size, len(wantBytes))
			}
			got, err := b.Finish(nil, want.BatchHeader, 0)
			if err != nil || !bytes.Equal(got, wantBytes) {
				t.Fatalf("%d records, %s: builder differs (err %v)\n got % x\nwant % x", n, codec, err, got, wantBytes)
			}
		}
	}
}

func TestBuilderSizeWith(t *testing.T) {
	var b BatchBuilder
	recs := testBatch(50, 30).Records
	for i := range recs {
		want := b.SizeWith(&recs[i])
		b.Append(&recs[i])
		if b.Size() != want {
			t.Fatalf("record %d: SizeWith said %d, Size is %d", i, want, b.Size())
		}
	}
}

func TestSetProducerState(t *testing.T) {
	rb := testBatch(3, 10)
	rb.BatchHeader = BatchHeader{PartitionLeaderEpoch: -1, ProducerID: 1, ProducerEpoch: 0, BaseSequence: 0}
	first, _ := AppendRecordBatch(nil, rb, 0)
	rb.ProducerID, rb.ProducerEpoch, rb.BaseSequence = 77, 3, 41
	want, _ := AppendRecordBatch(nil, rb, 0)
	SetProducerState(first, 77, 3, 41)
	if !bytes.Equal(first, want) {
		t.Fatalf("got  % x\nwant % x", first, want)
	}
}

func TestBuilderAppendDoesNotAllocateWhenWarm(t *testing.T) {
	recs := testBatch(100, 100).Records
	var b BatchBuilder
	buf := make([]byte, 0, 64<<10)
	allocs := testing.AllocsPerRun(20, func() {
		b.Reset(buf)
		for i := range recs {
			b.Append(&recs[i])
		}
		buf, _ = b.Finish(nil, BatchHeader{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, 0)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per 100-record batch", allocs)
	}
}
