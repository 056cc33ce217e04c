package interop

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// The fault tests run producers against a real Kafka cluster of their own while they break it:
// kill -9 and restart its one broker three times, or move partition leadership among three. Every
// run's topic is then read back with the Java consumer and counted (faultcount_test.go): kwire's
// producer must lose, duplicate and reorder nothing when idempotent and lose nothing with
// acks=all otherwise, and the Java producer runs beside it as the control. -v logs the table.

// faultRecords is how many records each producer of the fault tests sends; fewer make a quicker
// run by hand:
//
//	go test -race -run TestRealKafkaFaults -v . -fault-records 100000
var faultRecords = flag.Int("fault-records", 500000, "records each producer sends in TestRealKafkaFaults*")

const (
	faultKeys       = 100 // keys of the records, so that order is checked per key too
	faultRunTimeout = 10 * time.Minute
)

// TestRealKafkaFaultsBrokerKills kills the broker of a one-node cluster with SIGKILL three times
// while five producers send to it, and restarts it each time on the same log directory and
// ports: kwire's producer idempotent and not (acks=all), `kwire produce`, and the Java producer
// idempotent and not. Producers are paced (the CLI by a broker quota on its client id) so that
// the kills fall mid-run, and hold their last tenth until the last restart, so that a slow
// machine does not see them end before it.
func TestRealKafkaFaultsBrokerKills(t *testing.T) {
	began := time.Now()
	bin := buildKwire(t)
	k := startKafka(t, 1)
	t.Logf("kwire built and the broker started in %v", time.Since(began).Round(100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), faultRunTimeout)
	defer cancel()
	kc := kafkaAdmin(t, k)
	const (
		kills     = 3
		firstKill = 4 * time.Second // after the start, for the JVMs to be sending
		gap       = 3 * time.Second // between a restart and the next kill
		runFor    = 60 * time.Second
	)
	n := *faultRecords
	topics := []string{"kills-kwire-idem", "kills-kwire-acksall", "kills-cli-idem", "kills-java-idem", "kills-java-acksall"}
	createTopics(ctx, t, kc, 4, topics...)
	// kwire produce sends as fast as it can: the broker holds it to the 26 bytes or so each
	// record takes over runFor. A broker lets a client send about 10 s of its quota at once
	// after it starts, so the 3 bursts that follow (re)starts before the third kill leave about
	// half of the records for after it.
	setProducerByteRate(ctx, t, kc, "kwire", math.Round(float64(n)*26/runFor.Seconds()))
	release := make(chan struct{})
	spec := faultSpecs(k, n, paceRate(n, runFor), release)
	runs := startFaultRuns(ctx, t, func(ctx context.Context) []*faultRun {
		return []*faultRun{
			startKwireRun(ctx, t, spec("kwire idempotent", topics[0], true)),
			startKwireRun(ctx, t, spec("kwire acks=all, not idempotent", topics[1], false, "enable.idempotence=false")),
			// It has every record in its buffer from the start, held back by the quota and the
			// kills for longer than delivery.timeout.ms's 2 minutes on a busy machine.
			startCLIRun(ctx, t, bin, spec("kwire produce idempotent", topics[2], true, "delivery.timeout.ms=600000")),
			startJavaRun(ctx, t, spec("Java idempotent", topics[3], true)),
			startJavaRun(ctx, t, spec("Java acks=all, not idempotent", topics[4], false, "enable.idempotence=false", "acks=all")),
		}
	})
	time.Sleep(firstKill)
	for kill := 1; kill <= kills; kill++ {
		requireMidRun(t, runs, fmt.Sprintf("kill %d", kill))
		k.Kill(t, 1)
		killed := time.Now()
		k.Restart(t, 1)
		t.Logf("kill %d: the broker was back %v after kill -9; runs: %s", kill, time.Since(killed).Round(100*time.Millisecond), runStates(runs))
		if kill < kills {
			time.Sleep(gap)
		}
	}
	close(release)
	checkFaultRuns(ctx, t, k, runs, fmt.Sprintf("%d kills", kills))
}

// TestRealKafkaFaultsLeaderMoves moves partition leadership three times on a three-node cluster
// (replication factor 3, min.insync.replicas 2) while kwire's idempotent producer and the Java
// producer send to it with acks=all:
//  1. kafka-reassign-partitions makes another replica the first (preferred) of every partition,
//     and kafka-leader-election elects it: every leader moves cleanly, the old one answering
//     NOT_LEADER_OR_FOLLOWER;
//  2. the node leading the most partitions is killed with SIGKILL: once its session times out,
//     the controller elects leaders among the other two; it is restarted;
//  3. once it is back in every partition's in-sync replicas, kafka-leader-election gives it
//     back the partitions it prefers.
//
// The producers hold their last tenth until the third move is done.
func TestRealKafkaFaultsLeaderMoves(t *testing.T) {
	began := time.Now()
	k := startKafka(t, 3)
	t.Logf("the three brokers started in %v", time.Since(began).Round(100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), faultRunTimeout)
	defer cancel()
	kc := kafkaAdmin(t, k)
	const (
		partitions = 6
		firstMove  = 4 * time.Second
		runFor     = 75 * time.Second
	)
	n := *faultRecords
	topics := []string{"moves-kwire-idem", "moves-java-idem"}
	createTopics(ctx, t, kc, partitions, topics...)
	release := make(chan struct{})
	spec := faultSpecs(k, n, paceRate(n, runFor), release)
	runs := startFaultRuns(ctx, t, func(ctx context.Context) []*faultRun {
		return []*faultRun{
			startKwireRun(ctx, t, spec("kwire idempotent", topics[0], true)),
			startJavaRun(ctx, t, spec("Java idempotent", topics[1], true)),
		}
	})
	time.Sleep(firstMove)
	preferred := func(v topicsView) bool {
		for _, parts := range v {
			for _, p := range parts {
				if len(p.Replicas) == 0 || p.Leader != p.Replicas[0] {
					return false
				}
			}
		}
		return true
	}

	requireMidRun(t, runs, "move 1")
	before, err := describeTopics(ctx, kc, topics)
	if err != nil {
		t.Fatal(err)
	}
	reorderReplicas(ctx, t, k, before)
	electPreferredLeaders(ctx, t, k)
	after1 := waitMetadata(ctx, t, kc, topics, "every partition led by its new first replica", preferred)
	moves := []int{leadersMoved(before, after1)}
	t.Logf("move 1, reassignment and election: %d of %d leaders moved; runs: %s", moves[0], 2*partitions, runStates(runs))
	if moves[0] != 2*partitions {
		t.Errorf("move 1 moved %d of %d leaders:\nbefore %v\nafter  %v", moves[0], 2*partitions, before, after1)
	}

	requireMidRun(t, runs, "move 2")
	victim := busiestLeader(after1)
	k.Kill(t, int(victim))
	killed := time.Now()
	k.Restart(t, int(victim))
	after2 := waitMetadata(ctx, t, kc, topics, fmt.Sprintf("no partition led by node %d", victim), func(v topicsView) bool {
		for _, l := range v.leaders() {
			if l < 0 || l == victim {
				return false
			}
		}
		return true
	})
	moves = append(moves, leadersMoved(after1, after2))
	t.Logf("move 2, node %d killed and back %v later: %d leaders moved; runs: %s", victim, time.Since(killed).Round(100*time.Millisecond), moves[1], runStates(runs))

	waitMetadata(ctx, t, kc, topics, fmt.Sprintf("node %d back among every partition's in-sync replicas", victim), func(v topicsView) bool {
		for _, parts := range v {
			for _, p := range parts {
				if len(p.ISR) != len(p.Replicas) {
					return false
				}
			}
		}
		return true
	})
	requireMidRun(t, runs, "move 3")
	electPreferredLeaders(ctx, t, k)
	after3 := waitMetadata(ctx, t, kc, topics, "every partition led by its first replica again", preferred)
	moves = append(moves, leadersMoved(after2, after3))
	t.Logf("move 3, election: %d leaders moved back to node %d; runs: %s", moves[2], victim, runStates(runs))
	if moves[1] == 0 || moves[2] != moves[1] {
		t.Errorf("node %d led %d partitions; %d moved when it was killed and %d back to it", victim, moves[1], moves[1], moves[2])
	}
	close(release)
	checkFaultRuns(ctx, t, k, runs, fmt.Sprintf("%d+%d+%d leader moves", moves[0], moves[1], moves[2]))
}

// busiestLeader is the node that leads the most partitions of v (the lowest id of those tied).
func busiestLeader(v topicsView) int32 {
	count := map[int32]int{}
	for _, l := range v.leaders() {
		count[l]++
	}
	best := int32(-1)
	for node, c := range count {
		if best < 0 || c > count[best] || c == count[best] && node < best {
			best = node
		}
	}
	return best
}

// faultSpecs returns a function that makes the spec of a run of n records to k at rate records
// a second, its last tenth held until release, with props (NAME=VALUE).
func faultSpecs(k *kafkaCluster, n int, rate float64, release <-chan struct{}) func(name, topic string, exact bool, props ...string) runSpec {
	return func(name, topic string, exact bool, props ...string) runSpec {
		return runSpec{name: name, bootstrap: k.Bootstrap, topic: topic, records: n, keys: faultKeys, exact: exact, rate: rate, props: props, release: release}
	}
}

// startFaultRuns starts runs and makes sure they have ended before t does: when t fails early,
// their context ends, which stops them.
func startFaultRuns(ctx context.Context, t *testing.T, start func(context.Context) []*faultRun) []*faultRun {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	runs := start(ctx)
	t.Cleanup(func() {
		cancel()
		for _, r := range runs {
			<-r.done
		}
	})
	return runs
}

// requireMidRun fails t unless every run is still under way before the fault named what, so
// that the fault falls mid-run.
func requireMidRun(t *testing.T, runs []*faultRun, what string) {
	t.Helper()
	for _, r := range runs {
		if r.finished() {
			t.Fatalf("%s ended before %s (err %v): pace it slower", r.name, what, r.err)
		}
	}
}

// runStates says how far each run is.
func runStates(runs []*faultRun) string {
	var parts []string
	for _, r := range runs {
		parts = append(parts, r.name+": "+r.state())
	}
	return strings.Join(parts, "; ")
}

// checkFaultRuns waits for the runs to end, reads their topics back with the Java consumer and
// fails t for what each run must not have done; it logs the summary table.
func checkFaultRuns(ctx context.Context, t *testing.T, k *kafkaCluster, runs []*faultRun, faults string) {
	t.Helper()
	var topics []string
	for _, r := range runs {
		select {
		case <-r.done:
		case <-ctx.Done():
			t.Fatalf("%s did not end within %v: %s", r.name, faultRunTimeout, r.state())
		}
		if r.err != nil {
			t.Errorf("%s: %v", r.name, r.err)
		}
		topics = append(topics, r.topic)
	}
	start := time.Now()
	read, err := javaConsume(ctx, t, k.Bootstrap, topics)
	if err != nil {
		t.Fatal(err)
	}
	byTopic := map[string][]javaRecord{}
	for _, r := range read {
		byTopic[r.Topic] = append(byTopic[r.Topic], r)
	}
	t.Logf("read %d records back in %v", len(read), time.Since(start).Round(100*time.Millisecond))
	var rows []faultRow
	for _, r := range runs {
		c := countFaults(byTopic[r.topic], r.acks, r.keys)
		if p := c.problems(r.exact); len(p) > 0 {
			t.Errorf("%s: %s", r.name, strings.Join(p, "; "))
		}
		if r.faultsSeen == 0 {
			t.Errorf("%s saw no retry, error or failed connection: did the faults happen? (%s)", r.name, r.evidence)
		}
		rows = append(rows, faultRow{Run: r.name, Faults: faults, Counts: c, Evidence: r.evidence, Took: r.took})
	}
	t.Logf("\n%s", faultTable(rows))
}
