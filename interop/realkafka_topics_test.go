package interop

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// createTopicsVersion is the CreateTopics version sent to real Kafka: 7, the newest kwire speaks,
// answers with each topic's id (KIP-516), which Produce v13 names topics by.
const createTopicsVersion = 7

// createKafkaTopics creates topics with partitions partitions each (the broker's default
// replication factor) through addr with kwire's own CreateTopics request, fails t unless Kafka
// created every one, and returns their topic ids by name.
func createKafkaTopics(t testing.TB, addr string, partitions int32, topics ...string) map[string]protocol.UUID {
	t.Helper()
	req := &protocol.CreateTopicsRequest{TimeoutMs: 60_000}
	for _, name := range topics {
		req.Topics = append(req.Topics, protocol.CreateTopicsTopic{Name: name, NumPartitions: partitions, ReplicationFactor: -1})
	}
	var resp protocol.CreateTopicsResponse
	if err := roundTripOnce(addr, req, &resp, createTopicsVersion, 90*time.Second); err != nil {
		t.Fatalf("CreateTopics v%d to %s: %v", createTopicsVersion, addr, err)
	}
	ids := make(map[string]protocol.UUID, len(topics))
	for _, r := range resp.Topics {
		if err := kerr.ForCode(r.ErrorCode); err != nil {
			t.Fatalf("CreateTopics %s: %v (%s)", r.Name, err, derefOr(r.ErrorMessage, "no message"))
		}
		if r.NumPartitions != partitions {
			t.Fatalf("CreateTopics %s: %d partitions, asked for %d", r.Name, r.NumPartitions, partitions)
		}
		ids[r.Name] = r.TopicID
	}
	for _, name := range topics {
		if _, ok := ids[name]; !ok {
			t.Fatalf("CreateTopics: no answer for topic %s", name)
		}
	}
	return ids
}

// waitForLeaders waits until the broker at addr leads every partition of topics, asking for their
// end offsets until none is refused. For a moment after CreateTopics Kafka answers
// NOT_LEADER_OR_FOLLOWER, and a producer that is not idempotent, retrying, may then write batches
// out of order (as the Java client may).
func waitForLeaders(t testing.TB, addr string, partitions int32, topics ...string) {
	t.Helper()
	const listOffsetsVersion = 7
	req := &protocol.ListOffsetsRequest{ReplicaID: -1}
	for _, name := range topics {
		lt := protocol.ListOffsetsTopic{Name: name}
		for p := range partitions {
			lt.Partitions = append(lt.Partitions, protocol.ListOffsetsPartition{PartitionIndex: p, CurrentLeaderEpoch: -1, Timestamp: -1})
		}
		req.Topics = append(req.Topics, lt)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		var resp protocol.ListOffsetsResponse
		err := roundTripOnce(addr, req, &resp, listOffsetsVersion, 30*time.Second)
		if err == nil {
			err = firstListOffsetsError(&resp, len(topics)*int(partitions))
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the partitions of %d new topics are not all led by %s after a minute: %v", len(topics), addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// firstListOffsetsError is the first partition error of resp, or an error if it answers for fewer
// than want partitions.
func firstListOffsetsError(resp *protocol.ListOffsetsResponse, want int) error {
	n := 0
	for _, lt := range resp.Topics {
		for _, lp := range lt.Partitions {
			if err := kerr.ForCode(lp.ErrorCode); err != nil {
				return fmt.Errorf("%s/%d: %w", lt.Name, lp.PartitionIndex, err)
			}
			n++
		}
	}
	if n != want {
		return fmt.Errorf("offsets of %d partitions, asked for %d", n, want)
	}
	return nil
}

// roundTripOnce sends req at version on a connection of its own to addr and decodes the answer
// into resp, all within timeout.
func roundTripOnce(addr string, req, resp protocol.Message, version int16, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	clientID := "kwire-interop"
	const correlationID = 1
	frame := protocol.AppendRequest(nil, &protocol.RequestHeader{APIKey: req.Key(), APIVersion: version, CorrelationID: correlationID, ClientID: &clientID}, req)
	if _, err := conn.Write(frame); err != nil {
		return err
	}
	r := bufio.NewReader(conn)
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return fmt.Errorf("reading the response size: %w", err)
	}
	const maxResponse = 16 << 20
	n := binary.BigEndian.Uint32(size[:])
	if n > maxResponse {
		return fmt.Errorf("a response of %d bytes, more than the %d expected at most", n, maxResponse)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return fmt.Errorf("reading a response of %d bytes: %w", n, err)
	}
	got, rest, err := protocol.ReadResponseHeader(body, req.Key(), version)
	if err != nil {
		return err
	}
	if got != correlationID {
		return fmt.Errorf("correlation id %d, sent %d", got, correlationID)
	}
	return resp.Decode(rest, version)
}
