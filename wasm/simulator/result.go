package simulator

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
)

// Result is what a simulation shows: the timeline, the exchanges behind it, the callbacks and the
// partition log.
type Result struct {
	Settings  *Settings
	Err       error // set when the run could not start, with nothing else
	Took      time.Duration
	Entries   []Entry               // the timeline, in time order
	Exchanges []mockbroker.Exchange // in the order the broker read the requests
	Callbacks []Callback            // by record number; a record whose callback did not run has none
	Log       []LogRow              // the partition log, in offset order
}

// result gathers what the recorder saw, and the stored batches, into the run's result.
func (r *run) result(stored [][]byte) *Result {
	rec := r.rec
	rec.mu.Lock()
	exchanges, notes, callbacks := slices.Clone(rec.exchanges), slices.Clone(rec.notes), slices.Clone(rec.callbacks)
	rec.mu.Unlock()
	slices.SortStableFunc(exchanges, func(a, b mockbroker.Exchange) int { return a.At.Compare(b.At) })
	slices.SortFunc(callbacks, func(a, b Callback) int { return cmp.Compare(a.Index, b.Index) })
	res := &Result{Settings: r.s, Took: rec.since(time.Now()), Exchanges: exchanges, Callbacks: callbacks}
	log, err := readLog(stored, r.s.Records, callbacks)
	if err != nil {
		return &Result{Settings: r.s, Err: err}
	}
	res.Log = log
	res.Entries = exchangeEntries(rec, exchanges, stored, r.s.RequestTimeout)
	res.Entries = append(res.Entries, notes...)
	res.Entries = append(res.Entries, callbackEntries(callbacks)...)
	slices.SortStableFunc(res.Entries, func(a, b Entry) int { return cmp.Compare(a.At, b.At) })
	return res
}

// Duplicates is how many records of the log are extra copies: beyond the number of records with
// the same content the application sent.
func (res *Result) Duplicates() int {
	seen := map[string]bool{}
	extra := 0
	for i := range res.Log {
		row := &res.Log[i]
		k := contentKey(row.Key, row.Value, row.Headers, row.Timestamp)
		if row.Duplicate() && !seen[k] {
			seen[k] = true
			extra += row.Copies - row.Sent
		}
	}
	return extra
}

// Failed is how many records' callbacks reported an error, or did not run.
func (res *Result) Failed() int {
	n := len(res.Settings.Records) - len(res.Callbacks)
	for _, c := range res.Callbacks {
		if c.Err != "" {
			n++
		}
	}
	return n
}

// Verdict sums the run up in a sentence, and its tone: each record once, duplicates, or failures.
func (res *Result) Verdict() (string, Tone) {
	sent, stored, dups, failed := len(res.Settings.Records), len(res.Log), res.Duplicates(), res.Failed()
	idem := "off"
	if res.Settings.Idempotent {
		idem = "on"
	}
	s := fmt.Sprintf("%d %s sent with idempotence %s; the log holds %d.", sent, plural(sent, "record"), idem, stored)
	tone := ToneOK
	switch {
	case dups == 1:
		s += " One of them is an extra copy: a duplicate the application never sent."
		tone = ToneBad
	case dups > 1:
		s += fmt.Sprintf(" %d of them are extra copies: duplicates the application never sent.", dups)
		tone = ToneBad
	}
	if failed > 0 {
		s += fmt.Sprintf(" %d %s failed.", failed, plural(failed, "record"))
		tone = ToneBad
	}
	if tone == ToneOK {
		s += " Each record is there once."
	}
	return s, tone
}
