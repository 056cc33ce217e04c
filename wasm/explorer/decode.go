package explorer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// Decoded is pasted hex, dissected: as a framed request if it reads as one, else as record
// batches one after another.
type Decoded struct {
	Bytes     []byte
	IsRequest bool
	Root      wire.Field
}

// DecodeHex parses the decode view's hex and dissects it. An error, an [*InputError], is in the
// hex itself and points at the character at fault.
func DecodeHex(text string) (*Decoded, error) {
	if strings.TrimSpace(text) == "" {
		return nil, &InputError{Field: KeyDecodeInput, Start: -1,
			Message: "decode: paste the hex of a record batch (as kwire batch writes it) or of a framed Produce request"}
	}
	src, err := hexbytes.Parse(text)
	if pe, ok := errors.AsType[*hexbytes.ParseError](err); ok {
		line, col := lineColumn(text, pe.Offset)
		e := &InputError{Field: KeyDecodeInput, Message: fmt.Sprintf("decode: line %d, column %d: %v", line, col, err)}
		e.Start, e.End = byteSpan(text, pe.Offset, 1)
		return nil, e
	}
	if err != nil {
		return nil, &InputError{Field: KeyDecodeInput, Message: "decode: " + err.Error(), Start: -1}
	}
	if len(src) == 0 {
		return nil, &InputError{Field: KeyDecodeInput, Message: "decode: no hex digits", Start: -1}
	}
	d := &Decoded{Bytes: src, IsRequest: protocol.LooksLikeRequest(src)}
	if d.IsRequest {
		d.Root = protocol.DissectRequest(src)
	} else {
		d.Root = wire.DissectRecordBatches(src)
	}
	return d, nil
}

// lineColumn is the line and column, both from 1 and the column in characters, of byte offset at
// of text.
func lineColumn(text string, at int) (line, col int) {
	at = min(at, len(text))
	before := text[:at]
	line = strings.Count(before, "\n") + 1
	col = len([]rune(before[strings.LastIndexByte(before, '\n')+1:])) + 1
	return line, col
}

// HexText formats b as kwire batch -o hex does: lowercase hex, 32 bytes a line.
func HexText(b []byte) string { return hexbytes.Format(b, 32) }
