package protocol

import (
	"fmt"
	"strconv"

	"github.com/kwire-dev/kwire/wire"
)

// fieldReader reads a message's fields in its version's encoding and records each as a
// [wire.Field], the way wire's record batch dissector does: up to and including the first field
// that fails, which carries the error.
type fieldReader struct {
	r        wire.Reader
	flexible bool
	failed   bool                // the failing field is recorded; later ones are not
	batches  *wire.DissectBudget // shared by the record batches of the message, so that together they keep within its limits
}

// newFieldReader reads src, whose first byte is at offset base of the input.
func newFieldReader(src []byte, base int, flexible bool) *fieldReader {
	d := &fieldReader{flexible: flexible}
	d.r.Reset(src, base)
	return d
}

func (d *fieldReader) ok() bool { return d.r.Err() == nil }

// add appends a field that started at off and ends where the reader is now, with the value that
// format gives, or the reader's error if the read failed. After a failure it adds nothing more
// and returns a field that belongs to no tree.
func (d *fieldReader) add(parent *wire.Field, name string, off int, format func() string) *wire.Field {
	if d.failed {
		return &wire.Field{}
	}
	f := wire.Field{Name: name, Offset: off, Length: d.r.Offset() - off}
	if err := d.r.Err(); err != nil {
		d.failed = true
		f.Length, f.Err = max(d.r.Remaining(), 0), wire.FieldErr(err)
	} else if format != nil {
		f.Value = format()
	}
	parent.Children = append(parent.Children, f)
	return &parent.Children[len(parent.Children)-1]
}

func (d *fieldReader) int16(p *wire.Field, name string) int16 {
	off, v := d.r.Offset(), d.r.Int16()
	d.add(p, name, off, func() string { return strconv.Itoa(int(v)) })
	return v
}

func (d *fieldReader) int32(p *wire.Field, name string) int32 {
	off, v := d.r.Offset(), d.r.Int32()
	d.add(p, name, off, func() string { return strconv.Itoa(int(v)) })
	return v
}

func (d *fieldReader) uuid(p *wire.Field, name string) {
	off := d.r.Offset()
	var u UUID
	copy(u[:], d.r.Span(len(u)))
	d.add(p, name, off, u.String)
}

// length reads a length prefix: an int16 or int32 (classic) or an unsigned varint of length+1
// (compact, in flexible versions). -1 is null.
func (d *fieldReader) length(p *wire.Field, wide bool) int {
	off := d.r.Offset()
	var n int64
	switch {
	case d.flexible:
		n = int64(d.r.Uvarint()) - 1
	case wide:
		n = int64(d.r.Int32())
	default:
		n = int64(d.r.Int16())
	}
	d.add(p, "length", off, func() string { return strconv.FormatInt(n, 10) })
	return int(n)
}

// span reads a length-prefixed string or byte string as a field with its length and data, and
// returns the field and the data, nil for null. wide says whether it is a byte string, whose
// classic length is an int32, rather than a string (int16); a string's value is shown quoted.
func (d *fieldReader) span(p *wire.Field, name string, wide, nullable bool) (*wire.Field, []byte) {
	f := wire.Field{Name: name, Offset: d.r.Offset()}
	n := d.length(&f, wide)
	var data []byte
	switch {
	case !d.ok():
	case n == -1 && nullable:
		f.Value = "null"
	case n < 0:
		d.r.Fail(name, fmt.Errorf("%w: %d", wire.ErrInvalidLength, n))
		last(&f).Err = fmt.Sprintf("invalid length %d", n)
		d.failed = true
	default:
		off := d.r.Offset()
		data = d.r.Span(n)
		d.add(&f, "data", off, nil)
		switch {
		case !d.ok():
		case wide:
			f.Value = fmt.Sprintf("%d bytes", n)
		default:
			f.Value = strconv.Quote(string(data))
		}
	}
	f.Length = d.r.Offset() - f.Offset
	p.Children = append(p.Children, f)
	return last(p), data
}

// array dissects an array called name into parent: its length, then each element as elem
// dissects it, up to the first failure; the array's value counts the elements in unit.
func (d *fieldReader) array(parent *wire.Field, name, unit string, elem func(i int) wire.Field) {
	a := wire.Field{Name: name, Offset: d.r.Offset()}
	n := d.arrayLen(&a)
	for i := 0; i < n && d.ok() && !d.failed; i++ {
		a.Children = append(a.Children, elem(i))
	}
	a.Length = d.r.Offset() - a.Offset
	a.Value = fmt.Sprintf("%d %s", max(n, 0), unit)
	parent.Children = append(parent.Children, a)
}

// arrayLen reads an array's length as a field; -1 is null.
func (d *fieldReader) arrayLen(p *wire.Field) int {
	off := d.r.Offset()
	var n int
	if d.flexible {
		n = int(int64(d.r.Uvarint()) - 1)
	} else {
		n = int(d.r.Int32())
	}
	d.add(p, "length", off, func() string { return strconv.Itoa(n) })
	return n
}

// tags reads a tagged-field section, in flexible versions only.
func (d *fieldReader) tags(p *wire.Field) {
	if !d.flexible || d.failed {
		return
	}
	off := d.r.Offset()
	fields := d.r.TaggedFields()
	d.add(p, "tags", off, func() string {
		if len(fields) == 0 {
			return "none"
		}
		return fmt.Sprintf("%d tagged fields", len(fields))
	})
}

// trailing marks bytes left after a message as an error.
func (d *fieldReader) trailing(p *wire.Field) {
	if d.failed || d.r.Remaining() == 0 {
		return
	}
	p.Children = append(p.Children, wire.Field{Name: "trailing", Offset: d.r.Offset(), Length: d.r.Remaining(),
		Err: fmt.Sprintf("%d bytes follow the end of the message", d.r.Remaining())})
	d.failed = true
}

func last(f *wire.Field) *wire.Field { return &f.Children[len(f.Children)-1] }

// shiftOffsets moves the offsets of f and its descendants by delta, except those that refer to a
// decompressed buffer of their own.
func shiftOffsets(f *wire.Field, delta int) {
	if f.Buffer != nil {
		return
	}
	f.Offset += delta
	for i := range f.Children {
		shiftOffsets(&f.Children[i], delta)
	}
}
