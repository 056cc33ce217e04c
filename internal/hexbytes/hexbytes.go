// Package hexbytes reads and writes bytes as hex text the way people paste it: golden files,
// `kwire batch -o hex`, `kwire dissect` input and the playground's decode mode.
package hexbytes

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// Format writes b as lowercase hex, perLine bytes a line, each line ending in a newline.
func Format(b []byte, perLine int) string {
	var sb strings.Builder
	sb.Grow(len(b)*2 + len(b)/perLine + 1)
	for len(b) > 0 {
		n := min(perLine, len(b))
		sb.WriteString(hex.EncodeToString(b[:n]))
		sb.WriteByte('\n')
		b = b[n:]
	}
	return sb.String()
}

// ParseError is text that [Parse] could not read: why, and the byte offset in the text of the
// character at fault.
type ParseError struct {
	Offset int
	msg    string
}

// Error says what is wrong and where, e.g. `hex: invalid character 'z' at offset 12`.
func (e *ParseError) Error() string { return e.msg }

// Parse reads hex digits, ignoring white space, colons, and "0x" prefixes, as in hex dumps and
// pasted captures. The error is a [*ParseError] naming the offset of the first bad character, or
// of the last digit when their number is odd.
func Parse(text string) ([]byte, error) {
	digits := make([]byte, 0, len(text))
	last := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '0' && i+1 < len(text) && (text[i+1] == 'x' || text[i+1] == 'X'):
			i++
		case isHexDigit(c):
			digits = append(digits, c)
			last = i
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':':
		default:
			return nil, &ParseError{i, fmt.Sprintf("hex: invalid character %q at offset %d", c, i)}
		}
	}
	if len(digits)%2 != 0 {
		return nil, &ParseError{last, fmt.Sprintf("hex: odd number of digits (%d)", len(digits))}
	}
	b := make([]byte, len(digits)/2)
	if _, err := hex.Decode(b, digits); err != nil {
		return nil, fmt.Errorf("hex: %w", err)
	}
	return b, nil
}

// Looks reports whether data reads as hex text rather than raw bytes: only hex digits, white
// space, colons and "0x"/"0X" prefixes.
func Looks(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	for _, c := range data {
		if !isHexDigit(c) && !strings.ContainsRune(" \t\r\n:xX", rune(c)) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
