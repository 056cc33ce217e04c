package interop

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// cell is the CSS selector of the control col in row i of the records table.
func cell(i int, col string) string {
	return fmt.Sprintf(`#records-rows tr[data-row="%d"] [data-col=%q]`, i, col)
}

// nullBox is the CSS selector of the null toggle of col in row i of the records table.
func nullBox(i int, col string) string {
	return fmt.Sprintf(`#records-rows tr[data-row="%d"] [data-null=%q]`, i, col)
}

// edit types value into the control that selector names, as set does for an input by id, and
// waits for the page to update.
func (p *page) edit(selector, value string) {
	p.t.Helper()
	p.typeIn(selector, value)
	p.waitUpdate()
}

// typeIn types value into the control that selector names and lets the page see it, without
// waiting for an update: for edits that must change nothing.
func (p *page) typeIn(selector, value string) {
	p.t.Helper()
	p.run("editing "+selector, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		window.kwireUpdates = document.body.dataset.updates;
		e.focus();
		e.value = %s;
		e.dispatchEvent(new Event("input", {bubbles: true}));
	})()`, jsString(selector), jsString(value))))
}

// noteUpdates remembers the page's update count, for waitUpdate after a click or a key.
func (p *page) noteUpdates() {
	p.t.Helper()
	p.run("noting the updates", chromedp.Evaluate[chromedp.Void](`window.kwireUpdates = document.body.dataset.updates`))
}

// jsonlLines is the records text area's non-blank lines.
func (p *page) jsonlLines() []string {
	p.t.Helper()
	var lines []string
	for l := range strings.SplitSeq(eval[string](p, `document.getElementById("records").value`), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// checkRecordsTable edits the records as a table: a value typed, a key made null with the
// keyboard, headers and a timestamp, a record added and removed, and JSONL typed back into the
// table. After each edit the JSONL follows, and the bytes equal kwire batch's for that JSONL.
func checkRecordsTable(t *testing.T, p *page, bin, shots string) {
	if n := eval[int](p, `document.querySelectorAll("#records-table tbody tr").length`); n != 4 {
		t.Fatalf("the table has %d rows for 4 records", n)
	}
	if !eval[bool](p, `document.querySelector(`+jsString(nullBox(1, "key"))+`).checked`) ||
		eval[bool](p, `document.querySelector(`+jsString(nullBox(2, "value"))+`).checked`) ||
		eval[string](p, `document.querySelector(`+jsString(cell(2, "value"))+`).value`) != "" {
		t.Error("the table does not show record 2's null key and record 3's empty value apart")
	}
	if got := eval[string](p, `document.querySelector(`+jsString(cell(2, "headers"))+`).value`); got != "trace=\\N\n=" {
		t.Errorf("record 3's headers show as %q", got)
	}

	hash := eval[string](p, `location.hash`)
	p.edit(cell(0, "value"), "edited in the table")
	if eval[string](p, `location.hash`) == hash {
		t.Error("an edit in the table left the URL as it was")
	}
	p.run("focusing record 3's key toggle", chromedp.Evaluate[chromedp.Void](`document.querySelector(`+jsString(nullBox(2, "key"))+`).focus()`))
	p.noteUpdates()
	p.run("pressing space", chromedp.KeyEvent(" "))
	p.waitUpdate()
	if !eval[bool](p, `document.querySelector(`+jsString(cell(2, "key"))+`).disabled`) {
		t.Error("the null key's text area is not disabled")
	}
	p.edit(cell(3, "headers"), "a=1\nempty=\nb=\\N")
	p.edit(cell(1, "timestamp"), "1700000000999")

	lines := p.jsonlLines()
	want := []string{
		`{"key":"user-1","value":"edited in the table","headers":[{"key":"source","value":"web"}]}`,
		`{"key":null,"value":"héllo, wörld ✓","timestamp":1700000000999}`,
		`{"key":null,"value":"","headers":[{"key":"trace","value":null},{"key":"","value":""}]}`,
		`{"key":"user-1","value":"later","headers":[{"key":"a","value":"1"},{"key":"empty","value":""},{"key":"b","value":null}],"timestamp":1700000000250}`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the JSONL after the table's edits:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(p.text("#tree"), "edited in the table") && !strings.Contains(p.text("#hex"), "65 64 69 74 65 64") {
		t.Error("the dump does not hold the edited value")
	}
	command := strings.Fields(p.text("#command")) // kwire batch --jsonl and the page's flags
	flags := append(command[1:], "-o", "hex")
	sameBytes(t, p, bin, strings.Join(lines, "\n")+"\n", flags)

	p.run("scrolling to the table", chromedp.Evaluate[chromedp.Void](`document.getElementById("records-table-box").scrollIntoView()`))
	p.screenshot(shots, "explorer-records-table.png")
	p.run("a tablet-sized window", chromedp.EmulateViewport(1000, 800))
	p.run("scrolling to the table", chromedp.Evaluate[chromedp.Void](`document.getElementById("records-table-box").scrollIntoView()`))
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 1000 {
		t.Errorf("the page is %d px wide in a 1000 px window", w)
	}
	p.screenshot(shots, "explorer-records-table-1000x800.png")
	p.run("back to 1280×800", chromedp.EmulateViewport(1280, 800))

	bad := eval[string](p, `document.getElementById("records").value`)
	p.typeIn(cell(0, "timestamp"), "soon")
	if eval[string](p, `document.querySelector(`+jsString(cell(0, "timestamp"))+`).getAttribute("aria-invalid")`) != "true" ||
		!strings.Contains(p.text("#records-table-note"), "record 1: timestamp") {
		t.Errorf("a bad timestamp: note %q", p.text("#records-table-note"))
	}
	if eval[string](p, `document.getElementById("records").value`) != bad {
		t.Error("a bad timestamp changed the JSONL")
	}
	p.typeIn(cell(0, "timestamp"), "")
	if eval[bool](p, `document.querySelector(`+jsString(cell(0, "timestamp"))+`).hasAttribute("aria-invalid")`) ||
		p.text("#records-table-note") != "" {
		t.Errorf("a blank timestamp is still marked: note %q", p.text("#records-table-note"))
	}

	p.noteUpdates()
	p.run("adding a record", chromedp.Click(chromedp.CSS("#records-add")))
	p.waitUpdate()
	if lines := p.jsonlLines(); len(lines) != 5 || lines[4] != `{"key":null,"value":""}` {
		t.Errorf("after adding a record the JSONL ends %q", lines[len(lines)-1])
	}
	if got := eval[string](p, `document.activeElement.dataset.col ?? ""`); got != "value" {
		t.Errorf("after adding a record the focus is on %q, want the new value", got)
	}
	p.noteUpdates()
	p.run("removing record 1", chromedp.Click(chromedp.CSS(`#records-rows tr[data-row="0"] [data-remove]`)))
	p.waitUpdate()
	if lines := p.jsonlLines(); len(lines) != 4 || !strings.HasPrefix(lines[0], `{"key":null,"value":"héllo`) {
		t.Errorf("after removing record 1: %q", lines)
	}

	p.set("records", `{"key":"typed","value":null,"headers":[{"key":"k=1","value":"two\nlines"}]}`+"\n")
	if n := eval[int](p, `document.querySelectorAll("#records-table tbody tr").length`); n != 1 ||
		eval[string](p, `document.querySelector(`+jsString(cell(0, "key"))+`).value`) != "typed" ||
		!eval[bool](p, `document.querySelector(`+jsString(nullBox(0, "value"))+`).checked`) ||
		eval[string](p, `document.querySelector(`+jsString(cell(0, "headers"))+`).value`) != `k\=1=two\nlines` {
		t.Errorf("JSONL typed in the text area does not show in the table: %s", p.text("#records-table"))
	}
	p.set("records", `{"key":"half`)
	if !eval[bool](p, `document.getElementById("records-table-box").disabled`) {
		t.Error("JSONL that does not parse leaves the table editable")
	}
	p.set("records", playgroundRecords)
	if eval[bool](p, `document.getElementById("records-table-box").disabled`) {
		t.Error("the table stays disabled after the JSONL parses again")
	}
}
