package explorer

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/kwire-dev/kwire/wire"
)

// SizeRow is the batch encoded with one codec: its size, how long the encoding took, and the
// bytes.
type SizeRow struct {
	Codec   wire.Codec
	Level   int
	Bytes   []byte
	Elapsed time.Duration
	Err     error
}

// minTiming is how long an encoding is repeated, at most [maxRepeats] times, when one is too quick
// for the browser's clock, which may tick only every 100µs.
const (
	minTiming  = 400 * time.Microsecond
	maxRepeats = 200
)

// MeasureSizes encodes the batch under every codec, the chosen one at the chosen level and the
// others at their default, and times each.
func MeasureSizes(in *BatchInput) []SizeRow {
	chosen, _ := wire.ParseCodec(in.Settings.Compression) // valid: ReadBatchInput checked it
	rows := make([]SizeRow, len(wire.Codecs))
	for i, c := range wire.Codecs {
		level := 0
		if c == chosen {
			level = in.Settings.Level
		}
		rows[i] = measure(in, c, level)
	}
	return rows
}

// measure encodes the batch with codec at level and times it, repeating a quick encoding to
// time it more precisely than the clock ticks.
func measure(in *BatchInput, codec wire.Codec, level int) SizeRow {
	start := time.Now()
	b, err := in.EncodeWith(codec, level)
	elapsed, n := time.Since(start), 1
	for ; err == nil && elapsed < minTiming && n < maxRepeats; n++ {
		in.EncodeWith(codec, level)
		elapsed = time.Since(start)
	}
	return SizeRow{Codec: codec, Level: level, Bytes: b, Elapsed: elapsed / time.Duration(n), Err: err}
}

// TotalElapsed is the time all the encodings took.
func TotalElapsed(rows []SizeRow) time.Duration {
	var t time.Duration
	for _, r := range rows {
		t += r.Elapsed
	}
	return t
}

// SizesHTML renders the rows as a table: codec, batch size, ratio to the uncompressed batch and
// encoding time, the chosen codec's row marked.
func SizesHTML(rows []SizeRow, chosen wire.Codec) string {
	var sb strings.Builder
	sb.WriteString(`<table class="sizes"><caption>The batch under every codec (others at their default level)</caption>`)
	sb.WriteString(`<thead><tr><th scope="col">codec</th><th scope="col">bytes</th><th scope="col">ratio</th><th scope="col">encode</th></tr></thead><tbody>`)
	plain := len(rows[0].Bytes)
	for _, r := range rows {
		attrs := fmt.Sprintf(` data-codec="%s"`, r.Codec)
		if r.Codec == chosen {
			attrs += ` class="chosen" aria-current="true"`
		}
		if r.Err != nil {
			fmt.Fprintf(&sb, `<tr%s><th scope="row">%s</th><td colspan="3" class="er">%s</td></tr>`, attrs, r.Codec, html.EscapeString(r.Err.Error()))
			continue
		}
		fmt.Fprintf(&sb, `<tr%s><th scope="row">%s</th><td>%d</td><td>%s</td><td>%s</td></tr>`,
			attrs, r.Codec, len(r.Bytes), ratioText(plain, len(r.Bytes)), durationText(r.Elapsed))
	}
	fmt.Fprintf(&sb, `</tbody><tfoot><tr><th scope="row">all five</th><td colspan="2"></td><td data-total-ms="%.3f">%s</td></tr></tfoot></table>`,
		float64(TotalElapsed(rows))/float64(time.Millisecond), durationText(TotalElapsed(rows)))
	return sb.String()
}

// ratioText is how many times smaller size is than plain, e.g. "2.41×".
func ratioText(plain, size int) string {
	if size == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", float64(plain)/float64(size))
}

// durationText shows d in milliseconds, e.g. "0.42 ms".
func durationText(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
