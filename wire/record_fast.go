package wire

import (
	"encoding/binary"
	"math"
)

// readRecordFast decodes the record at the start of src into rec, as readRecord does, when it is
// well formed and has no headers: the common case, read without the field bookkeeping that error
// messages need. It returns the bytes the record took, or 0 for readRecord to decode it and, if
// anything is wrong, to say what and where.
func (h *BatchHeader) readRecordFast(src []byte, rec *Record) int {
	length, n := fastVarint(src)
	if n == 0 || length < 1 || int(length) > len(src)-n {
		return 0
	}
	body := src[n : n+int(length)]
	tsDelta, p := binary.Varint(body[1:])
	if p <= 0 {
		return 0
	}
	p++ // the attributes byte
	offsetDelta, m := fastVarint(body[p:])
	if m == 0 {
		return 0
	}
	p += m
	key, m := fastVarintBytes(body[p:])
	if m == 0 {
		return 0
	}
	p += m
	value, m := fastVarintBytes(body[p:])
	if m == 0 {
		return 0
	}
	p += m
	if p+1 != len(body) || body[p] != 0 { // a header count of 0, and nothing after
		return 0
	}
	*rec = Record{Attributes: int8(body[0]), Timestamp: h.BaseTimestamp + tsDelta, Offset: h.BaseOffset + int64(offsetDelta), Key: key, Value: value}
	if h.Attributes&AttrLogAppendTime != 0 {
		rec.Timestamp = h.MaxTimestamp
	}
	return n + int(length)
}

// fastVarint is [Reader.Varint] without the error: n is 0 when src does not start with a varint
// of at most five bytes.
func fastVarint(src []byte) (v int32, n int) {
	u, n := binary.Uvarint(src)
	if n <= 0 || n > 5 || u > math.MaxUint32 {
		return 0, 0
	}
	return int32(uint32(u)>>1) ^ -int32(uint32(u)&1), n
}

// fastVarintBytes is [Reader.VarintBytes] without the error: n is 0 when src does not start with
// a valid length and that many bytes.
func fastVarintBytes(src []byte) (b []byte, n int) {
	l, n := fastVarint(src)
	switch {
	case n == 0 || l < -1 || int(l) > len(src)-n:
		return nil, 0
	case l == -1:
		return nil, n
	}
	end := n + int(l)
	return src[n:end:end], end
}
