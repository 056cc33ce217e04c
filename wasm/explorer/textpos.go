package explorer

import (
	"strings"
	"unicode/utf8"
)

// utf16Len is the length of s in UTF-16 code units, the unit a text area's selection counts in.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 && r <= utf8.MaxRune {
			n++
		}
	}
	return n
}

// lineSpan returns where line (from 1) of text starts and ends, without its newline, in UTF-16
// code units; both are len(text) in units when text has fewer lines.
func lineSpan(text string, line int) (start, end int) {
	offset := 0
	for i := 1; i < line; i++ {
		nl := strings.IndexByte(text[offset:], '\n')
		if nl < 0 {
			n := utf16Len(text)
			return n, n
		}
		offset += nl + 1
	}
	rest := text[offset:]
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	start = utf16Len(text[:offset])
	return start, start + utf16Len(rest)
}

// byteSpan returns the UTF-16 offsets of the n bytes of text from byte offset at, clamped to
// text and widened to whole characters.
func byteSpan(text string, at, n int) (start, end int) {
	at = min(max(at, 0), len(text))
	stop := min(at+max(n, 0), len(text))
	for stop < len(text) && !utf8.RuneStart(text[stop]) {
		stop++
	}
	for at > 0 && !utf8.RuneStart(text[at]) {
		at--
	}
	start = utf16Len(text[:at])
	return start, start + utf16Len(text[at:stop])
}
