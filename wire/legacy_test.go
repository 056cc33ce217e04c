package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
)

// TestLegacyMessageLayout checks a magic-1 message against bytes written out by hand from Kafka's
// message format documentation.
func TestLegacyMessageLayout(t *testing.T) {
	got, err := AppendMessageSet(nil, []LegacyMessage{{Offset: 5, Timestamp: 0x0102, Key: nil, Value: []byte("v")}}, 1, CodecNone)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte{1, 0} // magic 1, attributes
	body = AppendInt64(body, 0x0102)
	body = AppendInt32(body, -1) // null key
	body = append(AppendInt32(body, 1), 'v')
	want := AppendInt64(nil, 5)
	want = AppendInt32(want, int32(4+len(body)))
	want = binary.BigEndian.AppendUint32(want, crc32.ChecksumIEEE(body))
	want = append(want, body...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
}

func TestLegacyRoundTripAndUpconvert(t *testing.T) {
	msgs := []LegacyMessage{
		{Offset: 0, Timestamp: 100, Key: []byte("k"), Value: []byte("one")},
		{Offset: 1, Timestamp: 90, Key: nil, Value: []byte{}},
		{Offset: 2, Timestamp: 120, Key: []byte{}, Value: nil},
	}
	for _, tc := range []struct {
		magic int8
		codec Codec
	}{{0, CodecNone}, {0, CodecGzip}, {0, CodecSnappy}, {1, CodecNone}, {1, CodecGzip}, {1, CodecSnappy}, {1, CodecLZ4}} {
		set, err := AppendMessageSet(nil, msgs, tc.magic, tc.codec)
		if err != nil {
			t.Fatal(err)
		}
		if m, _ := Magic(set); m != tc.magic {
			t.Fatalf("Magic = %d, want %d", m, tc.magic)
		}
		got, err := ReadMessageSet(set)
		if err != nil {
			t.Fatalf("magic %d %s: %v", tc.magic, tc.codec, err)
		}
		if len(got) != len(msgs) {
			t.Fatalf("magic %d %s: %d messages", tc.magic, tc.codec, len(got))
		}
		for i, m := range got {
			wantTS := msgs[i].Timestamp
			if tc.magic == 0 {
				wantTS = NoTimestamp
			}
			if m.Offset != msgs[i].Offset || m.Timestamp != wantTS || Codec(m.Attributes&7) != tc.codec ||
				!sameBytes(m.Key, msgs[i].Key) || !sameBytes(m.Value, msgs[i].Value) {
				t.Fatalf("magic %d %s: message %d = %+v", tc.magic, tc.codec, i, m)
			}
		}
		batch, _, err := UpconvertMessageSet(nil, set, MaxRecordsSize)
		if err != nil {
			t.Fatal(err)
		}
		var b RecordBatch
		if _, err := b.Decode(batch); err != nil {
			t.Fatal(err)
		}
		if b.Attributes.Codec() != tc.codec || len(b.Records) != 3 || string(b.Records[0].Value) != "one" || b.Records[2].Value != nil {
			t.Fatalf("upconverted %+v", b)
		}
	}
}

func TestLegacyErrors(t *testing.T) {
	good, _ := AppendMessageSet(nil, []LegacyMessage{{Value: []byte("v")}}, 1, CodecNone)
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-1] ^= 1
	badMagic := bytes.Clone(good)
	badMagic[offAnyMagic] = 7
	for name, tc := range map[string]struct {
		src   []byte
		field string
		want  error
	}{
		"crc":       {badCRC, "messages[0].crc", ErrCorrupt},
		"magic":     {badMagic, "messages[0].magic", ErrCorrupt},
		"truncated": {good[:len(good)-1], "messages[0].messageSize", ErrInvalidLength},
	} {
		_, err := ReadMessageSet(tc.src)
		var de *DecodeError
		if !errors.Is(err, tc.want) || !errors.As(err, &de) || de.Field != tc.field {
			t.Errorf("%s: %v, want %v at %s", name, err, tc.want, tc.field)
		}
	}
}

func FuzzReadMessageSet(f *testing.F) {
	for _, c := range []Codec{CodecNone, CodecGzip, CodecSnappy} {
		set, _ := AppendMessageSet(nil, []LegacyMessage{{Value: []byte("a")}, {Key: []byte("k")}}, 1, c)
		f.Add(set)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ReadMessageSet(data)
		DissectRecordBatches(data)
	})
}

func TestDissectLegacy(t *testing.T) {
	set, _ := AppendMessageSet(nil, []LegacyMessage{{Value: []byte("a")}, {Key: []byte("k"), Value: []byte("b")}}, 1, CodecGzip)
	plain, _ := AppendMessageSet(nil, []LegacyMessage{{Offset: 2, Value: []byte("c")}}, 0, CodecNone)
	root := DissectRecordBatches(append(set, plain...))
	if root.Failed() || len(root.Children) != 2 {
		t.Fatalf("dissection: %+v", root)
	}
	value := root.Children[0].Children[len(root.Children[0].Children)-1]
	if value.Name != "value" || len(value.Children) != 3 || value.Children[2].Buffer == nil || len(value.Children[2].Children) != 2 {
		t.Fatalf("compressed wrapper not shown decompressed: %+v", value)
	}
	bad := bytes.Clone(plain)
	bad[len(bad)-1] ^= 1
	if f := DissectRecordBatches(bad); !f.Failed() {
		t.Fatal("a bad legacy CRC went unmarked")
	}
}

// The compressed wrappers of a message set share one bound on what they decompress into, rather
// than having one each: a set of many small wrappers cannot decompress into many times the bound.
func TestReadMessageSetSharesBound(t *testing.T) {
	one, _ := AppendMessageSet(nil, []LegacyMessage{{Value: bytes.Repeat([]byte("v"), 100)}}, 1, CodecGzip)
	two := append(bytes.Clone(one), one...) // each decompresses into one 134-byte message
	for left, want := range map[int]error{300: nil, 200: ErrDecompressLimit} {
		b := setBudget{left: left}
		if _, err := b.read(nil, two, 0, false); !errors.Is(err, want) {
			t.Errorf("within %d bytes: %v, want %v", left, err, want)
		}
	}
}

// Converting a set holds what its wrappers decompress into and a LegacyMessage and a Record for
// each message, within the limit given: a wrapper of 10,000 empty messages, 260 KB decompressed,
// holds 1.9 MB converted, and under a limit of 1 MiB is refused before its messages are decoded.
func TestUpconvertMessageSetWithinLimit(t *testing.T) {
	const n = 10_000
	set, err := AppendMessageSet(nil, make([]LegacyMessage, n), 0, CodecGzip)
	if err != nil {
		t.Fatal(err)
	}
	want := n*26 + n*(legacyMessageMemSize+recordMemSize)
	batch, held, err := UpconvertMessageSet(nil, set, 4<<20)
	var b RecordBatch
	if err != nil || held != want {
		t.Fatalf("within 4 MiB: held %d, %v; want %d", held, err, want)
	}
	if _, err := b.Decode(batch); err != nil || len(b.Records) != n {
		t.Fatalf("converted into %d records, %v", len(b.Records), err)
	}
	if _, held, err := UpconvertMessageSet(nil, set, 1<<20); !errors.Is(err, ErrDecodeLimit) || held > n*26 {
		t.Fatalf("within 1 MiB: held %d, %v; want %v having held the decompressed %d", held, err, ErrDecodeLimit, n*26)
	}
}
