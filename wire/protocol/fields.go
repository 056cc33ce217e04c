package protocol

import (
	"encoding/hex"
	"fmt"

	"github.com/kwire-dev/kwire/wire"
)

// UUID is a Kafka uuid (topic ids, v10+ Metadata and v13+ Fetch); the zero UUID means "none".
type UUID [16]byte

// String formats u as 32 hex digits.
func (u UUID) String() string { return hex.EncodeToString(u[:]) }

// writer appends a message's fields in the encoding its version calls for: compact strings, bytes
// and arrays and tagged fields when the version is flexible, the classic forms otherwise.
type writer struct {
	buf      []byte
	flexible bool
}

func (w *writer) int8(v int8)   { w.buf = wire.AppendInt8(w.buf, v) }
func (w *writer) int16(v int16) { w.buf = wire.AppendInt16(w.buf, v) }
func (w *writer) int32(v int32) { w.buf = wire.AppendInt32(w.buf, v) }
func (w *writer) int64(v int64) { w.buf = wire.AppendInt64(w.buf, v) }
func (w *writer) uuid(u UUID)   { w.buf = append(w.buf, u[:]...) }

func (w *writer) bool(v bool) {
	var b int8
	if v {
		b = 1
	}
	w.int8(b)
}

func (w *writer) str(s string) {
	if w.flexible {
		w.buf = wire.AppendCompactString(w.buf, s)
	} else {
		w.buf = wire.AppendString(w.buf, s)
	}
}

func (w *writer) nstr(s *string) {
	if w.flexible {
		w.buf = wire.AppendCompactNullableString(w.buf, s)
	} else {
		w.buf = wire.AppendNullableString(w.buf, s)
	}
}

func (w *writer) bytes(b []byte) {
	if w.flexible {
		w.buf = wire.AppendCompactBytes(w.buf, b)
	} else {
		w.buf = wire.AppendBytes(w.buf, b)
	}
}

func (w *writer) nbytes(b []byte) {
	if w.flexible {
		w.buf = wire.AppendCompactNullableBytes(w.buf, b)
	} else {
		w.buf = wire.AppendNullableBytes(w.buf, b)
	}
}

// arrayLen writes an array's length; n < 0 is a null array.
func (w *writer) arrayLen(n int) {
	if w.flexible {
		w.buf = wire.AppendCompactArrayLen(w.buf, n)
	} else {
		w.buf = wire.AppendArrayLen(w.buf, n)
	}
}

// tags writes a tagged-field section, only in flexible versions.
func (w *writer) tags(fields []wire.TaggedField) {
	if w.flexible {
		w.buf = wire.AppendTaggedFields(w.buf, fields)
	}
}

// reader reads a message's fields in the encoding its version calls for; see writer.
type reader struct {
	wire.Reader
	flexible bool
}

func newReader(src []byte, flexible bool) *reader {
	r := &reader{flexible: flexible}
	r.Reset(src, 0)
	return r
}

func (r *reader) uuid() (u UUID) {
	copy(u[:], r.Span(16))
	return u
}

func (r *reader) str() string {
	if r.flexible {
		return r.CompactString()
	}
	return r.String()
}

func (r *reader) nstr() *string {
	if r.flexible {
		return r.CompactNullableString()
	}
	return r.NullableString()
}

func (r *reader) bytes() []byte {
	if r.flexible {
		return r.CompactBytes()
	}
	return r.Bytes()
}

func (r *reader) nbytes() []byte {
	if r.flexible {
		return r.CompactNullableBytes()
	}
	return r.NullableBytes()
}

// arrayLen reads an array's length, -1 for null; minSize is the fewest bytes an element takes, so
// an impossible count fails before anything is allocated for it.
func (r *reader) arrayLen(minSize int) int {
	if r.flexible {
		return r.CompactArrayLen(minSize)
	}
	return r.ArrayLen(minSize)
}

// tags reads a tagged-field section in flexible versions; unknown tags are kept, not lost.
func (r *reader) tags() []wire.TaggedField {
	if r.flexible {
		return r.TaggedFields()
	}
	return nil
}

// done returns the first error, or an error if bytes remain after the message.
func (r *reader) done() error { return r.Complete() }

// nonNullArrayLen reads the length of an array the schema does not let be null: a null one fails,
// as it does in Kafka's generated readers.
func nonNullArrayLen(r *reader, minSize int) int {
	n := r.arrayLen(minSize)
	if n < 0 && r.Err() == nil {
		r.Fail("", fmt.Errorf("%w: null for a non-nullable array", wire.ErrInvalidLength))
	}
	return n
}

// encodeTagged encodes the value of a known tagged field with put, in the flexible encoding that
// tagged fields always use.
func encodeTagged(put func(w *writer)) []byte {
	w := writer{flexible: true}
	put(&w)
	return w.buf
}

// writeTagsMerged writes a flexible struct's tagged-field section: its known tagged fields (already
// encoded, in ascending tag order) merged by tag with its unknown ones. An unknown field that
// carries the number of a known field being written is left out.
func writeTagsMerged(w *writer, known, unknown []wire.TaggedField) {
	if len(known) == 0 {
		w.tags(unknown)
		return
	}
	shadowed := func(tag uint32) bool {
		for _, k := range known {
			if k.Tag == tag {
				return true
			}
		}
		return false
	}
	n := len(known)
	for _, u := range unknown {
		if !shadowed(u.Tag) {
			n++
		}
	}
	w.buf = wire.AppendUvarint(w.buf, uint32(n))
	i := 0
	for _, u := range unknown {
		if shadowed(u.Tag) {
			continue
		}
		for ; i < len(known) && known[i].Tag < u.Tag; i++ {
			w.buf = appendTaggedField(w.buf, known[i])
		}
		w.buf = appendTaggedField(w.buf, u)
	}
	for ; i < len(known); i++ {
		w.buf = appendTaggedField(w.buf, known[i])
	}
}

func appendTaggedField(dst []byte, f wire.TaggedField) []byte {
	dst = wire.AppendUvarint(dst, f.Tag)
	dst = wire.AppendUvarint(dst, uint32(len(f.Data)))
	return append(dst, f.Data...)
}

// readTagSection reads a tagged-field section in flexible versions, naming field in errors. For
// each tag, known (if not nil) either reads the value from r and returns true, or returns false to
// keep the field as unknown; a known value must take exactly the size its header declares. It
// returns the unknown fields, nil when there are none.
func readTagSection(r *reader, field string, known func(tag uint32) bool) []wire.TaggedField {
	if !r.flexible {
		return nil
	}
	r.SetField(field)
	n := r.Uvarint()
	if r.Err() != nil {
		return nil
	}
	if int64(n)*2 > int64(r.Remaining()) {
		r.Fail("", fmt.Errorf("%w: %d tagged fields cannot fit in %d bytes", wire.ErrInvalidLength, n, r.Remaining()))
		return nil
	}
	if n == 0 {
		return nil
	}
	unknown := make([]wire.TaggedField, 0, n) // at most its final size; appends would allocate up to five times that
	for range n {
		r.SetField(field)
		tag := r.Uvarint()
		size := r.Uvarint()
		if r.Err() != nil {
			return nil
		}
		if int64(size) > int64(r.Remaining()) {
			r.Fail("", fmt.Errorf("%w: tagged field %d of %d bytes exceeds the %d bytes that remain", wire.ErrInvalidLength, tag, size, r.Remaining()))
			return nil
		}
		end := r.Remaining() - int(size)
		if known != nil && known(tag) {
			if r.Err() == nil && r.Remaining() != end {
				r.Fail(field, fmt.Errorf("%w: tagged field %d declares %d bytes, its value takes %d", wire.ErrCorrupt, tag, size, int(size)+end-r.Remaining()))
			}
			if r.Err() != nil {
				return nil
			}
			continue
		}
		unknown = append(unknown, wire.TaggedField{Tag: tag, Data: r.Span(int(size))})
	}
	if len(unknown) == 0 {
		return nil
	}
	return unknown
}
