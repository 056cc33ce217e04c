package simulator

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// logHandler turns the producer's log (its retries, failed records, metadata and connection
// trouble) into timeline entries: the producer's own account of what it does. Once the run is
// over it drops them: the producer closing makes errors of its own.
type logHandler struct{ rec *recorder }

// Enabled is true: the producer logs little, and all of it tells the story.
func (h logHandler) Enabled(context.Context, slog.Level) bool { return true }

// Handle adds the record as an entry.
func (h logHandler) Handle(_ context.Context, r slog.Record) error {
	if h.rec.isClosing() {
		return nil
	}
	attrs := map[string]string{}
	var rest []string
	r.Attrs(func(a slog.Attr) bool {
		v := strings.TrimPrefix(a.Value.String(), "producer: ")
		attrs[a.Key] = v
		rest = append(rest, a.Key+" "+v)
		return true
	})
	tone := ToneWarn
	if strings.Contains(r.Message, "failed") {
		tone = ToneBad
	}
	h.rec.note(KindProducer, -1, tone, "%s", logText(r.Message, attrs, rest))
	return nil
}

// logText words the producer's log messages the timeline tells of; others are shown as they are.
func logText(msg string, attrs map[string]string, rest []string) string {
	tp := attrs["topic"] + "/" + attrs["partition"]
	switch msg {
	case "retrying batch":
		return fmt.Sprintf("The producer will send the batch for %s again (retry %s) after a short backoff, because: %s.", tp, attrs["attempt"], attrs["err"])
	case "records failed":
		return fmt.Sprintf("The producer gives up on %s records for %s: %s.", attrs["records"], tp, attrs["err"])
	}
	return fmt.Sprintf("The producer logs: %s: %s.", msg, strings.Join(rest, ", "))
}

// WithAttrs is h: the producer adds no attributes to its logger.
func (h logHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup is h: the producer opens no groups.
func (h logHandler) WithGroup(string) slog.Handler { return h }
