package interop

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The realkafka_*_test.go files check kwire against Apache Kafka itself: brokers started from
// interop/kafka/kafka.sh (KRaft, from Maven Central), the Java client and Kafka's tools. This file
// starts them. Without Java or Maven those tests skip; with KWIRE_REQUIRE_KAFKA=1 (CI sets it)
// they fail instead.

// kafkaScript is the script that resolves, starts and runs Kafka (see its --help).
const kafkaScript = "kafka/kafka.sh"

// Deadlines on a machine with two busy cores: resolving the jars the first time downloads some
// 100 MB from Maven Central; a node starts in 5-15 s here, a restart after kill -9 waits out the
// dead node's session (broker.session.timeout.ms, 9 s).
const (
	kafkaResolveTimeout = 10 * time.Minute
	kafkaStartTimeout   = 4 * time.Minute
	kafkaStopTimeout    = 90 * time.Second
)

// requireKafka skips t when Java, Maven or openssl is missing, or fails it when
// KWIRE_REQUIRE_KAFKA=1, and resolves Kafka's jars and compiles kafka/src the first time it is
// called, under its own deadline, so that the start-up deadlines apply to the brokers alone.
func requireKafka(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"java", "mvn", "openssl", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			missingKafka(t, fmt.Sprintf("no %s on PATH: the real-Kafka tests need a JDK 17, Maven and openssl", tool))
		}
	}
	kafkaClasspathOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), kafkaResolveTimeout)
		defer cancel()
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, "bash", kafkaScript, "classpath")
		cmd.Stderr = &stderr
		if _, err := cmd.Output(); err != nil {
			kafkaClasspathErr = fmt.Errorf("%s classpath: %v\n%s", kafkaScript, err, stderr.Bytes())
		}
	})
	if kafkaClasspathErr != nil {
		missingKafka(t, kafkaClasspathErr.Error())
	}
}

var (
	kafkaClasspathOnce sync.Once
	kafkaClasspathErr  error
)

func missingKafka(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("KWIRE_REQUIRE_KAFKA") == "1" {
		t.Fatalf("KWIRE_REQUIRE_KAFKA=1 but %s", why)
	}
	t.Skip(why)
}

// kafkaCluster is a running Apache Kafka cluster of combined broker+controller nodes, numbered
// from 1, as kafka.sh describes it in its directory's cluster.env.
type kafkaCluster struct {
	Dir       string
	Bootstrap string // the PLAINTEXT listeners, comma-separated
	SASLSSL   string // the SASL_SSL listeners (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), comma-separated
	CAFile    string // PEM of the throw-away CA that signed the brokers' certificate
	Username  string // a user of every SASL mechanism
	Password  string
	env       map[string]string

	mu    sync.Mutex
	procs map[int]*kafkaProc // the kafka.sh process running each node
}

// kafkaProc is one kafka.sh process, running one or all of the cluster's nodes.
type kafkaProc struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{} // closed when it has exited
	err    error         // Wait's, once done is closed
}

// startKafka starts a cluster of n nodes for t in a directory of its own, stopped (with SIGTERM, as
// a clean shutdown) when t ends.
func startKafka(t testing.TB, n int) *kafkaCluster {
	t.Helper()
	requireKafka(t)
	c, err := launchKafka(t.TempDir(), n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// sharedKafka is one single-node cluster for every test of the package that only produces to
// and reads from its own topics: started on first use, stopped by TestMain.
func sharedKafka(t testing.TB) *kafkaCluster {
	t.Helper()
	requireKafka(t)
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "kwire-kafka-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = dir
		shared.c, shared.err = launchKafka(dir, 1)
	})
	if shared.err != nil {
		t.Fatalf("the shared Kafka broker: %v", shared.err)
	}
	return shared.c
}

var shared struct {
	once sync.Once
	dir  string
	c    *kafkaCluster
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.c != nil {
		if err := shared.c.stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// launchKafka runs kafka.sh for an n-node cluster in dir and waits for its ready line.
func launchKafka(dir string, n int) (*kafkaCluster, error) {
	p, _, err := runKafkaScript("--brokers", strconv.Itoa(n), "--dir", dir)
	if err != nil {
		return nil, err
	}
	c := &kafkaCluster{Dir: dir, procs: map[int]*kafkaProc{}}
	for i := 1; i <= n; i++ {
		c.procs[i] = p
	}
	if c.env, err = readClusterEnv(filepath.Join(dir, "cluster.env")); err != nil {
		c.stop()
		return nil, err
	}
	c.Bootstrap, c.SASLSSL, c.CAFile = c.env["BOOTSTRAP"], c.env["SASL_SSL_BOOTSTRAP"], c.env["CA_FILE"]
	c.Username, c.Password = c.env["SASL_USERNAME"], c.env["SASL_PASSWORD"]
	return c, nil
}

// runKafkaScript starts kafka.sh with args and waits for its "ready ADDRS" line.
func runKafkaScript(args ...string) (*kafkaProc, string, error) {
	cmd := exec.Command("bash", append([]string{kafkaScript, "--timeout", strconv.Itoa(int(kafkaStartTimeout/time.Second) - 20)}, args...)...)
	// A test binary that dies takes its brokers with it: the script stops its nodes on SIGTERM.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	p := &kafkaProc{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start %s: %w", kafkaScript, err)
	}
	ready := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		ready <- strings.TrimSpace(line)
		io.Copy(io.Discard, r)
		p.err = cmd.Wait()
		close(p.done)
	}()
	select {
	case line := <-ready:
		addrs, ok := strings.CutPrefix(line, "ready ")
		if ok && addrs != "" {
			return p, addrs, nil
		}
		<-p.done
		return nil, "", fmt.Errorf("%s %s printed %q, not \"ready HOST:PORT\" (%v):\n%s", kafkaScript, strings.Join(args, " "), line, p.err, p.stderr)
	case <-time.After(kafkaStartTimeout):
		p.terminate()
		return nil, "", fmt.Errorf("%s %s: no ready line within %v:\n%s", kafkaScript, strings.Join(args, " "), kafkaStartTimeout, p.stderr)
	}
}

// terminate sends SIGTERM and waits for the script to stop its nodes, killing it if it takes
// longer than kafkaStopTimeout.
func (p *kafkaProc) terminate() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(kafkaStopTimeout):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %v of SIGTERM:\n%s", kafkaScript, kafkaStopTimeout, p.stderr)
	}
}

// stop stops every node cleanly.
func (c *kafkaCluster) stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	seen := map[*kafkaProc]bool{}
	for _, p := range c.procs {
		if !seen[p] {
			seen[p] = true
			if err := p.terminate(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Nodes is how many nodes the cluster has.
func (c *kafkaCluster) Nodes() int { n, _ := strconv.Atoi(c.env["BROKERS"]); return n }

// Addr is node i's PLAINTEXT listener.
func (c *kafkaCluster) Addr(i int) string {
	return c.env["HOST"] + ":" + c.env[fmt.Sprintf("NODE_%d_PORT", i)]
}

// LogDir is node i's log directory, where its partitions' segment files are.
func (c *kafkaCluster) LogDir(i int) string {
	return filepath.Join(c.Dir, fmt.Sprintf("node-%d", i), "data")
}

// pid is the process id of node i's JVM.
func (c *kafkaCluster) pid(i int) (int, error) {
	b, err := os.ReadFile(filepath.Join(c.Dir, fmt.Sprintf("node-%d", i), "pid"))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// Kill kills node i's JVM with SIGKILL, as a crash would, and waits until it is gone.
func (c *kafkaCluster) Kill(t testing.TB, i int) {
	t.Helper()
	pid, err := c.pid(i)
	if err != nil {
		t.Fatalf("node %d: %v", i, err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 node %d (pid %d): %v", i, pid, err)
	}
	for deadline := time.Now().Add(30 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("node %d (pid %d) still runs 30 s after kill -9", i, pid)
		}
	}
}

// Restart starts node i again on its log directory and ports, after Kill, and waits until it
// has started.
func (c *kafkaCluster) Restart(t testing.TB, i int) {
	t.Helper()
	p, _, err := runKafkaScript("--dir", c.Dir, "--node", strconv.Itoa(i))
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.procs[i] = p
	c.mu.Unlock()
}

// readClusterEnv reads the NAME=VALUE lines kafka.sh writes.
func readClusterEnv(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: a line without '=': %q", path, line)
		}
		env[name] = value
	}
	return env, nil
}

// kafkaJava runs a main class on Kafka's classpath (Kafka's tools, the Java client, the programs
// in interop/kafka/src) with args, under ctx, and returns its stdout; a failure holds its stderr.
func kafkaJava(ctx context.Context, t testing.TB, class string, args ...string) ([]byte, error) {
	t.Helper()
	requireKafka(t)
	cmd := exec.CommandContext(ctx, "bash", append([]string{kafkaScript, "run", class}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("java %s %s: %w\n%s", class, strings.Join(args, " "), err, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		t.Logf("java %s: %s", class, stderr.Bytes())
	}
	return out, nil
}

// lockedBuffer is a bytes.Buffer safe for a process writing while a test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
