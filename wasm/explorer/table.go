package explorer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kwire-dev/kwire/wire/recordjson"
)

// Column names a column of the records table; the page's cells carry it as data-col.
type Column string

// The records table's columns.
const (
	ColKey       Column = "key"
	ColValue     Column = "value"
	ColHeaders   Column = "headers"
	ColTimestamp Column = "timestamp"
)

// Cell is a key or a value as the table edits it: a text, or Kafka's null. A null cell keeps
// the text it had, so that unticking null gives it back while the table lives.
type Cell struct {
	Text string
	Null bool
}

// ptr is the cell in its JSON form: nil for null.
func (c Cell) ptr() *string {
	if c.Null {
		return nil
	}
	s := c.Text
	return &s
}

// cellOf is the cell of a JSON string, nil being null.
func cellOf(s *string) Cell {
	if s == nil {
		return Cell{Null: true}
	}
	return Cell{Text: *s}
}

// Row is one record as the table edits it.
type Row struct {
	Key, Value Cell
	Headers    []recordjson.Header
	Timestamp  *int64 // nil: the batch's timestamp
}

// Table is the records of the Explorer as a table, kept in step with the JSONL text area: it
// is read from the JSONL ([ParseTable]), edited a cell at a time, and written back ([Table.JSONL]).
type Table struct {
	Rows []Row
}

// ParseTable reads JSONL records, as kwire batch --jsonl reads them, into a table. The error is
// the JSONL's, a *[recordjson.LineError] when a line is at fault.
func ParseTable(jsonl string) (*Table, error) {
	records, err := recordjson.ReadRecords(strings.NewReader(jsonl))
	if err != nil {
		return nil, err
	}
	t := &Table{Rows: make([]Row, len(records))}
	for i, r := range records {
		t.Rows[i] = Row{Key: cellOf(r.Key), Value: cellOf(r.Value), Headers: r.Headers, Timestamp: r.Timestamp}
	}
	return t, nil
}

// JSONL writes the table as JSONL, one record a line in the schema of kwire batch --jsonl: null
// keys and values as null, headers only when there are some, a timestamp only when the record
// has its own.
func (t *Table) JSONL() string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <, > and & readable; JSON does not need them escaped
	for _, r := range t.Rows {
		enc.Encode(recordjson.Record{Key: r.Key.ptr(), Value: r.Value.ptr(), Headers: r.Headers, Timestamp: r.Timestamp}) // strings and numbers always encode
	}
	return buf.String()
}

// Text is what the cell of row i in column col shows: the text of a key or value (the text kept
// for a null one), the headers as [FormatHeaders] writes them, the timestamp in decimal or "".
func (t *Table) Text(i int, col Column) string {
	r := &t.Rows[i]
	switch col {
	case ColKey:
		return r.Key.Text
	case ColValue:
		return r.Value.Text
	case ColHeaders:
		return FormatHeaders(r.Headers)
	case ColTimestamp:
		if r.Timestamp != nil {
			return strconv.FormatInt(*r.Timestamp, 10)
		}
	}
	return ""
}

// Set sets the cell of row i in column col from the text the user typed. A key or value keeps
// whether it is null; headers are read by [ParseHeaders]; a timestamp is milliseconds, blank
// for the batch's. On an error the row is unchanged.
func (t *Table) Set(i int, col Column, text string) error {
	if i < 0 || i >= len(t.Rows) {
		return fmt.Errorf("record %d: no such record", i+1)
	}
	r := &t.Rows[i]
	switch col {
	case ColKey:
		r.Key.Text = text
	case ColValue:
		r.Value.Text = text
	case ColHeaders:
		r.Headers = ParseHeaders(text)
	case ColTimestamp:
		text = strings.TrimSpace(text)
		if text == "" {
			r.Timestamp = nil
			return nil
		}
		ts, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return fmt.Errorf("record %d: timestamp %q is not a whole number of milliseconds (leave it blank for the batch's)", i+1, text)
		}
		r.Timestamp = &ts
	default:
		return fmt.Errorf("no column %q", col)
	}
	return nil
}

// SetNull makes the key or value of row i null, or its text again.
func (t *Table) SetNull(i int, col Column, null bool) error {
	if i < 0 || i >= len(t.Rows) {
		return fmt.Errorf("record %d: no such record", i+1)
	}
	switch col {
	case ColKey:
		t.Rows[i].Key.Null = null
	case ColValue:
		t.Rows[i].Value.Null = null
	default:
		return fmt.Errorf("column %q has no null toggle", col)
	}
	return nil
}

// Add appends a record with a null key and an empty value, and returns its index.
func (t *Table) Add() int {
	t.Rows = append(t.Rows, Row{Key: Cell{Null: true}})
	return len(t.Rows) - 1
}

// Remove removes row i; an index out of range changes nothing.
func (t *Table) Remove(i int) {
	if i >= 0 && i < len(t.Rows) {
		t.Rows = append(t.Rows[:i], t.Rows[i+1:]...)
	}
}

// NullMarker is the value of a header line that stands for a null header value, as PostgreSQL's
// COPY writes null.
const NullMarker = `\N`

// FormatHeaders writes headers one a line as name=value: "name=" is an empty value and
// "name=\N" a null one. A backslash, a newline, a carriage return and, in the name, an equals
// sign are escaped as \\, \n, \r and \=, so that [ParseHeaders] reads back exactly the same
// headers.
func FormatHeaders(headers []recordjson.Header) string {
	var sb strings.Builder
	for i, h := range headers {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(escapeHeader(h.Key, true))
		sb.WriteByte('=')
		if h.Value == nil {
			sb.WriteString(NullMarker)
		} else {
			sb.WriteString(escapeHeader(*h.Value, false))
		}
	}
	return sb.String()
}

// escapeHeader escapes s for a header line; in a name, the equals sign too.
func escapeHeader(s string, name bool) string {
	var sb strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '=' && name:
			sb.WriteString(`\=`)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// ParseHeaders reads the header lines that [FormatHeaders] writes. Blank lines are skipped; a
// line is split at its first unescaped equals sign; a value of exactly \N is null, and so is the
// value of a line without an equals sign. A backslash before any other character stands for
// itself, so that every text is some headers.
func ParseHeaders(text string) []recordjson.Header {
	var headers []recordjson.Header
	for line := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, rest, found := splitHeader(line)
		h := recordjson.Header{Key: unescapeHeader(name)}
		if found && rest != NullMarker {
			v := unescapeHeader(rest)
			h.Value = &v
		}
		headers = append(headers, h)
	}
	return headers
}

// splitHeader splits line at its first equals sign that no backslash escapes.
func splitHeader(line string) (name, value string, found bool) {
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '=':
			return line[:i], line[i+1:], true
		}
	}
	return line, "", false
}

// unescapeHeader reverses [escapeHeader].
func unescapeHeader(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			sb.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case '\\':
			sb.WriteByte('\\')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case '=':
			sb.WriteByte('=')
		default:
			sb.WriteByte('\\')
			sb.WriteByte(s[i])
		}
	}
	return sb.String()
}
