package kerr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestWellKnownCodes checks codes, names and retriability against Errors.java and the exception
// classes it names (retriable means the class extends RetriableException, directly or through
// InvalidMetadataException or RefreshRetriableException).
func TestWellKnownCodes(t *testing.T) {
	for _, tc := range []struct {
		err       *Error
		code      int16
		name      string
		retriable bool
	}{
		{UnknownServerError, -1, "UNKNOWN_SERVER_ERROR", false},          // UnknownServerException extends ApiException
		{OffsetOutOfRange, 1, "OFFSET_OUT_OF_RANGE", false},              // InvalidOffsetException
		{CorruptMessage, 2, "CORRUPT_MESSAGE", true},                     // CorruptRecordException extends RetriableException
		{UnknownTopicOrPartition, 3, "UNKNOWN_TOPIC_OR_PARTITION", true}, // InvalidMetadataException
		{LeaderNotAvailable, 5, "LEADER_NOT_AVAILABLE", true},            // InvalidMetadataException
		{NotLeaderOrFollower, 6, "NOT_LEADER_OR_FOLLOWER", true},         // InvalidMetadataException
		{RequestTimedOut, 7, "REQUEST_TIMED_OUT", true},                  // TimeoutException extends RetriableException
		{BrokerNotAvailable, 8, "BROKER_NOT_AVAILABLE", false},           // ApiException
		{ReplicaNotAvailable, 9, "REPLICA_NOT_AVAILABLE", true},          // InvalidMetadataException
		{MessageTooLarge, 10, "MESSAGE_TOO_LARGE", false},                // RecordTooLargeException extends ApiException
		{NetworkException, 13, "NETWORK_EXCEPTION", true},                // InvalidMetadataException
		{NotCoordinator, 16, "NOT_COORDINATOR", true},                    // RefreshRetriableException
		{NotEnoughReplicas, 19, "NOT_ENOUGH_REPLICAS", true},
		{NotEnoughReplicasAfterAppend, 20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true},
		{RebalanceInProgress, 27, "REBALANCE_IN_PROGRESS", false},
		{UnsupportedVersion, 35, "UNSUPPORTED_VERSION", false},
		{TopicAlreadyExists, 36, "TOPIC_ALREADY_EXISTS", false},
		{NotController, 41, "NOT_CONTROLLER", true},
		{OutOfOrderSequenceNumber, 45, "OUT_OF_ORDER_SEQUENCE_NUMBER", false},
		{DuplicateSequenceNumber, 46, "DUPLICATE_SEQUENCE_NUMBER", false},
		{InvalidProducerEpoch, 47, "INVALID_PRODUCER_EPOCH", false},
		{ConcurrentTransactions, 51, "CONCURRENT_TRANSACTIONS", true},
		{KafkaStorageError, 56, "KAFKA_STORAGE_ERROR", true},
		{UnknownProducerID, 59, "UNKNOWN_PRODUCER_ID", false}, // extends OutOfOrderSequenceException
		{FencedLeaderEpoch, 74, "FENCED_LEADER_EPOCH", true},
		{UnknownLeaderEpoch, 75, "UNKNOWN_LEADER_EPOCH", true},
		{OffsetNotAvailable, 78, "OFFSET_NOT_AVAILABLE", true},
		{ElectionNotNeeded, 84, "ELECTION_NOT_NEEDED", true}, // InvalidMetadataException
		{ThrottlingQuotaExceeded, 89, "THROTTLING_QUOTA_EXCEEDED", true},
		{ProducerFenced, 90, "PRODUCER_FENCED", false},
		{UnknownTopicID, 100, "UNKNOWN_TOPIC_ID", true},
		{TransactionAbortable, 120, "TRANSACTION_ABORTABLE", false},
		{ShareSessionLimitReached, 133, "SHARE_SESSION_LIMIT_REACHED", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err.Code != tc.code || tc.err.Name != tc.name || tc.err.Retriable != tc.retriable {
				t.Fatalf("got {%d %s retriable=%v}, want {%d %s retriable=%v}",
					tc.err.Code, tc.err.Name, tc.err.Retriable, tc.code, tc.name, tc.retriable)
			}
			got := ForCode(tc.code)
			if got != error(tc.err) {
				t.Fatalf("ForCode(%d) = %v, want the package's %s", tc.code, got, tc.name)
			}
			if IsRetriable(got) != tc.retriable {
				t.Fatalf("IsRetriable(%s) = %v", tc.name, !tc.retriable)
			}
			wrapped := fmt.Errorf("partition 3: %w", got)
			if !errors.Is(wrapped, tc.err) {
				t.Fatalf("errors.Is through %%w failed for %s", tc.name)
			}
			if IsRetriable(wrapped) != tc.retriable {
				t.Fatalf("IsRetriable through %%w = %v for %s", !tc.retriable, tc.name)
			}
			if errors.Is(wrapped, UnknownServerError) != (tc.err == UnknownServerError) {
				t.Fatalf("%s matched UNKNOWN_SERVER_ERROR", tc.name)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	want := "NOT_LEADER_OR_FOLLOWER: For requests intended only for the leader, this error indicates that the broker is not the current leader."
	if got := NotLeaderOrFollower.Error(); !strings.HasPrefix(got, want) {
		t.Fatalf("got %q", got)
	}
	if got := RequestTimedOut.Error(); got != "REQUEST_TIMED_OUT: The request timed out." {
		t.Fatalf("got %q", got)
	}
}

func TestForCodeNone(t *testing.T) {
	if err := ForCode(0); err != nil {
		t.Fatalf("ForCode(0) = %#v, want a nil error", err)
	}
	if IsRetriable(nil) || IsRetriable(errors.New("plain")) {
		t.Fatal("IsRetriable of a non-kerr error")
	}
}

func TestForCodeUnknown(t *testing.T) {
	for _, code := range []int16{-2, 134, 999, 32767, -32768} {
		err := ForCode(code)
		var e *Error
		if !errors.As(err, &e) || e.Code != code || e.Name != UnknownCodeName || e.Retriable {
			t.Fatalf("ForCode(%d) = %#v", code, err)
		}
		if !strings.Contains(err.Error(), fmt.Sprint(code)) {
			t.Fatalf("ForCode(%d).Error() = %q does not name the code", code, err)
		}
		if IsRetriable(err) {
			t.Fatalf("unknown code %d is retriable", code)
		}
		for _, known := range all {
			if errors.Is(err, known) {
				t.Fatalf("unknown code %d matches %s", code, known.Name)
			}
		}
	}
}

// TestTable walks the one table: codes ascending from -1 with no gap or duplicate, names unique,
// in Kafka's form, and every entry reachable through ForCode.
func TestTable(t *testing.T) {
	codes := map[int16]string{}
	names := map[string]int16{}
	prev := int16(-2)
	for i, e := range all {
		if e == nil {
			t.Fatalf("entry %d is nil", i)
		}
		if c, dup := names[e.Name]; dup {
			t.Fatalf("name %s used by codes %d and %d", e.Name, c, e.Code)
		}
		if n, dup := codes[e.Code]; dup {
			t.Fatalf("code %d used by %s and %s", e.Code, n, e.Name)
		}
		codes[e.Code], names[e.Name] = e.Name, e.Code
		want := prev + 1
		if want == 0 {
			want = 1 // NONE has no entry
		}
		if e.Code != want {
			t.Fatalf("after code %d comes %d (%s), want %d", prev, e.Code, e.Name, want)
		}
		prev = e.Code
		if e.Name == "" || strings.ToUpper(e.Name) != e.Name || strings.ContainsAny(e.Name, " -") {
			t.Fatalf("code %d: bad name %q", e.Code, e.Name)
		}
		if e.Description == "" || e.Name == UnknownCodeName {
			t.Fatalf("code %d (%s): no description or a reserved name", e.Code, e.Name)
		}
		if ForCode(e.Code) != error(e) {
			t.Fatalf("ForCode(%d) is not %s", e.Code, e.Name)
		}
	}
	if len(byCode) != len(all) || prev != 133 {
		t.Fatalf("%d codes indexed, %d listed, last %d", len(byCode), len(all), prev)
	}
	if got := All(); len(got) != len(all) || &got[0] == &all[0] {
		t.Fatal("All must return a copy of the whole table")
	}
}

func TestCodeOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int16
	}{
		{nil, 0},
		{NotLeaderOrFollower, 6},
		{fmt.Errorf("produce to t/0: %w", MessageTooLarge), 10},
		{errors.New("disk on fire"), -1},
	} {
		if got := CodeOf(tc.err); got != tc.want {
			t.Errorf("CodeOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestIsStaleMetadata(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{NotLeaderOrFollower, true},
		{fmt.Errorf("produce: %w", UnknownTopicOrPartition), true},
		{FencedLeaderEpoch, true},
		{RequestTimedOut, false}, // retriable, but the metadata may well be right
		{NotEnoughReplicas, false},
		{MessageTooLarge, false},
		{errors.New("not a Kafka error"), false},
	} {
		if got := IsStaleMetadata(c.err); got != c.want {
			t.Errorf("IsStaleMetadata(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
