package mockbroker

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/kwire-dev/kwire/wire/protocol"
)

// The capture holds no more than CaptureBytes, and the structs of the exchanges it keeps, though a
// decoded request or response takes many times its bytes (a CreateTopics request validating 100
// topics, 1.3 KB, is answered with 126 KB of their configs, which take 285 KB decoded: 20 of them
// held 3.4 MB within a budget of 1 MiB when the capture kept them decoded), and a response's
// buffer, grown by append, is larger than the response.
func TestCaptureHoldsWithinItsBytes(t *testing.T) {
	validate := &protocol.CreateTopicsRequest{ValidateOnly: true}
	for i := range 100 {
		validate.Topics = append(validate.Topics, protocol.CreateTopicsTopic{Name: fmt.Sprint("t", i), NumPartitions: -1, ReplicationFactor: -1})
	}
	for _, tt := range []struct {
		name     string
		budget   int
		requests int
		version  int16
		req      protocol.Message
		resp     protocol.Message
	}{
		{"CreateTopics answered with configs", 1 << 20, 20, 7, validate, &protocol.CreateTopicsResponse{}},
		{"ApiVersions", 64 << 10, 1000, 3, &protocol.ApiVersionsRequest{}, &protocol.ApiVersionsResponse{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewTestCluster(t, CaptureBytes(tt.budget))
			tc := dialTest(t, c.Addrs()[0])
			for range tt.requests {
				tc.roundTrip(tt.version, tt.req, tt.resp)
			}
			c.mu.Lock()
			held, structs := heldBytes(&c.captured), int(unsafe.Sizeof(c.captured))+cap(c.captured.kept)*int(unsafe.Sizeof(Exchange{}))
			c.mu.Unlock()
			if held > tt.budget+structs {
				t.Errorf("the capture holds %d bytes, more than its budget of %d and its exchanges' %d", held, tt.budget, structs)
			}
			ex := c.Exchanges()
			if len(ex) < 5 {
				t.Fatalf("%d exchanges kept, want at least 5", len(ex))
			}
			for _, e := range ex {
				if e.Response == nil || e.Request == nil || e.Response.Key() != tt.req.Key() || *e.Header.ClientID != "kwire-test" {
					t.Fatalf("captured %+v, want a %s answered", e, tt.req.Key())
				}
			}
			if resp, ok := ex[0].Response.(*protocol.CreateTopicsResponse); ok && len(resp.Topics[99].Configs) == 0 {
				t.Fatalf("captured %+v, want configs", resp.Topics[99])
			}
		})
	}
}
