package simulator

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
)

// LogHTML renders the partition log as the broker stored it: a table row per record with its
// offset, key, value, batch and idempotence fields, and whose callback reported the offset. Rows
// of records stored more often than sent have class dup and data-dup="1"; every row has
// data-offset.
func (res *Result) LogHTML() string {
	var sb strings.Builder
	batches := 0
	if n := len(res.Log); n > 0 {
		batches = res.Log[n-1].Batch + 1
	}
	fmt.Fprintf(&sb, `<table class="simlog"><caption>%s/0 as broker 0 stored it: %d %s in %d %s</caption>`,
		Topic, len(res.Log), plural(len(res.Log), "record"), batches, plural(batches, "batch"))
	sb.WriteString(`<thead><tr><th scope="col">offset</th><th scope="col">record: key, value</th>` +
		`<th scope="col">batch</th><th scope="col">callback</th></tr></thead><tbody>`)
	for i := range res.Log {
		writeLogRow(&sb, &res.Log[i])
	}
	if len(res.Log) == 0 {
		sb.WriteString(`<tr><td colspan="4" class="empty">The log is empty: nothing was written.</td></tr>`)
	}
	sb.WriteString(`</tbody></table>`)
	return sb.String()
}

// writeLogRow writes one record of the log.
func writeLogRow(sb *strings.Builder, r *LogRow) {
	class, dup := "", "0"
	if r.Duplicate() {
		class, dup = ` class="dup"`, "1"
	}
	fmt.Fprintf(sb, `<tr%s data-offset="%d" data-dup="%s"><td class="num">%d</td>%s<td>%d<br><small>%s</small></td><td>%s</td></tr>`,
		class, r.Offset, dup, r.Offset, recordCell(r.Key, r.Value), r.Batch, producerText(r), html.EscapeString(ackText(r)))
}

// recordCell is a table cell with a record's key (class k) and value (class v).
func recordCell(key, value []byte) string {
	return `<td class="rec"><span class="k">` + bytesText(key) + `</span> <span class="v">` + bytesText(value) + `</span></td>`
}

// bytesText shows a key or value as quoted text, or null.
func bytesText(b []byte) string {
	if b == nil {
		return `<i>null</i>`
	}
	return `<code>` + html.EscapeString(strconv.Quote(string(b))) + `</code>`
}

// producerText shows a record's producer id, epoch and sequence, or that it has none.
func producerText(r *LogRow) string {
	if r.ProducerID < 0 {
		return "no producer id"
	}
	return fmt.Sprintf("producer id %d, epoch %d, sequence %d", r.ProducerID, r.ProducerEpoch, r.Sequence)
}

// ackText says whose callback reported the record's offset, and whether it is an extra copy.
func ackText(r *LogRow) string {
	s := "no callback reported this offset"
	if r.AckedFor >= 0 {
		s = fmt.Sprintf("record #%d's callback reported this offset", r.AckedFor)
	}
	if r.Duplicate() {
		s = fmt.Sprintf("Duplicate: stored %d×, sent %d×. %s", r.Copies, r.Sent, strings.ToUpper(s[:1])+s[1:])
	}
	return s + "."
}

// CallbacksHTML renders each record's outcome as its callback was told: where it landed, or the
// error, and when.
func (res *Result) CallbacksHTML() string {
	var sb strings.Builder
	sb.WriteString(`<table class="callbacks"><thead><tr><th scope="col">#</th><th scope="col">record: key, value</th>` +
		`<th scope="col">callback</th><th scope="col">at</th></tr></thead><tbody>`)
	byIndex := map[int]*Callback{}
	for i := range res.Callbacks {
		byIndex[res.Callbacks[i].Index] = &res.Callbacks[i]
	}
	for i, r := range res.Settings.Records {
		outcome, when, class := "no callback: the simulation ended first", "", "bad"
		if c := byIndex[i]; c != nil {
			outcome, when, class = callbackText(c), "+"+millis(c.At), "ok"
			if c.Err != "" {
				class = "bad"
			}
		}
		fmt.Fprintf(&sb, `<tr class="%s"><td class="num">#%d</td>%s<td>%s</td><td class="num">%s</td></tr>`,
			class, i, recordCell(r.Key, r.Value), html.EscapeString(outcome), when)
	}
	sb.WriteString(`</tbody></table>`)
	return sb.String()
}

// callbackText is what a callback was told.
func callbackText(c *Callback) string {
	switch {
	case c.Err != "":
		return "error: " + c.Err
	case c.Offset < 0:
		return fmt.Sprintf("%s/%d, no offset (acks=0)", Topic, c.Partition)
	}
	return fmt.Sprintf("%s/%d at offset %d", Topic, c.Partition, c.Offset)
}

// VerdictHTML is the run's verdict with its tone as a class, and how long it took.
func (res *Result) VerdictHTML() string {
	v, tone := res.Verdict()
	return fmt.Sprintf(`<span class="verdict t-%s">%s</span> <small>Ran in %s: %d requests.</small>`,
		toneClass(tone), html.EscapeString(v), res.Took.Round(time.Millisecond), len(res.Exchanges))
}
