package producer

import (
	"sync/atomic"
	"time"
)

// clockTick is how often the coarse clock refreshes while records flow; clockIdle is how long it
// keeps going without a reader.
const (
	clockTick = time.Millisecond
	clockIdle = time.Second
)

// coarseClock gives Send the time in milliseconds, for records without a timestamp, at the cost of
// an atomic load: reading the system clock costs 65-80 ns on the virtual machines kwire was
// measured on, a third of a Send. While records flow, a goroutine refreshes the time every
// millisecond, so a timestamp lags the system clock by about a millisecond at most (more only when
// the machine is too loaded to run the goroutine); it stops after a second without readers, so an
// idle producer costs nothing.
type coarseClock struct {
	now     atomic.Int64 // milliseconds since the epoch, while running
	running atomic.Bool
	read    atomic.Bool // read since the last idle check
}

// milli is the current time in milliseconds since the epoch.
func (c *coarseClock) milli() int64 {
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

// run refreshes the time until a clockIdle passes without a reader.
func (c *coarseClock) run() {
	tick := time.NewTicker(clockTick)
	defer tick.Stop()
	idleAt := time.Now().Add(clockIdle)
	for t := range tick.C {
		c.now.Store(t.UnixMilli())
		if t.Before(idleAt) {
			continue
		}
		if !c.read.Swap(false) {
			c.running.Store(false)
			return
		}
		idleAt = t.Add(clockIdle)
	}
}
