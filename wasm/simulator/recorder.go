package simulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
)

// recorder collects what happens during a run, from the goroutines of the connections, the
// producer and the callbacks.
type recorder struct {
	start time.Time
	names *strings.Replacer // broker addresses to "broker N"

	mu        sync.Mutex
	exchanges []mockbroker.Exchange
	notes     []Entry
	callbacks []Callback
	closing   bool        // the run is over: connections close because the producer does
	produces  []time.Time // when the producer wrote each Produce request
}

func newRecorder() *recorder {
	return &recorder{start: time.Now(), names: strings.NewReplacer()}
}

// nameBrokers makes notes say "broker N" rather than broker N's address. Longer addresses go
// first, so that one that begins with another is replaced whole.
func (r *recorder) nameBrokers(addrs []string) {
	ids := make([]int, len(addrs))
	for i := range ids {
		ids[i] = i
	}
	slices.SortFunc(ids, func(a, b int) int { return len(addrs[b]) - len(addrs[a]) })
	var pairs []string
	for _, id := range ids {
		name := "broker " + strconv.Itoa(id)
		pairs = append(pairs, "broker "+addrs[id], name, addrs[id], name)
	}
	r.names = strings.NewReplacer(pairs...)
}

// since is the time from the run's start to t.
func (r *recorder) since(t time.Time) time.Duration { return t.Sub(r.start) }

// exchange keeps an exchange the broker completed.
func (r *recorder) exchange(e mockbroker.Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exchanges = append(r.exchanges, e)
}

// note adds an entry of kind to the timeline, now, about broker (-1 for none).
func (r *recorder) note(kind EntryKind, broker int32, tone Tone, format string, args ...any) {
	e := Entry{At: r.since(time.Now()), Kind: kind, Broker: broker, Tone: tone, Exchange: -1,
		Title: r.names.Replace(fmt.Sprintf(format, args...))}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, e)
}

// callback keeps a record's outcome.
func (r *recorder) callback(c Callback) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.callbacks = append(r.callbacks, c)
}

// produceSent notes that the producer wrote a Produce request at t.
func (r *recorder) produceSent(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.produces = append(r.produces, t)
}

// producesSent is when the producer wrote its first n Produce requests.
func (r *recorder) producesSent(n int) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.produces[:min(n, len(r.produces))])
}

// setClosing marks the end of the run, after which connections closing is no news.
func (r *recorder) setClosing() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closing = true
}

// isClosing reports whether the run is over.
func (r *recorder) isClosing() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closing
}
