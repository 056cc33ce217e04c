package mockbroker

import (
	"maps"
	"testing"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// advertisedRanges is what a broker of c answers ApiVersions v3 with, by API.
func advertisedRanges(t *testing.T, c *Cluster) map[protocol.APIKey]protocol.VersionRange {
	var resp protocol.ApiVersionsResponse
	dialTest(t, c.Addrs()[0]).roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
	out := map[protocol.APIKey]protocol.VersionRange{}
	for _, k := range resp.APIKeys {
		out[k.APIKey] = protocol.VersionRange{Min: k.MinVersion, Max: k.MaxVersion}
	}
	return out
}

// Every API a profile names is advertised with its range and served, within what kwire
// implements.
func TestProfilesAdvertiseTheirRanges(t *testing.T) {
	for name, p := range map[string]VersionProfile{"Kafka39": Kafka39, "Kafka40": Kafka40} {
		got := advertisedRanges(t, NewTestCluster(t, Versions(p)))
		if len(got) != len(p.Advertised) {
			t.Errorf("%s: advertised %v, want %v", name, got, p.Advertised)
		}
		for k, want := range p.Advertised {
			if got[k] != want {
				t.Errorf("%s: %s advertised %v, want %v", name, k, got[k], want)
			}
		}
	}
}

// Kafka 4.4 advertises its ranges narrowed to what kwire implements: ApiVersions v5 and
// ListOffsets v11 are beyond it.
func TestKafka44AdvertisesWhatKwireImplements(t *testing.T) {
	got := advertisedRanges(t, NewTestCluster(t, Versions(Kafka44)))
	want := map[protocol.APIKey]protocol.VersionRange{
		protocol.KeyProduce: {Min: 0, Max: 13}, protocol.KeyFetch: {Min: 4, Max: 18}, protocol.KeyListOffsets: {Min: 1, Max: 10},
		protocol.KeyMetadata: {Min: 0, Max: 13}, protocol.KeyFindCoordinator: {Min: 0, Max: 6}, protocol.KeyApiVersions: {Min: 0, Max: 4},
		protocol.KeyCreateTopics: {Min: 2, Max: 7}, protocol.KeyInitProducerID: {Min: 0, Max: 5},
		protocol.KeySaslHandshake: {Min: 0, Max: 1}, protocol.KeySaslAuthenticate: {Min: 0, Max: 2},
	}
	if !maps.Equal(got, want) {
		t.Errorf("advertised %v, want %v", got, want)
	}
}

// Kafka 4.0 advertises Produce from v0 but refuses v0–v2 (KAFKA-18659): the request is not
// answered and the connection closes, as for a version not advertised at all. Kafka 3.9 takes
// them; both take v3.
func TestKafka40RefusesOldProduce(t *testing.T) {
	msgs := []wire.LegacyMessage{{Timestamp: 5, Value: []byte("old")}}
	for _, p := range []struct {
		name    string
		profile VersionProfile
		refuses bool
	}{{"Kafka39", Kafka39, false}, {"Kafka40", Kafka40, true}} {
		c := NewTestCluster(t, Versions(p.profile), Topic("t", 1))
		if r := advertisedRanges(t, c)[protocol.KeyProduce]; r.Min != 0 {
			t.Fatalf("%s: Produce advertised from v%d, want v0", p.name, r.Min)
		}
		for v, magic := range []int8{0, 1, 1} {
			set, err := wire.AppendMessageSet(nil, msgs, magic, wire.CodecNone)
			if err != nil {
				t.Fatal(err)
			}
			tc := dialTest(t, c.Addrs()[0])
			if p.refuses {
				tc.send(int16(v), produceReq(1, "t", 0, set))
				tc.expectClosed()
				continue
			}
			if pr := produce(tc, int16(v), 1, "t", 0, set); pr.ErrorCode != 0 {
				t.Fatalf("%s v%d: %v", p.name, v, kerr.ForCode(pr.ErrorCode))
			}
		}
		tc := dialTest(t, c.Addrs()[0])
		if pr := produce(tc, 3, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecLZ4, "new")); pr.ErrorCode != 0 {
			t.Fatalf("%s v3: %v", p.name, kerr.ForCode(pr.ErrorCode))
		}
		want := 4
		if p.refuses {
			want = 1
		}
		if records, _ := c.Records("t", 0); len(records) != want {
			t.Fatalf("%s: %d records stored, want %d", p.name, len(records), want)
		}
	}
}
