//go:build js && wasm

package main

import (
	"testing"

	"github.com/kwire-dev/kwire/wasm/explorer"
)

// TestOwnerFrom checks the step of the dump's arrow keys: the next run of another field.
func TestOwnerFrom(t *testing.T) {
	runs := []explorer.Run{{Node: 3}, {Node: 3}, {Node: -1}, {Node: 5}, {Node: 7}}
	for _, c := range []struct {
		from, step int
		cur        int32
		want       int
	}{
		{0, 1, 3, 5},  // past its own runs and the unowned one
		{4, -1, 7, 5}, // back
		{3, -1, 5, 3},
		{4, 1, 7, -1}, // nothing after the last
		{-1, -1, 3, -1},
	} {
		if got := ownerFrom(runs, c.from, c.step, c.cur); got != c.want {
			t.Errorf("ownerFrom(%d, %d, %d) = %d, want %d", c.from, c.step, c.cur, got, c.want)
		}
	}
}
