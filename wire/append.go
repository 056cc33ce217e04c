// Package wire encodes and decodes Kafka's wire format: the primitive types of the protocol, record
// batches (magic 2) with their compression codecs, and a dissector that names every byte.
//
// It deals in bytes only: no I/O, no goroutines. Encoders append to a caller's slice and return the
// extended slice, like [encoding/binary.AppendUvarint]; decoders read from a []byte through a [Reader]
// that keeps the first error it meets.
package wire

import "encoding/binary"

// AppendInt8 appends v as one byte.
func AppendInt8(dst []byte, v int8) []byte { return append(dst, byte(v)) }

// AppendInt16 appends v as two big-endian bytes.
func AppendInt16(dst []byte, v int16) []byte { return binary.BigEndian.AppendUint16(dst, uint16(v)) }

// AppendInt32 appends v as four big-endian bytes.
func AppendInt32(dst []byte, v int32) []byte { return binary.BigEndian.AppendUint32(dst, uint32(v)) }

// AppendInt64 appends v as eight big-endian bytes.
func AppendInt64(dst []byte, v int64) []byte { return binary.BigEndian.AppendUint64(dst, uint64(v)) }

// AppendUvarint appends v as an unsigned varint (7 bits a byte, low groups first), the form Kafka calls
// UNSIGNED_VARINT. Its sibling decoder is [Reader.Uvarint].
func AppendUvarint(dst []byte, v uint32) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// AppendVarint appends v zigzag-encoded as a varint, Kafka's VARINT. Its sibling is [Reader.Varint].
func AppendVarint(dst []byte, v int32) []byte {
	return AppendUvarint(dst, uint32(v<<1)^uint32(v>>31))
}

// AppendVarlong appends v zigzag-encoded as a varint of up to ten bytes, Kafka's VARLONG.
// Its sibling is [Reader.Varlong].
func AppendVarlong(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

// UvarintLen is the number of bytes [AppendUvarint] writes for v.
func UvarintLen(v uint32) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// VarintLen is the number of bytes [AppendVarint] writes for v.
func VarintLen(v int32) int { return UvarintLen(uint32(v<<1) ^ uint32(v>>31)) }

// VarlongLen is the number of bytes [AppendVarlong] writes for v.
func VarlongLen(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}

// AppendString appends s as a STRING: an int16 length, then the bytes.
func AppendString(dst []byte, s string) []byte {
	return append(AppendInt16(dst, int16(len(s))), s...)
}

// AppendNullableString appends s as a NULLABLE_STRING; nil is written as length -1.
func AppendNullableString(dst []byte, s *string) []byte {
	if s == nil {
		return AppendInt16(dst, -1)
	}
	return AppendString(dst, *s)
}

// AppendCompactString appends s as a COMPACT_STRING: an unsigned varint of length+1, then the bytes.
func AppendCompactString(dst []byte, s string) []byte {
	return append(AppendUvarint(dst, uint32(len(s))+1), s...)
}

// AppendCompactNullableString appends s as a COMPACT_NULLABLE_STRING; nil is written as 0.
func AppendCompactNullableString(dst []byte, s *string) []byte {
	if s == nil {
		return AppendUvarint(dst, 0)
	}
	return AppendCompactString(dst, *s)
}

// AppendBytes appends b as BYTES: an int32 length, then the bytes.
func AppendBytes(dst, b []byte) []byte {
	return append(AppendInt32(dst, int32(len(b))), b...)
}

// AppendNullableBytes appends b as NULLABLE_BYTES; a nil b is written as length -1.
func AppendNullableBytes(dst, b []byte) []byte {
	if b == nil {
		return AppendInt32(dst, -1)
	}
	return AppendBytes(dst, b)
}

// AppendCompactBytes appends b as COMPACT_BYTES: an unsigned varint of length+1, then the bytes.
func AppendCompactBytes(dst, b []byte) []byte {
	return append(AppendUvarint(dst, uint32(len(b))+1), b...)
}

// AppendCompactNullableBytes appends b as COMPACT_NULLABLE_BYTES; a nil b is written as 0.
func AppendCompactNullableBytes(dst, b []byte) []byte {
	if b == nil {
		return AppendUvarint(dst, 0)
	}
	return AppendCompactBytes(dst, b)
}

// AppendVarintBytes appends b as a record field does: a zigzag varint length (-1 for nil), then the
// bytes. Record keys, values and header values use it.
func AppendVarintBytes(dst, b []byte) []byte {
	if b == nil {
		return AppendVarint(dst, -1)
	}
	return append(AppendVarint(dst, int32(len(b))), b...)
}

// AppendVarintString appends s as a record header key: a zigzag varint length, then the bytes.
func AppendVarintString(dst []byte, s string) []byte {
	return append(AppendVarint(dst, int32(len(s))), s...)
}

// VarintBytesLen is the number of bytes [AppendVarintBytes] writes for b.
func VarintBytesLen(b []byte) int {
	if b == nil {
		return 1
	}
	return VarintLen(int32(len(b))) + len(b)
}

// AppendArrayLen appends n as an ARRAY's int32 length; -1 means a null array.
func AppendArrayLen(dst []byte, n int) []byte { return AppendInt32(dst, int32(n)) }

// AppendCompactArrayLen appends n as a COMPACT_ARRAY's length: an unsigned varint of n+1, or 0 for a
// null array (n < 0).
func AppendCompactArrayLen(dst []byte, n int) []byte {
	if n < 0 {
		return AppendUvarint(dst, 0)
	}
	return AppendUvarint(dst, uint32(n)+1)
}

// TaggedField is one entry of a flexible message's tagged-field section (KIP-482).
type TaggedField struct {
	Tag  uint32
	Data []byte
}

// AppendTaggedFields appends a tagged-field section: the count, then each tag, size and data.
// Tags must be sorted ascending, as the protocol requires; an empty section is the single byte 0.
func AppendTaggedFields(dst []byte, fields []TaggedField) []byte {
	dst = AppendUvarint(dst, uint32(len(fields)))
	for _, f := range fields {
		dst = AppendUvarint(dst, f.Tag)
		dst = AppendUvarint(dst, uint32(len(f.Data)))
		dst = append(dst, f.Data...)
	}
	return dst
}
