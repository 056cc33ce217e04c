package protocol

import (
	"encoding/binary"
	"fmt"

	"github.com/kwire-dev/kwire/wire"
)

// bodyDissectors dissect the request bodies kwire can show field by field, by API key.
var bodyDissectors = map[APIKey]func(d *fieldReader, body *wire.Field, version int16){
	KeyProduce: dissectProduceRequest,
}

// DissectRequest dissects a framed request, as a client writes it on the connection: the int32
// size, the request header and the body. Produce bodies are dissected field by field down to the
// records of their batches (offsets inside a decompressed records section refer to that field's
// Buffer, as in [wire.DissectRecordBatches], and all of them together within
// [wire.DefaultDissectLimits]); other APIs' bodies are shown as one field.
//
// It never fails: where the bytes stop making sense it marks the field with Err and stops. A size
// that disagrees with the bytes given is marked too, and the bytes the size covers are dissected.
func DissectRequest(frame []byte) wire.Field {
	return dissectFrame("request", frame, func(d *fieldReader, root *wire.Field) {
		key, version := dissectRequestHeader(d, root)
		if d.ok() {
			dissectBody(d, root, key, version)
		}
	})
}

// dissectFrame dissects a size-prefixed frame into a field called name: the size, then what
// inside dissects of the bytes the size covers, then any bytes after them, marked. A size that
// disagrees with the bytes given is marked on the size field.
func dissectFrame(name string, frame []byte, inside func(d *fieldReader, root *wire.Field)) wire.Field {
	root := wire.Field{Name: name, Length: len(frame)}
	d := newFieldReader(frame, 0, false)
	size := d.int32(&root, "size")
	if !d.ok() {
		return root
	}
	end := len(frame)
	if int64(size) != int64(len(frame)-4) {
		last(&root).Err = fmt.Sprintf("size %d, but %d bytes follow it", size, len(frame)-4)
		if size >= 0 && int(size) < len(frame)-4 {
			end = 4 + int(size)
		}
	}
	body := newFieldReader(frame[4:end], 4, false)
	body.batches = wire.NewDissectBudget(wire.DefaultDissectLimits)
	inside(body, &root)
	if end < len(frame) {
		root.Children = append(root.Children, wire.Field{Name: "trailing", Offset: end, Length: len(frame) - end,
			Err: fmt.Sprintf("%d bytes follow the %d the size covers", len(frame)-end, size)})
	}
	return root
}

// dissectRequestHeader dissects the request header (v1, or v2 for flexible versions) into root
// and returns the API key and version it names.
func dissectRequestHeader(d *fieldReader, root *wire.Field) (APIKey, int16) {
	h := wire.Field{Name: "header", Offset: d.r.Offset()}
	off, key := d.r.Offset(), APIKey(d.r.Int16())
	d.add(&h, "apiKey", off, func() string { return fmt.Sprintf("%d (%s)", int16(key), key) })
	version := d.int16(&h, "apiVersion")
	d.int32(&h, "correlationId")
	d.span(&h, "clientId", false, true)
	if d.ok() && key.Flexible(version) {
		d.flexible = true
		d.tags(&h)
	}
	h.Length = d.r.Offset() - h.Offset
	if d.ok() {
		h.Value = fmt.Sprintf("%s v%d", key, version)
	}
	root.Children = append(root.Children, h)
	root.Value = h.Value
	return key, version
}

// dissectBody dissects the body of a request of API key at version, or shows it as one field.
func dissectBody(d *fieldReader, root *wire.Field, key APIKey, version int16) {
	body := wire.Field{Name: "body", Offset: d.r.Offset(), Length: d.r.Remaining()}
	dissect, known := bodyDissectors[key]
	switch {
	case !known:
		body.Value = fmt.Sprintf("%d bytes (kwire dissects only Produce bodies)", d.r.Remaining())
		d.r.Span(d.r.Remaining())
	case !ProduceVersions.Contains(version):
		body.Err = fmt.Sprintf("%s v%d: kwire implements v%d to v%d", key, version, ProduceVersions.Min, ProduceVersions.Max)
		d.failed = true
	default:
		dissect(d, &body, version)
		d.trailing(&body)
	}
	root.Children = append(root.Children, body)
}

// requestSize reads the size prefix of a framed request, if src is long enough to hold one.
func requestSize(src []byte) (int, bool) {
	if len(src) < 4 {
		return 0, false
	}
	return int(int32(binary.BigEndian.Uint32(src))), true
}

// LooksLikeRequest reports whether src reads as a framed request rather than record batches: its
// size prefix counts exactly the bytes that follow and it names an API kwire knows.
func LooksLikeRequest(src []byte) bool {
	size, ok := requestSize(src)
	if !ok || size != len(src)-4 || len(src) < 4+requestHeaderMinSize {
		return false
	}
	return APIKey(int16(binary.BigEndian.Uint16(src[4:]))).Known()
}
