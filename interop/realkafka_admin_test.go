package interop

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// This file sends the real brokers the few admin requests the tests need, with kwire's own
// wire/protocol: no JVM to start for them.

// kafkaMaxResponse bounds a response the tests read: far above any they expect.
const kafkaMaxResponse = 64 << 20

// kafkaRequest sends req at version to the broker at addr on a connection of its own and decodes
// the response into resp.
func kafkaRequest(addr string, version int16, req, resp protocol.Message) error {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	clientID := "kwire-interop"
	h := protocol.RequestHeader{APIKey: req.Key(), APIVersion: version, CorrelationID: 1, ClientID: &clientID}
	if _, err := conn.Write(protocol.AppendRequest(nil, &h, req)); err != nil {
		return err
	}
	var size [4]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		return fmt.Errorf("reading the response's size: %w", err)
	}
	n := binary.BigEndian.Uint32(size[:])
	if n > kafkaMaxResponse {
		return fmt.Errorf("response of %d bytes, over %d", n, kafkaMaxResponse)
	}
	frame := make([]byte, n)
	if _, err := io.ReadFull(conn, frame); err != nil {
		return fmt.Errorf("reading a response of %d bytes: %w", n, err)
	}
	corr, body, err := protocol.ReadResponseHeader(frame, req.Key(), version)
	if err != nil {
		return err
	}
	if corr != h.CorrelationID {
		return fmt.Errorf("correlation id %d, want %d", corr, h.CorrelationID)
	}
	return resp.Decode(body, version)
}

// createTopics creates topics with partitions partitions each and the broker's default
// replication factor, through the first broker of bootstrap, and fails t unless each is created.
func createTopics(t testing.TB, bootstrap string, partitions int32, topics ...string) {
	t.Helper()
	req := protocol.CreateTopicsRequest{TimeoutMs: 60_000}
	for _, name := range topics {
		req.Topics = append(req.Topics, protocol.CreateTopicsTopic{Name: name, NumPartitions: partitions, ReplicationFactor: -1})
	}
	var resp protocol.CreateTopicsResponse
	addr, _, _ := strings.Cut(bootstrap, ",")
	if err := kafkaRequest(addr, 7, &req, &resp); err != nil {
		t.Fatalf("CreateTopics %v: %v", topics, err)
	}
	for _, r := range resp.Topics {
		if err := kerr.ForCode(r.ErrorCode); err != nil {
			msg := ""
			if r.ErrorMessage != nil {
				msg = ": " + *r.ErrorMessage
			}
			t.Fatalf("CreateTopics %s: %v%s", r.Name, err, msg)
		}
	}
}
