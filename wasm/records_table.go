//go:build js && wasm

package main

import (
	"strconv"

	"honnef.co/go/js/dom/v2"

	"github.com/kwire-dev/kwire/wasm/explorer"
)

// recordsTable is the Explorer's records as a table (#records-table), in step with the JSONL
// text area: the form's JSONL stays the page's state and the URL's; the table is read from it and
// writes it back a cell at a time.
type recordsTable struct {
	model *explorer.Table
	text  string // the JSONL the model was read from or last wrote
}

// bindTable listens to the table's cells, toggles and buttons.
func (a *app) bindTable() {
	box := a.el("records-table-box").Value
	listen(box, "input", a.onTableInput)
	listen(box, "change", a.onTableInput)
	listen(box, "click", a.onTableClick)
}

// syncTable reads the form's JSONL into the table when it changed other than through the table.
// JSONL that does not parse leaves the last good table shown but disabled.
func (a *app) syncTable() {
	text := a.form.Get(explorer.KeyRecords)
	if a.table.model != nil && text == a.table.text {
		return
	}
	t, err := explorer.ParseTable(text)
	if err == nil {
		a.table.model, a.table.text = t, text
		a.el("records-rows").SetInnerHTML(t.RowsHTML())
	} else if a.table.model == nil {
		a.table.model = &explorer.Table{}
	}
	if err != nil {
		a.el("records-table-box").SetAttribute("disabled", "")
	} else {
		a.el("records-table-box").RemoveAttribute("disabled")
	}
	a.el("records-table-note").SetTextContent(a.table.model.NoteHTML(err))
}

// commitTable writes the table back to the JSONL text area and the form, and updates the page.
func (a *app) commitTable() {
	text := a.table.model.JSONL()
	a.table.text = text
	a.form[explorer.KeyRecords] = text
	if ta, ok := a.inputs[explorer.KeyRecords].(*dom.HTMLTextAreaElement); ok {
		ta.SetValue(text)
	}
	a.schedule()
}

// rowOf is the record index of the table row that holds el, or -1.
func rowOf(el *dom.BasicHTMLElement) int {
	tr := closest(el, "tr[data-row]")
	if tr == nil {
		return -1
	}
	i, err := strconv.Atoi(tr.GetAttribute("data-row"))
	if err != nil {
		return -1
	}
	return i
}

// onTableInput takes an edited cell or a null toggle into the table. A timestamp that does not
// parse is marked and explained, and changes nothing until it does.
func (a *app) onTableInput(e *dom.BasicEvent) {
	t := target(e)
	i := rowOf(t)
	if i < 0 || a.table.model == nil || i >= len(a.table.model.Rows) {
		return
	}
	if t.HasAttribute("data-null") {
		a.onNullToggle(t, i, explorer.Column(t.GetAttribute("data-null")))
		return
	}
	col := explorer.Column(t.GetAttribute("data-col"))
	if col == "" || e.Type() == "change" { // input events carry every edit of a text
		return
	}
	before := a.table.model.Text(i, col)
	if err := a.table.model.Set(i, col, inputValue(formInput(t.Value))); err != nil {
		t.SetAttribute("aria-invalid", "true")
		a.el("records-table-note").SetTextContent(err.Error())
		return
	}
	if t.HasAttribute("aria-invalid") {
		t.RemoveAttribute("aria-invalid")
		a.el("records-table-note").SetTextContent(a.table.model.NoteHTML(nil))
	}
	if col == explorer.ColHeaders || col == explorer.ColTimestamp {
		if a.table.model.Text(i, col) == before && a.table.model.JSONL() == a.table.text {
			return // e.g. a blank line typed in the headers: the same record
		}
	}
	a.commitTable()
}

// onNullToggle makes a key or value null, greying its text area out, or gives its text back.
func (a *app) onNullToggle(box *dom.BasicHTMLElement, i int, col explorer.Column) {
	null := inputValue(formInput(box.Value)) == "1"
	row := &a.table.model.Rows[i]
	if (col == explorer.ColKey && row.Key.Null == null) || (col == explorer.ColValue && row.Value.Null == null) {
		return // the input and change events of one click
	}
	if a.table.model.SetNull(i, col, null) != nil {
		return
	}
	if td := closest(box, "td"); td != nil {
		if ta := td.QuerySelector("textarea[data-col]"); ta != nil {
			area := &dom.HTMLTextAreaElement{BasicHTMLElement: element(ta.Underlying())}
			area.SetDisabled(null)
			text, placeholder := a.table.model.Text(i, col), "empty"
			if null {
				text, placeholder = "", "null"
			}
			area.SetValue(text)
			area.SetAttribute("placeholder", placeholder)
		}
	}
	a.commitTable()
}

// onTableClick adds a record, or removes the one whose button was clicked, and keeps the keyboard
// in the table.
func (a *app) onTableClick(e *dom.BasicEvent) {
	t := target(e)
	if a.table.model == nil {
		return
	}
	switch {
	case t.ID() == "records-add":
		i := a.table.model.Add()
		a.renderTable()
		a.commitTable()
		a.focusTable(i, `textarea[data-col="value"]`)
	case closest(t, "[data-remove]") != nil:
		i := rowOf(t)
		if i < 0 {
			return
		}
		a.table.model.Remove(i)
		a.renderTable()
		a.commitTable()
		if i >= len(a.table.model.Rows) {
			i--
		}
		a.focusTable(i, "[data-remove]")
	}
}

// renderTable writes the table's rows and note from the model.
func (a *app) renderTable() {
	a.el("records-rows").SetInnerHTML(a.table.model.RowsHTML())
	a.el("records-table-note").SetTextContent(a.table.model.NoteHTML(nil))
}

// focusTable focuses the control selector names in row i, or the add button when there is none.
func (a *app) focusTable(i int, selector string) {
	if i >= 0 {
		if tr := a.jsDoc.Call("querySelector", `#records-rows tr[data-row="`+strconv.Itoa(i)+`"] `+selector); tr.Truthy() {
			tr.Call("focus")
			return
		}
	}
	a.el("records-add").Focus()
}
