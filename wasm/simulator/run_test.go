package simulator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/wasm/explorer"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// settingsFor reads the default form with changes, and fails the test on an input error. Unless
// changes say otherwise, request.timeout.ms is 2 s, so that a test machine busy with other work
// does not time requests out (the simulation would show it, but the test expects none).
func settingsFor(t *testing.T, changes map[string]string) *Settings {
	t.Helper()
	f := explorer.Defaults()
	f[explorer.KeySimRequestTimeout], f[explorer.KeySimDeliveryTimeout] = "2000", "10000"
	for k, v := range changes {
		f[k] = v
	}
	s, err := ReadSettings(f, time.UnixMilli(1700000000000))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runFor runs a simulation of s, bounded in time, and fails the test if it could not start. With
// -v it logs the timeline.
func runFor(t *testing.T, s *Settings) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := Run(ctx, s)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if testing.Verbose() {
		for _, e := range res.Entries {
			t.Logf("%9s %-11s %-16s %s | %s %v", at(&e), e.Kind, e.Title, e.Request, e.Response, e.Notes)
		}
	}
	return res
}

// produces are the timeline entries of Produce exchanges, in order.
func produces(res *Result) []Entry {
	var out []Entry
	for _, e := range res.Entries {
		if e.Kind == KindExchange && res.Exchanges[e.Exchange].Header.APIKey == protocol.KeyProduce {
			out = append(out, e)
		}
	}
	return out
}

// notes is every note of the timeline's entries, and their titles, as one text.
func notes(res *Result) string {
	var sb strings.Builder
	for _, e := range res.Entries {
		fmt.Fprintln(&sb, e.Title, "|", e.Request, "|", e.Response, "|", strings.Join(e.Notes, " "))
	}
	return sb.String()
}

// requireOnce fails the test unless the log holds each record sent exactly once, at the offsets
// the callbacks reported.
func requireOnce(t *testing.T, res *Result) {
	t.Helper()
	if n := res.Duplicates(); n != 0 || len(res.Log) != len(res.Settings.Records) || res.Failed() != 0 {
		t.Fatalf("log of %d records with %d duplicates and %d failed for %d sent", len(res.Log), n, res.Failed(), len(res.Settings.Records))
	}
	for i, c := range res.Callbacks {
		if c.Index != i || c.Offset != int64(i) || res.Log[i].AckedFor != i {
			t.Fatalf("callback %+v, log row %+v", c, res.Log[i])
		}
	}
}

// TestLostAckScenario is Kafka's documented case: the broker writes a batch, the acknowledgement is
// lost, the producer retries. Without idempotence the log holds the records twice and the
// retry's entry says so; with it the broker answers the retry with the first offsets.
func TestLostAckScenario(t *testing.T) {
	off := runFor(t, settingsFor(t, map[string]string{explorer.KeySimIdempotent: "", explorer.KeySimFault: string(FaultLostAck)}))
	ps := produces(off)
	if len(ps) != 2 || len(off.Log) != 6 || off.Duplicates() != 3 {
		t.Fatalf("idempotence off: %d produce requests, %d records stored, %d duplicates", len(ps), len(off.Log), off.Duplicates())
	}
	if !strings.Contains(ps[0].Response, "no answer") || !strings.Contains(strings.Join(ps[0].Notes, " "), "DropAfterHandling") ||
		ps[1].Tone != ToneBad || !strings.Contains(strings.Join(ps[1].Notes, " "), "Written again, at offset 3") {
		t.Errorf("idempotence off: the produce entries do not tell the story: %+v", ps)
	}
	for _, row := range off.Log {
		if !row.Duplicate() || row.ProducerID != -1 {
			t.Errorf("idempotence off: row %+v", row)
		}
	}
	if v, tone := off.Verdict(); tone != ToneBad || !strings.Contains(v, "3 of them are extra copies") {
		t.Errorf("idempotence off: verdict %q (%s)", v, tone)
	}
	if c := off.Callbacks[0]; c.Offset != 3 || off.Log[0].AckedFor != -1 || off.Log[3].AckedFor != 0 {
		t.Errorf("idempotence off: the callbacks report the second copy: %+v, log %+v", c, off.Log)
	}

	on := runFor(t, settingsFor(t, map[string]string{explorer.KeySimIdempotent: "1", explorer.KeySimFault: string(FaultLostAck)}))
	requireOnce(t, on)
	ps = produces(on)
	if len(ps) != 2 || ps[1].Tone != ToneDup || !strings.Contains(ps[1].Response, "a duplicate: already written at offset 0") {
		t.Errorf("idempotence on: the retry's entry: %+v", ps)
	}
	if !strings.Contains(notes(on), "InitProducerId v") || !strings.Contains(notes(on), "producer id 1") {
		t.Error("idempotence on: no producer id in the timeline")
	}
	if v, tone := on.Verdict(); tone != ToneOK || !strings.Contains(v, "Each record is there once") {
		t.Errorf("idempotence on: verdict %q (%s)", v, tone)
	}
}

// TestLostAckWording: both lost-acknowledgement presets explain the retry by the connection the
// broker closed, and never suggest that its listener requires SASL, which nothing here does.
func TestLostAckWording(t *testing.T) {
	for _, p := range Presets {
		res := runFor(t, settingsFor(t, p.Values))
		text := notes(res)
		if strings.Contains(text, "SASL") || !strings.Contains(text, "connection closed by the broker before it answered") {
			t.Errorf("%s: the timeline's notes should say the broker closed the connection unanswered, and nothing of SASL:\n%s", p.ID, text)
		}
	}
}

// TestFaults runs every fault with idempotence on and off: each tells its story on the timeline;
// with idempotence every record lands once; without it, faults after the write duplicate them.
func TestFaults(t *testing.T) {
	for _, c := range []struct {
		fault     Fault
		dupsOff   bool     // without idempotence, the log has duplicates
		timeline  []string // what the timeline says, either way
		producers int      // produce requests, either way; at least, for a leader move (the producer may try the old leader again before its metadata says where the new one is) and a delay (a busy machine may time the retry out too)
	}{
		{FaultNone, false, []string{"written at offset 0"}, 1},
		{FaultLostAck, true, []string{"DropAfterHandling", "Broker 0 closed the connection"}, 2},
		{FaultTimedOutAfterWrite, true, []string{"REQUEST_TIMED_OUT (retriable)", "but the producer was not told so"}, 2},
		{FaultNotLeader, false, []string{"NOT_LEADER_OR_FOLLOWER (retriable)"}, 2},
		{FaultNotEnoughReplicas, false, []string{"NOT_ENOUGH_REPLICAS (retriable)"}, 2},
		{FaultDelay, true, []string{"DelayResponse", "past request.timeout.ms", "within request.timeout.ms", "The producer closes its connection"}, 2},
		{FaultDropBefore, false, []string{"without handling the request"}, 2},
		{FaultMoveLeader, false, []string{"moves from broker 0 to broker 1", "NOT_LEADER_OR_FOLLOWER (retriable), the leader is now broker 1"}, 2},
	} {
		for _, idem := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/idempotence=%t", c.fault, idem), func(t *testing.T) {
				changes := map[string]string{explorer.KeySimFault: string(c.fault)}
				if c.fault == FaultDelay {
					changes[explorer.KeySimRequestTimeout] = "250"
				}
				s := settingsFor(t, changes)
				s.Idempotent = idem
				res := runFor(t, s)
				ps := produces(res)
				if len(ps) < c.producers || c.fault != FaultMoveLeader && c.fault != FaultDelay && len(ps) != c.producers {
					t.Errorf("%d produce requests, want %d", len(ps), c.producers)
				}
				text := notes(res)
				for _, want := range c.timeline {
					if !strings.Contains(text, want) {
						t.Errorf("the timeline lacks %q", want)
					}
				}
				if c.fault == FaultMoveLeader && (ps[0].Broker != 0 || ps[len(ps)-1].Broker != 1) {
					t.Errorf("produce requests went to brokers %d, then %d; want the old leader, then the new", ps[0].Broker, ps[len(ps)-1].Broker)
				}
				if idem || !c.dupsOff {
					requireOnce(t, res)
				} else if res.Duplicates() < 3 {
					t.Errorf("without idempotence: %d duplicates, want 3", res.Duplicates())
				}
			})
		}
	}
}

// TestManyBatches splits the records into small batches, several in flight, and loses two
// acknowledgements: with idempotence each record lands once and in order.
func TestManyBatches(t *testing.T) {
	var records strings.Builder
	for i := range 40 {
		fmt.Fprintf(&records, `{"key":"k%d","value":"value number %d"}`+"\n", i%4, i)
	}
	changes := map[string]string{explorer.KeySimRecords: records.String(), explorer.KeySimBatchSize: "120",
		explorer.KeySimLinger: "0", explorer.KeySimFault: string(FaultLostAck), explorer.KeySimFaultTimes: "2"}
	res := runFor(t, settingsFor(t, changes))
	requireOnce(t, res)
	if n := len(produces(res)); n < 4 {
		t.Errorf("%d produce requests: the records did not go in several batches", n)
	}
	changes[explorer.KeySimIdempotent] = ""
	if res := runFor(t, settingsFor(t, changes)); res.Duplicates() == 0 {
		t.Error("without idempotence, two lost acknowledgements made no duplicates")
	}
}

// TestAcksNone sends without acknowledgements: no answers, no offsets.
func TestAcksNone(t *testing.T) {
	res := runFor(t, settingsFor(t, map[string]string{explorer.KeySimIdempotent: "", explorer.KeySimAcks: "0", explorer.KeySimFault: "none"}))
	if len(res.Log) != 3 || len(res.Callbacks) != 3 || res.Callbacks[0].Offset != -1 {
		t.Fatalf("acks=0: log %d records, callbacks %+v", len(res.Log), res.Callbacks)
	}
	if p := produces(res); len(p) != 1 || !strings.Contains(p[0].Response, "acks=0") {
		t.Errorf("acks=0: produce entries %+v", p)
	}
	if !strings.Contains(res.CallbacksHTML(), "no offset (acks=0)") {
		t.Error("acks=0: the callbacks table does not say there is no offset")
	}
}

// TestConfigRefused: a configuration the producer refuses is reported at the input that sets it.
func TestConfigRefused(t *testing.T) {
	res := Run(context.Background(), settingsFor(t, map[string]string{explorer.KeySimIdempotent: "1", explorer.KeySimAcks: "1"}))
	ie, ok := res.Err.(*explorer.InputError)
	if !ok || ie.Field != explorer.KeySimAcks || !strings.Contains(ie.Message, "enable.idempotence") {
		t.Fatalf("idempotence with acks=1: %v", res.Err)
	}
}
