package explorer

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/wire/recordjson"
)

// tableRecords are records whose nulls, empties and timestamps the table must keep apart.
const tableRecords = `{"key":"k","value":"v","headers":[{"key":"h","value":"x"},{"key":"n","value":null},{"key":"e","value":""},{"key":"","value":null},{"key":"a=b\\c","value":"line\nbreak \\N"}],"timestamp":1700000000250}
{"key":null,"value":""}
{"key":"","value":null,"timestamp":0}
{"key":null,"value":null,"headers":[{"key":"","value":""}]}
{"key":"<&>","value":"ünïcode 😀","timestamp":-5}
`

// TestTableRoundTrip reads JSONL into a table and writes it back: the same records, null kept
// apart from empty for keys, values and header values, and the same timestamps, absent or not.
func TestTableRoundTrip(t *testing.T) {
	tab, err := ParseTable(tableRecords)
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.JSONL(); got != tableRecords {
		t.Errorf("JSONL → table → JSONL:\n%s\nwant\n%s", got, tableRecords)
	}
	r := tab.Rows
	if !r[1].Key.Null || r[1].Value.Null || r[1].Value.Text != "" || !r[2].Value.Null || r[2].Key.Null {
		t.Errorf("null and empty mixed up: %+v, %+v", r[1], r[2])
	}
	if r[1].Timestamp != nil || r[2].Timestamp == nil || *r[2].Timestamp != 0 {
		t.Errorf("an absent timestamp and timestamp 0 mixed up: %v, %v", r[1].Timestamp, r[2].Timestamp)
	}
	// Through the cells' texts as the page shows them, and back.
	again := &Table{Rows: make([]Row, len(r))}
	for i := range r {
		for _, col := range []Column{ColKey, ColValue, ColHeaders, ColTimestamp} {
			if err := again.Set(i, col, tab.Text(i, col)); err != nil {
				t.Fatal(err)
			}
		}
		again.SetNull(i, ColKey, r[i].Key.Null)
		again.SetNull(i, ColValue, r[i].Value.Null)
	}
	if got := again.JSONL(); got != tableRecords {
		t.Errorf("JSONL → cells' texts → JSONL:\n%s\nwant\n%s", got, tableRecords)
	}
	want, _ := recordjson.ReadLines(strings.NewReader(tableRecords), 7)
	gotRecs, _ := recordjson.ReadLines(strings.NewReader(again.JSONL()), 7)
	if !reflect.DeepEqual(gotRecs, want) {
		t.Errorf("records differ:\n%+v\nwant\n%+v", gotRecs, want)
	}
}

// TestTableEdits edits cells as the page does: text, null toggles, rows added and removed.
func TestTableEdits(t *testing.T) {
	tab, err := ParseTable(`{"key":"k","value":"v"}` + "\n\n" + `{"key":"a","value":"b"}`)
	if err != nil {
		t.Fatal(err)
	}
	tab.Set(0, ColValue, "edited")
	tab.SetNull(1, ColKey, true)
	tab.Set(0, ColHeaders, "trace=\\N\nempty=\n\nsource=web")
	if err := tab.Set(1, ColTimestamp, "12x"); err == nil || !strings.Contains(err.Error(), "record 2: timestamp") {
		t.Errorf("a bad timestamp: %v", err)
	}
	tab.Set(1, ColTimestamp, " 42 ")
	want := `{"key":"k","value":"edited","headers":[{"key":"trace","value":null},{"key":"empty","value":""},{"key":"source","value":"web"}]}
{"key":null,"value":"b","timestamp":42}
`
	if got := tab.JSONL(); got != want {
		t.Errorf("after edits:\n%s\nwant\n%s", got, want)
	}
	tab.SetNull(1, ColKey, false) // the text comes back
	tab.Set(1, ColTimestamp, "")
	if i := tab.Add(); i != 2 {
		t.Errorf("Add returned %d", i)
	}
	tab.Remove(0)
	tab.Remove(9)
	want = `{"key":"a","value":"b"}
{"key":null,"value":""}
`
	if got := tab.JSONL(); got != want {
		t.Errorf("after adding and removing:\n%s\nwant\n%s", got, want)
	}
	if err := tab.SetNull(0, ColHeaders, true); err == nil {
		t.Error("headers took a null toggle")
	}
	if err := tab.Set(5, ColKey, "x"); err == nil {
		t.Error("set a record that does not exist")
	}
}

// TestHeaderLines reads header lines: escapes, the null marker, a name alone, blank lines.
func TestHeaderLines(t *testing.T) {
	s := func(v string) *string { return &v }
	got := ParseHeaders("a=1\r\nb\n\n =x=y\nc=\\N\nd=\\\\N\ne\\=f=g\\n\\q\\")
	want := []recordjson.Header{{Key: "a", Value: s("1")}, {Key: "b"}, {Key: " ", Value: s("x=y")}, {Key: "c"},
		{Key: "d", Value: s(`\N`)}, {Key: "e=f", Value: s("g\n\\q\\")}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseHeaders: %+v\nwant %+v", got, want)
	}
	if back := ParseHeaders(FormatHeaders(want)); !reflect.DeepEqual(back, want) {
		t.Errorf("format and parse: %+v", back)
	}
	if f := FormatHeaders([]recordjson.Header{{Key: "", Value: nil}, {Key: "", Value: s("")}}); f != "=\\N\n=" {
		t.Errorf("empty names: %q", f)
	}
}

// TestTableHTML checks the table's markup: null cells ticked and disabled, text escaped, a
// leading newline kept, and the note for long tables and JSONL that does not parse.
func TestTableHTML(t *testing.T) {
	tab, _ := ParseTable(`{"key":null,"value":"\n<b>"}`)
	h := tab.RowsHTML()
	for _, want := range []string{`data-row="0"`, `data-null="key" aria-label="record 1 key is null" checked`,
		`aria-label="record 1 key" disabled>`, `aria-label="record 1 value">` + "\n\n&lt;b&gt;</textarea>", `placeholder="batch's"`} {
		if !strings.Contains(h, want) {
			t.Errorf("rows lack %q:\n%s", want, h)
		}
	}
	if tab.NoteHTML(nil) != "" {
		t.Error("a note for a short table")
	}
	for range TableShown + 1 {
		tab.Add()
	}
	if n := strings.Count(tab.RowsHTML(), "<tr"); n != TableShown {
		t.Errorf("%d rows listed, want %d", n, TableShown)
	}
	if !strings.Contains(tab.NoteHTML(nil), "first 100 of 102") {
		t.Errorf("note %q", tab.NoteHTML(nil))
	}
}
