package explorer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// checkRuns requires every view's runs to cover its bytes in order, none across a line, each
// owned by the deepest node that covers it; and RunsOf to give exactly a node's bytes.
func checkRuns(t *testing.T, d *Dissection) {
	t.Helper()
	for v, view := range d.Views {
		at := 0
		for _, r := range view.Runs {
			if r.Offset != at || r.Length <= 0 || r.Offset/d.PerLine != (r.Offset+r.Length-1)/d.PerLine {
				t.Fatalf("view %d: run %+v after byte %d", v, r, at)
			}
			at += r.Length
		}
		if at != len(view.Bytes) {
			t.Fatalf("view %d: runs cover %d of %d bytes", v, at, len(view.Bytes))
		}
	}
	for id := range d.Nodes {
		n := &d.Nodes[id]
		v, lo, hi := d.RunsOf(id)
		runs := d.Views[v].Runs[lo:hi]
		if n.Length == 0 {
			continue
		}
		if len(runs) == 0 || runs[0].Offset > n.Offset || runs[len(runs)-1].Offset+runs[len(runs)-1].Length < n.Offset+n.Length {
			t.Fatalf("%s: runs %d to %d do not hold [%d,+%d)", n.Path, lo, hi, n.Offset, n.Length)
		}
		for _, r := range runs {
			if o := int(r.Node); o < id || o >= n.End {
				t.Fatalf("%s: run %+v belongs to %s, outside it", n.Path, r, d.Nodes[o].Path)
			}
		}
	}
}

// TestDissectionRuns checks the runs of a batch under every codec, of a request, and of a
// truncated batch.
func TestDissectionRuns(t *testing.T) {
	for _, codec := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		checkRuns(t, Build(decodeForm(HexText(explorerBatch(t, codec)))).Dissection)
	}
	f := Defaults()
	f[KeyShow] = ShowRequest
	checkRuns(t, Build(f).Dissection)
	checkRuns(t, Build(decodeForm(HexText(explorerBatch(t, "none")[:70]))).Dissection)
	narrow := Build(decodeForm(HexText(explorerBatch(t, "zstd")))).Dissection
	narrow.SetLineWidth(8)
	checkRuns(t, narrow)
	if n := strings.Count(narrow.DumpHTML(0, 1<<20), `class="ln"`); n != (len(narrow.Views[0].Bytes)+7)/8 {
		t.Errorf("%d lines of 8 bytes for %d bytes", n, len(narrow.Views[0].Bytes))
	}
}

// TestClasses checks the colours of a few fields.
func TestClasses(t *testing.T) {
	d := Build(Defaults()).Dissection
	for path, want := range map[string]string{
		"batch[0].crc":                                            classCRC,
		"batch[0].baseTimestamp":                                  classTime,
		"batch[0].producerId":                                     classProducer,
		"batch[0].records.record[0].key.data":                     classKey,
		"batch[0].records.record[0].key.length":                   classLength,
		"batch[0].records.record[0].value.data":                   classValue,
		"batch[0].records.record[0].headers.header[0]":            classHeader,
		"batch[0].records.record[0].headers.header[0].key.length": classHeader,
	} {
		id := d.Find(path)
		if id < 0 {
			t.Errorf("no field %s", path)
			continue
		}
		if got := d.Nodes[id].Class; got != want {
			t.Errorf("%s: class %s, want %s", path, got, want)
		}
	}
	lz4 := Build(decodeForm(HexText(explorerBatch(t, "lz4")))).Dissection
	if id := lz4.Find("batch[0].records"); id < 0 || lz4.Nodes[id].Class != classCompress {
		t.Errorf("compressed records not classed %s", classCompress)
	}
}

var hexPair = regexp.MustCompile(`>([0-9a-f]{2}(?: [0-9a-f]{2})*)<`)

// TestDumpHTML checks that the dump holds every byte in lowercase hex, in order, escapes the
// ASCII column, and stops at its limit with a button to show the rest.
func TestDumpHTML(t *testing.T) {
	f := Defaults()
	f[KeyRecords] = `{"key":"<b>&","value":"x"}` + "\n"
	p := Build(f)
	html := p.Dissection.DumpHTML(0, 1<<20)
	var hex strings.Builder
	for _, m := range hexPair.FindAllStringSubmatch(html, -1) {
		hex.WriteString(strings.ReplaceAll(m[1], " ", ""))
	}
	if got, want := hex.String(), strings.ReplaceAll(HexText(p.Batch), "\n", ""); got != want {
		t.Errorf("dump hex\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(html, "&lt;b&gt;&amp;") || strings.Contains(html, "<b>&") {
		t.Error("the ASCII column is not escaped")
	}
	short := p.Dissection.DumpHTML(0, 20)
	if n := strings.Count(short, `class="ln"`); n != 2 {
		t.Errorf("%d lines under a limit of 20 bytes, want 2", n)
	}
	if want := `data-more="0">Show all`; !strings.Contains(short, want) || strings.Contains(html, want) {
		t.Error("the show-all button is missing or shown needlessly")
	}
}

// TestTreeHTML checks the rows the tree lists: those under open fields, capped per parent but
// keeping the selected field.
func TestTreeHTML(t *testing.T) {
	var records strings.Builder
	for range MaxChildrenShown + 5 {
		records.WriteString(`{"value":"v"}` + "\n")
	}
	f := Defaults()
	f[KeyRecords] = records.String()
	d := Build(f).Dissection
	last := d.Find(fmt.Sprintf("batch[0].records.record[%d]", MaxChildrenShown+4))
	open := func(id int) bool { return d.DefaultOpen(id) || id == last }
	html := d.TreeHTML(open, 0, last)
	rows := d.Visible(open, last)
	if n := strings.Count(html, `role="treeitem"`); n != len(rows) {
		t.Errorf("%d rows rendered, %d visible", n, len(rows))
	}
	if !strings.Contains(html, "… 4 more fields not listed") {
		t.Error("no note of the fields left out")
	}
	if !strings.Contains(html, `data-n="`+strconv.Itoa(last)+`"`) {
		t.Error("the kept field is not listed")
	}
	if strings.Count(html, `tabindex="0"`) != 1 {
		t.Error("not exactly one row takes the focus")
	}
	closed := d.TreeHTML(func(int) bool { return false }, 0, -1)
	if strings.Count(closed, `role="treeitem"`) != 1 || !strings.Contains(closed, `aria-expanded="false"`) {
		t.Error("a closed root lists more than itself")
	}
}
