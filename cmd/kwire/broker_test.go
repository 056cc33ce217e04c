package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// TestMain lets a test run this test binary as the kwire command itself (KWIRE_BE_MAIN=1), to
// exercise what only a process has: signals and exit status.
func TestMain(m *testing.M) {
	if os.Getenv("KWIRE_BE_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// startKwire starts kwire args as a child process and returns it with its stdout, line by line.
func startKwire(t *testing.T, args ...string) (*exec.Cmd, *bufio.Scanner, *strings.Builder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KWIRE_BE_MAIN=1")
	stderr := new(strings.Builder)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out), stderr
}

func TestBrokerServesUntilSignalled(t *testing.T) {
	cmd, stdout, stderr := startKwire(t, "broker", "--listen", "127.0.0.1:0", "--brokers", "2", "--topic", "orders:3", "-v")
	if !stdout.Scan() {
		t.Fatalf("no ready line; stderr:\n%s", stderr)
	}
	addrs, ok := strings.CutPrefix(stdout.Text(), "ready ")
	if !ok || len(strings.Split(addrs, ",")) != 2 {
		t.Fatalf("first line %q, want ready and two addresses", stdout.Text())
	}
	resp := metadata(t, strings.Split(addrs, ",")[1])
	if len(resp.Brokers) != 2 || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 3 {
		t.Fatalf("metadata: %+v", resp)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v; stderr:\n%s", err, stderr)
	}
	if stdout.Scan() {
		t.Fatalf("more than the ready line on stdout: %q", stdout.Text())
	}
	if !strings.Contains(stderr.String(), "Metadata v") {
		t.Fatalf("-v did not log the request; stderr:\n%s", stderr)
	}
}

func TestBrokerAddressInUse(t *testing.T) {
	c := mockbroker.NewTestCluster(t)
	r := kwire(t, "", "broker", "--listen", c.Addrs()[0])
	if r.code != 1 || !strings.Contains(r.stderr, c.Addrs()[0]) || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// --max-connections closes the connections over it at once, and --idle-timeout the ones that stay
// silent; without -v the broker says so on stderr.
func TestBrokerConnectionFlags(t *testing.T) {
	cmd, stdout, stderr := startKwire(t, "broker", "--listen", "127.0.0.1:0", "--max-connections", "1", "--idle-timeout", "2s")
	if !stdout.Scan() {
		cmd.Wait() // for stderr to be whole
		t.Fatalf("no ready line; stderr:\n%s", stderr)
	}
	addr := strings.TrimPrefix(stdout.Text(), "ready ")
	held := dialBroker(t, addr)
	defer held.Close()
	metadataOn(t, held)
	over := dialBroker(t, addr)
	defer over.Close()
	for _, conn := range []net.Conn{over, held} {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("read %v, want the broker to close the connection", err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v; stderr:\n%s", err, stderr)
	}
	for _, want := range []string{"at its connection limit, MaxConnections 1", "no request for 2s (IdleTimeout"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}

func TestBrokerFlagErrors(t *testing.T) {
	wantFailure(t, 2, "", []string{"broker", "--topic", "t:zero"}, "partitions must be a positive number")
	wantFailure(t, 2, "", []string{"broker", "--brokers", "0"}, "at least 1")
	wantFailure(t, 2, "", []string{"broker", "--kafka", "2.8"}, "2.8")
	wantFailure(t, 2, "", []string{"broker", "--idle-timeout", "-1s"}, "must not be negative")
	wantFailure(t, 1, "", []string{"broker", "--listen", "127.0.0.1:0", "--topic", "bad/name"}, "invalid topic name")
}

// metadata asks the broker at addr for every topic, as a client would.
func metadata(t *testing.T, addr string) *protocol.MetadataResponse {
	t.Helper()
	conn := dialBroker(t, addr)
	defer conn.Close()
	return metadataOn(t, conn)
}

func dialBroker(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := (&net.Dialer{Timeout: 5 * time.Second}).Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// metadataOn asks for every topic on conn.
func metadataOn(t *testing.T, conn net.Conn) *protocol.MetadataResponse {
	t.Helper()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	const version = 12
	if _, err := conn.Write(protocol.AppendRequest(nil, &protocol.RequestHeader{APIKey: protocol.KeyMetadata, APIVersion: version, CorrelationID: 1}, &protocol.MetadataRequest{})); err != nil {
		t.Fatal(err)
	}
	var size [4]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		t.Fatal(err)
	}
	frame := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(conn, frame); err != nil {
		t.Fatal(err)
	}
	_, body, err := protocol.ReadResponseHeader(frame, protocol.KeyMetadata, version)
	resp := new(protocol.MetadataResponse)
	if err == nil {
		err = resp.Decode(body, version)
	}
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
