package randtext

import (
	"math/rand/v2"
	"testing"
)

// TestFill fills buffers of every length up to two draws and more: only capital letters, every
// one of them used, none much more often than the others, and no two fills alike.
func TestFill(t *testing.T) {
	src := rand.NewPCG(1, 2)
	var counts [26]int
	var prev string
	for size := 1; size <= 40; size++ {
		for range 500 {
			b := make([]byte, size)
			Fill(src, b)
			for _, c := range b {
				if c < 'A' || c > 'Z' {
					t.Fatalf("size %d: %q holds %q", size, b, c)
				}
				counts[c-'A']++
			}
			if size >= 8 && string(b) == prev {
				t.Fatalf("size %d: the same %q twice in a row", size, b)
			}
			prev = string(b)
		}
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	for i, n := range counts {
		if want := total / 26; n < want*9/10 || n > want*11/10 {
			t.Errorf("%c drawn %d times of %d, want about %d", 'A'+i, n, total, want)
		}
	}
}

func BenchmarkFill100(b *testing.B) {
	src := rand.NewPCG(1, 2)
	buf := make([]byte, 100)
	b.SetBytes(100)
	b.ReportAllocs()
	for range b.N {
		Fill(src, buf)
	}
}
