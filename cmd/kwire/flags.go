package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// cmdFlags is a command's flag set and its help. A flag may have a one-letter alias beside its long
// name (-z and --compression); help lists the flags in the order they were documented.
type cmdFlags struct {
	fs       *flag.FlagSet
	synopsis string // e.g. "kwire batch [flags] < records"
	about    string // what the command does, as paragraphs
	examples string // command lines, one a line
	docs     []flagDoc
}

// flagDoc is the help of one flag.
type flagDoc struct {
	long, short string
	arg         string // the name of its value, e.g. CODEC; empty for a boolean flag
	example     string // a use of the flag, e.g. "-z zstd"
}

// newCmdFlags returns an empty flag set for the command name.
func newCmdFlags(name, synopsis, about, examples string) *cmdFlags {
	fs := flag.NewFlagSet("kwire "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run reports errors and prints help itself
	return &cmdFlags{fs: fs, synopsis: synopsis, about: about, examples: examples}
}

// doc documents the flag already defined as long, whose value is called arg, with an example of its
// use, and defines short (unless empty) as another name for it.
func (c *cmdFlags) doc(long, short, arg, example string) {
	f := c.fs.Lookup(long)
	if short != "" {
		c.fs.Var(f.Value, short, f.Usage)
	}
	c.docs = append(c.docs, flagDoc{long: long, short: short, arg: arg, example: example})
}

// isSet reports whether the command line set the flag long, under either of its names.
func (c *cmdFlags) isSet(long string) bool {
	names := []string{long}
	if i := slices.IndexFunc(c.docs, func(d flagDoc) bool { return d.long == long }); i >= 0 && c.docs[i].short != "" {
		names = append(names, c.docs[i].short)
	}
	set := false
	c.fs.Visit(func(f *flag.Flag) { set = set || slices.Contains(names, f.Name) })
	return set
}

// parse parses args, whose flags and positional arguments may come in any order ("--" ends the
// flags), and returns the positional arguments. The error is flag.ErrHelp for -h or --help, else a
// *usageError.
func (c *cmdFlags) parse(args []string) ([]string, error) {
	args = c.splitAttached(args)
	var positional []string
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// splitAttached turns kcat's and getopt's attached short options, -K: or -p0 or -torders, into the
// two arguments the flag package reads, -K : and -p 0, for the one-letter flags that take a value.
// An argument that names a flag whole (-v, -verbose, -t=orders) is left as it is, and so is the
// value of a flag that takes one, however it looks (-K -x sets the delimiter to -x), and
// everything after --.
func (c *cmdFlags) splitAttached(args []string) []string {
	out := make([]string, 0, len(args)+1)
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return append(out, args[i:]...)
		case !strings.HasPrefix(arg, "-") || arg == "-":
			out = append(out, arg)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		f := c.fs.Lookup(name)
		if f != nil || strings.HasPrefix(arg, "--") || len(arg) == 2 {
			out = append(out, arg)
			if f != nil && takesValue(f) && !hasValue && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
			continue
		}
		if f := c.fs.Lookup(arg[1:2]); f != nil && takesValue(f) {
			out = append(out, arg[:2], arg[2:])
			continue
		}
		out = append(out, arg)
	}
	return out
}

// takesValue reports whether f is set with a value, unlike a boolean flag.
func takesValue(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// help is the command's help text: synopsis, description, every flag with an example, and
// examples of whole command lines.
func (c *cmdFlags) help() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Usage: %s\n\n%s\nFlags:\n", c.synopsis, c.about)
	for _, d := range c.docs {
		names := "--" + d.long
		if d.short != "" {
			names = "-" + d.short + ", " + names
		}
		if d.arg != "" {
			names += " " + d.arg
		}
		fmt.Fprintf(&sb, "  %s\n", names)
		for line := range strings.Lines(c.fs.Lookup(d.long).Usage) {
			fmt.Fprintf(&sb, "        %s", line)
		}
		fmt.Fprintf(&sb, "\n        Example: %s\n", d.example)
	}
	fmt.Fprintf(&sb, "  -h, --help\n        Print this help.\n\nExamples:\n%s", c.examples)
	return sb.String()
}

// choice is a flag whose value is one of a fixed list of words.
type choice struct {
	value   string
	allowed []string
}

// newChoice returns a choice among allowed, set to the first.
func newChoice(allowed ...string) *choice { return &choice{value: allowed[0], allowed: allowed} }

// String is the current value.
func (c *choice) String() string {
	if c == nil {
		return ""
	}
	return c.value
}

// Set sets the value to s if it is one of the allowed words.
func (c *choice) Set(s string) error {
	if !slices.Contains(c.allowed, s) {
		return fmt.Errorf("must be one of %s", strings.Join(c.allowed, ", "))
	}
	c.value = s
	return nil
}

// byteSize is a flag that counts bytes: a whole number, optionally followed by KiB, MiB, GiB or
// TiB.
type byteSize int64

// byteUnits are the suffixes byteSize takes, largest first.
var byteUnits = []struct {
	suffix string
	shift  uint
}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}}

// String is the size in the largest unit that divides it.
func (b *byteSize) String() string {
	if b == nil {
		return "0"
	}
	n := int64(*b)
	for _, u := range byteUnits {
		if n != 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// Set reads a size such as 1048576, 64MiB or -1.
func (b *byteSize) Set(s string) error {
	number, shift := s, uint(0)
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			number, shift = n, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(number, 10, 64)
	if err != nil || n<<shift>>shift != n {
		return fmt.Errorf("%q is not a number of bytes, such as 1048576 or 64MiB", s)
	}
	*b = byteSize(n << shift)
	return nil
}
