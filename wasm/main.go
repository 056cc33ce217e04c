//go:build js && wasm

// Command wasm is the kwire playground page's program: kwire's own encoders and dissectors
// compiled to WebAssembly and bound to web/index.html through honnef.co/go/js/dom/v2. The logic
// is in package explorer; this package only reads the page's inputs, writes its outputs and
// answers its events. Build it with GOOS=js GOARCH=wasm (kwire playground does).
package main

func main() {
	a := newApp()
	a.start()
	select {} // the page calls back into the program; it must not exit
}
