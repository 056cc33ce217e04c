package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/internal/race"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// soak is how long TestBrokerSoak feeds the broker, how fast, and the broker's --max-log-bytes.
type soak struct {
	duration time.Duration
	rate     int // records a second, of soakRecordSize bytes
	maxLog   int64
}

const soakRecordSize = 1024

// soakSettings are TestBrokerSoak's: by default a brief run, 10 s at 25,000 records a second into
// 8 MiB, which puts through more than twice what the broker may hold; with KWIRE_SOAK set to a duration
// (CI runs 10m, beside the other tests), 8,000 records a second, 7.8 MiB/s, into 64 MiB, a fifth
// of a core for kwire perf and a tenth for the broker.
func soakSettings(t *testing.T) soak {
	env := os.Getenv("KWIRE_SOAK")
	if env == "" {
		return soak{duration: 10 * time.Second, rate: 25000, maxLog: 8 << 20}
	}
	d, err := time.ParseDuration(env)
	if err != nil || d <= 0 {
		t.Fatalf("KWIRE_SOAK=%q: want a duration such as 10m", env)
	}
	return soak{duration: d, rate: 8000, maxLog: 64 << 20}
}

// soakBound is the most the broker may hold in memory: the Go runtime's soft memory limit kwire
// broker sets (its logs, an eighth more for deleted batches not yet let go of and the collector's
// slack, and 64 MiB for the runtime, connections and requests in flight), and 32 MiB for what
// that limit does not count: the executable's code and data mapped in memory, and what the
// runtime has freed but not yet returned to the system (the 10-minute soak peaked 8 MiB past
// the soft limit on a loaded machine: the rest is margin, as a broker keeping everything would
// pass the bound within seconds).
func soakBound(maxLog int64) int64 { return softMemoryLimit(maxLog) + 32<<20 }

// TestBrokerSoak feeds `kwire broker --max-log-bytes` with `kwire perf`, two processes, and samples
// the broker's resident memory every second: it must stay under the broker's limit and the
// runtime's headroom (soakBound) while many times that passes through, perf must deliver every
// record once, and the records the broker keeps, the latest, must be readable from its log start.
// KWIRE_SOAK=10m runs it for ten minutes; -short skips it, -race leaves its memory unchecked.
func TestBrokerSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("a soak of several seconds; -short skips it")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skipf("no /proc to read a process's resident memory from: %v", err)
	}
	s := soakSettings(t)
	records := int64(s.rate) * int64(s.duration/time.Second)
	bound := soakBound(s.maxLog)
	if produced := records * soakRecordSize; produced < 2*bound {
		t.Fatalf("%v puts through %d bytes, too few to tell a broker that keeps everything from one within %d: KWIRE_SOAK wants a longer time", s.duration, produced, bound)
	}
	timeout := s.duration*3/2 + time.Minute // perf falls behind the rate on a busy machine
	broker, stdout, stderr := startKwireFor(t, timeout, "broker", "--listen", "127.0.0.1:0", "--topic", "soak:1",
		"--max-log-bytes", strconv.FormatInt(s.maxLog, 10))
	if !stdout.Scan() {
		broker.Wait()
		t.Fatalf("no ready line; stderr:\n%s", stderr)
	}
	defer broker.Process.Kill()
	addr := strings.TrimPrefix(stdout.Text(), "ready ")
	rss := sampleRSS(broker.Process.Pid)

	perf, perfErr := kwireCommand(t, timeout, "perf", "-b", addr, "--topic", "soak", "--num-records", strconv.FormatInt(records, 10),
		"--record-size", strconv.Itoa(soakRecordSize), "--throughput", strconv.Itoa(s.rate), "--reporting-interval", "60000")
	perf.Stderr = perfErr
	out, err := perf.Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	summary := perfTotalLine.FindStringSubmatch(lines[len(lines)-1])
	if err != nil || summary == nil || summary[1] != strconv.FormatInt(records, 10) {
		t.Fatalf("kwire perf: %v, want %d records sent; stdout:\n%s\nstderr:\n%s", err, records, out, perfErr)
	}
	start, stored := readRetained(t, addr, records, s.maxLog)

	hwm, err := procStatusKB(broker.Process.Pid, "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	if err := broker.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := broker.Wait(); err != nil {
		t.Fatalf("kwire broker after SIGTERM: %v; stderr:\n%s", err, stderr)
	}
	peak, samples := rss.stop()
	t.Logf("%d records of %d bytes, %.1f MiB, through a --max-log-bytes of %d MiB: %s", records, soakRecordSize,
		float64(records*soakRecordSize)/(1<<20), s.maxLog>>20, summary[0])
	t.Logf("kwire broker: resident memory at most %.1f MiB in %d samples a second apart, VmHWM %.1f MiB, bound %.1f MiB; CPU %v (kwire perf: %v)",
		float64(peak)/1024, samples, float64(hwm)/1024, float64(bound)/(1<<20), cpuTime(broker.ProcessState), cpuTime(perf.ProcessState))
	t.Logf("the log keeps offsets %d to %d: %d records, %.1f MiB of batches", start, records-1, records-start, float64(stored)/(1<<20))
	if race.Enabled {
		t.Log("not checked against the bound: the race detector's shadow memory is several times the heap")
	} else if max(peak, hwm)*1024 > bound {
		t.Errorf("kwire broker's resident memory reached %d kB (VmHWM %d kB), more than %d bytes", peak, hwm, bound)
	}
	if n := strings.Count(stderr.String(), "more than MaxLogBytes"); n != 1 {
		t.Errorf("the broker said %d times that its logs reached --max-log-bytes, want once; stderr:\n%s", n, stderr)
	}
}

// readRetained reads, as a consumer would, what the broker at addr keeps of soak/0, which records
// were produced to, and returns its log start and the bytes of its batches. The log must start
// after 0, end at records, keep at most maxLog bytes, and hold every record from its start on,
// each soakRecordSize bytes.
func readRetained(t *testing.T, addr string, records, maxLog int64) (start, stored int64) {
	t.Helper()
	conn := dialBroker(t, addr)
	offsets := func(ts int64) int64 {
		var resp protocol.ListOffsetsResponse
		roundTrip(t, conn, 7, &protocol.ListOffsetsRequest{ReplicaID: -1, Topics: []protocol.ListOffsetsTopic{{Name: "soak",
			Partitions: []protocol.ListOffsetsPartition{{CurrentLeaderEpoch: -1, Timestamp: ts}}}}}, &resp)
		p := resp.Topics[0].Partitions[0]
		if p.ErrorCode != 0 {
			t.Fatalf("ListOffsets %d: %v", ts, kerr.ForCode(p.ErrorCode))
		}
		return p.Offset
	}
	start, end := offsets(-2), offsets(-1)
	if start <= 0 || end != records {
		t.Fatalf("the log runs from %d to %d, want it to start after 0 and end at %d", start, end, records)
	}
	for next := start; next < end; {
		var resp protocol.FetchResponse
		roundTrip(t, conn, 12, &protocol.FetchRequest{ReplicaID: -1, MaxBytes: 8 << 20, Topics: []protocol.FetchTopic{{Topic: "soak",
			Partitions: []protocol.FetchPartition{{FetchOffset: next, CurrentLeaderEpoch: -1, LastFetchedEpoch: -1, LogStartOffset: -1,
				PartitionMaxBytes: 8 << 20}}}}}, &resp)
		p := resp.Responses[0].Partitions[0]
		if p.ErrorCode != 0 || len(p.Records) == 0 {
			t.Fatalf("fetch at %d, in the log's %d to %d: %v, %d bytes", next, start, end, kerr.ForCode(p.ErrorCode), len(p.Records))
		}
		stored += int64(len(p.Records))
		for rest := p.Records; len(rest) > 0; {
			var b wire.RecordBatch
			var err error
			if rest, err = b.Decode(rest); err != nil {
				t.Fatalf("a batch fetched at %d: %v", next, err)
			}
			for _, r := range b.Records {
				if r.Offset != next || len(r.Value) != soakRecordSize {
					t.Fatalf("record at %d of %d bytes, want %d of %d", r.Offset, len(r.Value), next, soakRecordSize)
				}
				next++
			}
		}
	}
	if stored > maxLog {
		t.Fatalf("the log keeps %d bytes of batches, more than --max-log-bytes %d", stored, maxLog)
	}
	return start, stored
}

// rssSampler reads a process's resident memory every second until stopped or the process ends.
type rssSampler struct {
	quit chan struct{}
	done chan struct{}
	peak int64 // kB
	n    int
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			kb, err := procStatusKB(pid, "VmRSS")
			if err != nil {
				return
			}
			s.peak, s.n = max(s.peak, kb), s.n+1
			select {
			case <-tick.C:
			case <-s.quit:
				return
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the largest sample, in kB, and how many were taken.
func (s *rssSampler) stop() (peak int64, samples int) {
	close(s.quit)
	<-s.done
	return s.peak, s.n
}

// cpuTime is the user and system CPU time a finished process used.
func cpuTime(ps *os.ProcessState) time.Duration {
	return (ps.UserTime() + ps.SystemTime()).Round(time.Millisecond)
}
