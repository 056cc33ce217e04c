package explorer

import "strings"

// The colour classes of fields, as the page's style sheet colours them. A leaf's bytes take its
// class; an inner field's class colours its marker in the tree.
const (
	classOffset    = "f-off"    // offsets and offset deltas
	classLength    = "f-len"    // lengths, sizes and counts
	classCRC       = "f-crc"    // checksums
	classAttr      = "f-attr"   // magic and attribute bits
	classTime      = "f-ts"     // timestamps and their deltas
	classProducer  = "f-prod"   // producer id, epoch, sequence, leader epoch
	classKey       = "f-key"    // record keys
	classValue     = "f-val"    // record values
	classHeader    = "f-hdr"    // record headers
	classCompress  = "f-zip"    // compressed bytes
	classRequest   = "f-req"    // request header and Produce fields
	classString    = "f-str"    // names and ids in a request
	classTags      = "f-tag"    // tagged fields
	classError     = "f-err"    // where decoding failed
	classStructure = "f-struct" // anything else: batches, records, arrays
)

// classByName colours a field by its own name.
var classByName = map[string]string{
	"baseOffset": classOffset, "offsetDelta": classOffset, "lastOffsetDelta": classOffset, "offset": classOffset,
	"batchLength": classLength, "length": classLength, "recordCount": classLength, "headerCount": classLength,
	"size": classLength, "messageSize": classLength,
	"crc":   classCRC,
	"magic": classAttr, "attributes": classAttr,
	"baseTimestamp": classTime, "maxTimestamp": classTime, "timestampDelta": classTime, "timestamp": classTime,
	"producerId": classProducer, "producerEpoch": classProducer, "baseSequence": classProducer,
	"partitionLeaderEpoch": classProducer,
	"key":                  classKey, "value": classValue, "headers": classHeader,
	"apiKey": classRequest, "apiVersion": classRequest, "correlationId": classRequest, "acks": classRequest,
	"timeoutMs": classRequest, "index": classRequest, "header": classRequest,
	"clientId": classString, "transactionalId": classString, "name": classString, "topicId": classString,
	"tags": classTags, "tag": classTags, "count": classLength,
	// response fields
	"errorCode": classRequest, "throttleTimeMs": classTime, "logAppendTimeMs": classTime, "logStartOffset": classOffset,
	"errorMessage": classString, "leaderId": classProducer, "leaderEpoch": classProducer,
	"nodeId": classString, "host": classString, "port": classString,
}

// classOf is the colour class of node id, whose ancestors are already classed.
func classOf(d *Dissection, id int) string {
	n := &d.Nodes[id]
	if n.Err != "" {
		return classError
	}
	if n.Name == "data" || n.Name == "length" {
		// A length or the data of a key, value, header or string takes its owner's colour, so
		// that a record's key stands out whole; a header's parts all take the header's.
		if owner := ownerClass(d, n.Parent); owner != "" && (n.Name == "data" || owner == classHeader) {
			return owner
		}
	}
	if c, ok := classByName[n.Name]; ok {
		return c
	}
	switch {
	case strings.HasPrefix(n.Name, "header["):
		return classHeader
	case n.Name == "records" && d.Leaf(id) && n.Parent >= 0 && !strings.HasPrefix(d.Nodes[n.Parent].Name, "partition["):
		return classCompress // a compressed records section, or one that did not decompress
	case n.Name == "records" && len(n.Value) > 0 && strings.Contains(n.Value, "compressed with"):
		return classCompress
	}
	return classStructure
}

// ownerClass is the class of the field that a length or data field belongs to, or "".
func ownerClass(d *Dissection, parent int) string {
	if parent < 0 {
		return ""
	}
	p := &d.Nodes[parent]
	if p.Parent >= 0 && strings.HasPrefix(d.Nodes[p.Parent].Name, "header[") {
		return classHeader
	}
	switch p.Name {
	case "key":
		return classKey
	case "value":
		return classValue
	case "clientId", "transactionalId", "name":
		return classString
	case "records":
		return classStructure
	}
	return ""
}
