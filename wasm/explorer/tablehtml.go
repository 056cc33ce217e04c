package explorer

import (
	"fmt"
	"html"
	"strings"
)

// TableShown is how many records the table lists; the JSONL holds the others, so that a long
// paste does not cost thousands of table rows a keystroke.
const TableShown = 100

// RowsHTML writes the table's body: a row for each of the first [TableShown] records, each with
// its number and a button that removes it (data-remove), a text area for the key and the value
// with a null check box (data-null), a text area for the headers and an input for the
// timestamp. Every control carries its column as data-col, and its row is the tr's data-row.
func (t *Table) RowsHTML() string {
	var sb strings.Builder
	for i := range min(len(t.Rows), TableShown) {
		n := i + 1
		fmt.Fprintf(&sb, `<tr data-row="%d"><th scope="row"><span class="rn">%d</span>`+
			`<button type="button" class="rm" data-remove aria-label="Remove record %d" title="Remove record %d">×</button></th>`, i, n, n, n)
		t.cellHTML(&sb, i, ColKey, t.Rows[i].Key.Null)
		t.cellHTML(&sb, i, ColValue, t.Rows[i].Value.Null)
		headers := t.Text(i, ColHeaders)
		fmt.Fprintf(&sb, `<td class="c-headers"><span class="cl" aria-hidden="true">headers</span>`+
			`<textarea data-col="headers" rows="%d" spellcheck="false" placeholder="name=value" aria-label="record %d headers: one name=value a line; name=\N is a null value">%s%s</textarea></td>`,
			min(max(strings.Count(headers, "\n")+1, 1), 4), n, "\n", html.EscapeString(headers))
		fmt.Fprintf(&sb, `<td class="c-timestamp"><span class="cl" aria-hidden="true">timestamp</span>`+
			`<input type="text" data-col="timestamp" inputmode="numeric" spellcheck="false" placeholder="batch's" aria-label="record %d timestamp in ms; blank for the batch's" value="%s"></td></tr>`,
			n, html.EscapeString(t.Text(i, ColTimestamp)))
	}
	return sb.String()
}

// cellHTML writes the cell of a key or a value: its text, or "null" greyed out, and the toggle.
func (t *Table) cellHTML(sb *strings.Builder, i int, col Column, null bool) {
	text, disabled, checked := t.Text(i, col), "", ""
	if null {
		text, disabled, checked = "", " disabled", " checked"
	}
	fmt.Fprintf(sb, `<td class="c-%s"><span class="cl" aria-hidden="true">%s</span>`+
		`<textarea data-col="%s" rows="1" spellcheck="false" placeholder="%s" aria-label="record %d %s"%s>%s%s</textarea>`+
		`<label class="nul"><input type="checkbox" data-null="%s" aria-label="record %d %s is null"%s> null</label></td>`,
		col, col, col, map[bool]string{true: "null", false: "empty"}[null], i+1, col, disabled, "\n", html.EscapeString(text),
		col, i+1, col, checked)
}

// NoteHTML says what the table does not show: records past [TableShown], or that the JSONL must
// parse before the table can be edited (err). It is "" when the table shows everything.
func (t *Table) NoteHTML(err error) string {
	switch {
	case err != nil:
		return "The JSONL above does not parse, so the table shows the last records that did; fix the JSONL to edit them here again."
	case len(t.Rows) > TableShown:
		return fmt.Sprintf("The table lists the first %d of %d records; edit the others as JSONL.", TableShown, len(t.Rows))
	}
	return ""
}
