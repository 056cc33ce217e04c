// Package coarseclock is a millisecond clock that costs an atomic load to read, for code that
// needs the time once per record: the producer's record timestamps and kwire perf's latencies.
package coarseclock

import (
	"sync/atomic"
	"time"
)

// tick is how often the clock refreshes while read; idle is how long it keeps going without a
// reader.
const (
	tick = time.Millisecond
	idle = time.Second
)

// Clock is the time in milliseconds at the cost of an atomic load: reading the system clock costs
// 65-80 ns on the virtual machines kwire was measured on, a third of a producer's Send. While it is
// read, a goroutine refreshes the time every millisecond, so it lags the system clock by about a
// millisecond at most (more only when the machine is too loaded to run the goroutine); it stops
// after a second without readers, so an idle clock costs nothing. The zero Clock is ready to use.
type Clock struct {
	now     atomic.Int64 // milliseconds since the epoch, while running
	running atomic.Bool
	read    atomic.Bool // read since the last idle check
}

// Milli is the current time in milliseconds since the epoch.
func (c *Clock) Milli() int64 {
	if !c.read.Load() {
		c.read.Store(true)
	}
	if c.running.Load() {
		return c.now.Load()
	}
	now := time.Now().UnixMilli()
	if c.running.CompareAndSwap(false, true) {
		c.now.Store(now)
		go c.run()
	}
	return now
}

// run refreshes the time until idle passes without a reader.
func (c *Clock) run() {
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	idleAt := time.Now().Add(idle)
	for t := range ticker.C {
		c.now.Store(t.UnixMilli())
		if t.Before(idleAt) {
			continue
		}
		if !c.read.Swap(false) {
			c.running.Store(false)
			return
		}
		idleAt = t.Add(idle)
	}
}
