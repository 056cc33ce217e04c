// Package explorer is the logic of the playground's Explorer and Decode views, apart from the
// page: it reads the form's values, builds the record batch and the Produce request with kwire's
// own encoders, dissects bytes with kwire's dissectors, and renders hex dumps, field trees, the
// CRC check and the size table as HTML, and keeps the records table in step with the JSONL
// ([Table]). The wasm binary in the parent directory binds it to the DOM; everything here is
// plain Go, tested natively and under Node (GOOS=js GOARCH=wasm).
package explorer
