package explorer

import (
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
)

// explorerBatch is the default form's batch, with codec.
func explorerBatch(t *testing.T, codec string) []byte {
	t.Helper()
	f := Defaults()
	f[KeyCompression] = codec
	p := Build(f)
	if p.Err != nil {
		t.Fatal(p.Err)
	}
	return p.Batch
}

// decodeForm is the Decode view's form with text pasted.
func decodeForm(text string) Form {
	f := Defaults()
	f[KeyMode], f[KeyDecodeInput] = ModeDecode, text
	return f
}

// TestDecodeBatch pastes the Explorer's batch, as kwire batch -o hex writes it, with a 0x
// prefix and colons too: the same fields, and a valid CRC.
func TestDecodeBatch(t *testing.T) {
	batch := explorerBatch(t, "lz4")
	for _, text := range []string{HexText(batch), "0x" + strings.ToUpper(HexText(batch)), strings.Join(strings.Split(HexText(batch), ""), ":")} {
		p := Build(decodeForm(text))
		if p.Err != nil || p.Dissection.Problem != "" {
			t.Fatalf("%v %s", p.Err, p.Dissection.Problem)
		}
		if string(p.Dissection.Views[0].Bytes) != string(batch) {
			t.Fatal("decoded other bytes")
		}
		if c := p.Dissection.CRCChecks(); len(c) != 1 || !c[0].Valid() {
			t.Errorf("CRC checks %+v", c)
		}
		if !strings.Contains(p.Summary, "1 entries") || p.Sizes != "" || p.Command != "" {
			t.Errorf("summary %q", p.Summary)
		}
	}
}

// TestDecodeCorrupt flips a byte the CRC covers: the CRC check and the dissection both point at
// the crc field, offset 17.
func TestDecodeCorrupt(t *testing.T) {
	batch := explorerBatch(t, "none")
	batch[len(batch)-1] ^= 0xff
	p := Build(decodeForm(HexText(batch)))
	if p.Err != nil {
		t.Fatal(p.Err)
	}
	d := p.Dissection
	if d.Failure < 0 || d.Nodes[d.Failure].Path != "batch[0].crc" || !strings.Contains(d.Problem, "batch[0].crc at offset 17") {
		t.Fatalf("failure %d, problem %q", d.Failure, d.Problem)
	}
	if c := d.CRCChecks(); len(c) != 1 || c[0].Valid() || !strings.Contains(CRCHTML(c), "mismatch") {
		t.Errorf("CRC checks %+v", c)
	}
	truncated := Build(decodeForm(HexText(batch[:40])))
	if truncated.Dissection.Problem == "" || truncated.Dissection.Failure < 0 {
		t.Errorf("a truncated batch dissects without a problem")
	}
}

// TestDecodeRequest pastes the Explorer's Produce request: it is told from a batch and
// dissected down to the records.
func TestDecodeRequest(t *testing.T) {
	f := Defaults()
	f[KeyShow] = ShowRequest
	frame := Build(f).Dissection.Views[0].Bytes
	p := Build(decodeForm(HexText(frame)))
	if p.Err != nil || p.Dissection.Problem != "" {
		t.Fatalf("%v %s", p.Err, p.Dissection.Problem)
	}
	if !strings.HasPrefix(p.Summary, "Produce v11 request") {
		t.Errorf("summary %q", p.Summary)
	}
	if p.Dissection.Find("body.topicData.topic[0].partitionData.partition[0].records.recordBatches.batch[0].crc") < 0 {
		t.Error("no crc field inside the request")
	}
}

// TestDecodeBomb pastes the hex of the 835-byte batch of a million empty records: the
// page shows ten thousand and a field saying it truncated the rest, and it and its HTML, every
// dump shown in full, take tens of megabytes, not the gigabytes a browser tab does not have.
func TestDecodeBomb(t *testing.T) {
	batch, err := bomb.Batch(bomb.Spec{Records: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	text := HexText(batch)
	var p *Page
	var html int
	n := bomb.Allocated(func() {
		p = Build(decodeForm(text))
		if p.Err != nil {
			return
		}
		d := p.Dissection
		html = len(d.TreeHTML(d.DefaultOpen, 0, -1))
		for v := range d.Views {
			html += len(d.DumpHTML(v, 1<<62))
		}
	})
	if p.Err != nil {
		t.Fatal(p.Err)
	}
	id := p.Dissection.Find("batch[0].records.records (decompressed).truncated")
	if id < 0 || !strings.HasPrefix(p.Dissection.Nodes[id].Value, "truncated after 10000 records") || html > 8<<20 || n > 160<<20 {
		t.Fatalf("truncated node %d; %d bytes of HTML, %d bytes allocated", id, html, n)
	}
}
