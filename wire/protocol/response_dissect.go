package protocol

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
)

// responseDissector dissects the body of one API's responses at the versions it covers.
type responseDissector struct {
	versions VersionRange
	dissect  func(d *fieldReader, body *wire.Field, version int16)
}

// responseDissectors dissect the response bodies kwire can show field by field, by API key.
var responseDissectors = map[APIKey]responseDissector{
	KeyProduce:        {ProduceVersions, dissectProduceResponse},
	KeyInitProducerID: {InitProducerIDVersions, dissectInitProducerIDResponse},
}

// DissectResponse dissects a framed response to a request of API key at version, as a broker
// writes it on the connection: the int32 size, the response header (v1, with tagged fields, for
// flexible versions other than ApiVersions'; v0 otherwise) and the body. A response does not name
// its API, so the caller, who knows the request it answers, does. Produce and InitProducerId
// bodies are dissected field by field, tagged fields included; other APIs' bodies are shown as one
// field.
//
// Like [DissectRequest] it never fails: where the bytes stop making sense it marks the field with
// Err and stops.
func DissectResponse(frame []byte, key APIKey, version int16) wire.Field {
	return dissectFrame("response", frame, func(d *fieldReader, root *wire.Field) {
		dissectResponseHeader(d, root, key, version)
		if d.ok() {
			dissectResponseBody(d, root, key, version)
		}
		root.Value = fmt.Sprintf("%s v%d response", key, version)
	})
}

// dissectResponseHeader dissects the response header into root: the correlation id, and tagged
// fields in header v1.
func dissectResponseHeader(d *fieldReader, root *wire.Field, key APIKey, version int16) {
	h := wire.Field{Name: "header", Offset: d.r.Offset()}
	corr := d.int32(&h, "correlationId")
	if d.ok() && responseHeaderFlexible(key, version) {
		d.flexible = true
		d.tags(&h)
	}
	h.Length = d.r.Offset() - h.Offset
	if d.ok() {
		h.Value = fmt.Sprintf("answers correlation id %d", corr)
	}
	root.Children = append(root.Children, h)
}

// dissectResponseBody dissects the body of a response of API key at version, or shows it as one
// field.
func dissectResponseBody(d *fieldReader, root *wire.Field, key APIKey, version int16) {
	body := wire.Field{Name: "body", Offset: d.r.Offset(), Length: d.r.Remaining()}
	rd, known := responseDissectors[key]
	switch {
	case !known:
		body.Value = fmt.Sprintf("%d bytes (kwire dissects only Produce and InitProducerId response bodies)", d.r.Remaining())
		d.r.Span(d.r.Remaining())
	case !rd.versions.Contains(version):
		body.Err = fmt.Sprintf("%s v%d: kwire implements v%d to v%d", key, version, rd.versions.Min, rd.versions.Max)
		d.failed = true
	default:
		d.flexible = key.Flexible(version)
		rd.dissect(d, &body, version)
		d.trailing(&body)
	}
	root.Children = append(root.Children, body)
}

func (d *fieldReader) int64(p *wire.Field, name string) int64 {
	off, v := d.r.Offset(), d.r.Int64()
	d.add(p, name, off, func() string { return strconv.FormatInt(v, 10) })
	return v
}

// errorCode reads an error code, shown with Kafka's name for it.
func (d *fieldReader) errorCode(p *wire.Field, name string) int16 {
	off, code := d.r.Offset(), d.r.Int16()
	d.add(p, name, off, func() string { return errorCodeText(code) })
	return code
}

// errorCodeText is a code with its name, e.g. "6 (NOT_LEADER_OR_FOLLOWER)".
func errorCodeText(code int16) string {
	var ke *kerr.Error
	if !errors.As(kerr.ForCode(code), &ke) {
		return "0 (NONE)"
	}
	return fmt.Sprintf("%d (%s)", code, ke.Name)
}

// tagDissector dissects the data of a tagged field kwire knows, named name in the tree.
type tagDissector struct {
	name    string
	dissect func(d *fieldReader, f *wire.Field)
}

// taggedFields reads a tagged-field section field by field, in flexible versions only: the
// count, then each field's tag, size and data, the data dissected by known[tag] if the tag is
// one kwire knows at that place.
func (d *fieldReader) taggedFields(p *wire.Field, known map[uint32]tagDissector) {
	if !d.flexible || d.failed {
		return
	}
	sec := wire.Field{Name: "tags", Offset: d.r.Offset()}
	off := d.r.Offset()
	n := d.r.Uvarint()
	d.add(&sec, "count", off, func() string { return strconv.FormatUint(uint64(n), 10) })
	for i := 0; i < int(n) && d.ok() && !d.failed; i++ {
		sec.Children = append(sec.Children, d.taggedField(i, known))
	}
	sec.Length = d.r.Offset() - sec.Offset
	sec.Value = "none"
	if n > 0 {
		sec.Value = fmt.Sprintf("%d tagged fields", n)
	}
	p.Children = append(p.Children, sec)
}

// taggedField reads tagged field i of a section.
func (d *fieldReader) taggedField(i int, known map[uint32]tagDissector) wire.Field {
	f := wire.Field{Name: fmt.Sprintf("tag[%d]", i), Offset: d.r.Offset()}
	off := d.r.Offset()
	tag := d.r.Uvarint()
	d.add(&f, "tag", off, func() string { return strconv.FormatUint(uint64(tag), 10) })
	off = d.r.Offset()
	size := d.r.Uvarint()
	d.add(&f, "size", off, func() string { return strconv.FormatUint(uint64(size), 10) })
	if !d.ok() {
		return f
	}
	off = d.r.Offset()
	data := d.r.Span(int(size))
	k, isKnown := known[tag]
	if !d.ok() || !isKnown {
		d.add(&f, "data", off, nil)
	} else {
		f.Name = k.name
		sub := newFieldReader(data, off, true)
		k.dissect(sub, &f)
		sub.trailing(&f)
		d.failed = d.failed || sub.failed
	}
	f.Length = d.r.Offset() - f.Offset
	return f
}
