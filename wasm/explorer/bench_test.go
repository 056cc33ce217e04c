package explorer

import (
	"fmt"
	"strings"
	"testing"
)

// thousandRecords is a form with 1,000 records of about 80 bytes, compressed with codec.
func thousandRecords(codec string) Form {
	var sb strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&sb, `{"key":"user-%d","value":"{\"id\":%d,\"name\":\"user %d\",\"email\":\"user%d@example.com\",\"active\":%t}"}`+"\n", i%50, i, i%50, i%50, i%2 == 0)
	}
	f := Defaults()
	f[KeyRecords], f[KeyCompression] = sb.String(), codec
	return f
}

// BenchmarkBuild measures what a keystroke costs the Explorer with 1,000 records: parsing,
// encoding under all five codecs and dissecting.
func BenchmarkBuild(b *testing.B) {
	f := thousandRecords("zstd")
	b.ReportAllocs()
	for b.Loop() {
		if p := Build(f); p.Err != nil {
			b.Fatal(p.Err)
		}
	}
}

// BenchmarkRender measures the HTML of the dumps and the tree for 1,000 records.
func BenchmarkRender(b *testing.B) {
	d := Build(thousandRecords("zstd")).Dissection
	b.ReportAllocs()
	for b.Loop() {
		for v := range d.Views {
			d.DumpHTML(v, 32<<10)
		}
		d.TreeHTML(d.DefaultOpen, 0, -1)
	}
}
