package mockbroker

import (
	"fmt"
	"testing"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// findCoordinator looks up keys of keyType at version v: one key (the first) below v4, all of
// them from v4. It returns one result per key looked up, with the top-level fields of v0–v3 moved
// into it.
func findCoordinator(tc *testClient, v int16, keyType int8, keys ...string) []protocol.FindCoordinatorResult {
	tc.t.Helper()
	req := &protocol.FindCoordinatorRequest{KeyType: keyType}
	if v >= 4 {
		req.CoordinatorKeys = keys
	} else {
		req.CoordinatorKey = keys[0]
	}
	var resp protocol.FindCoordinatorResponse
	tc.roundTrip(v, req, &resp)
	if v >= 4 {
		if len(resp.Coordinators) != len(keys) {
			tc.t.Fatalf("v%d: %d coordinators for %d keys: %+v", v, len(resp.Coordinators), len(keys), resp)
		}
		return resp.Coordinators
	}
	return []protocol.FindCoordinatorResult{{Key: keys[0], NodeID: resp.NodeID, Host: resp.Host, Port: resp.Port,
		ErrorCode: resp.ErrorCode, ErrorMessage: resp.ErrorMessage}}
}

// Every version names the same coordinator for a group, a running broker with the endpoint
// Metadata gives it, and spreads groups over the brokers.
func TestFindCoordinatorGroup(t *testing.T) {
	c := NewTestCluster(t, NumBrokers(3))
	tc := dialTest(t, c.Addrs()[0])
	var md protocol.MetadataResponse
	tc.roundTrip(12, metadataReq(false), &md)
	endpoints := map[int32]protocol.MetadataBroker{}
	for _, b := range md.Brokers {
		endpoints[b.NodeID] = b
	}
	var groups []string
	for i := range 12 {
		groups = append(groups, fmt.Sprintf("group-%d", i))
	}
	used := map[int32]bool{}
	for v := protocol.FindCoordinatorVersions.Min; v <= protocol.FindCoordinatorVersions.Max; v++ {
		for _, g := range groups {
			// Below v1 there is no key type: every key is a group.
			got := findCoordinator(tc, v, protocol.CoordinatorGroup, g)[0]
			want := endpoints[groupCoordinator(g, 3)]
			wantMsg := "NONE" // as from Kafka: its name before v4, empty from v4
			if v >= 4 {
				wantMsg = ""
			}
			if got.ErrorCode != 0 || (got.ErrorMessage == nil) != (v == 0) || v > 0 && *got.ErrorMessage != wantMsg ||
				got.NodeID != want.NodeID || got.Host != want.Host || got.Port != want.Port {
				t.Fatalf("v%d %q: got %+v, want broker %+v", v, g, got, want)
			}
			used[got.NodeID] = true
		}
		if v >= 4 {
			got := findCoordinator(tc, v, protocol.CoordinatorGroup, groups...)
			for i, co := range got {
				if co.Key != groups[i] || co.ErrorCode != 0 || co.NodeID != groupCoordinator(groups[i], 3) {
					t.Fatalf("v%d batch: entry %d is %+v for %q", v, i, co, groups[i])
				}
			}
			if none := findCoordinator(tc, v, protocol.CoordinatorGroup); len(none) != 0 {
				t.Fatalf("v%d: no keys answered %+v", v, none)
			}
		}
	}
	if len(used) != 3 {
		t.Errorf("12 groups all went to brokers %v of 3", used)
	}
}

// A group whose coordinator is stopped gets COORDINATOR_NOT_AVAILABLE until it restarts.
func TestFindCoordinatorStopped(t *testing.T) {
	c := NewTestCluster(t, NumBrokers(2))
	group := "g"
	for groupCoordinator(group, 2) != 1 {
		group += "g"
	}
	tc := dialTest(t, c.Addrs()[0])
	if err := c.StopBroker(1); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int16{0, 3, 4} {
		got := findCoordinator(tc, v, protocol.CoordinatorGroup, group)[0]
		if got.ErrorCode != kerr.CoordinatorNotAvailable.Code || got.NodeID != -1 || got.Host != "" || got.Port != -1 {
			t.Fatalf("v%d: got %+v, want COORDINATOR_NOT_AVAILABLE and no node", v, got)
		}
		wantMsg := kerr.CoordinatorNotAvailable.Description
		if v >= 4 {
			wantMsg = ""
		}
		if (got.ErrorMessage != nil) != (v >= 1) || v >= 1 && *got.ErrorMessage != wantMsg {
			t.Fatalf("v%d: error message %v, want %q", v, got.ErrorMessage, wantMsg)
		}
	}
	if err := c.RestartBroker(1); err != nil {
		t.Fatal(err)
	}
	if got := findCoordinator(tc, 4, protocol.CoordinatorGroup, group)[0]; got.ErrorCode != 0 || got.NodeID != 1 {
		t.Fatalf("after the restart: got %+v", got)
	}
}

// Transactional ids are refused as InitProducerId refuses them; share and unknown key types are
// invalid; a fault's error goes to every key.
func TestFindCoordinatorRefusals(t *testing.T) {
	c := NewTestCluster(t)
	tc := dialTest(t, c.Addrs()[0])
	for _, tt := range []struct {
		version int16
		keyType int8
		want    *kerr.Error
	}{
		{1, protocol.CoordinatorTransaction, kerr.TransactionalIDAuthorizationFailed},
		{3, protocol.CoordinatorTransaction, kerr.TransactionalIDAuthorizationFailed},
		{6, protocol.CoordinatorTransaction, kerr.TransactionalIDAuthorizationFailed},
		{5, protocol.CoordinatorShare, kerr.InvalidRequest},
		{6, protocol.CoordinatorShare, kerr.InvalidRequest},
		{2, 9, kerr.InvalidRequest},
		{6, -1, kerr.InvalidRequest},
	} {
		// As from Kafka, from v4 only a request refused as a whole carries a message.
		wantMsg := tt.want.Description
		if tt.version >= 4 && tt.want != kerr.InvalidRequest {
			wantMsg = ""
		}
		for _, co := range findCoordinator(tc, tt.version, tt.keyType, "k1", "k2") {
			if co.ErrorCode != tt.want.Code || co.ErrorMessage == nil || *co.ErrorMessage != wantMsg || co.NodeID != -1 || co.Port != -1 {
				t.Errorf("v%d key type %d: got %+v, want %s", tt.version, tt.keyType, co, tt.want.Name)
			}
		}
	}
	c.Inject(Fault{API: protocol.KeyFindCoordinator, Action: RespondWithError, ErrorCode: kerr.CoordinatorLoadInProgress.Code})
	for _, co := range findCoordinator(tc, 4, protocol.CoordinatorGroup, "a", "b") {
		if co.ErrorCode != kerr.CoordinatorLoadInProgress.Code {
			t.Errorf("with the fault: got %+v", co)
		}
	}
	if co := findCoordinator(tc, 4, protocol.CoordinatorGroup, "a")[0]; co.ErrorCode != 0 {
		t.Errorf("after the fault: got %+v", co)
	}
}

// Both profiles advertise FindCoordinator v0–v6, as Kafka 3.9 and 4.0 do; librdkafka enables lz4
// only if v0 is among them.
func TestFindCoordinatorAdvertised(t *testing.T) {
	for name, p := range map[string]VersionProfile{"Kafka39": Kafka39, "Kafka40": Kafka40} {
		c := NewTestCluster(t, Versions(p))
		var resp protocol.ApiVersionsResponse
		dialTest(t, c.Addrs()[0]).roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
		found := false
		for _, k := range resp.APIKeys {
			found = found || k.APIKey == protocol.KeyFindCoordinator && k.MinVersion == 0 && k.MaxVersion == 6
		}
		if !found {
			t.Errorf("%s: FindCoordinator v0–v6 not advertised: %+v", name, resp.APIKeys)
		}
	}
}
