// Package web holds the playground page's static files: the HTML, the style sheet and the small
// script that loads the WebAssembly. `kwire playground` serves them, or writes them out with the
// wasm binary and Go's wasm_exec.js, which are built and copied at build time, not committed.
package web

import "embed"

// Files are index.html, style.css and loader.js.
//
//go:embed index.html style.css loader.js
var Files embed.FS

// WasmName is the file the page loads the WebAssembly binary from, and ExecName Go's support
// script for it (wasm_exec.js from the Go installation that built the binary).
const (
	WasmName = "kwire.wasm"
	ExecName = "wasm_exec.js"
)
