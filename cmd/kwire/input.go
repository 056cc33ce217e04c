package main

import (
	"bytes"
	"fmt"

	"github.com/kwire-dev/kwire/wire"
)

// maxQuoted bounds how much of a bad line an error message quotes.
const maxQuoted = 60

// lineRecords makes one record of each line of data, all with timestamp ts. With an empty keySep
// the line is the value and the key is null; otherwise the line is split at the first keySep into
// key and value, and a line without it is an error naming the line. Empty keys and values are
// empty, not null.
func lineRecords(data []byte, keySep string, ts int64) ([]wire.Record, error) {
	lines := splitLines(data)
	records := make([]wire.Record, len(lines))
	for i, line := range lines {
		records[i] = wire.Record{Timestamp: ts, Value: line}
		if keySep == "" {
			continue
		}
		key, value, ok := bytes.Cut(line, []byte(keySep))
		if !ok {
			return nil, fmt.Errorf("stdin: line %d: no key separator %q in %s", i+1, keySep, quoteLine(line))
		}
		records[i].Key, records[i].Value = key, value
	}
	return records, nil
}

// splitLines splits data into lines without their "\n" or "\r\n". A final newline ends the last line
// rather than starting another; every other line counts, empty or not. The lines alias data and are
// never nil.
func splitLines(data []byte) [][]byte {
	if len(data) == 0 {
		return nil
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	for i, line := range lines {
		lines[i] = bytes.TrimSuffix(line, []byte("\r"))
	}
	return lines
}

// quoteLine quotes line for an error message, shortened past maxQuoted bytes.
func quoteLine(line []byte) string {
	if len(line) <= maxQuoted {
		return fmt.Sprintf("%q", line)
	}
	return fmt.Sprintf("%q… (%d bytes)", line[:maxQuoted], len(line))
}
