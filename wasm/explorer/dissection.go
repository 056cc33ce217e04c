package explorer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kwire-dev/kwire/wire"
)

// BytesPerLine is how many bytes a line of the hex dump holds unless [Dissection.SetLineWidth]
// says otherwise.
const BytesPerLine = 16

// Node is one field of a dissection. Nodes are numbered in pre-order, so a node's subtree is the
// nodes from its own number up to End.
type Node struct {
	Name   string
	Path   string // dotted names from below the root, e.g. "batch[0].records.record[1].key"
	Value  string
	Err    string
	Class  string // the colour class of its bytes, e.g. "f-crc"
	Parent int    // -1 for the root
	Depth  int
	End    int // one past the last node of its subtree
	View   int // the byte view its offset refers to
	Offset int
	Length int
}

// View is a stretch of bytes the page dumps: the input, or a decompressed records section.
type View struct {
	Title string
	Bytes []byte
	Owner []int32 // Owner[i] is the deepest node that covers byte i, or -1
	Runs  []Run   // the bytes in order, cut where the owner changes and at line ends
}

// Run is a stretch of bytes of one view on one line of the dump that belong to the same node.
type Run struct {
	Node   int32
	Offset int
	Length int
}

// Dissection is a field tree flattened for the page, with the bytes it describes.
type Dissection struct {
	Nodes   []Node
	Views   []View
	Failure int    // the node where the dissection stopped, or -1
	Problem string // why it stopped, with the field's path and offset; "" if it did not
	PerLine int    // bytes a line of the dump; runs end at line ends
}

// NewDissection flattens root, the dissection of src, into nodes and views; title names src's view.
func NewDissection(root *wire.Field, src []byte, title string) *Dissection {
	d := &Dissection{Failure: -1, Views: []View{{Title: title, Bytes: src}}, PerLine: BytesPerLine,
		Nodes: make([]Node, 0, countFields(root))}
	var failed *wire.Field
	if f := wire.FindFailure(root); f != nil {
		failed, d.Problem = f.Field, f.Error()
	}
	d.add(root, -1, 0, "", failed)
	for v := range d.Views {
		d.index(v)
	}
	return d
}

// SetLineWidth makes the dump's lines n bytes long, as a narrow screen needs.
func (d *Dissection) SetLineWidth(n int) {
	if n <= 0 || n == d.PerLine {
		return
	}
	d.PerLine = n
	for v := range d.Views {
		d.Views[v].Runs = nil
		d.index(v)
	}
}

// countFields is how many fields f and its descendants are.
func countFields(f *wire.Field) int {
	n := 1
	for i := range f.Children {
		n += countFields(&f.Children[i])
	}
	return n
}

// add appends f and its descendants as nodes below parent, in view.
func (d *Dissection) add(f *wire.Field, parent, view int, parentPath string, failed *wire.Field) {
	id := len(d.Nodes)
	path := f.Name
	switch {
	case parent < 0:
		path = ""
	case parentPath != "":
		path = parentPath + "." + f.Name
	}
	if f.Buffer != nil {
		view = len(d.Views)
		d.Views = append(d.Views, View{Title: bufferTitle(parentPath, len(f.Buffer)), Bytes: f.Buffer})
	}
	depth := 0
	if parent >= 0 {
		depth = d.Nodes[parent].Depth + 1
	}
	d.Nodes = append(d.Nodes, Node{Name: f.Name, Path: path, Value: f.Value, Err: f.Err, Parent: parent,
		Depth: depth, View: view, Offset: f.Offset, Length: f.Length})
	if f == failed {
		d.Failure = id
	}
	for i := range f.Children {
		d.add(&f.Children[i], id, view, path, failed)
	}
	d.Nodes[id].End = len(d.Nodes)
	d.Nodes[id].Class = classOf(d, id)
}

// bufferTitle names the view of a decompressed buffer below the field at path, by the last two
// names of the path ("batch[0].records"): the whole path inside a request is too long a title.
func bufferTitle(path string, size int) string {
	parts := strings.Split(path, ".")
	short := strings.Join(parts[max(len(parts)-2, 0):], ".")
	return fmt.Sprintf("%s, decompressed: %d bytes", short, size)
}

// index fills in view v's owners and runs.
func (d *Dissection) index(v int) {
	view := &d.Views[v]
	view.Owner = make([]int32, len(view.Bytes))
	for i := range view.Owner {
		view.Owner[i] = -1
	}
	for id := range d.Nodes {
		n := &d.Nodes[id]
		if n.View != v {
			continue
		}
		lo, hi := clampSpan(n.Offset, n.Length, len(view.Bytes))
		for i := lo; i < hi; i++ {
			view.Owner[i] = int32(id)
		}
	}
	for i := 0; i < len(view.Bytes); {
		j := i + 1
		for j < len(view.Bytes) && j%d.PerLine != 0 && view.Owner[j] == view.Owner[i] {
			j++
		}
		view.Runs = append(view.Runs, Run{Node: view.Owner[i], Offset: i, Length: j - i})
		i = j
	}
}

// clampSpan is the part of [offset, offset+length) within size bytes.
func clampSpan(offset, length, size int) (lo, hi int) {
	lo = min(max(offset, 0), size)
	hi = min(max(offset+length, lo), size)
	return lo, hi
}

// RunsOf returns the runs that hold node id's bytes: runs lo to hi of view.
func (d *Dissection) RunsOf(id int) (view, lo, hi int) {
	n := &d.Nodes[id]
	runs := d.Views[n.View].Runs
	start, end := clampSpan(n.Offset, n.Length, len(d.Views[n.View].Bytes))
	lo = sort.Search(len(runs), func(i int) bool { return runs[i].Offset+runs[i].Length > start })
	hi = sort.Search(len(runs), func(i int) bool { return runs[i].Offset >= end })
	return n.View, lo, max(hi, lo)
}

// Leaf reports whether node id has no fields of its own.
func (d *Dissection) Leaf(id int) bool { return d.Nodes[id].End == id+1 }

// Find returns the node whose path is path, or -1.
func (d *Dissection) Find(path string) int {
	for id := range d.Nodes {
		if d.Nodes[id].Path == path {
			return id
		}
	}
	return -1
}

// Ancestors lists the nodes above id, the root first.
func (d *Dissection) Ancestors(id int) []int {
	var up []int
	for p := d.Nodes[id].Parent; p >= 0; p = d.Nodes[p].Parent {
		up = append(up, p)
	}
	for i, j := 0, len(up)-1; i < j; i, j = i+1, j-1 {
		up[i], up[j] = up[j], up[i]
	}
	return up
}
