package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Sentinel errors of decoding, wrapped in a [*DecodeError] that says where; test them with [errors.Is].
var (
	// ErrShortBuffer means the data ended before the value being read.
	ErrShortBuffer = errors.New("unexpected end of data")
	// ErrVarintOverflow means a varint ran past the width of its type.
	ErrVarintOverflow = errors.New("varint overflows its type")
	// ErrInvalidLength means a length prefix was negative where null is not allowed, or longer than
	// the bytes that remain.
	ErrInvalidLength = errors.New("invalid length")
	// ErrCorrupt means the bytes were well-formed but inconsistent (bad CRC, lengths that disagree,
	// an unknown magic).
	ErrCorrupt = errors.New("corrupt data")
)

// DecodeError says where decoding failed: the field, its byte offset in the input, and why.
type DecodeError struct {
	Field  string // dotted path of the field, e.g. "records[3].key"
	Offset int    // byte offset of the failing field from the start of the input
	Err    error  // one of the sentinel errors, possibly wrapped with detail
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("wire: at offset %d: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("wire: %s at offset %d: %v", e.Field, e.Offset, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Reader decodes protocol primitives from a byte slice. It keeps the first error it meets: after one,
// every read returns a zero value, so a caller reads a whole structure and checks [Reader.Err] once.
// Byte slices it returns alias the input.
type Reader struct {
	src   []byte
	off   int
	base  int
	field string // named by SetField
	start int    // where the named field starts
	err   error
}

// Reset makes r read src from its start; base is src's offset in a larger input and shifts the
// offsets that errors report. It forgets any error.
func (r *Reader) Reset(src []byte, base int) {
	*r = Reader{src: src, base: base}
}

// Err is the first error met, or nil.
func (r *Reader) Err() error { return r.err }

// Offset is the position of the next byte to read, counted from the start of the larger input.
func (r *Reader) Offset() int { return r.base + r.off }

// Remaining is the number of unread bytes.
func (r *Reader) Remaining() int { return len(r.src) - r.off }

// Rest is the unread bytes.
func (r *Reader) Rest() []byte { return r.src[r.off:] }

// SetField names the field about to be read, so that an error met while reading it says which.
// It costs one store, cheap enough for hot loops.
func (r *Reader) SetField(name string) { r.field, r.start = name, r.off }

// Fail records err for field (or, if empty, the field last named by [Reader.SetField]) at the current
// offset unless an error is already recorded, and returns the recorded error. Callers use it for
// checks of their own: a bad CRC, a length that disagrees.
func (r *Reader) Fail(field string, err error) error {
	if r.err == nil {
		off := r.Offset()
		if field == "" && r.field != "" {
			field, off = r.field, r.base+r.start
		}
		r.err = &DecodeError{Field: field, Offset: off, Err: err}
	}
	return r.err
}

// Complete fails if bytes remain unread, and returns the first error.
func (r *Reader) Complete() error {
	if r.err == nil && r.off != len(r.src) {
		r.Fail("", fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r.src)-r.off))
	}
	return r.err
}

// Span returns the next n bytes, or nil after failing if fewer remain.
func (r *Reader) Span(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.src)-r.off {
		r.Fail("", fmt.Errorf("%w: need %d bytes, %d remain", ErrShortBuffer, n, len(r.src)-r.off))
		return nil
	}
	b := r.src[r.off : r.off+n : r.off+n]
	r.off += n
	return b
}

// Int8 reads one byte.
func (r *Reader) Int8() int8 {
	if b := r.Span(1); b != nil {
		return int8(b[0])
	}
	return 0
}

// Int16 reads a big-endian int16.
func (r *Reader) Int16() int16 {
	if b := r.Span(2); b != nil {
		return int16(binary.BigEndian.Uint16(b))
	}
	return 0
}

// Int32 reads a big-endian int32.
func (r *Reader) Int32() int32 { return int32(r.Uint32()) }

// Uint32 reads a big-endian uint32 (a CRC, for one).
func (r *Reader) Uint32() uint32 {
	if b := r.Span(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

// Int64 reads a big-endian int64.
func (r *Reader) Int64() int64 {
	if b := r.Span(8); b != nil {
		return int64(binary.BigEndian.Uint64(b))
	}
	return 0
}

// Bool reads one byte; anything but zero is true.
func (r *Reader) Bool() bool { return r.Int8() != 0 }

// Uvarint reads an UNSIGNED_VARINT of at most five bytes, the sibling of [AppendUvarint].
func (r *Reader) Uvarint() uint32 {
	if r.err != nil {
		return 0
	}
	var v uint32
	for i, shift := r.off, uint(0); i < len(r.src); i, shift = i+1, shift+7 {
		c := r.src[i]
		if shift == 28 && c > 0x0f {
			r.Fail("", ErrVarintOverflow)
			return 0
		}
		v |= uint32(c&0x7f) << shift
		if c < 0x80 {
			r.off = i + 1
			return v
		}
	}
	r.Fail("", fmt.Errorf("%w: varint runs past the end", ErrShortBuffer))
	return 0
}

// Varint reads a zigzag VARINT, the sibling of [AppendVarint].
func (r *Reader) Varint() int32 {
	if r.err == nil && r.off < len(r.src) && r.src[r.off] < 0x80 {
		u := uint32(r.src[r.off])
		r.off++
		return int32(u>>1) ^ -int32(u&1)
	}
	u := r.Uvarint()
	return int32(u>>1) ^ -int32(u&1)
}

// Varlong reads a zigzag VARLONG of at most ten bytes, the sibling of [AppendVarlong].
func (r *Reader) Varlong() int64 {
	if r.err != nil {
		return 0
	}
	u, n := binary.Uvarint(r.src[r.off:])
	switch {
	case n == 0:
		r.Fail("", fmt.Errorf("%w: varlong runs past the end", ErrShortBuffer))
		return 0
	case n < 0:
		r.Fail("", ErrVarintOverflow)
		return 0
	}
	r.off += n
	return int64(u>>1) ^ -int64(u&1)
}

// length checks a decoded length prefix: -1 is null when nullable, anything else must fit in what
// remains. It returns -1 for null and after failing.
func (r *Reader) length(n int64, nullable bool) int {
	switch {
	case r.err != nil:
		return -1
	case n == -1 && nullable:
		return -1
	case n < 0:
		r.Fail("", fmt.Errorf("%w: %d", ErrInvalidLength, n))
		return -1
	case n > int64(len(r.src)-r.off):
		r.Fail("", fmt.Errorf("%w: length %d exceeds the %d bytes that remain", ErrInvalidLength, n, len(r.src)-r.off))
		return -1
	}
	return int(n)
}

func (r *Reader) lengthPrefixed(n int64, nullable bool) []byte {
	l := r.length(n, nullable)
	if l < 0 {
		return nil
	}
	b := r.src[r.off : r.off+l : r.off+l]
	r.off += l
	return b
}

// String reads a STRING (int16 length). Kafka's null string (-1) is an error here.
func (r *Reader) String() string { return string(r.lengthPrefixed(int64(r.Int16()), false)) }

// NullableString reads a NULLABLE_STRING; length -1 gives nil.
func (r *Reader) NullableString() *string {
	return stringPtr(r.lengthPrefixed(int64(r.Int16()), true))
}

// CompactString reads a COMPACT_STRING (unsigned varint length+1).
func (r *Reader) CompactString() string {
	return string(r.lengthPrefixed(int64(r.Uvarint())-1, false))
}

// CompactNullableString reads a COMPACT_NULLABLE_STRING; 0 gives nil.
func (r *Reader) CompactNullableString() *string {
	return stringPtr(r.lengthPrefixed(int64(r.Uvarint())-1, true))
}

func stringPtr(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// Bytes reads BYTES (int32 length). The result aliases the input.
func (r *Reader) Bytes() []byte { return r.lengthPrefixed(int64(r.Int32()), false) }

// NullableBytes reads NULLABLE_BYTES; length -1 gives nil. The result aliases the input.
func (r *Reader) NullableBytes() []byte { return r.lengthPrefixed(int64(r.Int32()), true) }

// CompactBytes reads COMPACT_BYTES. The result aliases the input.
func (r *Reader) CompactBytes() []byte { return r.lengthPrefixed(int64(r.Uvarint())-1, false) }

// CompactNullableBytes reads COMPACT_NULLABLE_BYTES; 0 gives nil. The result aliases the input.
func (r *Reader) CompactNullableBytes() []byte {
	return r.lengthPrefixed(int64(r.Uvarint())-1, true)
}

// VarintBytes reads a record key, value or header value: a zigzag varint length, -1 for nil.
// The result aliases the input; an empty value is a non-nil empty slice.
func (r *Reader) VarintBytes() []byte { return r.lengthPrefixed(int64(r.Varint()), true) }

// VarintString reads a record header key: a zigzag varint length, then the bytes.
func (r *Reader) VarintString() string { return string(r.lengthPrefixed(int64(r.Varint()), false)) }

// ArrayLen reads an ARRAY's int32 length; -1 (null) is returned as -1. Each element takes at least
// minSize bytes, so a count that could not fit in what remains fails before anyone allocates for it.
func (r *Reader) ArrayLen(minSize int) int { return r.arrayLen(int64(r.Int32()), minSize) }

// CompactArrayLen reads a COMPACT_ARRAY's length (unsigned varint n+1, 0 for null); see [Reader.ArrayLen].
func (r *Reader) CompactArrayLen(minSize int) int {
	return r.arrayLen(int64(r.Uvarint())-1, minSize)
}

func (r *Reader) arrayLen(n int64, minSize int) int {
	if r.err != nil || n == -1 {
		return -1
	}
	if n < 0 || n*int64(max(minSize, 1)) > int64(len(r.src)-r.off) {
		r.Fail("", fmt.Errorf("%w: array of %d elements cannot fit in %d bytes", ErrInvalidLength, n, len(r.src)-r.off))
		return -1
	}
	return int(n)
}

// TaggedFields reads a tagged-field section. It returns nil for the usual empty section; data
// aliases the input.
func (r *Reader) TaggedFields() []TaggedField {
	n := r.arrayLen(int64(r.Uvarint()), 2)
	if n <= 0 {
		return nil
	}
	fields := make([]TaggedField, 0, n)
	for range n {
		tag := r.Uvarint()
		data := r.lengthPrefixed(int64(r.Uvarint()), false)
		if r.err != nil {
			return nil
		}
		fields = append(fields, TaggedField{Tag: tag, Data: data})
	}
	return fields
}
