package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"testing/quick"
)

// Kafka's VARLONG is zigzag plus LEB128, which is exactly what encoding/binary's varint writes.
func TestVarlongMatchesEncodingBinary(t *testing.T) {
	check := func(v int64) bool {
		got := AppendVarlong(nil, v)
		if !bytes.Equal(got, binary.AppendVarint(nil, v)) || len(got) != VarlongLen(v) {
			return false
		}
		var r Reader
		r.Reset(got, 0)
		return r.Varlong() == v && r.Complete() == nil
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 20000}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{0, -1, 1, math.MinInt64, math.MaxInt64, 63, -64, 64, -65} {
		if !check(v) {
			t.Errorf("varlong %d does not round-trip", v)
		}
	}
}

func TestVarintMatchesEncodingBinary(t *testing.T) {
	check := func(v int32) bool {
		got := AppendVarint(nil, v)
		if !bytes.Equal(got, binary.AppendVarint(nil, int64(v))) || len(got) != VarintLen(v) {
			return false
		}
		var r Reader
		r.Reset(got, 0)
		return r.Varint() == v && r.Complete() == nil
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 20000}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int32{0, -1, 1, math.MinInt32, math.MaxInt32} {
		if !check(v) {
			t.Errorf("varint %d does not round-trip", v)
		}
	}
}

func TestUvarintMatchesEncodingBinary(t *testing.T) {
	check := func(v uint32) bool {
		got := AppendUvarint(nil, v)
		if !bytes.Equal(got, binary.AppendUvarint(nil, uint64(v))) || len(got) != UvarintLen(v) {
			return false
		}
		var r Reader
		r.Reset(got, 0)
		return r.Uvarint() == v && r.Complete() == nil
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 20000}); err != nil {
		t.Fatal(err)
	}
}

func TestKnownEncodings(t *testing.T) {
	s := "kafka"
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"varint 0", AppendVarint(nil, 0), []byte{0x00}},
		{"varint -1", AppendVarint(nil, -1), []byte{0x01}},
		{"varint 1", AppendVarint(nil, 1), []byte{0x02}},
		{"varint 300", AppendVarint(nil, 300), []byte{0xd8, 0x04}},
		{"uvarint 300", AppendUvarint(nil, 300), []byte{0xac, 0x02}},
		{"int16", AppendInt16(nil, -2), []byte{0xff, 0xfe}},
		{"int32", AppendInt32(nil, 0x01020304), []byte{1, 2, 3, 4}},
		{"int64", AppendInt64(nil, -1), bytes.Repeat([]byte{0xff}, 8)},
		{"string", AppendString(nil, s), append([]byte{0, 5}, s...)},
		{"nullable string nil", AppendNullableString(nil, nil), []byte{0xff, 0xff}},
		{"compact string", AppendCompactString(nil, s), append([]byte{6}, s...)},
		{"compact nullable nil", AppendCompactNullableString(nil, nil), []byte{0}},
		{"bytes", AppendBytes(nil, []byte{9}), []byte{0, 0, 0, 1, 9}},
		{"nullable bytes nil", AppendNullableBytes(nil, nil), []byte{0xff, 0xff, 0xff, 0xff}},
		{"compact bytes empty", AppendCompactBytes(nil, []byte{}), []byte{1}},
		{"compact nullable bytes nil", AppendCompactNullableBytes(nil, nil), []byte{0}},
		{"varint bytes nil", AppendVarintBytes(nil, nil), []byte{0x01}},
		{"varint bytes empty", AppendVarintBytes(nil, []byte{}), []byte{0x00}},
		{"compact array null", AppendCompactArrayLen(nil, -1), []byte{0}},
		{"compact array 2", AppendCompactArrayLen(nil, 2), []byte{3}},
		{"tagged empty", AppendTaggedFields(nil, nil), []byte{0}},
		{"tagged one", AppendTaggedFields(nil, []TaggedField{{Tag: 1, Data: []byte{7, 8}}}), []byte{1, 1, 2, 7, 8}},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.got, tt.want) {
			t.Errorf("%s: got % x, want % x", tt.name, tt.got, tt.want)
		}
	}
}

func TestReaderRoundTrip(t *testing.T) {
	s := "héllo"
	var b []byte
	b = AppendInt8(b, -3)
	b = AppendInt16(b, -300)
	b = AppendInt32(b, -70000)
	b = AppendInt64(b, math.MinInt64)
	b = AppendString(b, s)
	b = AppendNullableString(b, nil)
	b = AppendNullableString(b, &s)
	b = AppendCompactString(b, s)
	b = AppendCompactNullableString(b, nil)
	b = AppendBytes(b, []byte("x"))
	b = AppendNullableBytes(b, nil)
	b = AppendCompactBytes(b, []byte{})
	b = AppendCompactNullableBytes(b, nil)
	b = AppendVarintBytes(b, []byte{})
	b = AppendVarintBytes(b, nil)
	b = AppendVarintString(b, s)
	b = AppendArrayLen(b, 0)
	b = AppendCompactArrayLen(b, -1)
	b = AppendTaggedFields(b, []TaggedField{{Tag: 0, Data: []byte("a")}, {Tag: 5, Data: nil}})

	var r Reader
	r.Reset(b, 0)
	eq := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	eq("int8", r.Int8(), int8(-3))
	eq("int16", r.Int16(), int16(-300))
	eq("int32", r.Int32(), int32(-70000))
	eq("int64", r.Int64(), int64(math.MinInt64))
	eq("string", r.String(), s)
	eq("nullable nil", r.NullableString() == nil, true)
	eq("nullable", *r.NullableString(), s)
	eq("compact", r.CompactString(), s)
	eq("compact nullable nil", r.CompactNullableString() == nil, true)
	eq("bytes", string(r.Bytes()), "x")
	eq("nullable bytes nil", r.NullableBytes() == nil, true)
	cb := r.CompactBytes()
	eq("compact bytes empty", cb != nil && len(cb) == 0, true)
	eq("compact nullable bytes nil", r.CompactNullableBytes() == nil, true)
	vb := r.VarintBytes()
	eq("varint bytes empty is not null", vb != nil && len(vb) == 0, true)
	eq("varint bytes null", r.VarintBytes() == nil, true)
	eq("varint string", r.VarintString(), s)
	eq("array", r.ArrayLen(1), 0)
	eq("compact array null", r.CompactArrayLen(1), -1)
	tf := r.TaggedFields()
	eq("tagged count", len(tf), 2)
	if len(tf) == 2 {
		eq("tag 0", string(tf[0].Data), "a")
		eq("tag 5", tf[1].Tag, uint32(5))
	}
	if err := r.Complete(); err != nil {
		t.Fatal(err)
	}
}

func TestReaderErrors(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		read func(r *Reader)
		want error
	}{
		{"short int32", []byte{1, 2}, func(r *Reader) { r.Int32() }, ErrShortBuffer},
		{"short varint", []byte{0x80, 0x80}, func(r *Reader) { r.Varint() }, ErrShortBuffer},
		{"uvarint overflow", []byte{0xff, 0xff, 0xff, 0xff, 0x7f}, func(r *Reader) { r.Uvarint() }, ErrVarintOverflow},
		{"varlong overflow", bytes.Repeat([]byte{0xff}, 11), func(r *Reader) { r.Varlong() }, ErrVarintOverflow},
		{"string too long", []byte{0, 9, 'a'}, func(r *Reader) { _ = r.String() }, ErrInvalidLength},
		{"null string", []byte{0xff, 0xff}, func(r *Reader) { _ = r.String() }, ErrInvalidLength},
		{"negative bytes", []byte{0xff, 0xff, 0xff, 0xfe}, func(r *Reader) { r.NullableBytes() }, ErrInvalidLength},
		{"huge array", []byte{0x7f, 0xff, 0xff, 0xff}, func(r *Reader) { r.ArrayLen(4) }, ErrInvalidLength},
		{"huge compact array", []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, func(r *Reader) { r.CompactArrayLen(1) }, ErrInvalidLength},
		{"trailing", []byte{1, 2}, func(r *Reader) { r.Int8() }, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Reader
			r.Reset(tt.src, 100)
			r.SetField("thing")
			tt.read(&r)
			err := r.Complete()
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Offset < 100 {
				t.Fatalf("error %v does not say where (offset from base 100)", err)
			}
		})
	}
}

func TestReaderStickyError(t *testing.T) {
	var r Reader
	r.Reset([]byte{1}, 0)
	r.SetField("a")
	r.Int32()
	first := r.Err()
	r.SetField("b")
	if r.Int8() != 0 || r.Err() != first {
		t.Fatal("a read after an error must return zero and keep the first error")
	}
	var de *DecodeError
	if !errors.As(first, &de) || de.Field != "a" || de.Offset != 0 {
		t.Fatalf("first error = %#v, want field a at offset 0", first)
	}
}
