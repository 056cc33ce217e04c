package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is what kwire --version prints: the module's version and the commit the binary was
// built from, as the Go toolchain stamped them in (go install …@VERSION stamps the version, a
// build inside a git checkout the commit), then the Go version and platform.
func version() string {
	v, commit := "(unknown)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		v, commit = bi.Main.Version, vcsCommit(bi.Settings)
	}
	if commit != "" {
		v += " (commit " + commit + ")"
	}
	return fmt.Sprintf("kwire %s %s %s/%s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// vcsCommit is the commit in a binary's build settings, with its time and "modified" when the
// checkout had uncommitted changes, or "" when the build recorded none.
func vcsCommit(settings []debug.BuildSetting) string {
	var rev, when string
	modified := false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return ""
	}
	parts := []string{rev}
	if when != "" {
		parts = append(parts, when)
	}
	if modified {
		parts = append(parts, "modified")
	}
	return strings.Join(parts, ", ")
}
