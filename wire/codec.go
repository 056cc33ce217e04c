package wire

import (
	"fmt"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Codec identifies a record batch compression codec; its value is the batch attributes' bits 0–2.
type Codec int8

// The codecs Kafka defines. Values 5 to 7 of the attribute bits are unassigned.
const (
	CodecNone   Codec = 0
	CodecGzip   Codec = 1
	CodecSnappy Codec = 2
	CodecLZ4    Codec = 3
	CodecZstd   Codec = 4
)

// Codecs lists every codec in value order, for tables and iteration.
var Codecs = [...]Codec{CodecNone, CodecGzip, CodecSnappy, CodecLZ4, CodecZstd}

// codecNames are the names Kafka's compression.type config uses, indexed by codec.
var codecNames = [...]string{"none", "gzip", "snappy", "lz4", "zstd"}

// String is the codec's name as Kafka's compression.type spells it ("none", "gzip", "snappy", "lz4",
// "zstd"), or "codec(N)" for a value Kafka does not define.
func (c Codec) String() string {
	if c.known() {
		return codecNames[c]
	}
	return fmt.Sprintf("codec(%d)", int8(c))
}

// known reports whether c is one of [Codecs].
func (c Codec) known() bool { return c >= 0 && int(c) < len(codecNames) }

// ParseCodec returns the codec with the given name, compared case-insensitively, so a
// compression.type value from a config file can be used directly.
func ParseCodec(name string) (Codec, error) {
	for _, c := range Codecs {
		if strings.EqualFold(name, c.String()) {
			return c, nil
		}
	}
	return 0, fmt.Errorf("wire: unknown compression codec %q (valid: %s)", name, strings.Join(codecNames[:], ", "))
}

// errUnknownCodec is the error for a codec value outside [Codecs].
func errUnknownCodec(c Codec) error {
	return fmt.Errorf("wire: unknown compression codec %d (valid: 0 to %d)", int8(c), len(codecNames)-1)
}

// levelRange is the range of levels Kafka's producer accepts for a codec (KIP-390). The zero value
// means the codec has no levels.
type levelRange struct{ min, max int }

// levelRanges holds each codec's [levelRange]: compression.gzip.level, compression.lz4.level and
// compression.zstd.level.
var levelRanges = [...]levelRange{
	CodecGzip: {1, 9},
	CodecLZ4:  {1, 17},
	CodecZstd: {-131072, 22},
}

// CheckLevel reports whether level is a valid compression level for c, so a producer config can be
// rejected when it is read rather than on the first batch.
//
// Levels are Kafka's (KIP-390), and 0 means the codec's default for every codec:
//   - none, snappy: no levels; only 0.
//   - gzip: 1 to 9; 0 or -1 is the default, zlib's 6 as in Kafka.
//   - lz4: 1 to 17; the default is Kafka's 9. Kafka's Java client compresses with lz4's fast
//     compressor at its default 9 and with lz4 HC at every other level. pierrec/lz4 has a fast
//     compressor and nine HC levels whose search depth doubles from 512, so kwire does the same
//     with them: 0 and 9 use Fast; 1 to 8 and 10 (lz4 HC's 512 searches) use Level1, the shallowest
//     pierrec/lz4 has; 11 to 17 use Level2 to Level8. Level9, a depth of 131072, cannot beat Level8
//     within a 64 KiB block and is not used.
//   - zstd: -131072 to 22; the default is 3. Levels map onto klauspost/compress's four encoders
//     with [zstd.EncoderLevelFromZstd]: below 3 fastest, 3 to 5 default, 6 to 9 better, 10 and up best.
func (c Codec) CheckLevel(level int) error {
	if !c.known() {
		return errUnknownCodec(c)
	}
	r := levelRanges[c]
	switch {
	case level == 0, c == CodecGzip && level == -1:
		return nil
	case r == levelRange{}:
		return fmt.Errorf("wire: %s: compression level %d not supported: %s has no levels (use 0)", c, level, c)
	case level < r.min || level > r.max:
		return fmt.Errorf("wire: %s: compression level %d out of range %d to %d (0 for the default)", c, level, r.min, r.max)
	}
	return nil
}

// gzipDefaultLevel is Kafka's gzip default: -1, which zlib takes as 6.
const gzipDefaultLevel = 6

// gzipLevel maps a valid kwire gzip level to a klauspost/compress gzip level.
func gzipLevel(level int) int {
	if level <= 0 {
		return gzipDefaultLevel
	}
	return level
}

// lz4Levels are the pierrec/lz4 levels kwire compresses with; see [Codec.CheckLevel].
var lz4Levels = [...]lz4.CompressionLevel{
	lz4.Fast, lz4.Level1, lz4.Level2, lz4.Level3, lz4.Level4, lz4.Level5, lz4.Level6, lz4.Level7, lz4.Level8,
}

// lz4DefaultLevel is Kafka's lz4 default, the one level its Java client uses the fast compressor at.
const lz4DefaultLevel = 9

// lz4LevelIndex maps a valid kwire lz4 level to its index in [lz4Levels]: 0 and 9 to Fast, 1 to 8
// and 10 to Level1, 11 to 17 to Level2 to Level8.
func lz4LevelIndex(level int) int {
	switch {
	case level == 0 || level == lz4DefaultLevel:
		return 0
	case level < lz4DefaultLevel:
		return 1
	}
	return level - lz4DefaultLevel
}

// zstdDefaultLevel is Kafka's (and zstd's) default level.
const zstdDefaultLevel = 3

// zstdLevel maps a valid kwire zstd level to a klauspost/compress encoder level.
func zstdLevel(level int) zstd.EncoderLevel {
	if level == 0 {
		level = zstdDefaultLevel
	}
	return zstd.EncoderLevelFromZstd(level)
}
