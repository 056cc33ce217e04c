package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kwire-dev/kwire/web"
)

// playgroundAbout is what kwire playground --help says the command does.
const playgroundAbout = `Serves the kwire playground: a page that shows, byte by byte, the record batch and the Produce
request kwire writes for the records and settings you type, and dissects hex you paste. The page
runs kwire's own Go code (wire, wire/protocol) compiled to WebAssembly, offline in the browser.

The command builds that WebAssembly with the local Go toolchain (go on PATH, GOOS=js GOARCH=wasm)
from the kwire source tree: the nearest directory at or above the current one whose go.mod is
module github.com/kwire-dev/kwire, or --src. So run it inside a kwire checkout:
  go run ./cmd/kwire playground
The first build takes a while; the binary is kept in the user cache directory (kwire/playground)
and Go's build cache makes later runs rebuild only what changed.

It prints one line on stdout, "serving http://HOST:PORT/", and serves until interrupted. With
--out DIR it writes the static site instead (index.html, style.css, loader.js, kwire.wasm and
wasm_exec.js), for any web server, and exits.
`

// playgroundExamples are the command lines kwire playground --help shows.
const playgroundExamples = `  go run ./cmd/kwire playground
  go run ./cmd/kwire playground --listen 127.0.0.1:0
  go run ./cmd/kwire playground --out /tmp/kwire-site && python3 -m http.server -d /tmp/kwire-site
`

// playgroundCommand defines kwire playground's flags and returns its action.
func playgroundCommand() (*cmdFlags, action) {
	var listen, out, src string
	c := newCmdFlags("playground", "kwire playground [--listen ADDR | --out DIR] [--src DIR]", playgroundAbout, playgroundExamples)
	c.fs.StringVar(&listen, "listen", "127.0.0.1:8080", `The address to serve the page on; port 0 picks a free one (default 127.0.0.1:8080).`)
	c.doc("listen", "", "ADDR", "--listen 127.0.0.1:0")
	c.fs.StringVar(&out, "out", "", `Write the static site to DIR (created if need be) and exit, instead of serving it.`)
	c.doc("out", "", "DIR", "--out site")
	c.fs.StringVar(&src, "src", "", `The kwire source tree to build the page from (default: the one that holds the current
directory).`)
	c.doc("src", "", "DIR", "--src ~/src/kwire")
	return c, func(args []string, s streams) error {
		if len(args) > 0 {
			return usageErrorf("unexpected argument %q", args[0])
		}
		if out != "" && c.isSet("listen") {
			return usageErrorf("--out writes the site and --listen serves it: give one")
		}
		root, err := playgroundSource(src)
		if err != nil {
			return err
		}
		built, err := buildSite(root, s.stderr)
		if err != nil {
			return err
		}
		files := siteFiles(built)
		if out != "" {
			return writeSite(out, files, s.stdout)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return serveSite(ctx, listen, files, s.stdout)
	}
}

// playgroundSource is the kwire source tree to build from: src if given, else the one that holds
// the current directory.
func playgroundSource(src string) (string, error) {
	if src == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		return findKwireSource(wd)
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return "", err
	}
	if !isKwireModule(filepath.Join(abs, "go.mod")) {
		return "", fmt.Errorf("--src %s: no go.mod of module %s there", src, kwireModule)
	}
	return abs, nil
}

// siteFiles are every file of the site by name: the embedded page and the built files.
func siteFiles(built *site) map[string][]byte {
	files := map[string][]byte{web.WasmName: built.wasm, web.ExecName: built.wasmExec}
	fs.WalkDir(web.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files[path], _ = fs.ReadFile(web.Files, path) // embedded: cannot fail
		}
		return nil
	})
	return files
}

// writeSite writes files to dir and says so on stdout.
func writeSite(dir string, files map[string][]byte, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(stdout, "wrote %d files to %s\n", len(files), dir)
	return err
}

// serveSite serves files on addr, prints the page's URL on stdout, and stops when ctx is done.
func serveSite(ctx context.Context, addr string, files map[string][]byte, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: siteHandler(files), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if _, err := fmt.Fprintf(stdout, "serving %s\n", pageURL(ln.Addr())); err != nil {
		srv.Close()
		return err
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// pageURL is the URL to open for a server listening on addr: localhost for an unspecified host.
func pageURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)) + "/"
}

// siteHandler serves files, index.html at "/", each with its content type and no caching, so
// that a rebuilt page is always the one loaded.
func siteHandler(files map[string][]byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path[1:]
		if name == "" {
			name = "index.html"
		}
		data, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		if name == web.WasmName {
			w.Header().Set("Content-Type", "application/wasm")
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
	})
}
