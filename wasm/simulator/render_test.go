package simulator

import (
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/wasm/explorer"
)

// TestRender renders a lost acknowledgement without idempotence: the timeline has an item per
// entry and a details element per exchange; the log marks its duplicates; the lost exchange's
// bytes say there is no response; the retry's response is dissected; a request goes to the
// Decode view as a request.
func TestRender(t *testing.T) {
	res := runFor(t, settingsFor(t, map[string]string{explorer.KeySimIdempotent: "", explorer.KeySimFault: string(FaultLostAck)}))
	timeline := res.TimelineHTML()
	if n := strings.Count(timeline, `<li class="ev `); n != len(res.Entries) {
		t.Errorf("%d timeline items for %d entries", n, len(res.Entries))
	}
	if n := strings.Count(timeline, "<details data-ex="); n != len(res.Exchanges) {
		t.Errorf("%d exchanges in the timeline, want %d", n, len(res.Exchanges))
	}
	for _, want := range []string{`data-kind="exchange" data-tone="bad"`, "Written again, at offset 3", "Produce v11"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline lacks %q", want)
		}
	}
	log := res.LogHTML()
	if strings.Count(log, `data-dup="1"`) != 6 || !strings.Contains(log, "6 records in 2 batches") || !strings.Contains(log, "Duplicate: stored 2×, sent 1×") {
		t.Errorf("log: %s", log)
	}
	ps := produces(res)
	lost, retry := res.BytesHTML(ps[0].Exchange, 16), res.BytesHTML(ps[1].Exchange, 8)
	if !strings.Contains(lost, "No response on the wire") || !strings.Contains(lost, "recordBatches") || !strings.Contains(lost, `data-decode="`) {
		t.Errorf("the lost exchange's bytes: %.500s", lost)
	}
	if !strings.Contains(retry, "Response: ") || !strings.Contains(retry, "partition 0: offset 3") {
		t.Errorf("the retry's bytes: %.500s", retry)
	}
	if res.BytesHTML(-1, 16) != "" || res.BytesHTML(len(res.Exchanges), 16) != "" || res.RequestHex(99) != "" {
		t.Error("an exchange out of range renders")
	}
	d, err := explorer.DecodeHex(res.RequestHex(ps[0].Exchange))
	if err != nil || !d.IsRequest || d.Root.Value != "Produce v11" {
		t.Errorf("the request's hex decodes as %+v, %v", d, err)
	}
	if cb := res.CallbacksHTML(); !strings.Contains(cb, "orders/0 at offset 3") {
		t.Errorf("callbacks: %s", cb)
	}
	if v := res.VerdictHTML(); !strings.Contains(v, "t-bad") || !strings.Contains(v, "requests.") {
		t.Errorf("verdict: %s", v)
	}
}

// TestLogEmpty renders a log with nothing written: every attempt refused until delivery.timeout.ms.
func TestLogEmpty(t *testing.T) {
	res := runFor(t, settingsFor(t, map[string]string{explorer.KeySimFault: string(FaultNotEnoughReplicas), explorer.KeySimFaultTimes: "100",
		explorer.KeySimRequestTimeout: "100", explorer.KeySimDeliveryTimeout: "400", explorer.KeySimLinger: "0"}))
	if len(res.Log) != 0 || res.Failed() != 3 || !strings.Contains(res.LogHTML(), "The log is empty") {
		t.Fatalf("log %d records, %d failed", len(res.Log), res.Failed())
	}
	if cb := res.CallbacksHTML(); !strings.Contains(cb, "delivery.timeout.ms") {
		t.Errorf("callbacks: %s", cb)
	}
	if v, tone := res.Verdict(); tone != ToneBad || !strings.Contains(v, "3 records failed") {
		t.Errorf("verdict %q (%s)", v, tone)
	}
	if n := len(produces(res)); n == 0 {
		t.Error("no produce request")
	}
}
