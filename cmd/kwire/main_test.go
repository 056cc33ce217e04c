package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// result is what one in-process run of kwire left behind.
type result struct {
	code           int
	stdout, stderr string
}

// kwire runs kwire in-process with args and stdin.
func kwire(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// mustRun runs kwire and fails the test unless it succeeds.
func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	r := kwire(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("kwire %s: exit %d, stderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// wantFailure runs kwire and requires exit status code and a stderr that contains each of want.
func wantFailure(t *testing.T, code int, stdin string, args []string, want ...string) result {
	t.Helper()
	r := kwire(t, stdin, args...)
	if r.code != code {
		t.Fatalf("kwire %s: exit %d, want %d; stderr:\n%s", strings.Join(args, " "), r.code, code, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("kwire %s: stderr does not contain %q:\n%s", strings.Join(args, " "), w, r.stderr)
		}
	}
	return r
}

// TestUsage checks kwire's own help: every built command and no unbuilt one.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out := mustRun(t, "", args...)
		for _, c := range commands {
			if !strings.Contains(out, "  "+c.name+" ") {
				t.Errorf("kwire %s does not list %s:\n%s", args[0], c.name, out)
			}
		}
	}
	r := wantFailure(t, 2, "", nil, "Commands:", "batch", "dissect")
	if r.stdout != "" {
		t.Errorf("kwire without arguments wrote to stdout: %q", r.stdout)
	}
}

// TestCommandHelp checks that each command's help describes every flag with an example.
func TestCommandHelp(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			help := mustRun(t, "", c.name, "--help")
			if got := mustRun(t, "", c.name, "-h"); got != help {
				t.Errorf("-h and --help differ")
			}
			if got := mustRun(t, "", "help", c.name); got != help {
				t.Errorf("kwire help %s and kwire %s --help differ", c.name, c.name)
			}
			flags, _ := c.setup()
			flags.fs.VisitAll(func(f *flag.Flag) {
				dashes := "--"
				if len(f.Name) == 1 {
					dashes = "-"
				}
				if !strings.Contains(help, dashes+f.Name) {
					t.Errorf("help does not describe %s%s", dashes, f.Name)
				}
			})
			for _, d := range flags.docs {
				if d.example == "" || flags.fs.Lookup(d.long).Usage == "" {
					t.Errorf("--%s has no description or no example", d.long)
				}
			}
		})
	}
}

// TestCommandLineErrors checks that unknown commands, flags and arguments exit 2 and are named.
func TestCommandLineErrors(t *testing.T) {
	wantFailure(t, 2, "", []string{"frobnicate"}, `unknown command "frobnicate"`)
	wantFailure(t, 2, "", []string{"help", "frobnicate"}, `unknown command "frobnicate"`)
	for _, c := range commands {
		wantFailure(t, 2, "", []string{c.name, "--frobnicate"}, "-frobnicate", "kwire "+c.name+" --help")
	}
	wantFailure(t, 2, "a\n", []string{"batch", "extra"}, `"extra"`)
	wantFailure(t, 2, "", []string{"dissect", "a", "b"}, `"b"`)
}

// TestParseInterspersed checks flags after positional arguments, and "--".
func TestParseInterspersed(t *testing.T) {
	c, _ := dissectCommand()
	pos, err := c.parse([]string{"FILE", "-o", "json", "--", "-i"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pos, " ") != "FILE -i" {
		t.Errorf("positional arguments %q, want FILE -i", pos)
	}
	if got := c.fs.Lookup("output").Value.String(); got != "json" {
		t.Errorf("-o after a positional argument: output %q, want json", got)
	}
}
