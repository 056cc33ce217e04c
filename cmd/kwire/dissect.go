package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire"
)

// dissectAbout is what kwire dissect --help says the command does.
const dissectAbout = `Reads one record batch, or several one after another as a Fetch response carries them, from FILE
or stdin (FILE "-" or none), and prints every field: its name, indented by depth, its offset and
+length in bytes, and its value. The records of a compressed batch are shown decompressed, below
the compressed blob; their offsets are into the decompressed bytes and marked "d:".

The input is hex (as kwire batch writes it; white space, colons and 0x prefixes are ignored) or
raw bytes, told apart by whether it holds only hex digits and separators; -i forces either.

If the bytes stop making sense (truncated, a bad length, a CRC mismatch, corrupt compressed
data), the tree is printed as far as it goes, the failing field is marked ERROR, and stderr names
its path and offset; the exit status is then 1.

A batch shows at most --max-records records (and a record as many headers); a field named
"truncated" stands for the rest, "truncated after N records", which are checked all the same.
The whole tree shows about three such batches' worth of fields at most, so that a small input,
such as a compressed batch of millions of empty records, cannot print gigabytes.
`

// dissectExamples are the command lines kwire dissect --help shows.
const dissectExamples = `  printf 'a\nb\nc\n' | kwire batch --timestamp 0 | kwire dissect
  kwire dissect batch.bin
  kwire dissect -i raw -o json batch.bin
`

// dissectCommand defines kwire dissect's flags and returns its action.
func dissectCommand() (*cmdFlags, action) {
	input := newChoice("auto", "hex", "raw")
	output := newChoice("text", "json")
	c := newCmdFlags("dissect", "kwire dissect [flags] [FILE]", dissectAbout, dissectExamples)
	c.fs.Var(input, "input", `How to read the input: auto (hex if it looks like hex, else raw), hex or raw (default auto).`)
	c.doc("input", "i", "FORMAT", "-i raw")
	c.fs.Var(output, "output", `How to print the fields: text (an aligned tree) or json (the tree as JSON, with each
decompressed records section's bytes in base64 as "buffer") (default text).`)
	c.doc("output", "o", "FORMAT", "-o json")
	maxRecords := c.fs.Int("max-records", wire.DefaultDissectLimits.Records, `Show at most N records of each batch, and N headers of each record (default 10000;
0 shows them all).`)
	c.doc("max-records", "", "N", "--max-records 100")
	return c, func(args []string, s streams) error {
		if len(args) > 1 {
			return usageErrorf("unexpected argument %q: dissect reads one FILE", args[1])
		}
		name := "-"
		if len(args) == 1 {
			name = args[0]
		}
		data, err := readInput(name, s.stdin, input.value)
		if err != nil {
			return err
		}
		root := wire.NewDissectBudget(dissectLimits(*maxRecords)).DissectRecordBatches(data)
		return writeDissection(s.stdout, root, output.value)
	}
}

// dissectLimits are the limits of kwire dissect --max-records n: n records a batch, fields in all
// in the default limits' proportion to records, and neither limit for n <= 0.
func dissectLimits(n int) wire.DissectLimits {
	l := wire.DefaultDissectLimits
	l.Records, l.Fields = n, n*(l.Fields/l.Records)
	return l
}

// readInput reads the bytes to dissect from the file name, or stdin if name is "-", decoding hex if
// format is hex, or auto and the data looks like hex.
func readInput(name string, stdin io.Reader, format string) ([]byte, error) {
	var data []byte
	var err error
	source := name
	if name == "-" {
		source = "stdin"
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	if format == "hex" || format == "auto" && hexbytes.Looks(data) {
		if data, err = hexbytes.Parse(string(data)); err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: no bytes to dissect", source)
	}
	return data, nil
}

// writeDissection prints the dissection root, as far as it went, as text or json and then, if it
// failed, returns a *failure saying where and why.
func writeDissection(w io.Writer, root wire.Field, format string) error {
	var err error
	if format == "json" {
		var out []byte
		if out, err = json.MarshalIndent(root, "", "  "); err == nil {
			_, err = w.Write(append(out, '\n'))
		}
	} else {
		err = renderTree(w, &root)
	}
	if err != nil {
		return err
	}
	if failed := wire.FindFailure(&root); failed != nil {
		return failed
	}
	return nil
}
