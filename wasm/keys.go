//go:build js && wasm

package main

import (
	"slices"

	"honnef.co/go/js/dom/v2"

	"github.com/kwire-dev/kwire/wasm/explorer"
)

// onTreeKey moves through the tree as a tree view does: up and down through the listed rows,
// right to open or go to the first child, left to close or go to the parent, Home and End, and
// Enter or Space to open or close.
func (a *app) onTreeKey(e *dom.BasicEvent) {
	id := a.nodeOfRow(target(e))
	if id < 0 {
		return
	}
	d := a.page.Dissection
	rows := d.Visible(a.isOpen, a.selected)
	at := slices.Index(rows, id)
	leaf := d.Leaf(id)
	next := -1
	switch key(e) {
	case "ArrowDown":
		next = rows[min(at+1, len(rows)-1)]
	case "ArrowUp":
		next = rows[max(at-1, 0)]
	case "Home":
		next = rows[0]
	case "End":
		next = rows[len(rows)-1]
	case "ArrowRight":
		if leaf {
			break
		}
		if !a.isOpen(id) {
			a.setOpen(id, true)
		} else {
			next = id + 1
		}
	case "ArrowLeft":
		if !leaf && a.isOpen(id) {
			a.setOpen(id, false)
		} else if p := d.Nodes[id].Parent; p >= 0 {
			next = p
		}
	case "Enter", " ":
		if !leaf {
			a.setOpen(id, !a.isOpen(id))
		}
		a.selectNode(id, true, true)
	default:
		return
	}
	e.PreventDefault()
	if next >= 0 {
		a.selectNode(next, true, true)
	}
}

// onDumpKey moves the selection through the dump: right and left to the next and previous
// field, down and up a line.
func (a *app) onDumpKey(e *dom.BasicEvent) {
	if a.page == nil {
		return
	}
	d := a.page.Dissection
	cur := max(a.selected, 0)
	view, lo, hi := d.RunsOf(cur)
	runs := d.Views[view].Runs
	if len(runs) == 0 {
		return
	}
	lo, hi = min(lo, len(runs)-1), min(max(hi, lo+1), len(runs))
	next := -1
	switch key(e) {
	case "ArrowRight":
		next = ownerFrom(runs, hi, 1, int32(cur))
	case "ArrowLeft":
		next = ownerFrom(runs, lo-1, -1, int32(cur))
	case "ArrowDown", "ArrowUp":
		step := d.PerLine
		if key(e) == "ArrowUp" {
			step = -step
		}
		if off := runs[lo].Offset + step; off >= 0 && off < len(d.Views[view].Owner) {
			next = int(d.Views[view].Owner[off])
		}
	default:
		return
	}
	e.PreventDefault()
	if next >= 0 {
		a.selectNode(next, true, false)
	}
}

// ownerFrom is the owner of the first run from i, going by step, that belongs to another node
// than cur, or -1.
func ownerFrom(runs []explorer.Run, i, step int, cur int32) int {
	for ; i >= 0 && i < len(runs); i += step {
		if runs[i].Node >= 0 && runs[i].Node != cur {
			return int(runs[i].Node)
		}
	}
	return -1
}
