// Command kwire writes and reads the bytes of Kafka's wire protocol: it builds record batches from
// records on stdin and dissects batches into named fields with their offsets.
//
// Run kwire --help for the commands, and kwire COMMAND --help for a command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// streams are the standard streams a command reads and writes.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// action runs a command whose flags are parsed, with its positional arguments.
type action func(args []string, s streams) error

// command is one kwire subcommand.
type command struct {
	name    string
	summary string // one line for kwire --help
	// setup defines the command's flags, bound to the variables its action reads.
	setup func() (*cmdFlags, action)
}

// commands are kwire's subcommands, in the order kwire --help lists them.
var commands = []command{
	{"batch", "build one record batch from records on stdin", batchCommand},
	{"dissect", "show every field of record batches with its offset and length", dissectCommand},
	{"broker", "run a mock Kafka cluster that real clients can use", brokerCommand},
	{"produce", "produce records from files or stdin to a Kafka topic", produceCommand},
	{"perf", "measure the producer as kafka-producer-perf-test does", perfCommand},
	{"playground", "serve the page that shows the bytes in a browser, built to WebAssembly", playgroundCommand},
}

// usageError is a mistake in the command line, reported with exit status 2.
type usageError struct{ msg string }

// Error is the message.
func (e *usageError) Error() string { return e.msg }

// usageErrorf returns a *usageError with a formatted message.
func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// main runs kwire with the process's arguments and standard streams.
func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs kwire with args (without the program name) and returns the exit status: 0 on success,
// 1 when a command fails, 2 for a bad command line, 128 + the signal's number when a signal
// interrupted kwire produce.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	name := args[0]
	switch name {
	case "version", "--version", "-version", "-V":
		fmt.Fprint(stdout, version())
		return 0
	case "help", "-h", "-help", "--help":
		if len(args) == 1 {
			fmt.Fprint(stdout, usage())
			return 0
		}
		if cmd := lookup(args[1]); cmd != nil {
			flags, _ := cmd.setup()
			fmt.Fprint(stdout, flags.help())
			return 0
		}
		name = args[1]
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "kwire: unknown command %q\nRun 'kwire --help' for the commands.\n", name)
		return 2
	}
	flags, act := cmd.setup()
	pos, err := flags.parse(args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, flags.help())
		return 0
	}
	if err == nil {
		err = act(pos, streams{stdin, stdout, stderr})
	}
	var ue *usageError
	var interrupted *interruptedError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "kwire %s: %v\nRun 'kwire %s --help' for usage.\n", name, err, name)
		return 2
	case errors.As(err, &interrupted):
		fmt.Fprintf(stderr, "kwire %s: %v\n", name, err)
		return interrupted.ExitCode()
	default:
		fmt.Fprintf(stderr, "kwire %s: %v\n", name, err)
		return 1
	}
}

// lookup returns the command called name, or nil.
func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// usage is kwire's help: what it is and its commands.
func usage() string {
	var sb strings.Builder
	sb.WriteString(`kwire is a Kafka wire-protocol toolkit: it writes and reads the bytes Kafka clients and brokers exchange.

Usage:
  kwire COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(&sb, "  %-10s %s\n", c.name, c.summary)
	}
	sb.WriteString(`
Run 'kwire COMMAND --help' (or 'kwire help COMMAND') for a command's flags and examples, and
'kwire --version' (or -V, as kcat) for the version and commit kwire was built from. One-letter
flags take their value apart or attached, as kcat's: -K : or -K:, -p 0 or -p0.
Exit status: 0 on success, 1 when a command fails, 2 for a bad command line; kwire produce
stopped by SIGINT or SIGTERM exits with 130 or 143, as a shell shows a command the signal killed.
`)
	return sb.String()
}
