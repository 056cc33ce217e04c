//go:build js && wasm

package main

import (
	"fmt"
	"html"
	"strings"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/kwire-dev/kwire/wasm/explorer"
)

// dumpLimit is how many bytes of a view the dump shows until asked for all of them.
const dumpLimit = 8 << 10

// app is the page: its form, the last page built without an input error, and what the user
// opened, selected and hovers.
type app struct {
	jsDoc  js.Value
	inputs map[string]dom.Element // the form's inputs, by key
	// pending says an update is scheduled; since is when the first input it answers came.
	pending bool
	since   time.Time
	flush   js.Func
	updates int // how many updates the page has made, for the browser test to wait on
	form    explorer.Form
	page    *explorer.Page
	open    map[string]bool // fields the user opened or closed, by path
	showAll map[int]bool    // views dumped in full
	dumps   []dumpRuns      // per view of the page, its run elements, looked up when first needed
	// selected and hovered are node ids, -1 for none; focus is the tree row with tabindex 0.
	selected, hovered, focus int
	sim                      simState     // the Simulator's runs
	table                    recordsTable // the records as a table
}

// dumpRuns are the run elements of one view's dump, in run order, in the hex and ASCII columns.
type dumpRuns struct {
	looked   bool
	hex, asc js.Value // NodeLists
}

func newApp() *app {
	return &app{
		jsDoc:    js.Global().Get("document"),
		inputs:   map[string]dom.Element{},
		open:     map[string]bool{},
		showAll:  map[int]bool{},
		selected: -1, hovered: -1,
	}
}

// el returns the element with id.
func (a *app) el(id string) *dom.BasicHTMLElement {
	return element(a.jsDoc.Call("getElementById", id))
}

// start fills the page from the URL, binds the events, renders, and says the page is ready.
func (a *app) start() {
	a.fillChoices()
	for _, k := range explorer.Keys() {
		if el := a.jsDoc.Call("getElementById", k); el.Truthy() {
			a.inputs[k] = formInput(el)
		}
	}
	a.flush = js.FuncOf(func(js.Value, []js.Value) any {
		a.pending = false
		a.update()
		return nil
	})
	form, err := explorer.ParseFragment(js.Global().Get("location").Get("hash").String())
	a.form = form
	a.writeInputs()
	a.bind()
	a.update()
	if err != nil {
		a.showError(&explorer.InputError{Message: err.Error(), Start: -1})
	}
	if a.form.Get(explorer.KeyMode) == explorer.ModeSimulate {
		a.runSim() // a link to the Simulator shows a run of its settings
	}
	body := a.jsDoc.Get("body")
	body.Get("dataset").Set("readyMs", fmt.Sprintf("%.1f", js.Global().Get("performance").Call("now").Float()))
	body.Get("dataset").Set("ready", "1")
	a.el("status").SetTextContent("kwire's Go code, running in your browser as WebAssembly; nothing leaves the page.")
}

// schedule updates the page once the events already queued are handled, so that fast typing
// costs one update rather than one a keystroke.
func (a *app) schedule() {
	if a.pending {
		return
	}
	a.pending, a.since = true, time.Now()
	js.Global().Call("setTimeout", a.flush, 0)
}

// update rebuilds the page from the form: outputs, errors, URL and timings. The Simulator's
// outputs change only when it runs; its inputs are checked as they change.
func (a *app) update() {
	a.syncTable()
	if a.form.Get(explorer.KeyMode) == explorer.ModeSimulate {
		a.checkSim()
		a.writeLocation()
		a.since = time.Time{}
		a.updates++
		a.jsDoc.Get("body").Get("dataset").Set("updates", a.updates)
		return
	}
	start := time.Now()
	if a.since.IsZero() {
		a.since = start
	}
	p := explorer.Build(a.form)
	built := time.Since(start)
	if p.Err == nil {
		a.page = p
		a.render()
	}
	a.showError(p.Err)
	a.el("output").Class().Remove("stale")
	if p.Err != nil && a.page != nil {
		a.el("output").Class().Add("stale")
	}
	a.writeLocation()
	a.showTiming(p, built, time.Since(start), time.Since(a.since))
	a.since = time.Time{}
	a.updates++
	a.jsDoc.Get("body").Get("dataset").Set("updates", a.updates)
}

// render writes every output of a.page.
func (a *app) render() {
	p, d := a.page, a.page.Dissection
	d.SetLineWidth(a.lineWidth())
	a.el("summary").SetTextContent(p.Summary)
	a.el("command").SetTextContent(p.Command)
	a.el("hex").SetInnerHTML(d.DumpHTML(0, a.limit(0)))
	var extra strings.Builder
	for v := 1; v < len(d.Views); v++ {
		fmt.Fprintf(&extra, `<h3>%s</h3>%s`, html.EscapeString(d.Views[v].Title), d.DumpHTML(v, a.limit(v)))
	}
	a.el("hex-extra").SetInnerHTML(extra.String())
	a.dumps = make([]dumpRuns, len(d.Views))
	a.el("crc").SetInnerHTML(p.CRC)
	a.el("sizes").SetInnerHTML(p.Sizes)
	a.hovered = -1
	a.selected = d.Failure
	if sel := a.form.Get(explorer.KeySelected); sel != "" {
		a.selected = d.Find(sel)
	}
	a.openAncestors(a.selected)
	a.renderTree()
	if a.selected >= 0 {
		a.mark(a.selected, "sel", true)
		a.showInfo(a.selected)
		if a.selected == d.Failure {
			a.scrollTo(a.selected, a.row(a.selected))
		}
	} else {
		a.el("field-info").SetTextContent("")
	}
}

// narrowWidth is the widest window, in CSS pixels, whose dump shows 8 bytes a line rather than
// 16, so that a line fits on a phone.
const narrowWidth = 600

// lineWidth is how many bytes a line of the dump holds in the window as it is now.
func (a *app) lineWidth() int {
	if js.Global().Get("innerWidth").Int() < narrowWidth {
		return 8
	}
	return explorer.BytesPerLine
}

// onResize lays the dump out again when the window crosses narrowWidth.
func (a *app) onResize() {
	if a.page != nil && a.lineWidth() != a.page.Dissection.PerLine {
		a.render()
	}
}

// limit is how many bytes view v's dump shows.
func (a *app) limit(v int) int {
	if a.showAll[v] {
		return 1 << 62
	}
	return dumpLimit
}

// renderTree writes the field tree with the rows that are open.
func (a *app) renderTree() {
	d := a.page.Dissection
	a.focus = max(a.selected, 0)
	a.el("tree").SetInnerHTML(d.TreeHTML(a.isOpen, a.focus, a.selected))
	if a.selected >= 0 {
		if row := a.row(a.selected); row.Truthy() {
			row.Get("classList").Call("add", "sel")
			row.Call("setAttribute", "aria-selected", "true")
		}
	}
}

// isOpen reports whether node id shows its children: as the user left it, else by default.
func (a *app) isOpen(id int) bool {
	if open, ok := a.open[a.page.Dissection.Nodes[id].Path]; ok {
		return open
	}
	return a.page.Dissection.DefaultOpen(id)
}

// openAncestors opens the fields above id so that its row is listed; it reports whether any was
// closed.
func (a *app) openAncestors(id int) bool {
	if id < 0 {
		return false
	}
	changed := false
	for _, up := range a.page.Dissection.Ancestors(id) {
		if !a.isOpen(up) {
			a.open[a.page.Dissection.Nodes[up].Path] = true
			changed = true
		}
	}
	return changed
}

// showTiming reports how long the last update took, for people and for the browser test: built
// is the time to build the page, total with the DOM updated too, latency from the first input
// it answers.
func (a *app) showTiming(p *explorer.Page, built, total, latency time.Duration) {
	t := a.el("timing")
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }
	text := fmt.Sprintf("Built in %s ms, page updated in %s ms.", ms(built), ms(total))
	if p.EncodeTime > 0 {
		text = fmt.Sprintf("Encoded under all five codecs in %s ms; built in %s ms; page updated in %s ms.",
			ms(p.EncodeTime), ms(built), ms(total))
	}
	t.SetTextContent(text)
	t.SetAttribute("data-encode-ms", ms(p.EncodeTime))
	t.SetAttribute("data-update-ms", ms(total))
	t.SetAttribute("data-latency-ms", ms(latency))
}
