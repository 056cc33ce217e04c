package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestVersionForms(t *testing.T) {
	for _, arg := range []string{"--version", "-V", "version"} {
		out := mustRun(t, "", arg)
		if !strings.HasPrefix(out, "kwire ") || !strings.Contains(out, runtime.Version()) {
			t.Errorf("kwire %s: %q, want kwire, its version and %s", arg, out, runtime.Version())
		}
	}
}

// TestVersionNamesCommit builds kwire in this checkout, as go build does by default outside
// this test (-buildvcs), and wants --version to name the checkout's commit.
func TestVersionNamesCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kwire")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout, or no git: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "kwire")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "(commit " + strings.TrimSpace(string(head)); !strings.Contains(string(out), want) {
		t.Errorf("kwire --version: %q, want %q", out, want)
	}
}
