package explorer

import (
	"encoding/binary"
	"fmt"
	"html"
	"strings"

	"github.com/kwire-dev/kwire/wire"
)

// crcOffset is where a record batch (magic 2) stores its CRC.
const crcOffset = 17

// CRCCheck is the CRC-32C of one record batch: the one stored in it and the one its bytes give.
type CRCCheck struct {
	Field            string // the path of the batch's crc field, for selecting it
	Batch            string // the batch's path
	Stored, Computed uint32
	From, To         int // the bytes covered, in the input
}

// Valid reports whether the stored CRC matches the bytes.
func (c *CRCCheck) Valid() bool { return c.Stored == c.Computed }

// CRCChecks checks the CRC of every magic-2 batch in the input view of d: one check per batch
// whose crc field was read and whose bytes are all there.
func (d *Dissection) CRCChecks() []CRCCheck {
	src := d.Views[0].Bytes
	var checks []CRCCheck
	for id := range d.Nodes {
		n := &d.Nodes[id]
		if n.Name != "crc" || n.View != 0 || n.Length != 4 || n.Parent < 0 {
			continue
		}
		b := &d.Nodes[n.Parent]
		if !strings.HasPrefix(b.Name, "batch[") || b.Offset+b.Length > len(src) || b.Length < wire.BatchHeaderSize {
			continue
		}
		batch := src[b.Offset : b.Offset+b.Length]
		if magic, _ := wire.Magic(batch); magic != wire.MagicV2 {
			continue
		}
		checks = append(checks, CRCCheck{
			Field: n.Path, Batch: b.Path,
			Stored:   binary.BigEndian.Uint32(batch[crcOffset:]),
			Computed: wire.BatchCRC(batch),
			From:     b.Offset + wire.BatchCRCStart, To: b.Offset + b.Length,
		})
	}
	return checks
}

// CRCHTML renders the checks: each batch's stored and computed CRC-32C and the verdict, with a
// button (data-sel) that selects the crc field.
func CRCHTML(checks []CRCCheck) string {
	if len(checks) == 0 {
		return `<p class="crc-none">No record batch (magic 2) whose CRC could be checked.</p>`
	}
	var sb strings.Builder
	sb.WriteString(`<ul class="crc-list">`)
	for _, c := range checks {
		verdict, class := "✓ valid", "ok"
		if !c.Valid() {
			verdict, class = "✗ mismatch", "bad"
		}
		fmt.Fprintf(&sb, `<li class="%s" data-valid="%t"><button type="button" class="link" data-sel="%s">%s</button> CRC-32C stored <code>%#08x</code>, computed over bytes %d–%d: <code>%#08x</code> <strong>%s</strong></li>`,
			class, c.Valid(), html.EscapeString(c.Field), html.EscapeString(c.Batch), c.Stored, c.From, c.To-1, c.Computed, verdict)
	}
	sb.WriteString(`</ul>`)
	return sb.String()
}
