//go:build js && wasm

package main

import (
	"fmt"
	"strconv"
	"syscall/js"

	"github.com/kwire-dev/kwire/wasm/explorer"
)

// runs returns view v's run elements, looking them up the first time.
func (a *app) runs(v int) *dumpRuns {
	r := &a.dumps[v]
	if !r.looked {
		dump := a.jsDoc.Call("querySelector", fmt.Sprintf(`.dump[data-view="%d"]`, v))
		if dump.Truthy() {
			r.hex = dump.Call("querySelectorAll", ".hx > [data-r]")
			r.asc = dump.Call("querySelectorAll", ".as > [data-r]")
		}
		r.looked = true
	}
	return r
}

// row returns node id's tree row, or null when the tree does not list it.
func (a *app) row(id int) js.Value {
	return a.jsDoc.Call("querySelector", fmt.Sprintf(`#tree [data-n="%d"]`, id))
}

// mark adds class to, or removes it from, node id's bytes in the dump and its row in the tree.
func (a *app) mark(id int, class string, on bool) {
	method := "remove"
	if on {
		method = "add"
	}
	v, lo, hi := a.page.Dissection.RunsOf(id)
	r := a.runs(v)
	if r.hex.Truthy() {
		n := min(hi, r.hex.Length(), r.asc.Length())
		for i := lo; i < n; i++ {
			r.hex.Index(i).Get("classList").Call(method, class)
			r.asc.Index(i).Get("classList").Call(method, class)
		}
	}
	if row := a.row(id); row.Truthy() {
		row.Get("classList").Call(method, class)
	}
}

// hover highlights node id's bytes and row, or nothing for -1.
func (a *app) hover(id int) {
	if id == a.hovered || a.page == nil {
		return
	}
	if a.hovered >= 0 {
		a.mark(a.hovered, "hv", false)
	}
	a.hovered = id
	if id >= 0 {
		a.mark(id, "hv", true)
		a.showInfo(id)
	} else if a.selected >= 0 {
		a.showInfo(a.selected)
	}
}

// selectNode selects node id: its bytes and row stay highlighted, the tree lists it, and the URL
// remembers it. scroll brings its bytes and row into view; focus moves the keyboard to its row.
func (a *app) selectNode(id int, scroll, focus bool) {
	d := a.page.Dissection
	if a.selected >= 0 {
		a.mark(a.selected, "sel", false)
		if row := a.row(a.selected); row.Truthy() {
			row.Call("removeAttribute", "aria-selected")
		}
	}
	a.selected = id
	a.form[explorer.KeySelected] = d.Nodes[id].Path
	if a.openAncestors(id) {
		a.renderTree()
	}
	a.moveFocus(id)
	a.mark(id, "sel", true)
	row := a.row(id)
	if row.Truthy() {
		row.Call("setAttribute", "aria-selected", "true")
	}
	if scroll {
		a.scrollTo(id, row)
	}
	if focus && row.Truthy() {
		row.Call("focus")
	}
	a.showInfo(id)
	a.writeLocation()
}

// moveFocus makes node id's row the tree's one row with tabindex 0.
func (a *app) moveFocus(id int) {
	if old := a.row(a.focus); old.Truthy() {
		old.Call("setAttribute", "tabindex", "-1")
	}
	a.focus = id
	if row := a.row(id); row.Truthy() {
		row.Call("setAttribute", "tabindex", "0")
	}
}

// scrollTo scrolls node id's first bytes and its row into view.
func (a *app) scrollTo(id int, row js.Value) {
	nearest := map[string]any{"block": "nearest", "inline": "nearest"}
	v, lo, hi := a.page.Dissection.RunsOf(id)
	if r := a.runs(v); r.hex.Truthy() && lo < hi && lo < r.hex.Length() {
		r.hex.Index(lo).Call("scrollIntoView", nearest)
	}
	if row.Truthy() {
		row.Call("scrollIntoView", nearest)
	}
}

// showInfo describes node id under the panes: its path, where it is, and its value.
func (a *app) showInfo(id int) {
	n := &a.page.Dissection.Nodes[id]
	where := "offset " + strconv.Itoa(n.Offset)
	if n.View > 0 {
		where = "offset d:" + strconv.Itoa(n.Offset) + " of the decompressed records"
	}
	path := n.Path
	if path == "" {
		path = n.Name
	}
	text := fmt.Sprintf("%s — %s, %d bytes", path, where, n.Length)
	if n.Value != "" {
		text += ": " + n.Value
	}
	if n.Err != "" {
		text += " — ERROR: " + n.Err
	}
	a.el("field-info").SetTextContent(text)
}
