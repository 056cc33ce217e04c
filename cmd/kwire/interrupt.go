package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// interrupts stops a run in two steps: the first SIGINT or SIGTERM ends the context reading, with
// an *interruptedError as its cause, and the second ends waiting. Later signals are ignored until
// stop, so that what the run writes last is written whole.
type interrupts struct {
	reading, waiting context.Context
	stopReading      context.CancelCauseFunc
	stopWaiting      context.CancelFunc
	signals          chan os.Signal
	done             chan struct{}
}

// catchInterrupts catches SIGINT and SIGTERM until stop; onFirst runs when the first arrives.
func catchInterrupts(onFirst func(*interruptedError)) *interrupts {
	i := &interrupts{signals: make(chan os.Signal, 2), done: make(chan struct{})}
	i.reading, i.stopReading = context.WithCancelCause(context.Background())
	i.waiting, i.stopWaiting = context.WithCancel(context.Background())
	signal.Notify(i.signals, os.Interrupt, syscall.SIGTERM)
	go i.watch(onFirst)
	return i
}

// watch takes the signals until stop.
func (i *interrupts) watch(onFirst func(*interruptedError)) {
	for n := 0; ; n++ {
		select {
		case sig := <-i.signals:
			switch n {
			case 0:
				e := &interruptedError{sig}
				i.stopReading(e)
				onFirst(e)
			case 1:
				i.stopWaiting()
			}
		case <-i.done:
			return
		}
	}
}

// interrupted is the first signal's error, or nil if none came.
func (i *interrupts) interrupted() *interruptedError {
	var e *interruptedError
	errors.As(context.Cause(i.reading), &e)
	return e
}

// stop gives the signals back their default effect.
func (i *interrupts) stop() {
	signal.Stop(i.signals)
	close(i.done)
	i.stopReading(nil)
	i.stopWaiting()
}

// interruptedError is a run that a signal stopped. kwire then exits with 128 + the signal's
// number, the status a shell shows for a command the signal killed.
type interruptedError struct{ sig os.Signal }

// Error names the signal.
func (e *interruptedError) Error() string { return "interrupted by " + signalName(e.sig) }

// ExitCode is 128 + the signal's number.
func (e *interruptedError) ExitCode() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// signalName is SIGINT or SIGTERM, as a user sends them.
func signalName(sig os.Signal) string {
	if sig == os.Interrupt {
		return "SIGINT"
	}
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return sig.String()
}
