// Package randtext makes the payloads of kwire's and interop's perf tools: random capital letters,
// as Kafka's ProducerPerformance fills each record's value, drawn cheaply enough that making them
// does not weigh on what the tools measure.
package randtext

import "math/rand/v2"

// lettersPerDraw is how many base-26 digits one uint64 holds: 26^13 < 2^64 < 26^14.
const lettersPerDraw = 13

// Fill writes uniformly random letters A-Z into b, thirteen from each 64-bit draw of src.
func Fill(src rand.Source, b []byte) {
	for len(b) > 0 {
		x := src.Uint64()
		n := min(len(b), lettersPerDraw)
		for i := range n {
			b[i] = byte('A' + x%26)
			x /= 26
		}
		b = b[n:]
	}
}
