package explorer

import (
	"fmt"
	"html"
	"strings"
)

// DumpHTML renders view v as a hex dump of at most limit bytes (rounded up to a whole line): one
// line per [Dissection.PerLine] bytes, with the offset, the bytes in lowercase hex and as ASCII. Each
// run of bytes of one field is an element with the field's colour class and data-r, the run's
// number, in both the hex and the ASCII column. Past limit a line says how many bytes are left
// out, with a button (data-more, the view's number) to show them.
func (d *Dissection) DumpHTML(v, limit int) string {
	view := &d.Views[v]
	var sb strings.Builder
	sb.Grow(min(len(view.Bytes), limit)*8 + len(view.Runs)*64)
	fmt.Fprintf(&sb, `<div class="dump" data-view="%d" tabindex="0" role="group" aria-label="%s">`, v, html.EscapeString(view.Title+" in hex"))
	r := 0
	for line := 0; line < len(view.Bytes) && line < limit; line += d.PerLine {
		first := r
		for r < len(view.Runs) && view.Runs[r].Offset < line+d.PerLine {
			r++
		}
		d.writeLine(&sb, view, line, first, r)
	}
	if shown := min(len(view.Bytes), (limit+d.PerLine-1)/d.PerLine*d.PerLine); shown < len(view.Bytes) {
		fmt.Fprintf(&sb, `<div class="more">… %d more bytes not shown. <button type="button" data-more="%d">Show all %d bytes</button></div>`,
			len(view.Bytes)-shown, v, len(view.Bytes))
	}
	sb.WriteString(`</div>`)
	return sb.String()
}

// writeLine writes the line of view at offset line, which holds runs first to end.
func (d *Dissection) writeLine(sb *strings.Builder, view *View, line, first, end int) {
	fmt.Fprintf(sb, `<div class="ln"><span class="ad">%08x</span>  <span class="hx">`, line)
	n := 0
	for r := first; r < end; r++ {
		run := &view.Runs[r]
		if r > first {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(sb, `<span class="%s" data-r="%d">`, d.runClass(run), r)
		for i, b := range view.Bytes[run.Offset : run.Offset+run.Length] {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteByte(hexDigits[b>>4])
			sb.WriteByte(hexDigits[b&0x0f])
		}
		sb.WriteString(`</span>`)
		n += run.Length
	}
	sb.WriteString(`</span>`)
	sb.WriteString(strings.Repeat("   ", d.PerLine-n))
	sb.WriteString(`  <span class="as">`)
	for r := first; r < end; r++ {
		run := &view.Runs[r]
		fmt.Fprintf(sb, `<span class="%s" data-r="%d">`, d.runClass(run), r)
		sb.WriteString(html.EscapeString(printable(view.Bytes[run.Offset : run.Offset+run.Length])))
		sb.WriteString(`</span>`)
	}
	sb.WriteString("</span></div>")
}

const hexDigits = "0123456789abcdef"

// runClass is the colour class of a run's bytes.
func (d *Dissection) runClass(run *Run) string {
	if run.Node < 0 {
		return "f-none"
	}
	return d.Nodes[run.Node].Class
}

// printable shows bytes as ASCII, with a dot for anything but printable ASCII.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
