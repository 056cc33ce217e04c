package simulator

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// callbackEntries are the timeline's account of the callbacks: runs of records whose callbacks
// ran together with the same kind of outcome, one entry each.
func callbackEntries(callbacks []Callback) []Entry {
	byTime := slices.Clone(callbacks)
	slices.SortStableFunc(byTime, func(a, b Callback) int { return cmp.Compare(a.At, b.At) })
	var entries []Entry
	for i := 0; i < len(byTime); {
		j := i + 1
		for j < len(byTime) && together(&byTime[j-1], &byTime[j]) {
			j++
		}
		entries = append(entries, callbackEntry(byTime[i:j]))
		i = j
	}
	return entries
}

// together reports whether callback b continues a's run: the next record, the next offset (or the
// same error), within a millisecond.
func together(a, b *Callback) bool {
	return b.Index == a.Index+1 && b.Err == a.Err && b.At-a.At < time.Millisecond &&
		(a.Err != "" || a.Offset < 0 && b.Offset < 0 || b.Offset == a.Offset+1)
}

// callbackEntry is the entry of a run of callbacks.
func callbackEntry(run []Callback) Entry {
	first, last := run[0], run[len(run)-1]
	who := fmt.Sprintf("record #%d", first.Index)
	if len(run) > 1 {
		who = fmt.Sprintf("records #%d to #%d", first.Index, last.Index)
	}
	e := Entry{At: first.At, Kind: KindApplication, Broker: -1, Exchange: -1, Tone: ToneOK}
	switch {
	case first.Err != "":
		e.Title, e.Tone = fmt.Sprintf("Callback of %s: failed: %s", who, first.Err), ToneBad
	case first.Offset < 0:
		e.Title = fmt.Sprintf("Callback of %s: sent, no offset (acks=0)", who)
	case len(run) == 1:
		e.Title = fmt.Sprintf("Callback of %s: %s/%d at offset %d", who, Topic, first.Partition, first.Offset)
	default:
		e.Title = fmt.Sprintf("Callbacks of %s: %s/%d at offsets %d to %d", who, Topic, first.Partition, first.Offset, last.Offset)
	}
	return e
}
