package wire

import "testing"

// benchPayload is a records section of 1000 records of 100 bytes of JSON-ish text (100 KB), about
// what one produce batch carries.
var benchPayload = recordsPayload(1000)

// BenchmarkCompress measures AppendCompress at each codec's default level into a reused buffer.
// Throughput is of uncompressed bytes.
func BenchmarkCompress(b *testing.B) {
	for _, c := range Codecs {
		b.Run(c.String(), func(b *testing.B) {
			dst := make([]byte, 0, 2*len(benchPayload))
			b.SetBytes(int64(len(benchPayload)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if dst, err = AppendCompress(dst[:0], benchPayload, c, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(benchPayload))/float64(len(dst)), "ratio")
		})
	}
}

// BenchmarkDecompress measures AppendDecompress of what AppendCompress wrote, into a reused buffer.
// Throughput is of uncompressed bytes.
func BenchmarkDecompress(b *testing.B) {
	for _, c := range Codecs {
		b.Run(c.String(), func(b *testing.B) {
			comp := mustCompress(b, benchPayload, c, 0)
			dst := make([]byte, 0, len(benchPayload))
			b.SetBytes(int64(len(benchPayload)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if dst, err = AppendDecompress(dst[:0], comp, c, len(benchPayload)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
