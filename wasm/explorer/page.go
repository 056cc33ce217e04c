package explorer

import (
	"fmt"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// Page is what the page shows for a form: the dissection behind the hex dump and the tree, and
// the HTML of the other outputs. When an input cannot be used, Err says which and the outputs
// are those of the last good form, which the caller keeps.
type Page struct {
	Err        *InputError
	Dissection *Dissection
	Summary    string        // one line above the dump: what it shows
	CRC        string        // HTML of the CRC checks
	Sizes      string        // HTML of the size table; "" in decode mode
	Command    string        // the kwire batch command line for the same bytes; "" in decode mode
	Batch      []byte        // the record batch the Explorer built; nil in decode mode
	EncodeTime time.Duration // encoding the batch under all five codecs
}

// Build computes the page for form f, in its mode.
func Build(f Form) *Page {
	if f.Get(KeyMode) == ModeDecode {
		return buildDecode(f)
	}
	return buildExplore(f)
}

// failed is a page that reports err, an *InputError.
func failed(err error) *Page { return &Page{Err: AsInputError(err)} }

// buildExplore encodes the form's records under every codec and dissects the chosen encoding, or
// the Produce request that carries it.
func buildExplore(f Form) *Page {
	in, err := ReadBatchInput(f)
	if err != nil {
		return failed(err)
	}
	rows := MeasureSizes(in)
	chosen, _ := wire.ParseCodec(in.Settings.Compression)
	row := rows[chosen]
	if row.Err != nil {
		return failed(&InputError{Field: KeyRecords, Message: "encoding: " + row.Err.Error(), Start: -1})
	}
	p := &Page{Batch: row.Bytes, Command: in.CommandLine(), EncodeTime: TotalElapsed(rows), Sizes: SizesHTML(rows, chosen)}
	if f.Get(KeyShow) == ShowRequest {
		req, err := ReadRequestInput(f, in.Settings.Transactional)
		if err != nil {
			return failed(err)
		}
		frame := req.Frame(row.Bytes)
		root := protocol.DissectRequest(frame)
		p.Dissection = NewDissection(&root, frame, "Produce request")
		p.Summary = fmt.Sprintf("Produce request v%d: %d bytes, carrying a %d-byte record batch of %d records (%s)",
			req.Version, len(frame), len(row.Bytes), len(in.Records), chosen)
	} else {
		root := wire.DissectRecordBatches(row.Bytes)
		p.Dissection = NewDissection(&root, row.Bytes, "record batch")
		p.Summary = fmt.Sprintf("Record batch: %d bytes, %d records, %s", len(row.Bytes), len(in.Records), chosen)
	}
	p.CRC = CRCHTML(p.Dissection.CRCChecks())
	return p
}

// buildDecode dissects the pasted hex.
func buildDecode(f Form) *Page {
	d, err := DecodeHex(f.Get(KeyDecodeInput))
	if err != nil {
		return failed(err)
	}
	p := &Page{}
	if d.IsRequest {
		p.Dissection = NewDissection(&d.Root, d.Bytes, "request")
		p.Summary = fmt.Sprintf("%s request: %d bytes", d.Root.Value, len(d.Bytes))
	} else {
		p.Dissection = NewDissection(&d.Root, d.Bytes, "record batches")
		p.Summary = fmt.Sprintf("Record batches: %d bytes, %s", len(d.Bytes), d.Root.Value)
	}
	p.CRC = CRCHTML(p.Dissection.CRCChecks())
	return p
}
