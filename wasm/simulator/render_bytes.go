package simulator

import (
	"fmt"
	"html"
	"strings"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wasm/explorer"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// bytesLimit is how many bytes of a request or response an exchange's dump shows.
const bytesLimit = 4 << 10

// BytesHTML renders exchange i's bytes: the request and the response, each as a hex dump coloured
// by field beside its field tree, dissected by kwire's dissectors; or what the broker did instead
// of answering. The request has a button (data-decode, the exchange's index) to open it in the
// Decode view. perLine is how many bytes a line of the dumps holds.
func (res *Result) BytesHTML(i, perLine int) string {
	if i < 0 || i >= len(res.Exchanges) {
		return ""
	}
	e := &res.Exchanges[i]
	var sb strings.Builder
	req := protocol.DissectRequest(e.RequestBytes)
	writeDissection(&sb, explorer.NewDissection(&req, e.RequestBytes, "request"), perLine,
		fmt.Sprintf("Request: %d bytes", len(e.RequestBytes)),
		fmt.Sprintf(`<button type="button" class="link" data-decode="%d">Open in the Decode view</button>`, i))
	if e.ResponseBytes == nil {
		fmt.Fprintf(&sb, `<p class="noresp">No response on the wire: %s</p>`, html.EscapeString(noResponse(e)))
		return sb.String()
	}
	resp := protocol.DissectResponse(e.ResponseBytes, e.Header.APIKey, e.Header.APIVersion)
	writeDissection(&sb, explorer.NewDissection(&resp, e.ResponseBytes, "response"), perLine,
		fmt.Sprintf("Response: %d bytes", len(e.ResponseBytes)), "")
	return sb.String()
}

// RequestHex is exchange i's request as hex, for the Decode view.
func (res *Result) RequestHex(i int) string {
	if i < 0 || i >= len(res.Exchanges) {
		return ""
	}
	return explorer.HexText(res.Exchanges[i].RequestBytes)
}

// writeDissection writes a titled dump and tree of d, with extra HTML after the title.
func writeDissection(sb *strings.Builder, d *explorer.Dissection, perLine int, title, extra string) {
	d.SetLineWidth(perLine)
	fmt.Fprintf(sb, `<section class="exbytes"><h4>%s %s</h4>`, html.EscapeString(title), extra)
	if d.Problem != "" {
		fmt.Fprintf(sb, `<p class="error">%s</p>`, html.EscapeString(d.Problem))
	}
	sb.WriteString(`<div class="expanes"><div class="exdump">`)
	for v := range d.Views {
		if v > 0 {
			fmt.Fprintf(sb, `<h5>%s</h5>`, html.EscapeString(d.Views[v].Title))
		}
		sb.WriteString(d.DumpHTML(v, bytesLimit))
	}
	fmt.Fprintf(sb, `</div><div class="extree" tabindex="0" role="region" aria-label="%s">`, html.EscapeString(title+": fields"))
	sb.WriteString(d.TreeHTML(d.DefaultOpen, -1, -1))
	sb.WriteString(`</div></div></section>`)
}

// noResponse says why an exchange has no response bytes.
func noResponse(e *mockbroker.Exchange) string {
	switch {
	case applied(e, mockbroker.DropBeforeHandling):
		return "the broker closed the connection before handling the request."
	case applied(e, mockbroker.DropAfterHandling):
		return "the broker handled the request, then closed the connection instead of sending its answer."
	}
	return "acks=0 asks for no answer."
}
