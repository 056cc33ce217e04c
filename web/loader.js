// Starts the kwire playground: fetches kwire.wasm and runs it with Go's wasm_exec.js. Everything
// the page does is in the Go program; this only loads it.
"use strict";
(async () => {
  const status = document.getElementById("status");
  const go = new Go();
  try {
    let result;
    try {
      result = await WebAssembly.instantiateStreaming(fetch("kwire.wasm"), go.importObject);
    } catch (streamingFailed) {
      // A server that does not send application/wasm: compile from the bytes instead.
      const bytes = await (await fetch("kwire.wasm")).arrayBuffer();
      result = await WebAssembly.instantiate(bytes, go.importObject);
    }
    performance.mark("kwire-wasm-instantiated");
    go.run(result.instance);
  } catch (err) {
    status.textContent = "The playground could not start: " + err;
    status.classList.add("failed");
  }
})();
