package sasl

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The tokens of sasl.jaas.config.
const (
	tokEOF          = iota
	tokWord         // a class name, flag, option name or bare value
	tokQuoted       // a quoted value, unescaped
	tokUnterminated // a quote that is never closed
	tokEquals       // =
	tokSemicolon    // ;
	tokOther        // any other character
)

// jaasToken is one token and the byte offset where it starts. Its text is kept only for words and
// quoted values; an error about a token never shows its text, which may be part of a password.
type jaasToken struct {
	kind int
	off  int
	text string
}

// jaasLexer splits sasl.jaas.config into tokens, skipping white space and comments.
type jaasLexer struct {
	src string
	off int
}

// errAt is the error for an unexpected token, described by kind alone.
func (lx *jaasLexer) errAt(t jaasToken, want string) error {
	return &JAASError{Offset: t.off, Detail: fmt.Sprintf("%s, found %s", want, tokenNames[t.kind]), Kind: ErrMalformed}
}

// tokenNames describe the kinds of token in errors.
var tokenNames = [...]string{tokEOF: "the end", tokWord: "a word", tokQuoted: "a quoted value", tokUnterminated: "an unclosed quote",
	tokEquals: `"="`, tokSemicolon: `";"`, tokOther: "a stray character"}

// isWordByte reports whether c may be part of a word: letters, digits, "._$-" and any non-ASCII
// byte (Java's StreamTokenizer counts characters above 0xA0 as letters).
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._$-", c) >= 0 || c >= 0x80
}

// skip passes white space and comments.
func (lx *jaasLexer) skip() {
	for lx.off < len(lx.src) {
		rest := lx.src[lx.off:]
		switch {
		case rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r' || rest[0] == '\f':
			lx.off++
		case strings.HasPrefix(rest, "//"):
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				lx.off += i + 1
			} else {
				lx.off = len(lx.src)
			}
		case strings.HasPrefix(rest, "/*"):
			if i := strings.Index(rest[2:], "*/"); i >= 0 {
				lx.off += 2 + i + 2
			} else {
				lx.off = len(lx.src)
			}
		default:
			return
		}
	}
}

// next returns the next token; a quote starts a quoted value here too.
func (lx *jaasLexer) next() jaasToken {
	lx.skip()
	start := lx.off
	if lx.off >= len(lx.src) {
		return jaasToken{kind: tokEOF, off: start}
	}
	switch c := lx.src[lx.off]; {
	case c == '=':
		lx.off++
		return jaasToken{kind: tokEquals, off: start}
	case c == ';':
		lx.off++
		return jaasToken{kind: tokSemicolon, off: start}
	case c == '"' || c == '\'':
		return lx.quoted()
	case isWordByte(c):
		for lx.off < len(lx.src) && isWordByte(lx.src[lx.off]) {
			lx.off++
		}
		return jaasToken{kind: tokWord, off: start, text: lx.src[start:lx.off]}
	}
	_, size := utf8.DecodeRuneInString(lx.src[lx.off:])
	lx.off += size
	return jaasToken{kind: tokOther, off: start}
}

// quoted reads a quoted value from its opening quote to the same closing quote, unescaping Java's
// escapes. A line break or the end before the closing quote leaves it unterminated.
func (lx *jaasLexer) quoted() jaasToken {
	start, q := lx.off, lx.src[lx.off]
	lx.off++
	var b strings.Builder
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		switch {
		case c == q:
			lx.off++
			return jaasToken{kind: tokQuoted, off: start, text: b.String()}
		case c == '\n' || c == '\r':
			return jaasToken{kind: tokUnterminated, off: start}
		case c == '\\' && lx.off+1 < len(lx.src):
			lx.off++
			lx.escape(&b)
		default:
			b.WriteByte(c)
			lx.off++
		}
	}
	return jaasToken{kind: tokUnterminated, off: start}
}

// javaEscapes are the one-letter escapes of Java's StreamTokenizer and what they stand for.
var javaEscapes = map[byte]byte{'a': 7, 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}

// escape writes the character of the escape sequence at lx.off (after its backslash): Java's
// letters, up to three octal digits (at most \377), or the character itself.
func (lx *jaasLexer) escape(b *strings.Builder) {
	c := lx.src[lx.off]
	if simple, ok := javaEscapes[c]; ok {
		b.WriteByte(simple)
		lx.off++
		return
	}
	if '0' <= c && c <= '7' {
		n, digits := 0, 3
		if c > '3' {
			digits = 2
		}
		for ; digits > 0 && lx.off < len(lx.src) && '0' <= lx.src[lx.off] && lx.src[lx.off] <= '7'; digits-- {
			n = n*8 + int(lx.src[lx.off]-'0')
			lx.off++
		}
		b.WriteRune(rune(n))
		return
	}
	_, size := utf8.DecodeRuneInString(lx.src[lx.off:])
	b.WriteString(lx.src[lx.off : lx.off+size])
	lx.off += size
}
