package wire

import (
	"bytes"
	"fmt"
	"testing"
)

// benchBatch is the reference load: 1,000 records of 100-byte values, keyed, no headers.
func benchBatch() *RecordBatch {
	b := &RecordBatch{BatchHeader: BatchHeader{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}}
	for i := range 1000 {
		value := fmt.Appendf(nil, `{"id":%d,"user":"user-%d","event":"page_view","path":"/products/%d"}`, i, i%97, i%13)
		value = append(value, bytes.Repeat([]byte{' '}, 100-len(value))...)
		b.Records = append(b.Records, Record{Timestamp: 1_700_000_000_000 + int64(i), Key: fmt.Appendf(nil, "user-%d", i%97), Value: value[:100]})
	}
	return b
}

func BenchmarkEncodeBatch(b *testing.B) {
	for _, codec := range Codecs {
		b.Run(codec.String(), func(b *testing.B) {
			batch := benchBatch()
			batch.Attributes = batch.Attributes.WithCodec(codec)
			buf, err := AppendRecordBatch(nil, batch, 0)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(uncompressedSize(batch)))
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = AppendRecordBatch(buf[:0], batch, 0)
			}
			b.ReportMetric(float64(len(buf)), "batch-bytes")
		})
	}
}

func BenchmarkDecodeBatch(b *testing.B) {
	for _, codec := range Codecs {
		b.Run(codec.String(), func(b *testing.B) {
			batch := benchBatch()
			batch.Attributes = batch.Attributes.WithCodec(codec)
			data, err := AppendRecordBatch(nil, batch, 0)
			if err != nil {
				b.Fatal(err)
			}
			var dec RecordBatch
			b.SetBytes(int64(uncompressedSize(batch)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dec.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// uncompressedSize is the batch's size without compression, the throughput all codecs are
// measured against.
func uncompressedSize(b *RecordBatch) int {
	plain := *b
	plain.Attributes = plain.Attributes.WithCodec(CodecNone)
	data, _ := AppendRecordBatch(nil, &plain, 0)
	return len(data)
}

func BenchmarkDissect(b *testing.B) {
	data, _ := AppendRecordBatch(nil, benchBatch(), 0)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		DissectRecordBatches(data)
	}
}
