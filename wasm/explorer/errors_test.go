package explorer

import (
	"strings"
	"testing"
)

// TestInputErrors checks that every kind of bad input names the input, says why, and, in a text
// area, points at the text at fault.
func TestInputErrors(t *testing.T) {
	twoLines := `{"value":"ok"}` + "\n" + `{"value": 1}` + "\n"
	for _, c := range []struct {
		name       string
		set        map[string]string
		field      string
		want       string
		start, end int // -1: no position
	}{
		{"json type", map[string]string{KeyRecords: twoLines}, KeyRecords, "line 2, column 11", 25, 26},
		{"json syntax", map[string]string{KeyRecords: `{"value":"ok"` + "\n"}, KeyRecords, "line 1: unexpected EOF", 0, 13},
		{"unknown field", map[string]string{KeyRecords: `{"partition":3}`}, KeyRecords, `line 1: json: unknown field "partition"`, 0, 15},
		{"no records", map[string]string{KeyRecords: "\n  \n"}, KeyRecords, "records: none", -1, -1},
		{"codec", map[string]string{KeyCompression: "brotli"}, KeyCompression, `unknown compression codec "brotli"`, -1, -1},
		{"level", map[string]string{KeyCompression: "snappy", KeyLevel: "3"}, KeyLevel, "snappy has no levels", -1, -1},
		{"level range", map[string]string{KeyCompression: "gzip", KeyLevel: "12"}, KeyLevel, "out of range 1 to 9", -1, -1},
		{"not a number", map[string]string{KeyTimestamp: "soon"}, KeyTimestamp, `timestamp: "soon" is not a whole number`, -1, -1},
		{"epoch range", map[string]string{KeyIdempotent: "1", KeyProducerEpoch: "40000"}, KeyProducerEpoch, "producer epoch: 40000 is out of range -32768 to 32767", -1, -1},
		{"negative id", map[string]string{KeyIdempotent: "1", KeyProducerID: "-1"}, KeyProducerID, "0 or more", -1, -1},
		{"transactional", map[string]string{KeyTransactional: "1"}, KeyTransactional, "needs idempotence", -1, -1},
		{"version", map[string]string{KeyShow: ShowRequest, KeyProduceVersion: "14"}, KeyProduceVersion, "kwire implements v0 to v13", -1, -1},
		{"topic id", map[string]string{KeyShow: ShowRequest, KeyTopicID: "xyz"}, KeyTopicID, "not 32 hex digits", -1, -1},
		{"hex character", map[string]string{KeyMode: ModeDecode, KeyDecodeInput: "00 01\n0g"}, KeyDecodeInput, "line 2, column 2: hex: invalid character 'g' at offset 7", 7, 8},
		{"odd hex", map[string]string{KeyMode: ModeDecode, KeyDecodeInput: "000"}, KeyDecodeInput, "odd number of digits", 2, 3},
		{"empty hex", map[string]string{KeyMode: ModeDecode, KeyDecodeInput: " "}, KeyDecodeInput, "paste the hex", -1, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := Defaults()
			for k, v := range c.set {
				f[k] = v
			}
			p := Build(f)
			if p.Err == nil {
				t.Fatal("no error")
			}
			if p.Err.Field != c.field || !strings.Contains(p.Err.Message, c.want) {
				t.Errorf("error on %s: %q; want on %s, saying %q", p.Err.Field, p.Err.Message, c.field, c.want)
			}
			if p.Err.Start != c.start || c.start >= 0 && p.Err.End != c.end {
				t.Errorf("points at %d to %d, want %d to %d", p.Err.Start, p.Err.End, c.start, c.end)
			}
		})
	}
}

// TestTextPositions checks the UTF-16 offsets a text area's selection takes.
func TestTextPositions(t *testing.T) {
	text := "é😀\nab\n"
	if got := utf16Len(text); got != 7 {
		t.Errorf("utf16Len %d, want 7", got)
	}
	if s, e := lineSpan(text, 2); s != 4 || e != 6 {
		t.Errorf("line 2 at %d to %d, want 4 to 6", s, e)
	}
	if s, e := lineSpan(text, 9); s != 7 || e != 7 {
		t.Errorf("line 9 at %d to %d, want the end", s, e)
	}
	if s, e := byteSpan(text, 3, 1); s != 1 || e != 3 { // inside the emoji: widened to it
		t.Errorf("byte 3 at %d to %d, want 1 to 3", s, e)
	}
	if l, c := lineColumn(text, 8); l != 2 || c != 2 {
		t.Errorf("byte 8 on line %d column %d, want 2, 2", l, c)
	}
}
