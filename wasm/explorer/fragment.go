package explorer

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// packedPrefix marks a fragment value stored deflated and in base64url: the text areas, whose
// JSON and hex would otherwise make links long and unreadable.
const packedPrefix = "z:"

// maxPacked bounds what a packed value may inflate to, so that a crafted link cannot exhaust the
// page's memory.
const maxPacked = 16 << 20

// packed lists the keys whose values are packed.
var packed = map[string]bool{KeyRecords: true, KeyDecodeInput: true, KeySimRecords: true}

// Fragment encodes the values that differ from [Defaults] as a URL fragment (without the "#"),
// so that a link reproduces exactly what the page showed. Keys come in [Keys] order.
func (f Form) Fragment() string {
	defaults := Defaults()
	var parts []string
	for _, k := range Keys() {
		v, ok := f[k]
		if !ok || v == defaults[k] {
			continue
		}
		if packed[k] {
			v = pack(v)
		}
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return strings.Join(parts, "&")
}

// ParseFragment reads a fragment that [Form.Fragment] wrote, with or without its "#"; keys it
// does not know are ignored, and absent keys take their defaults. The error names the key whose
// value is corrupt.
func ParseFragment(fragment string) (Form, error) {
	f := Defaults()
	values, err := url.ParseQuery(strings.TrimPrefix(fragment, "#"))
	if err != nil {
		return f, fmt.Errorf("link: %w", err)
	}
	for _, k := range Keys() {
		vs, ok := values[k]
		if !ok {
			continue
		}
		v := vs[len(vs)-1]
		if packed[k] && strings.HasPrefix(v, packedPrefix) {
			if v, err = unpack(v); err != nil {
				return f, fmt.Errorf("link: %s: %w", k, err)
			}
		}
		f[k] = v
	}
	return f, nil
}

// pack deflates s and encodes it in base64url after [packedPrefix].
func pack(s string) string {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression) // the level is valid
	io.WriteString(w, s)
	w.Close()
	return packedPrefix + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// unpack reverses [pack].
func unpack(v string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(v, packedPrefix))
	if err != nil {
		return "", fmt.Errorf("not base64url: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), maxPacked+1))
	if err != nil {
		return "", fmt.Errorf("not deflate data: %w", err)
	}
	if len(out) > maxPacked {
		return "", fmt.Errorf("inflates past %d bytes", maxPacked)
	}
	return string(out), nil
}
