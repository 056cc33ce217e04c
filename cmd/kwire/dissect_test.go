package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/internal/hexbytes"
	"github.com/kwire-dev/kwire/wire"
)

// rawBatch builds a batch of the lines in stdin with kwire batch and extra flags.
func rawBatch(t *testing.T, stdin string, args ...string) []byte {
	t.Helper()
	return []byte(mustRun(t, stdin, append([]string{"batch", "--timestamp", "0", "-o", "raw"}, args...)...))
}

// resealed sets the batch's length to fit b and recomputes its CRC, so that a test's damage is
// found where it is rather than by the CRC.
func resealed(b []byte) []byte {
	b = append([]byte(nil), b...)
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
	binary.BigEndian.PutUint32(b[17:], crc32.Checksum(b[21:], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

// rowPattern is one line of the text tree: indented name, offset, +length, optional value.
var rowPattern = regexp.MustCompile(`^( *)(\S.*?) +((?:d:)?\d+) +\+(\d+)(?:  (.*))?$`)

// TestDissectInputs dissects the same batch from stdin and files, raw and as hex, detected or forced.
func TestDissectInputs(t *testing.T) {
	raw := rawBatch(t, "a\nb\nc\n")
	want := mustRun(t, string(raw), "dissect", "-i", "raw")
	hexText := hexbytes.Format(raw, 32)
	dir := t.TempDir()
	rawFile, hexFile := filepath.Join(dir, "batch.bin"), filepath.Join(dir, "batch.hex")
	if err := os.WriteFile(rawFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hexFile, []byte(hexText), 0o600); err != nil {
		t.Fatal(err)
	}
	pairs := make([]string, len(raw))
	for i, b := range raw {
		pairs[i] = fmt.Sprintf("%02X", b)
	}
	colons := "0x" + strings.Join(pairs, ":") // as a capture tool pastes it
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{string(raw), nil},
		{hexText, nil},
		{hexText, []string{"-i", "hex"}},
		{colons, []string{"--input=hex"}},
		{colons, nil},
		{"", []string{rawFile}},
		{"", []string{hexFile}},
		{"", []string{rawFile, "-i", "raw"}},
		{hexText, []string{"-"}},
	} {
		if got := mustRun(t, c.stdin, append([]string{"dissect"}, c.args...)...); got != want {
			t.Errorf("kwire dissect %s differs from the raw bytes' dissection:\n%s", strings.Join(c.args, " "), got)
		}
	}
}

// TestDissectText checks the text tree's columns, indentation and "d:" offsets.
func TestDissectText(t *testing.T) {
	raw := rawBatch(t, "k1=hello\nk2=kafka\n", "-K", "=", "-z", "lz4")
	out := mustRun(t, string(raw), "dissect")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	offsetEnd, depth, inBuffer := -1, 0, false
	for i, line := range lines {
		m := rowPattern.FindStringSubmatchIndex(line)
		if m == nil {
			t.Fatalf("line %d is not name, offset, +length, value: %q", i+1, line)
		}
		indent, name, offset := line[m[2]:m[3]], line[m[4]:m[5]], line[m[6]:m[7]]
		if offsetEnd >= 0 && m[7] != offsetEnd {
			t.Errorf("line %d: offset column ends at %d, not %d: %q", i+1, m[7], offsetEnd, line)
		}
		offsetEnd = m[7]
		if d := len(indent) / 2; len(indent)%2 != 0 || d > depth+1 {
			t.Errorf("line %d: indent of %d spaces after depth %d", i+1, len(indent), depth)
		} else {
			depth = d
		}
		if name == "records (decompressed)" {
			inBuffer = true
		}
		if strings.HasPrefix(offset, "d:") != inBuffer {
			t.Errorf("line %d: offset %s, inside the decompressed records: %v", i+1, offset, inBuffer)
		}
	}
	for _, want := range []string{"batch[0]", "crc", "(valid)", "3 (lz4)", `"hello"`, `"k2"`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

// TestDissectSeveralBatches dissects two concatenated batches.
func TestDissectSeveralBatches(t *testing.T) {
	first, second := rawBatch(t, "a\n"), rawBatch(t, "b\nc\n", "-z", "gzip")
	out := mustRun(t, string(append(first, second...)), "dissect")
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^  batch\[1\] +%d +\+%d `, len(first), len(second))).MatchString(out) {
		t.Errorf("no batch[1] at offset %d of %d bytes in\n%s", len(first), len(second), out)
	}
}

// TestDissectJSON checks that -o json is the wire package's field tree.
func TestDissectJSON(t *testing.T) {
	raw := rawBatch(t, "x\ny\n", "-z", "zstd")
	var got wire.Field
	if err := json.Unmarshal([]byte(mustRun(t, string(raw), "dissect", "-o", "json")), &got); err != nil {
		t.Fatal(err)
	}
	if want := wire.DissectRecordBatches(raw); !reflect.DeepEqual(got, want) {
		t.Errorf("-o json is not the dissection:\n got %+v\nwant %+v", got, want)
	}
}

// TestDissectErrors checks that damaged input prints the tree, names the failing field and its
// offset on stderr, and exits 1; and that unreadable input fails clearly.
func TestDissectErrors(t *testing.T) {
	good := rawBatch(t, "hello\nkafka\n")
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)-3] ^= 0x20 // in the last value
	twoRecordsClaimThree := append([]byte(nil), good...)
	binary.BigEndian.PutUint32(twoRecordsClaimThree[57:], 3)
	gz := rawBatch(t, "hello\nkafka\n", "-z", "gzip")
	gzBadData := append([]byte(nil), gz...)
	gzBadData[len(gzBadData)-6] ^= 0xff // in gzip's CRC-32 of the records
	gzClaimThree := append([]byte(nil), gz...)
	binary.BigEndian.PutUint32(gzClaimThree[57:], 3)

	for _, c := range []struct {
		name  string
		input []byte
		args  []string
		want  []string
	}{
		{"garbage", []byte("this is not a record batch at all"), []string{"-i", "raw"}, []string{"batch[0].baseTimestamp at offset 27", "8 bytes"}},
		{"truncated batch", good[:len(good)-5], nil, []string{"batch[0] at offset 0", "batchLength", fmt.Sprint(len(good) - 12)}},
		{"truncated second batch", append(append([]byte(nil), good...), good[:30]...), nil, []string{fmt.Sprintf("batch[1].baseTimestamp at offset %d", len(good)+27)}},
		{"truncated record", resealed(good[:len(good)-4]), nil, []string{"batch[0].records.record[1].", "at offset"}},
		{"missing record", resealed(twoRecordsClaimThree), nil, []string{"batch[0].records.record[2].length", fmt.Sprintf("at offset %d", len(good))}},
		{"corrupt crc", corrupt, nil, []string{"batch[0].crc at offset 17", "corrupt", "computed"}},
		{"corrupt compressed data", resealed(gzBadData), nil, []string{"batch[0].records at offset 61", "gzip"}},
		{"missing compressed record", resealed(gzClaimThree), nil, []string{"batch[0].records.records (decompressed).record[2].length", "at offset d:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := wantFailure(t, 1, string(c.input), append([]string{"dissect"}, c.args...), c.want...)
			if !strings.HasPrefix(r.stderr, "kwire dissect: ") {
				t.Errorf("stderr does not start with \"kwire dissect: \": %q", r.stderr)
			}
			if !strings.Contains(r.stdout, "batch[0]") || !strings.Contains(r.stdout, "ERROR: ") {
				t.Errorf("the tree is not printed up to the error:\n%s", r.stdout)
			}
		})
	}
	t.Run("input", func(t *testing.T) {
		wantFailure(t, 1, "", []string{"dissect"}, "stdin", "no bytes")
		wantFailure(t, 1, " \n\n", []string{"dissect"}, "stdin", "no bytes")
		wantFailure(t, 1, "00 zz", []string{"dissect", "-i", "hex"}, "'z'", "offset 3")
		wantFailure(t, 1, "", []string{"dissect", "no/such/file.bin"}, "no/such/file.bin")
		wantFailure(t, 2, "", []string{"dissect", "-i", "base64"}, `"base64"`)
		wantFailure(t, 2, "", []string{"dissect", "--output=yaml"}, `"yaml"`)
	})
}

// TestDissectBomb: the 835-byte batch of a million empty records prints ten thousand of
// them and a line saying it truncated the rest, in a few megabytes, rather than 600 MB of text
// from 4 GB of memory; --max-records changes how many.
func TestDissectBomb(t *testing.T) {
	batch, err := bomb.Batch(bomb.Spec{Records: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "truncated after 10000 records: 1038576 more"},
		{[]string{"--max-records", "100"}, "truncated after 100 records: 1048476 more"},
	} {
		args := append([]string{"dissect", "-i", "raw"}, tt.args...)
		var r result
		n := bomb.Allocated(func() { r = kwire(t, string(batch), args...) })
		if r.code != 0 || !strings.Contains(r.stdout, tt.want) || len(r.stdout) > 8<<20 || n > 160<<20 {
			t.Errorf("kwire %s: exit %d, %d bytes of output (%q?), %d bytes allocated; stderr %s",
				strings.Join(args, " "), r.code, len(r.stdout), tt.want, n, r.stderr)
		}
	}
}
