package coarseclock

import (
	"testing"
	"time"
)

// TestClock: the clock tracks the system clock while read (within a second here, for loaded
// machines; a millisecond or two when the machine is not overloaded), and its goroutine
// stops once nobody reads it.
func TestClock(t *testing.T) {
	var c Clock
	for range 50 {
		before := time.Now().UnixMilli()
		got := c.Milli()
		after := time.Now().UnixMilli()
		if got < before-1000 || got > after {
			t.Fatalf("coarse time %d outside [%d-1000, %d]", got, before, after)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if !c.running.Load() {
		t.Fatal("the clock does not run while read")
	}
	deadline := time.Now().Add(5 * idle)
	for c.running.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("the clock still runs %v after its last reader", 5*idle)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got, now := c.Milli(), time.Now().UnixMilli(); got < now-1000 || got > now {
		t.Fatalf("after a restart: %d, now %d", got, now)
	}
}
