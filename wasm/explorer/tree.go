package explorer

import (
	"fmt"
	"html"
	"strings"
)

// MaxChildrenShown bounds how many fields of one parent the tree lists; a batch of a hundred
// thousand records would otherwise make a page no browser lays out quickly.
const MaxChildrenShown = 250

// alwaysOpen are the fields the tree shows expanded unless the user closes them: the structure
// down to the records.
var alwaysOpen = map[string]bool{
	"header": true, "body": true, "topicData": true, "partitionData": true, "records": true,
	"records (decompressed)": true, "recordBatches": true, "headers": true,
	"responses": true, "partitionResponses": true,
}

// DefaultOpen reports whether node id starts expanded: the root, batches, the structure above
// the records, and the first two records.
func (d *Dissection) DefaultOpen(id int) bool {
	n := &d.Nodes[id]
	switch {
	case n.Depth == 0, alwaysOpen[n.Name]:
		return true
	case strings.HasPrefix(n.Name, "batch["), strings.HasPrefix(n.Name, "message["),
		strings.HasPrefix(n.Name, "topic["), strings.HasPrefix(n.Name, "partition["):
		return true
	case n.Name == "record[0]", n.Name == "record[1]":
		return true
	}
	return false
}

// TreeHTML renders the field tree as nested lists: a row per field with its name, offset,
// +length and value, errors marked. Rows carry data-n, the node's number, and the ARIA roles of
// a tree; open says which fields show their children; focus is the row that takes the keyboard
// focus (tabindex 0), and keep a node that must be listed even past [MaxChildrenShown].
func (d *Dissection) TreeHTML(open func(id int) bool, focus, keep int) string {
	var sb strings.Builder
	sb.WriteString(`<ul class="tree" role="tree" aria-label="fields">`)
	d.writeNode(&sb, 0, open, focus, keep)
	sb.WriteString(`</ul>`)
	return sb.String()
}

// writeNode writes node id and, if open, its children.
func (d *Dissection) writeNode(sb *strings.Builder, id int, open func(int) bool, focus, keep int) {
	n := &d.Nodes[id]
	leaf := d.Leaf(id)
	tabindex := -1
	if id == focus {
		tabindex = 0
	}
	sb.WriteString(`<li role="none"><div class="row" role="treeitem"`)
	fmt.Fprintf(sb, ` data-n="%d" aria-level="%d" tabindex="%d"`, id, n.Depth+1, tabindex)
	if !leaf {
		fmt.Fprintf(sb, ` aria-expanded="%t"`, open(id))
	}
	sb.WriteString(`><span class="tw" aria-hidden="true"></span>`)
	fmt.Fprintf(sb, `<span class="sw %s"></span><span class="nm">%s</span> <span class="at">%s</span> <span class="sz">+%d</span>`,
		n.Class, html.EscapeString(n.Name), d.offsetText(id), n.Length)
	if n.Value != "" {
		fmt.Fprintf(sb, ` <span class="vl">%s</span>`, html.EscapeString(n.Value))
	}
	if n.Err != "" {
		fmt.Fprintf(sb, ` <span class="er">ERROR: %s</span>`, html.EscapeString(n.Err))
	}
	sb.WriteString(`</div>`)
	if !leaf && open(id) {
		d.writeChildren(sb, id, open, focus, keep)
	}
	sb.WriteString(`</li>`)
}

// writeChildren writes the children of node id, at most [MaxChildrenShown] of them and keep's
// ancestor among them.
func (d *Dissection) writeChildren(sb *strings.Builder, id int, open func(int) bool, focus, keep int) {
	sb.WriteString(`<ul role="group">`)
	shown, total := 0, 0
	for c := id + 1; c < d.Nodes[id].End; c = d.Nodes[c].End {
		total++
		holdsKeep := keep >= c && keep < d.Nodes[c].End
		if shown < MaxChildrenShown || holdsKeep {
			d.writeNode(sb, c, open, focus, keep)
			shown++
		}
	}
	if shown < total {
		fmt.Fprintf(sb, `<li role="none" class="note">… %d more fields not listed: click their bytes in the dump to reach one</li>`, total-shown)
	}
	sb.WriteString(`</ul>`)
}

// offsetText is node id's offset as the tree shows it: "d:" marks an offset into a decompressed
// records section, as kwire dissect prints it.
func (d *Dissection) offsetText(id int) string {
	if d.Nodes[id].View > 0 {
		return fmt.Sprintf("d:%d", d.Nodes[id].Offset)
	}
	return fmt.Sprint(d.Nodes[id].Offset)
}

// Visible lists the rows the tree shows, in order, for the keyboard to move through.
func (d *Dissection) Visible(open func(int) bool, keep int) []int {
	var rows []int
	var walk func(id int)
	walk = func(id int) {
		rows = append(rows, id)
		if d.Leaf(id) || !open(id) {
			return
		}
		shown := 0
		for c := id + 1; c < d.Nodes[id].End; c = d.Nodes[c].End {
			if shown < MaxChildrenShown || keep >= c && keep < d.Nodes[c].End {
				walk(c)
				shown++
			}
		}
	}
	walk(0)
	return rows
}
