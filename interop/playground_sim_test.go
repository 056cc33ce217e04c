package interop

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// simLogRow is a row of the Simulator's partition log as the page shows it.
type simLogRow struct {
	Offset string `json:"offset"`
	Dup    string `json:"dup"`
	Value  string `json:"value"`
}

// TestPlaygroundSimulatorInBrowser runs kwire's producer against kwire's mock broker inside the
// page, in headless chromium: Kafka's lost-acknowledgement scenario with idempotence off (the log
// holds the record twice) and on (once), from the preset and from the settings; an exchange's
// bytes; a request opened in the Decode view; a leader move; the keyboard; a narrow screen. It saves
// screenshots and logs how long the runs took.
func TestPlaygroundSimulatorInBrowser(t *testing.T) {
	chromium := requireChromium(t)
	bin := buildPlaygroundKwire(t)
	url := serveSite(t, bin)
	shots := screenshotDir(t)
	p := &page{t: t, ctx: newBrowser(t, chromium)}
	p.load(url)

	p.simRun("opening the Simulator", chromedp.Click(chromedp.CSS("#tab-simulate")))
	if rows := p.simLog(); len(rows) == 0 {
		t.Fatalf("the first look at the Simulator shows no log: status %q", p.text("#sim-status"))
	}

	p.simRun("the preset with idempotence off", chromedp.Click(chromedp.CSS("#sim-preset-dup")))
	rows := p.simLog()
	if !allCopies(rows) {
		t.Errorf("idempotence off, lost acknowledgement: log %+v, want the record twice, marked as duplicates", rows)
	}
	timeline := p.text("#sim-timeline")
	for _, want := range []string{"ApiVersions v3", "Metadata v12", "Produce v11", "DropAfterHandling", "Written again, at offset 1", "Broker 0 closed the connection"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("idempotence off: the timeline lacks %q", want)
		}
	}
	if strings.Contains(timeline, "InitProducerId") {
		t.Error("idempotence off: the producer asked for a producer id")
	}
	if s := p.text("#sim-status"); !strings.Contains(s, "sent with idempotence off; the log holds") || !strings.Contains(s, "extra cop") {
		t.Errorf("idempotence off: status %q", s)
	}
	p.logRunTime("idempotence off")
	p.screenshot(shots, "simulator-lost-ack-idempotence-off.png")
	checkExchangeBytes(t, p, shots)

	p.set("sim-idempotent", "1")
	p.simRun("running with idempotence on", chromedp.Click(chromedp.CSS("#sim-run")))
	rows = p.simLog()
	if len(rows) != 1 || rows[0].Dup != "0" {
		t.Errorf("idempotence on, lost acknowledgement: log %+v, want the record once", rows)
	}
	timeline = p.text("#sim-timeline")
	for _, want := range []string{"InitProducerId v5", "a duplicate: already written at offset 0", "idempotence at work", "A retry of #"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("idempotence on: the timeline lacks %q", want)
		}
	}
	if n := eval[int](p, `document.querySelectorAll("#sim-timeline .ev.t-dup").length`); n == 0 {
		t.Error("idempotence on: no exchange marked as a recognised duplicate")
	}
	if s := p.text("#sim-status"); !strings.Contains(s, "Each record is there once") {
		t.Errorf("idempotence on: status %q", s)
	}
	if hash := eval[string](p, `location.hash`); !strings.Contains(hash, "mode=simulate") || !strings.Contains(hash, "sim-records=") {
		t.Errorf("the URL does not hold the Simulator's settings: %s", hash)
	}
	p.logRunTime("idempotence on")
	p.run("scrolling to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	p.screenshot(shots, "simulator-lost-ack-idempotence-on.png")
	p.run("scrolling to the recognised duplicate", chromedp.Evaluate[chromedp.Void](`document.querySelector("#sim-timeline .ev.t-dup").scrollIntoView({block: "center"})`))
	p.screenshot(shots, "simulator-lost-ack-idempotence-on-timeline.png")
	p.run("scrolling to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))

	p.simRun("the preset with idempotence on", chromedp.Click(chromedp.CSS("#sim-preset-once")))
	if rows := p.simLog(); len(rows) != 1 {
		t.Errorf("the idempotence-on preset: log %+v", rows)
	}
	checkLeaderMove(t, p)
	checkSimKeyboard(t, p)
	checkOpenInDecode(t, p)
	checkSimNarrow(t, p, shots)
}

// allCopies reports whether rows are two or more copies of one record, each marked a duplicate.
// (Twice, unless a machine too busy to answer within request.timeout.ms made the producer retry
// once more: the simulation is real.)
func allCopies(rows []simLogRow) bool {
	if len(rows) < 2 {
		return false
	}
	for _, r := range rows {
		if r.Value != rows[0].Value || r.Dup != "1" {
			return false
		}
	}
	return true
}

// simRun does what starts a simulation and waits until the page shows its result.
func (p *page) simRun(what string, start chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	before := eval[string](p, `document.body.dataset.simRuns ?? "0"`)
	p.run(what, start)
	p.run("waiting for the simulation of "+what,
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`(document.body.dataset.simRuns ?? "0") !== %s`, jsString(before)),
			chromedp.WithPollingTimeout(20*time.Second)))
	if e := p.text("#error"); e != "" {
		p.t.Fatalf("%s: the page reports %q", what, e)
	}
}

// simLog reads the partition log's rows.
func (p *page) simLog() []simLogRow {
	p.t.Helper()
	return eval[[]simLogRow](p, `[...document.querySelectorAll("#sim-log tbody tr[data-offset]")].map(r =>
		({offset: r.dataset.offset, dup: r.dataset.dup, value: r.querySelector(".v").textContent}))`)
}

// logRunTime logs how long the last run took, as the page says.
func (p *page) logRunTime(what string) {
	p.t.Helper()
	p.t.Logf("simulation with %s: %s", what, p.text("#sim-status small"))
}

// checkExchangeBytes opens the lost Produce exchange and its retry: the request is dissected, the
// lost one has no response, the retry's response is dissected down to its base offset.
func checkExchangeBytes(t *testing.T, p *page, shots string) {
	produce := `[...document.querySelectorAll("#sim-timeline details")].filter(d => d.querySelector(".api").textContent.startsWith("Produce"))`
	if n := eval[int](p, produce+`.length`); n < 2 {
		t.Fatalf("%d Produce exchanges, want the lost one and its retry", n)
	}
	produce += `.slice(0, 2)`
	p.run("opening the Produce exchanges", chromedp.Evaluate[chromedp.Void](produce+`.forEach(d => d.querySelector("summary").click())`))
	p.run("waiting for their bytes", chromedp.Poll[chromedp.Void](produce+`.every(d => d.querySelector(".bytes").childElementCount > 0)`,
		chromedp.WithPollingTimeout(10*time.Second)))
	lost := eval[string](p, produce+`[0].querySelector(".bytes").textContent`)
	retry := eval[string](p, produce+`[1].querySelector(".bytes").textContent`)
	if !strings.Contains(lost, "Request:") || !strings.Contains(lost, "recordBatches") || !strings.Contains(lost, "No response on the wire") {
		t.Errorf("the lost exchange's bytes: %.300q", lost)
	}
	if !strings.Contains(retry, "Response:") || !strings.Contains(retry, "baseOffset") || !strings.Contains(retry, "partition 0: offset 1") {
		t.Errorf("the retry's bytes: %.300q", retry)
	}
	p.run("scrolling to the retry", chromedp.Evaluate[chromedp.Void](produce+`[1].scrollIntoView()`))
	p.screenshot(shots, "simulator-exchange-request.png")
	p.run("scrolling to its response", chromedp.Evaluate[chromedp.Void](produce+`[1].querySelectorAll(".exbytes")[1].scrollIntoView()`))
	p.screenshot(shots, "simulator-exchange-response.png")
	p.run("closing them", chromedp.Evaluate[chromedp.Void](produce+`.forEach(d => d.open = false); window.scrollTo(0, 0)`))
}

// checkLeaderMove moves the partition's leader after the producer read the metadata: broker 0
// refuses, the producer goes to broker 1.
func checkLeaderMove(t *testing.T, p *page) {
	p.set("sim-fault", "move-leader")
	p.simRun("a leader move", chromedp.Click(chromedp.CSS("#sim-run")))
	timeline := p.text("#sim-timeline")
	for _, want := range []string{"moves from broker 0 to broker 1", "NOT_LEADER_OR_FOLLOWER", "producer → broker 1"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("leader move: the timeline lacks %q", want)
		}
	}
	if rows := p.simLog(); len(rows) != 1 {
		t.Errorf("leader move: log %+v, want the record once", rows)
	}
	p.set("sim-fault", "lost-ack")
}

// checkSimKeyboard runs the Simulator and opens an exchange from the keyboard.
func checkSimKeyboard(t *testing.T, p *page) {
	p.run("focusing the run button", chromedp.Evaluate[chromedp.Void](`document.getElementById("sim-run").focus()`))
	p.simRun("running from the keyboard", chromedp.KeyEvent(kb.Enter))
	p.run("focusing an exchange", chromedp.Evaluate[chromedp.Void](`document.querySelector("#sim-timeline summary").focus()`))
	p.run("opening it", chromedp.KeyEvent(kb.Enter))
	p.run("waiting for its bytes", chromedp.Poll[chromedp.Void](`document.querySelector("#sim-timeline .bytes").childElementCount > 0`,
		chromedp.WithPollingTimeout(10*time.Second)))
}

// checkOpenInDecode opens an exchange's request in the Decode view.
func checkOpenInDecode(t *testing.T, p *page) {
	p.run("opening a request in the Decode view", chromedp.Evaluate[chromedp.Void](`document.querySelector("#sim-timeline [data-decode]").click()`))
	if s := p.text("#summary"); !strings.HasPrefix(s, "ApiVersions v3 request") || p.text("#error") != "" {
		t.Errorf("the request in the Decode view: summary %q, error %q", s, p.text("#error"))
	}
	p.run("back to the Simulator", chromedp.Click(chromedp.CSS("#tab-simulate")))
	if rows := p.simLog(); len(rows) != 1 {
		t.Errorf("back in the Simulator, the log is %+v", rows)
	}
}

// checkSimNarrow looks at the Simulator on a phone-sized screen.
func checkSimNarrow(t *testing.T, p *page, shots string) {
	p.simRun("the preset with idempotence off", chromedp.Click(chromedp.CSS("#sim-preset-dup")))
	p.run("narrow screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the Simulator is %d px wide on a 390 px screen", w)
	}
	p.screenshot(shots, "simulator-390x844.png")
	p.run("scroll to the output", chromedp.Evaluate[chromedp.Void](`document.getElementById("sim-output").scrollIntoView()`))
	p.screenshot(shots, "simulator-390x844-output.png")
	p.run("back to 1280×800", chromedp.EmulateViewport(1280, 800))
}
