package interop

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// playgroundRecords have what makes encodings differ: a null key, an empty value, non-ASCII
// text, headers with a null value, and a record with its own timestamp.
const playgroundRecords = `{"key":"user-1","value":"{\"event\":\"signup\",\"plan\":\"free\"}","headers":[{"key":"source","value":"web"}]}
{"key":null,"value":"héllo, wörld ✓"}
{"key":"user-2","value":"","headers":[{"key":"trace","value":null},{"key":"","value":""}]}
{"key":"user-1","value":"later","timestamp":1700000000250}
`

// playgroundCase is one setting of the Explorer and the kwire batch flags for the same bytes.
type playgroundCase struct {
	name   string
	inputs map[string]string // element id → value; check boxes "1" or ""
	flags  []string
}

var playgroundCases = []playgroundCase{
	{"none", map[string]string{"compression": "none"}, nil},
	{"gzip level 9", map[string]string{"compression": "gzip", "level": "9"}, []string{"-z", "gzip", "--level", "9"}},
	{"snappy idempotent", map[string]string{"compression": "snappy", "level": "0", "idempotent": "1", "producer-id": "42", "producer-epoch": "3", "base-sequence": "100"},
		[]string{"-z", "snappy", "--producer-id", "42", "--producer-epoch", "3", "--base-sequence", "100"}},
	{"lz4 other timestamp", map[string]string{"compression": "lz4", "idempotent": "", "timestamp": "1234567890123"}, []string{"-z", "lz4", "--timestamp", "1234567890123"}},
	{"zstd transactional", map[string]string{"compression": "zstd", "level": "19", "timestamp": "1700000000000", "idempotent": "1", "producer-id": "7", "producer-epoch": "0", "base-sequence": "0", "transactional": "1"},
		[]string{"-z", "zstd", "--level", "19", "--producer-id", "7", "--producer-epoch", "0", "--base-sequence", "0", "--transactional"}},
}

// TestPlaygroundInBrowser loads the playground built by kwire playground --out in headless
// chromium and checks the Explorer's bytes against kwire batch, the URL, the Produce request
// view, decode mode and its errors, the keyboard, and the time to re-encode 1,000 records; it
// saves screenshots and logs the timings.
func TestPlaygroundInBrowser(t *testing.T) {
	chromium := requireChromium(t)
	bin := buildPlaygroundKwire(t)
	url := serveSite(t, bin)
	shots := screenshotDir(t)
	p := &page{t: t, ctx: newBrowser(t, chromium)}

	checkStartup(t, p, url)
	p.screenshot(shots, "explorer-1280x800.png")

	p.set("records", playgroundRecords)
	for _, c := range playgroundCases {
		t.Run(c.name, func(t *testing.T) {
			p := &page{t: t, ctx: p.ctx}
			for _, id := range []string{"compression", "level", "timestamp", "idempotent", "producer-id", "producer-epoch", "base-sequence", "transactional"} {
				if v, ok := c.inputs[id]; ok {
					p.set(id, v)
				}
			}
			if e := p.text("#error"); e != "" {
				t.Fatalf("the page reports %q", e)
			}
			flags := append([]string{"batch", "--jsonl", "-o", "hex"}, c.flags...)
			if !slices.Contains(c.flags, "--timestamp") {
				flags = append(flags, "--timestamp", "1700000000000")
			}
			want := sameBytes(t, p, bin, playgroundRecords, flags)
			if !strings.Contains(p.text("#hex"), want[:47]) && !strings.Contains(p.text("#hex"), spaced(want[:32])) {
				t.Errorf("the dump's text does not hold the bytes as hex pairs")
			}
			if !strings.Contains(p.text("#crc"), "✓ valid") {
				t.Errorf("CRC: %q", p.text("#crc"))
			}
			if !strings.Contains(p.text("#command"), strings.Join(c.flags[:min(2, len(c.flags))], " ")) {
				t.Errorf("command line %q does not say %v", p.text("#command"), c.flags)
			}
		})
	}
	checkLink(t, p)
	p.run("selecting the crc", chromedp.Evaluate[chromedp.Void](`document.querySelector("#crc [data-sel]").click()`))
	if hash := eval[string](p, `location.hash`); !strings.Contains(hash, "sel=batch%5B0%5D.crc") {
		t.Errorf("the URL does not hold the selected field: %s", hash)
	}
	p.screenshot(shots, "explorer-zstd-crc-selected.png")
	checkKeyboard(t, p)
	checkRequestView(t, p, shots)
	checkDecode(t, p, bin, shots)
	measureReencode(t, p)
	checkRecordsTable(t, p, bin, shots)
	checkNarrow(t, p, shots)
}

// sameBytes checks that the page's dump shows the bytes kwire batch writes from jsonl with flags
// (which include -o hex), and returns them as hex.
func sameBytes(t *testing.T, p *page, bin, jsonl string, flags []string) string {
	t.Helper()
	want := strings.ReplaceAll(runKwire(t, bin, jsonl, flags...), "\n", "")
	if got := p.dumpHex(); got != want {
		t.Fatalf("the page's bytes differ from kwire %s:\npage  %s\nkwire %s", strings.Join(flags, " "), got, want)
	}
	return want
}

// checkStartup loads the page three times in a browser that has already shown a page: the
// first load compiles the WebAssembly from scratch, the others may find it in the browser's
// code cache. The page must be interactive within 1.5 s at least once: on a machine shared with
// other work one load can be slow without the page being so.
func checkStartup(t *testing.T, p *page, url string) {
	p.run("a first page", chromedp.Navigate("about:blank"))
	var loads []float64
	for range 3 {
		loads = append(loads, p.load(url))
	}
	t.Logf("time to interactive: %.0f ms on the first load, %.0f and %.0f ms on reloads (after navigation start)",
		loads[0], loads[1], loads[2])
	if best := slices.Min(loads); best > 1500 {
		t.Errorf("interactive after %.0f ms at best, want under 1500", best)
	}
}

// spaced writes hex digits as space-separated pairs.
func spaced(hex string) string {
	var pairs []string
	for i := 0; i+1 < len(hex); i += 2 {
		pairs = append(pairs, hex[i:i+2])
	}
	return strings.Join(pairs, " ")
}

// checkLink opens the page's own URL in a fresh load: the same bytes.
func checkLink(t *testing.T, p *page) {
	href := eval[string](p, `location.href`)
	before := p.dumpHex()
	if !strings.Contains(href, "compression=zstd") {
		t.Errorf("the URL does not hold the state: %s", href)
	}
	p.run("leaving the page", chromedp.Navigate("about:blank"))
	p.load(href)
	if p.dumpHex() != before || !strings.Contains(p.text("#command"), "--transactional") {
		t.Errorf("the link does not reproduce the bytes")
	}
}

// checkKeyboard moves through the tree with the arrow keys.
func checkKeyboard(t *testing.T, p *page) {
	p.run("focusing the tree", chromedp.Evaluate[chromedp.Void](`document.querySelector('#tree .row[tabindex="0"]').focus()`))
	before := p.text("#tree .row.sel .nm")
	p.run("pressing down", chromedp.KeyEvent(kb.ArrowDown))
	after := p.text("#tree .row.sel .nm")
	if before != "crc" || after != "attributes" {
		t.Errorf("ArrowDown from %q selected %q, want attributes after crc", before, after)
	}
	if n := eval[int](p, `document.querySelectorAll("#hex .hx .sel").length`); n != 1 {
		t.Errorf("%d runs of bytes highlighted for the attributes, want 1", n)
	}
	if got := eval[string](p, `document.activeElement.dataset.n ? "row" : document.activeElement.tagName`); got != "row" {
		t.Errorf("the focus left the tree: %s", got)
	}
	p.run("focusing the dump", chromedp.Evaluate[chromedp.Void](`document.querySelector("#hex .dump").focus()`))
	p.run("pressing right", chromedp.KeyEvent(kb.ArrowRight))
	if sel := p.text("#tree .row.sel .nm"); sel != "lastOffsetDelta" {
		t.Errorf("ArrowRight in the dump from the attributes selected %q, want lastOffsetDelta", sel)
	}
	p.run("hovering a row", chromedp.Evaluate[chromedp.Void](`document.querySelector('#tree .row[aria-level="3"]').dispatchEvent(new MouseEvent("mouseover", {bubbles: true}))`))
	if n := eval[int](p, `document.querySelectorAll("#hex .hx .hv").length`); n != 1 || p.text("#tree .row.hv .nm") != "baseOffset" {
		t.Errorf("hovering baseOffset's row highlights %d runs of bytes and row %q", n, p.text("#tree .row.hv .nm"))
	}
}

// checkRequestView shows the Produce request that carries the batch, at two versions.
func checkRequestView(t *testing.T, p *page, shots string) {
	batch := p.dumpHex()
	p.set("show", "request")
	for _, v := range []string{"3", "13"} {
		p.set("produce-version", v)
		if s := p.text("#summary"); !strings.HasPrefix(s, "Produce request v"+v) {
			t.Errorf("summary %q", s)
		}
		if frame := p.dumpHex(); !strings.Contains(frame, batch) {
			t.Errorf("the v%s request does not carry the batch", v)
		}
		if !strings.Contains(p.text("#tree"), "transactionalId") || !strings.Contains(p.text("#crc"), "✓ valid") {
			t.Errorf("v%s: the tree lacks transactionalId or the CRC is not valid", v)
		}
	}
	p.set("produce-version", "11")
	p.screenshot(shots, "explorer-produce-request.png")
	p.set("show", "batch")
}

// checkDecode pastes batches and a request into decode mode, and bad hex.
func checkDecode(t *testing.T, p *page, bin, shots string) {
	p.run("decode tab", chromedp.Click(chromedp.CSS("#tab-decode")))
	hex := runKwire(t, bin, playgroundRecords, "batch", "--jsonl", "-z", "zstd", "--timestamp", "0", "-o", "hex")
	p.set("decode-input", hex)
	if s := p.text("#summary"); !strings.HasPrefix(s, "Record batches:") || p.text("#error") != "" {
		t.Errorf("decoding a batch: summary %q, error %q", s, p.text("#error"))
	}
	tree := p.text("#tree")
	for _, want := range []string{"recordCount", "record[0]", `"héllo, wörld ✓"`, "zstd"} {
		if !strings.Contains(tree, want) {
			t.Errorf("decoded tree lacks %q", want)
		}
	}
	if !strings.Contains(p.text("#crc"), "✓ valid") {
		t.Errorf("CRC of the pasted batch: %q", p.text("#crc"))
	}

	good, _ := hexbytes.Parse(hex)
	raw := append([]byte(nil), good...)
	raw[len(raw)-1] ^= 0x55
	p.set("decode-input", hexbytes.Format(raw, 32))
	if e := p.text("#error"); !strings.Contains(e, "batch[0].crc at offset 17") {
		t.Errorf("a corrupt batch: error %q", e)
	}
	if sel := p.text("#tree .row.sel .nm"); sel != "crc" {
		t.Errorf("a corrupt batch selects %q, want the crc", sel)
	}
	if n := eval[int](p, `document.querySelectorAll("#hex .hx .sel.f-err").length`); n != 1 {
		t.Errorf("%d runs of bytes marked as the error, want the crc's", n)
	}
	p.screenshot(shots, "decode-crc-mismatch.png")

	p.set("decode-input", "00 01 02\n03 zz")
	if e := p.text("#error"); !strings.Contains(e, "line 2, column 4: hex: invalid character 'z' at offset 12") {
		t.Errorf("bad hex: error %q", e)
	}
	p.run("show where", chromedp.Click(chromedp.CSS("#error [data-goto]")))
	if at := eval[int](p, `document.getElementById("decode-input").selectionStart`); at != 12 {
		t.Errorf("Show where selected from %d, want 12", at)
	}
	p.screenshot(shots, "decode-bad-hex.png")

	client := "interop"
	frame := protocol.AppendRequest(nil, &protocol.RequestHeader{APIKey: protocol.KeyProduce, APIVersion: 9, CorrelationID: 5, ClientID: &client},
		&protocol.ProduceRequest{Acks: 1, TimeoutMs: 1000, TopicData: []protocol.ProduceTopic{{Name: "t", PartitionData: []protocol.ProducePartition{{Index: 2, Records: good}}}}})
	p.set("decode-input", hexbytes.Format(frame, 32))
	if s := p.text("#summary"); !strings.HasPrefix(s, "Produce v9 request") || p.text("#error") != "" {
		t.Errorf("a pasted request: summary %q, error %q", s, p.text("#error"))
	}
	if !strings.Contains(p.text("#crc"), "✓ valid") || !strings.Contains(p.text("#tree"), `"héllo, wörld ✓"`) {
		t.Errorf("the pasted request's batch: CRC %q", p.text("#crc"))
	}
	p.screenshot(shots, "decode-produce-request.png")
	p.run("explorer tab", chromedp.Click(chromedp.CSS("#tab-explore")))
}

// measureReencode types 1,000 records and times the update: encoding under all five codecs, as
// the page measures it, and the whole update with layout, as the browser sees it.
func measureReencode(t *testing.T, p *page) {
	var sb strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&sb, `{"key":"user-%d","value":"{\"id\":%d,\"name\":\"user %d\",\"email\":\"user%d@example.com\",\"active\":%t}"}`+"\n", i%50, i, i%50, i%50, i%2 == 0)
	}
	records := sb.String()
	var encode, update, latency []float64
	for i := range 5 {
		text := records + strings.Repeat(" ", i) // a change each time, as a keystroke makes
		p.set("records", text)
		var enc, upd, lat float64
		fmt.Sscan(eval[string](p, `document.getElementById("timing").dataset.encodeMs`), &enc)
		fmt.Sscan(eval[string](p, `document.getElementById("timing").dataset.updateMs`), &upd)
		fmt.Sscan(eval[string](p, `document.getElementById("timing").dataset.latencyMs`), &lat)
		encode, update, latency = append(encode, enc), append(update, upd), append(latency, lat)
	}
	if !strings.Contains(p.text("#summary"), "1000 records") {
		t.Fatalf("summary %q", p.text("#summary"))
	}
	slices.Sort(encode)
	slices.Sort(update)
	slices.Sort(latency)
	t.Logf("1,000 records (%s): encoding under all five codecs %.1f ms (median of 5; min %.1f, max %.1f); "+
		"page update %.1f ms; from the input event to the updated page %.1f ms",
		p.text("#sizes tr.chosen th"), encode[2], encode[0], encode[4], update[2], latency[2])
	t.Logf("the page's own account of the last update: %s", p.text("#timing"))
	if encode[2] >= 100 {
		t.Errorf("re-encoding 1,000 records under all five codecs takes %.1f ms, want under 100", encode[2])
	}
	p.set("records", playgroundRecords)
}

// checkNarrow looks at the page on a phone-sized screen.
func checkNarrow(t *testing.T, p *page, shots string) {
	p.run("narrow screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen", w)
	}
	p.screenshot(shots, "explorer-390x844.png")
	p.run("scroll to the records table", chromedp.Evaluate[chromedp.Void](`document.getElementById("records-table-box").scrollIntoView()`))
	p.screenshot(shots, "explorer-records-table-390x844.png")
	p.run("scroll to the dump", chromedp.Evaluate[chromedp.Void](`document.getElementById("output").scrollIntoView()`))
	p.screenshot(shots, "explorer-390x844-output.png")
	p.run("back to 1280×800", chromedp.EmulateViewport(1280, 800))
}
