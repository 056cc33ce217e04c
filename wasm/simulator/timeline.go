package simulator

import "time"

// EntryKind says what a timeline entry is.
type EntryKind int

// The kinds of entries.
const (
	KindExchange    EntryKind = iota // a request and the broker's answer, or what happened instead
	KindConnection                   // a connection opening or closing
	KindProducer                     // the producer's own account: sends, retries, failures
	KindFault                        // the simulation arming a fault or moving a leader
	KindApplication                  // the application sending records, and their callbacks running
)

var kindNames = [...]string{"exchange", "connection", "producer", "fault", "application"}

// String is the kind's name, as the page's style sheet knows it.
func (k EntryKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "entry"
}

// Tone says how an entry went, for its colour.
type Tone string

// The tones.
const (
	ToneNone Tone = ""
	ToneOK   Tone = "ok"   // answered without error
	ToneWarn Tone = "warn" // a retriable failure, a fault, a closed connection
	ToneBad  Tone = "bad"  // a failure the producer does not retry; a duplicate written
	ToneDup  Tone = "dup"  // a retry the broker recognised as already written
)

// Entry is one line of the timeline.
type Entry struct {
	At       time.Duration // from the start of the run: for an exchange, when the broker read the request
	Took     time.Duration // an exchange: from reading the request to answering, or to closing instead
	Kind     EntryKind
	Broker   int32    // the broker it is about, or -1
	Conn     int      // an exchange's connection, numbered from 1 in the order they carried a first request
	Title    string   // an exchange's API and version, e.g. "Produce v11"; the text of other entries
	Request  string   // an exchange: what the request asks
	Response string   // an exchange: what the broker answered, or why it did not
	Notes    []string // an exchange: faults applied, retries and duplicates recognised
	Tone     Tone
	Exchange int // the index of an exchange in [Result.Exchanges], or -1
}

// Callback is a record's outcome, as its callback was told.
type Callback struct {
	Index     int           // the record's number, from 0, in the order the application sent them
	At        time.Duration // when the callback ran, from the start of the run
	Partition int32
	Offset    int64  // -1 without one: acks=0, or a failure
	Err       string // "" for success
}
