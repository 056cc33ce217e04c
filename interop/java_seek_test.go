package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// javaOffsets is what the Java KafkaConsumer says of one partition (Seek.java): its beginning
// and end offsets, offsetsForTimes' answers and its position after a seek.
type javaOffsets struct {
	Partition int32  `json:"p"`
	Begin     int64  `json:"begin"`
	End       int64  `json:"end"`
	Position  *int64 `json:"position"` // nil: not seeked
	// Times are [time, offset, timestamp] for each time asked, offset and timestamp nil when no
	// record is that late.
	Times [][3]*int64 `json:"times"`
}

// javaSeek asks the Java KafkaConsumer for topic's offsets and offsetsForTimes of times, then
// reads the partitions named in from (PARTITION:WHERE, see Seek.java) from where it seeks them to
// their end. It returns the offsets by partition and the records read, in the order polled.
func javaSeek(ctx context.Context, t testing.TB, bootstrap, topic string, times []int64, from []string, props ...string) ([]javaOffsets, []javaRecord, error) {
	t.Helper()
	args := []string{"--bootstrap", bootstrap, "--topic", topic}
	for _, ms := range times {
		args = append(args, "--time", fmt.Sprint(ms))
	}
	for _, f := range from {
		args = append(args, "--from", f)
	}
	for _, p := range props {
		args = append(args, "--property", p)
	}
	out, err := kafkaJava(ctx, t, "dev.kwire.interop.Seek", args...)
	if err != nil {
		return nil, nil, err
	}
	var offsets []javaOffsets
	var records []javaRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var line struct {
			Offsets *javaOffsets `json:"offsets"`
			javaRecord
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, nil, fmt.Errorf("Seek printed %q: %w", sc.Text(), err)
		}
		if line.Offsets != nil {
			offsets = append(offsets, *line.Offsets)
		} else {
			records = append(records, line.javaRecord)
		}
	}
	return offsets, records, sc.Err()
}
