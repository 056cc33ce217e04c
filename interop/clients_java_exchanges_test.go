package interop

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// checkJavaExchanges checks what the Java clients and the mock broker said to each other: every
// answer free of errors but two the Java client expects — UNSUPPORTED_VERSION for the ApiVersions
// version the client tries first (KIP-511: it asks again at the broker's highest), and
// NOT_LEADER_OR_FOLLOWER after a leader moved — and logs the API versions the clients chose.
func checkJavaExchanges(t *testing.T, exchanges []mockbroker.Exchange) {
	t.Helper()
	used := map[string]int{}
	notLeader := map[protocol.APIKey]int{}
	for _, e := range exchanges {
		used[fmt.Sprintf("%s v%d", e.Header.APIKey, e.Header.APIVersion)]++
		if e.Response == nil {
			t.Errorf("%s v%d (correlation %d) from %s: no answer", e.Header.APIKey, e.Header.APIVersion, e.Header.CorrelationID, clientID(e))
			continue
		}
		for _, code := range errorCodes(e.Response) {
			switch {
			case code == kerr.UnsupportedVersion.Code && e.Header.APIKey == protocol.KeyApiVersions:
			case code == kerr.NotLeaderOrFollower.Code && (e.Header.APIKey == protocol.KeyProduce || e.Header.APIKey == protocol.KeyFetch):
				notLeader[e.Header.APIKey]++
			default:
				t.Errorf("%s v%d (correlation %d) from %s answered %v", e.Header.APIKey, e.Header.APIVersion, e.Header.CorrelationID, clientID(e), kerr.ForCode(code))
			}
		}
	}
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(used)) {
		lines = append(lines, fmt.Sprintf("%s ×%d", k, used[k]))
	}
	t.Logf("the Java clients sent %s; NOT_LEADER_OR_FOLLOWER answered %d partitions in Produce, %d in Fetch",
		strings.Join(lines, ", "), notLeader[protocol.KeyProduce], notLeader[protocol.KeyFetch])
}

func clientID(e mockbroker.Exchange) string {
	if e.Header.ClientID == nil {
		return "(no client id)"
	}
	return *e.Header.ClientID
}

// errorCodes lists the non-zero error codes in a response of the APIs the Java producer and
// consumer use.
func errorCodes(resp protocol.Message) []int16 {
	var codes []int16
	add := func(c int16) {
		if c != 0 {
			codes = append(codes, c)
		}
	}
	switch r := resp.(type) {
	case *protocol.ApiVersionsResponse:
		add(r.ErrorCode)
	case *protocol.InitProducerIDResponse:
		add(r.ErrorCode)
	case *protocol.MetadataResponse:
		add(r.ErrorCode)
		for _, tr := range r.Topics {
			add(tr.ErrorCode)
			for _, p := range tr.Partitions {
				add(p.ErrorCode)
			}
		}
	case *protocol.ProduceResponse:
		for _, tr := range r.Responses {
			for _, p := range tr.PartitionResponses {
				add(p.ErrorCode)
			}
		}
	case *protocol.FetchResponse:
		add(r.ErrorCode)
		for _, tr := range r.Responses {
			for _, p := range tr.Partitions {
				add(p.ErrorCode)
			}
		}
	case *protocol.ListOffsetsResponse:
		for _, tr := range r.Topics {
			for _, p := range tr.Partitions {
				add(p.ErrorCode)
			}
		}
	default:
		codes = append(codes, kerr.UnknownServerError.Code) // an API the Java clients should not have used
	}
	return codes
}
