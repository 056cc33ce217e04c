//go:build js && wasm

package main

import (
	"slices"
	"strconv"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/kwire-dev/kwire/wasm/explorer"
)

// bind listens to the page: inputs, tabs, the dumps, the tree, links to fields, and the URL.
func (a *app) bind() {
	onInput := func(*dom.BasicEvent) {
		if a.readInputs() {
			a.schedule()
		}
	}
	listen(a.jsDoc, "input", onInput)
	listen(a.jsDoc, "change", onInput)
	listen(a.el("controls").Value, "submit", func(e *dom.BasicEvent) {
		e.PreventDefault()
		if a.form.Get(explorer.KeyMode) == explorer.ModeSimulate {
			a.runSim()
		}
	})
	for _, t := range modeTabs {
		listen(a.el(t.tab).Value, "click", func(*dom.BasicEvent) { a.setMode(t.mode) })
	}
	listen(a.jsDoc.Call("querySelector", ".tabs"), "keydown", a.onTabKey)
	for _, id := range []string{"hex", "hex-extra"} {
		dumps := a.el(id).Value
		listen(dumps, "mouseover", func(e *dom.BasicEvent) { a.hover(a.nodeOfRun(target(e))) })
		listen(dumps, "mouseleave", func(*dom.BasicEvent) { a.hover(-1) })
		listen(dumps, "click", a.onDumpClick)
		listen(dumps, "keydown", a.onDumpKey)
	}
	tree := a.el("tree").Value
	listen(tree, "mouseover", func(e *dom.BasicEvent) { a.hover(a.nodeOfRow(target(e))) })
	listen(tree, "mouseleave", func(*dom.BasicEvent) { a.hover(-1) })
	listen(tree, "click", a.onTreeClick)
	listen(tree, "keydown", a.onTreeKey)
	for _, id := range []string{"crc", "error"} {
		listen(a.el(id).Value, "click", a.onLinkClick)
	}
	listen(js.Global(), "hashchange", func(*dom.BasicEvent) { a.onHashChange() })
	listen(js.Global(), "resize", func(*dom.BasicEvent) { a.onResize() })
	a.bindSim()
	a.bindTable()
}

// setMode switches between the Explorer, Decode and the Simulator. Decode starts from the
// Explorer's batch when nothing was pasted yet; the Simulator runs when first shown.
func (a *app) setMode(mode string) {
	if a.form.Get(explorer.KeyMode) == mode {
		return
	}
	a.form[explorer.KeyMode] = mode
	a.form[explorer.KeySelected] = ""
	if mode == explorer.ModeDecode && a.form.Get(explorer.KeyDecodeInput) == "" && a.page != nil && a.page.Batch != nil {
		a.form[explorer.KeyDecodeInput] = explorer.HexText(a.page.Batch)
	}
	a.writeInputs()
	a.update()
	if mode == explorer.ModeSimulate && a.sim.result == nil {
		a.runSim() // a first look at the Simulator shows a run rather than empty tables
	}
}

// onTabKey moves between the tabs with the arrow keys, as a tab list does, and to the first and
// last with Home and End.
func (a *app) onTabKey(e *dom.BasicEvent) {
	at := slices.IndexFunc(modeTabs, func(t modeTab) bool { return t.mode == a.form.Get(explorer.KeyMode) })
	next := at
	switch key(e) {
	case "ArrowRight":
		next = (at + 1) % len(modeTabs)
	case "ArrowLeft":
		next = (at + len(modeTabs) - 1) % len(modeTabs)
	case "Home":
		next = 0
	case "End":
		next = len(modeTabs) - 1
	default:
		return
	}
	e.PreventDefault()
	a.setMode(modeTabs[next].mode)
	a.el(modeTabs[next].tab).Focus()
}

// nodeOfRun is the node whose bytes the dump element el shows, or -1.
func (a *app) nodeOfRun(el *dom.BasicHTMLElement) int {
	if a.page == nil || el == nil || !el.HasAttribute("data-r") {
		return -1
	}
	dump := closest(el, ".dump")
	if dump == nil {
		return -1
	}
	v, err1 := strconv.Atoi(dump.GetAttribute("data-view"))
	r, err2 := strconv.Atoi(el.GetAttribute("data-r"))
	views := a.page.Dissection.Views
	if err1 != nil || err2 != nil || v < 0 || v >= len(views) || r < 0 || r >= len(views[v].Runs) {
		return -1
	}
	return int(views[v].Runs[r].Node)
}

// nodeOfRow is the node of the tree row that holds el, or -1.
func (a *app) nodeOfRow(el *dom.BasicHTMLElement) int {
	if a.page == nil || el == nil {
		return -1
	}
	row := closest(el, ".row")
	if row == nil {
		return -1
	}
	id, err := strconv.Atoi(row.GetAttribute("data-n"))
	if err != nil || id < 0 || id >= len(a.page.Dissection.Nodes) {
		return -1
	}
	return id
}

// onDumpClick selects the field of the clicked bytes, or shows a whole view.
func (a *app) onDumpClick(e *dom.BasicEvent) {
	t := target(e)
	if t.HasAttribute("data-more") {
		v, _ := strconv.Atoi(t.GetAttribute("data-more"))
		a.showAll[v] = true
		a.render()
		return
	}
	if id := a.nodeOfRun(t); id >= 0 {
		a.selectNode(id, true, false)
	}
}

// onTreeClick opens or closes a field when its arrow is clicked, and selects it otherwise.
func (a *app) onTreeClick(e *dom.BasicEvent) {
	t := target(e)
	id := a.nodeOfRow(t)
	if id < 0 {
		return
	}
	if t.Class().Contains("tw") && !a.page.Dissection.Leaf(id) {
		a.setOpen(id, !a.isOpen(id))
		return
	}
	a.selectNode(id, true, false)
}

// setOpen opens or closes node id's row and keeps the keyboard on it.
func (a *app) setOpen(id int, open bool) {
	a.open[a.page.Dissection.Nodes[id].Path] = open
	a.renderTree()
	a.moveFocus(id)
	if row := a.row(id); row.Truthy() {
		row.Call("focus")
	}
}

// onLinkClick selects the field a button names by its path (data-sel), or points at the text of
// an input error (data-goto).
func (a *app) onLinkClick(e *dom.BasicEvent) {
	t := target(e)
	switch {
	case t.HasAttribute("data-sel") && a.page != nil:
		if id := a.page.Dissection.Find(t.GetAttribute("data-sel")); id >= 0 {
			a.selectNode(id, true, true)
		}
	case t.HasAttribute("data-goto"):
		a.gotoError(t)
	}
}
