package main

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/kwire-dev/kwire/wire"
)

// treeRow is one field of a dissection as the text tree prints it.
type treeRow struct {
	name   string // indented by depth
	offset string // "d:"-prefixed inside a decompressed buffer
	length string // "+N"
	value  string // with the error, if any
}

// renderTree writes the field tree of root as aligned columns, one field a line: its name indented
// two spaces a level, its offset, "+" and its length, and its value. Offsets into a decompressed
// records section are prefixed "d:". A field that failed ends with "ERROR: " and why.
func renderTree(w io.Writer, root *wire.Field) error {
	rows := treeRows(nil, root, 0, false)
	var nameW, offW, lenW int
	for _, r := range rows {
		nameW, offW, lenW = max(nameW, len(r.name)), max(offW, len(r.offset)), max(lenW, len(r.length))
	}
	bw := bufio.NewWriter(w)
	for _, r := range rows {
		line := pad(r.name, nameW, false) + "  " + pad(r.offset, offW, true) + "  " + pad(r.length, lenW, true) + "  " + r.value
		bw.WriteString(strings.TrimRight(line, " "))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// treeRows appends the rows of f, at depth, and of its descendants to rows. decompressed says
// whether f or an ancestor holds the buffer f's offset refers to.
func treeRows(rows []treeRow, f *wire.Field, depth int, decompressed bool) []treeRow {
	decompressed = decompressed || f.Buffer != nil
	r := treeRow{
		name:   strings.Repeat("  ", depth) + f.Name,
		offset: strconv.Itoa(f.Offset),
		length: "+" + strconv.Itoa(f.Length),
		value:  f.Value,
	}
	if decompressed {
		r.offset = "d:" + r.offset
	}
	if f.Err != "" {
		r.value = strings.TrimLeft(r.value+"  ERROR: "+f.Err, " ")
	}
	rows = append(rows, r)
	for i := range f.Children {
		rows = treeRows(rows, &f.Children[i], depth+1, decompressed)
	}
	return rows
}

// pad pads s with spaces to width, on the left if right-aligned.
func pad(s string, width int, right bool) string {
	fill := strings.Repeat(" ", max(width-len(s), 0))
	if right {
		return fill + s
	}
	return s + fill
}
