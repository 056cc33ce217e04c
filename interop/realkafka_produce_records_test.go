package interop

import (
	"strconv"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// What the matrix test (realkafka_produce_test.go) sends as record i of a topic: a pure function
// of i, so that the checks regenerate each record instead of keeping millions of them. The
// generators append to a buffer rather than format, as the checks call them for every record
// under -race.

// cliKeyedRecords is how many of a CLI topic's records the first kwire produce run sends, with
// -K :; the second run sends the rest as keyless lines.
const cliKeyedRecords = matrixRecords / 2

// padding is what values are padded with, by a length that varies with i.
const padding = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

// recordGen builds records into a buffer of its own: what it returns stays valid until its next
// call.
type recordGen struct {
	buf     []byte
	headers []wire.Header
}

// cli is record i of a CLI topic: its input line and the key and value kwire produce must make
// of it. Keyed lines (the first run, -K :) split at the first colon, their values hold more
// colons, and some keys and values are empty; keyless lines (the second run) have a null key, and
// some are empty, which makes an empty value, not a null one.
func (g *recordGen) cli(i int) (line, key, value []byte) {
	b := g.buf[:0]
	if i >= cliKeyedRecords {
		if i%50 != 13 {
			b = append(b, "event "...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ' ')
			b = append(b, padding[:i%37]...)
		}
		g.buf = b
		if len(b) == 0 {
			return b, nil, []byte{}
		}
		return b, nil, b[:len(b):len(b)]
	}
	if i%50 != 7 {
		b = append(b, "customer-"...)
		b = strconv.AppendInt(b, int64(i*7919%1009), 10)
	}
	colon := len(b)
	b = append(b, ':')
	if i%50 != 11 {
		b = append(b, "order "...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ": qty:"...)
		b = strconv.AppendInt(b, int64(i%9+1), 10)
		b = append(b, ' ')
		b = append(b, padding[:i%31]...)
	}
	g.buf = b
	return b, b[:colon:colon], b[colon+1:]
}

// api is record i of a Go API topic: keyed, empty-keyed and null-keyed records; null, empty and
// other values; no headers, headers with null and empty values, a header key twice; and either
// no timestamp (kwire stamps it at Send) or an explicit one, up to a second before base.
func (g *recordGen) api(i int, base time.Time) (key, value []byte, headers []wire.Header, ts time.Time) {
	b := g.buf[:0]
	switch i % 8 {
	case 0, 1, 2, 3:
		b = append(b, "key-"...)
		b = strconv.AppendInt(b, int64(i*7919%1009), 10)
	}
	keyEnd := len(b)
	switch i % 7 {
	case 0, 1: // null, empty
	default:
		b = append(b, "value "...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ' ')
		b = append(b, padding[:i%23]...)
	}
	valueEnd := len(b)
	b = strconv.AppendInt(b, int64(i), 10) // the trace header's value
	g.buf = b
	switch i % 8 {
	case 0, 1, 2, 3:
		key = b[:keyEnd:keyEnd]
	case 4:
		key = b[:0:0] // empty, not null: b holds the trace value at least
	}
	switch i % 7 {
	case 0:
	case 1:
		value = b[keyEnd:keyEnd:keyEnd]
	default:
		value = b[keyEnd:valueEnd:valueEnd]
	}
	trace := b[valueEnd:]
	h := g.headers[:0]
	switch i % 5 {
	case 1:
		h = append(h, wire.Header{Key: "trace", Value: trace})
	case 2:
		h = append(h, wire.Header{Key: "trace", Value: trace}, wire.Header{Key: "null"}, wire.Header{Key: "empty", Value: trace[:0:0]})
	case 3:
		h = append(h, wire.Header{Key: "dup", Value: []byte("first")}, wire.Header{Key: "dup", Value: []byte("second")})
	}
	g.headers = h
	if len(h) > 0 {
		headers = h
	}
	if i%3 != 0 {
		ts = base.Add(-time.Duration(i%997) * time.Millisecond)
	}
	return key, value, headers, ts
}

// cliInput is the input of the CLI run over records [from, to): one line each.
func cliInput(from, to int) []byte {
	var g recordGen
	var out []byte
	for i := from; i < to; i++ {
		line, _, _ := g.cli(i)
		out = append(out, line...)
		out = append(out, '\n')
	}
	return out
}
