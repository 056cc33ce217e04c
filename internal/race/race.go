//go:build race

// Package race says whether the program was built with the race detector, for tests that
// measure memory or allocations, which the detector changes.
package race

// Enabled is true when the program was built with -race.
const Enabled = true
