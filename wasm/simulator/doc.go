// Package simulator is the logic of the playground's Simulator view, apart from the page: it runs
// kwire's real producer against kwire's real mock broker, connected in memory (net.Pipe through
// the producer's Dialer and the cluster's ServeConn), with the settings and the fault the form
// asks for; it records every request and response, the producer's own account of its retries,
// the callbacks' results and the partition log as the broker stored it; and it renders them as
// HTML, each exchange dissected byte by byte with the Explorer's dissection views. The wasm binary
// in the parent directory binds it to the DOM; everything here is plain Go, tested natively and
// under Node (GOOS=js GOARCH=wasm).
package simulator
