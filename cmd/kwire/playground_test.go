package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// needGo skips a test that builds the page's WebAssembly when it cannot or should not.
func needGo(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the playground's WebAssembly; skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
}

// checkSite requires the site's files: the embedded page and the built ones.
func checkSite(t *testing.T, get func(name string) []byte) {
	t.Helper()
	if page := get("index.html"); !bytes.Contains(page, []byte(`id="records"`)) || !bytes.Contains(page, []byte(`src="loader.js"`)) {
		t.Errorf("index.html is not the playground's page")
	}
	if wasm := get("kwire.wasm"); !bytes.HasPrefix(wasm, []byte("\x00asm")) || len(wasm) < 1<<20 {
		t.Errorf("kwire.wasm is not a WebAssembly binary (%d bytes)", len(wasm))
	}
	if exec := get("wasm_exec.js"); !bytes.Contains(exec, []byte("globalThis.Go")) {
		t.Errorf("wasm_exec.js is not Go's")
	}
	for _, name := range []string{"style.css", "loader.js"} {
		if len(get(name)) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

func TestPlaygroundOut(t *testing.T) {
	needGo(t)
	dir := filepath.Join(t.TempDir(), "site")
	out := mustRun(t, "", "playground", "--out", dir)
	if out != "wrote 5 files to "+dir+"\n" {
		t.Errorf("stdout %q", out)
	}
	checkSite(t, func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
		}
		return b
	})
}

func TestPlaygroundServesUntilSignalled(t *testing.T) {
	needGo(t)
	cmd, stdout, stderr := startKwire(t, "playground", "--listen", "127.0.0.1:0")
	if !stdout.Scan() {
		t.Fatalf("no URL on stdout; stderr:\n%s", stderr)
	}
	url, ok := strings.CutPrefix(stdout.Text(), "serving ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Fatalf("first line %q, want serving and the page's URL", stdout.Text())
	}
	get := func(name string) []byte {
		resp, err := http.Get(url + name)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if name == "kwire.wasm" && resp.Header.Get("Content-Type") != "application/wasm" {
			t.Errorf("kwire.wasm served as %q", resp.Header.Get("Content-Type"))
		}
		return body
	}
	checkSite(t, func(name string) []byte {
		if name == "index.html" {
			name = "" // the page is the site's root
		}
		return get(name)
	})
	if resp, err := http.Get(url + "nothing-here"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown file: %v %v", resp.Status, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v; stderr:\n%s", err, stderr)
	}
}

func TestPlaygroundCommandLine(t *testing.T) {
	wantFailure(t, 2, "", []string{"playground", "extra"}, `unexpected argument "extra"`)
	wantFailure(t, 2, "", []string{"playground", "--out", "x", "--listen", "127.0.0.1:0"}, "give one")
	wantFailure(t, 2, "", []string{"playground", "--listen"}, "flag needs an argument")
	wantFailure(t, 1, "", []string{"playground", "--src", t.TempDir()}, "no go.mod of module github.com/kwire-dev/kwire")
}

// TestFindKwireSource finds the module root from below it, past another module's go.mod.
func TestFindKwireSource(t *testing.T) {
	root := t.TempDir()
	inner := filepath.Join(root, "interop", "deep")
	if err := os.MkdirAll(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "go.mod"), "// kwire\nmodule github.com/kwire-dev/kwire\n\ngo 1.26\n")
	write(filepath.Join(root, "interop", "go.mod"), "module github.com/kwire-dev/kwire/interop\n")
	for _, from := range []string{root, inner} {
		got, err := findKwireSource(from)
		if err != nil || got != root {
			t.Errorf("from %s: %q, %v; want %s", from, got, err, root)
		}
	}
	if _, err := findKwireSource(filepath.Join(root, "..")); err == nil || !strings.Contains(err.Error(), "--src") {
		t.Errorf("outside the tree: %v", err)
	}
}
