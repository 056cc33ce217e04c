package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// kwireModule is the module path whose source tree kwire playground builds the page from.
const kwireModule = "github.com/kwire-dev/kwire"

// wasmPackage is the page's Go program, relative to the module root.
const wasmPackage = "./wasm"

// findKwireSource returns the root of the kwire source tree that holds dir: the nearest
// directory at or above dir whose go.mod declares module github.com/kwire-dev/kwire. The go.mod
// files of other modules on the way (interop/'s, for one) are passed over.
func findKwireSource(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if isKwireModule(filepath.Join(d, "go.mod")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside a kwire source tree (no go.mod of module %s at or above it): "+
				"run kwire playground inside a kwire checkout (go run ./cmd/kwire playground) or pass --src", dir, kwireModule)
		}
	}
}

// isKwireModule reports whether the go.mod file at path declares kwire's module.
func isKwireModule(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == kwireModule
		}
	}
	return false
}

// site is the files of the page that are built rather than embedded.
type site struct {
	wasm     []byte // the page's program, GOOS=js GOARCH=wasm
	wasmExec []byte // wasm_exec.js from the Go installation that built it
}

// buildSite builds the page's program from the kwire source tree at src with the go command on
// PATH, and reads the wasm_exec.js that belongs to it. The binary is written to a directory of
// the user's cache named after src, so that go build finds it up to date and relinks only when a
// source changed; progress goes to log.
func buildSite(src string, log io.Writer) (*site, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return nil, errors.New("kwire playground builds the page with the Go toolchain, and go is not on PATH")
	}
	out, err := wasmCachePath(src)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "kwire playground: building %s from %s (cached in %s)\n", wasmPackage, src, filepath.Dir(out))
	build := exec.Command(goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", out, wasmPackage)
	if _, err := runGo(build, src); err != nil {
		return nil, fmt.Errorf("building the page's WebAssembly: %w", err)
	}
	s := &site{}
	if s.wasm, err = os.ReadFile(out); err != nil {
		return nil, err
	}
	goroot, err := runGo(exec.Command(goCmd, "env", "GOROOT"), src)
	if err != nil {
		return nil, err
	}
	if s.wasmExec, err = readWasmExec(strings.TrimSpace(goroot)); err != nil {
		return nil, err
	}
	return s, nil
}

// runGo runs a go command in dir for js/wasm and returns its stdout; the error carries stderr.
func runGo(cmd *exec.Cmd, dir string) (string, error) {
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// wasmCachePath is where the page's binary built from src is kept between runs.
func wasmCachePath(src string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	sum := sha256.Sum256([]byte(src))
	dir := filepath.Join(cache, "kwire", "playground", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cache for the page's build: %w", err)
	}
	return filepath.Join(dir, "kwire.wasm"), nil
}

// readWasmExec reads Go's wasm_exec.js from the installation at goroot: lib/wasm since Go 1.24,
// misc/wasm before.
func readWasmExec(goroot string) ([]byte, error) {
	var firstErr error
	for _, dir := range []string{"lib", "misc"} {
		b, err := os.ReadFile(filepath.Join(goroot, dir, "wasm", "wasm_exec.js"))
		if err == nil {
			return b, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("wasm_exec.js of the Go installation at %s: %w", goroot, firstErr)
}
