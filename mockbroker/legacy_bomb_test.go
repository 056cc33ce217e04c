package mockbroker

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/kwire-dev/kwire/internal/bomb"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
)

// legacyBomb is a legacy message set of one gzip wrapper (magic 0) holding n empty messages, each
// 26 bytes, all alike, so that they compress a thousandfold.
func legacyBomb(t testing.TB, n int) []byte {
	t.Helper()
	inner := bytes.Repeat(legacyMessage(0, nil), n)
	value, err := wire.AppendCompress(nil, inner, wire.CodecGzip, 0)
	if err != nil {
		t.Fatal(err)
	}
	return legacyMessage(int8(wire.CodecGzip), value)
}

// legacyMessage is a magic 0 message at offset 0 with a null key, attributes and value.
func legacyMessage(attributes int8, value []byte) []byte {
	b := make([]byte, 12, 26+len(value))
	b = append(b, 0, 0, 0, 0, 0, byte(attributes), 0xff, 0xff, 0xff, 0xff)
	if value == nil {
		b = binary.BigEndian.AppendUint32(b, 0xffffffff)
	} else {
		b = binary.BigEndian.AppendUint32(b, uint32(len(value)))
		b = append(b, value...)
	}
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
	binary.BigEndian.PutUint32(b[12:], crc32.ChecksumIEEE(b[16:]))
	return b
}

// A small legacy message set of a million messages (Produce v0–v2) is refused with INVALID_RECORD
// before they are decoded: converting one of 1,000,000 empty messages, 65 KB compressed, 26 MB
// decompressed, allocated 993 MB, now 50 MB, most of it decompressing.
func TestProduceRefusesLegacyBombs(t *testing.T) {
	const bound = 100 << 20
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	set := legacyBomb(t, 1_000_000)
	var code int16
	allocated := bomb.Allocated(func() { code = produce(tc, 2, 1, "t", 0, set).ErrorCode })
	if code != kerr.InvalidRecord.Code || allocated > bound {
		t.Errorf("a %d-byte set of 1,000,000 messages: %v, %d bytes allocated; want %v within %d", len(set), kerr.ForCode(code), allocated, kerr.InvalidRecord, bound)
	}
	if recs, _ := c.Records("t", 0); len(recs) != 0 {
		t.Errorf("%d records stored", len(recs))
	}
}
