package mockbroker

import (
	"encoding/binary"
	"io"
	"net"
	"testing"

	"github.com/kwire-dev/kwire/wire/protocol"
)

// FuzzHandleFrame feeds request frames (without their size prefix) to a broker, as readFrame hands
// them over: whatever the bytes, the broker must answer or close the connection, never panic, and
// keep serving. Fetch frames are left out: a valid one may wait for data as long as it asks.
func FuzzHandleFrame(f *testing.F) {
	client := "fuzz"
	name := "t"
	for _, seed := range []struct {
		version int16
		body    protocol.Message
	}{
		{3, &protocol.ApiVersionsRequest{ClientSoftwareName: "fuzz", ClientSoftwareVersion: "1"}},
		{12, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{Name: &name}}, AllowAutoTopicCreation: true}},
		{9, produceReq(1, "t", 0, batchOf(f, -1, 0, 0, 0, "a", "b"))},
		{2, produceReq(-1, "t", 0, batchOf(f, -1, 0, 0, 0, "a", "b"))},
		{4, &protocol.InitProducerIDRequest{TransactionTimeoutMs: 1000, ProducerID: -1, ProducerEpoch: -1}},
		{7, &protocol.ListOffsetsRequest{ReplicaID: -1, Topics: []protocol.ListOffsetsTopic{{Name: "t", Partitions: []protocol.ListOffsetsPartition{{Timestamp: -1}}}}}},
		{7, &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsTopic{{Name: "u", NumPartitions: 2, ReplicationFactor: -1}}}},
		{0, &protocol.FindCoordinatorRequest{CoordinatorKey: "g"}},
		{6, &protocol.FindCoordinatorRequest{KeyType: protocol.CoordinatorTransaction, CoordinatorKeys: []string{"g", "txn"}}},
	} {
		h := &protocol.RequestHeader{APIKey: seed.body.Key(), APIVersion: seed.version, CorrelationID: 7, ClientID: &client}
		f.Add(protocol.AppendRequest(nil, h, seed.body)[4:])
	}
	c, err := NewCluster(CaptureLimit(0), Topic("t", 2))
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	server, peer := net.Pipe()
	defer server.Close()
	go io.Copy(io.Discard, peer)
	cc := &clientConn{id: 1, broker: c.brokers[0], conn: server}
	f.Fuzz(func(t *testing.T, frame []byte) {
		if len(frame) >= 2 && protocol.APIKey(binary.BigEndian.Uint16(frame)) == protocol.KeyFetch {
			return
		}
		cc.handle(frame)
	})
}
