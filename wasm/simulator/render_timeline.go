package simulator

import (
	"fmt"
	"html"
	"strings"
)

// TimelineHTML renders the timeline as an ordered list, one item per entry, in time order. An
// exchange is a details element whose summary says when, between whom, what was asked and what
// came back; opening it shows the exchange's bytes, which the page fills in from [Result.BytesHTML]
// (the element with data-bytes, the exchange's index). The notes on an exchange (faults applied,
// retries, duplicates) are shown below it whether it is open or not. Items carry data-kind and
// data-tone for the style sheet and for tests.
func (res *Result) TimelineHTML() string {
	var sb strings.Builder
	sb.WriteString(`<ol class="timeline">`)
	for i := range res.Entries {
		e := &res.Entries[i]
		fmt.Fprintf(&sb, `<li class="ev k-%s t-%s" data-kind="%s" data-tone="%s">`, e.Kind, toneClass(e.Tone), e.Kind, toneClass(e.Tone))
		if e.Kind == KindExchange {
			writeExchange(&sb, e)
		} else {
			fmt.Fprintf(&sb, `<div class="line"><span class="at">%s</span><span class="who">%s</span><span class="txt">%s</span></div>`,
				at(e), html.EscapeString(actor(e)), html.EscapeString(e.Title))
		}
		sb.WriteString(`</li>`)
	}
	sb.WriteString(`</ol>`)
	return sb.String()
}

// writeExchange writes an exchange's details element and its notes.
func writeExchange(sb *strings.Builder, e *Entry) {
	fmt.Fprintf(sb, `<details data-ex="%d"><summary>`, e.Exchange)
	fmt.Fprintf(sb, `<span class="at">%s</span><span class="who">#%d producer → broker %d <small>conn %d</small></span>`,
		at(e), e.Exchange+1, e.Broker, e.Conn)
	fmt.Fprintf(sb, `<span class="api">%s</span><span class="req">%s</span>`, html.EscapeString(e.Title), html.EscapeString(e.Request))
	fmt.Fprintf(sb, `<span class="resp"><span aria-hidden="true">⇠ </span>%s</span><span class="took" title="from reading the request to answering">%s</span>`,
		html.EscapeString(e.Response), millis(e.Took))
	fmt.Fprintf(sb, `</summary><div class="bytes" data-bytes="%d"></div></details>`, e.Exchange)
	if len(e.Notes) > 0 {
		sb.WriteString(`<ul class="notes">`)
		for _, n := range e.Notes {
			fmt.Fprintf(sb, `<li>%s</li>`, html.EscapeString(n))
		}
		sb.WriteString(`</ul>`)
	}
}

// at is an entry's time as the timeline shows it, e.g. "+12.3 ms".
func at(e *Entry) string { return "+" + millis(e.At) }

// actor names who an entry that is not an exchange is about.
func actor(e *Entry) string {
	switch e.Kind {
	case KindConnection:
		return "connection"
	case KindProducer:
		return "producer"
	case KindFault:
		return "fault"
	case KindApplication:
		return "application"
	}
	return ""
}

// toneClass is a tone's name for the style sheet: "none" for none.
func toneClass(t Tone) string {
	if t == ToneNone {
		return "none"
	}
	return string(t)
}
