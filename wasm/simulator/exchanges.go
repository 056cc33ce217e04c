package simulator

import (
	"fmt"
	"slices"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// exchangeEntries turns the broker's exchanges, in the order it read the requests, into timeline
// entries: what each request asked, what the broker answered or did instead, and the retries and
// duplicates among produce requests, told apart with the partition log (stored).
func exchangeEntries(rec *recorder, exchanges []mockbroker.Exchange, stored [][]byte, requestTimeout time.Duration) []Entry {
	conns := map[int64]int{}
	seen := newAttempts(stored)
	entries := make([]Entry, 0, len(exchanges))
	for i := range exchanges {
		e := &exchanges[i]
		if _, ok := conns[e.Conn]; !ok {
			conns[e.Conn] = len(conns) + 1
		}
		en := Entry{At: rec.since(e.At), Took: e.Took, Kind: KindExchange, Broker: e.Broker, Conn: conns[e.Conn], Exchange: i,
			Title: fmt.Sprintf("%s v%d", e.Header.APIKey, e.Header.APIVersion), Request: requestSummary(e.Request)}
		en.Response, en.Tone = answer(e, requestTimeout)
		for _, f := range e.Faults {
			en.Notes = append(en.Notes, "Fault applied: "+describe(f))
		}
		if req, ok := e.Request.(*protocol.ProduceRequest); ok {
			seen.observe(&en, e, req)
		}
		entries = append(entries, en)
		if late, ok := lateAnswer(&en, e, requestTimeout); ok {
			entries = append(entries, late)
		}
	}
	return entries
}

// lateAnswer is the entry of an answer a DelayResponse fault held past request.timeout.ms, at the
// time the broker sent it.
func lateAnswer(en *Entry, e *mockbroker.Exchange, requestTimeout time.Duration) (Entry, bool) {
	if !applied(e, mockbroker.DelayResponse) || e.Took <= requestTimeout || e.ResponseBytes == nil {
		return Entry{}, false
	}
	return Entry{At: en.At + e.Took, Kind: KindConnection, Broker: e.Broker, Tone: ToneWarn, Exchange: -1,
		Title: fmt.Sprintf("Broker %d sends its answer to #%d at last, %s after reading the request: the producer closed that connection long ago.",
			e.Broker, en.Exchange+1, millis(e.Took))}, true
}

// answer says what the broker answered, or why the producer got no answer.
func answer(e *mockbroker.Exchange, requestTimeout time.Duration) (string, Tone) {
	switch {
	case applied(e, mockbroker.DropBeforeHandling):
		return "no answer: the broker closed the connection without handling the request", ToneWarn
	case applied(e, mockbroker.DropAfterHandling):
		s, _ := responseSummary(e.Response)
		return "no answer: the broker handled the request, then closed the connection; it would have answered " + s, ToneWarn
	case e.ResponseBytes == nil:
		return "no answer: with acks=0 the producer asks for none", ToneOK
	}
	s, tone := responseSummary(e.Response)
	if applied(e, mockbroker.DelayResponse) && e.Took > requestTimeout {
		s += fmt.Sprintf(", but only after %s, past request.timeout.ms (%s): the producer had given up and closed the connection, so the answer went nowhere",
			millis(e.Took), millis(requestTimeout))
		tone = worse(tone, ToneWarn)
	}
	return s, tone
}

// applied reports whether a fault with action a applied to the exchange.
func applied(e *mockbroker.Exchange, a mockbroker.FaultAction) bool {
	return slices.ContainsFunc(e.Faults, func(f mockbroker.Fault) bool { return f.Action == a })
}

// describe says what a declared fault did to a request.
func describe(f mockbroker.Fault) string {
	switch f.Action {
	case mockbroker.DropBeforeHandling:
		return "DropBeforeHandling: the broker closed the connection instead of reading the request."
	case mockbroker.DropAfterHandling:
		return "DropAfterHandling: the broker did the work, then closed the connection instead of answering. The acknowledgement is lost."
	case mockbroker.TimeoutAfterHandling:
		return "TimeoutAfterHandling: the broker wrote the records, then answered REQUEST_TIMED_OUT."
	case mockbroker.RespondWithError:
		return fmt.Sprintf("RespondWithError: the broker answered %s without handling the request.", errorName(f.ErrorCode))
	case mockbroker.DelayResponse:
		return fmt.Sprintf("DelayResponse: the broker held its answer for %s.", millis(f.Delay))
	}
	return f.Action.String()
}

// millis formats a duration in milliseconds, e.g. "12.3 ms".
func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms >= 100 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f ms", ms)
}
