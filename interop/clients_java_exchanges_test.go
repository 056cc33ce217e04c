package interop

import (
	"errors"
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
// answer free of errors but those the Java clients expect. Those are UNSUPPORTED_VERSION for the
// ApiVersions version a client tries first (KIP-511: it asks again at the broker's highest), and,
// for the topics whose leaders moved, NOT_LEADER_OR_FOLLOWER from the old leader and
// OUT_OF_ORDER_SEQUENCE_NUMBER from the new one: a new batch the producer sends the new leader
// while an older one is still on its way to the old leader arrives out of order, at Kafka too,
// and the producer sends it again once the older one is written. It logs the API versions the
// clients chose and how often each expected error came.
func checkJavaExchanges(t *testing.T, exchanges []mockbroker.Exchange, moved ...string) {
	t.Helper()
	used := map[string]int{}
	expected := map[string]int{}
	names := topicNames(exchanges)
	for _, e := range exchanges {
		key := e.Header.APIKey
		used[fmt.Sprintf("%s v%d", key, e.Header.APIVersion)]++
		if e.Response == nil {
			t.Errorf("%s v%d (correlation %d) from %s: no answer", key, e.Header.APIVersion, e.Header.CorrelationID, clientID(e))
			continue
		}
		for _, te := range errorCodes(e.Response, names) {
			movedTopic := slices.Contains(moved, te.topic)
			switch {
			case te.code == kerr.UnsupportedVersion.Code && key == protocol.KeyApiVersions,
				te.code == kerr.NotLeaderOrFollower.Code && movedTopic && (key == protocol.KeyProduce || key == protocol.KeyFetch),
				te.code == kerr.OutOfOrderSequenceNumber.Code && movedTopic && key == protocol.KeyProduce:
				expected[fmt.Sprintf("%s in %s", errorName(te.code), key)]++
			default:
				t.Errorf("%s v%d (correlation %d) from %s answered %v for topic %q", key, e.Header.APIVersion, e.Header.CorrelationID, clientID(e), kerr.ForCode(te.code), te.topic)
			}
		}
	}
	t.Logf("the Java clients sent %s; expected errors: %s", countList(used), countList(expected))
}

// countList lists counts by name, sorted by name.
func countList(counts map[string]int) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		lines = append(lines, fmt.Sprintf("%s ×%d", k, counts[k]))
	}
	if lines == nil {
		return "none"
	}
	return strings.Join(lines, ", ")
}

// errorName is Kafka's name for an error code.
func errorName(code int16) string {
	var e *kerr.Error
	if errors.As(kerr.ForCode(code), &e) {
		return e.Name
	}
	return fmt.Sprintf("error %d", code)
}

func clientID(e mockbroker.Exchange) string {
	if e.Header.ClientID == nil {
		return "(no client id)"
	}
	return *e.Header.ClientID
}

// topicError is an error code a response gives, with the topic it concerns ("" for the whole
// response).
type topicError struct {
	topic string
	code  int16
}

// topicNames maps topic ids to names, as the Metadata answers among exchanges tell them.
func topicNames(exchanges []mockbroker.Exchange) map[protocol.UUID]string {
	names := map[protocol.UUID]string{}
	for _, e := range exchanges {
		if r, ok := e.Response.(*protocol.MetadataResponse); ok {
			for _, tr := range r.Topics {
				if tr.Name != nil {
					names[tr.TopicID] = *tr.Name
				}
			}
		}
	}
	return names
}

// errorCodes lists the errors in a response of the APIs the Java producer and consumer use;
// names maps the topic ids of Fetch v13+ to names.
func errorCodes(resp protocol.Message, names map[protocol.UUID]string) []topicError {
	var errs []topicError
	add := func(topic string, c int16) {
		if c != 0 {
			errs = append(errs, topicError{topic, c})
		}
	}
	switch r := resp.(type) {
	case *protocol.ApiVersionsResponse:
		add("", r.ErrorCode)
	case *protocol.InitProducerIDResponse:
		add("", r.ErrorCode)
	case *protocol.MetadataResponse:
		add("", r.ErrorCode)
		for _, tr := range r.Topics {
			name := ""
			if tr.Name != nil {
				name = *tr.Name
			}
			add(name, tr.ErrorCode)
			for _, p := range tr.Partitions {
				add(name, p.ErrorCode)
			}
		}
	case *protocol.ProduceResponse:
		for _, tr := range r.Responses {
			for _, p := range tr.PartitionResponses {
				add(tr.Name, p.ErrorCode)
			}
		}
	case *protocol.FetchResponse:
		add("", r.ErrorCode)
		for _, tr := range r.Responses {
			name := tr.Topic
			if name == "" {
				name = names[tr.TopicID]
			}
			for _, p := range tr.Partitions {
				add(name, p.ErrorCode)
			}
		}
	case *protocol.ListOffsetsResponse:
		for _, tr := range r.Topics {
			for _, p := range tr.Partitions {
				add(tr.Name, p.ErrorCode)
			}
		}
	default:
		add("", kerr.UnknownServerError.Code) // an API the Java clients should not have used
	}
	return errs
}
