package simulator

import (
	"fmt"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// Fault is a misbehaviour of the broker a simulation injects, by the value the form gives it.
type Fault string

// The faults the Simulator offers. Each but FaultMoveLeader is one of the mock broker's declared
// faults, armed for the first produce requests to the topic; see [FaultInfo.Broker].
const (
	FaultNone               Fault = "none"
	FaultLostAck            Fault = "lost-ack"
	FaultTimedOutAfterWrite Fault = "timed-out-after-write"
	FaultNotLeader          Fault = "not-leader"
	FaultNotEnoughReplicas  Fault = "not-enough-replicas"
	FaultDelay              Fault = "delay"
	FaultDropBefore         Fault = "drop-before"
	FaultMoveLeader         Fault = "move-leader"
)

// FaultInfo describes a fault for the page: its label in the choice, what it does, and what the
// mock broker is told.
type FaultInfo struct {
	Fault  Fault
	Label  string
	Does   string // what happens, in a sentence
	Broker string // the mock broker's side: the declared fault, or the call that makes it
}

// Faults are the faults in the order the page offers them.
var Faults = []FaultInfo{
	{FaultNone, "none", "The broker behaves.", "no fault"},
	{FaultLostAck, "lose the acknowledgement",
		"The broker writes the batch, then closes the connection without answering: the producer cannot tell whether it was written.",
		"Fault{Action: DropAfterHandling}"},
	{FaultTimedOutAfterWrite, "REQUEST_TIMED_OUT after the write",
		"The broker writes the batch but answers REQUEST_TIMED_OUT, as a leader whose followers were slow does.",
		"Fault{Action: TimeoutAfterHandling}"},
	{FaultNotLeader, "NOT_LEADER_OR_FOLLOWER",
		"The broker refuses the batch as if it were not the leader: a retriable error, nothing written.",
		"Fault{Action: RespondWithError, ErrorCode: NOT_LEADER_OR_FOLLOWER}"},
	{FaultNotEnoughReplicas, "NOT_ENOUGH_REPLICAS",
		"The broker refuses the batch for lack of in-sync replicas: a retriable error, nothing written.",
		"Fault{Action: RespondWithError, ErrorCode: NOT_ENOUGH_REPLICAS}"},
	{FaultDelay, "delay past request.timeout.ms",
		"The broker writes the batch and holds its answer for twice request.timeout.ms: the producer gives up, reconnects and retries.",
		"Fault{Action: DelayResponse, Delay: 2 × request.timeout.ms}"},
	{FaultDropBefore, "close before handling",
		"The broker closes the connection without reading the batch: nothing is written, so a retry is safe.",
		"Fault{Action: DropBeforeHandling}"},
	{FaultMoveLeader, "move the leader to broker 1",
		"Once the producer has read the metadata, the partition's leadership moves from broker 0 to broker 1: broker 0 answers NOT_LEADER_OR_FOLLOWER.",
		"Cluster.MoveLeader(orders, 0, 1) after the first Metadata answer"},
}

// ParseFault reads a fault's form value.
func ParseFault(v string) (Fault, error) {
	for _, fi := range Faults {
		if string(fi.Fault) == v {
			return fi.Fault, nil
		}
	}
	return "", fmt.Errorf("%q is not a fault the simulator knows", v)
}

// Info is the description of f.
func (f Fault) Info() FaultInfo {
	for _, fi := range Faults {
		if fi.Fault == f {
			return fi
		}
	}
	return FaultInfo{Fault: f, Label: string(f)}
}

// Repeats reports whether f hits a number of produce requests, as the times input sets.
func (f Fault) Repeats() bool { return f != FaultNone && f != FaultMoveLeader }

// declared is the mock broker's fault for f under settings s, and whether f is one: it hits the
// first s.FaultTimes produce requests to the topic.
func (f Fault) declared(s *Settings) (mockbroker.Fault, bool) {
	mf := mockbroker.Fault{API: protocol.KeyProduce, Topic: Topic, Times: s.FaultTimes}
	switch f {
	case FaultLostAck:
		mf.Action = mockbroker.DropAfterHandling
	case FaultTimedOutAfterWrite:
		mf.Action = mockbroker.TimeoutAfterHandling
	case FaultNotLeader:
		mf.Action, mf.ErrorCode = mockbroker.RespondWithError, kerr.NotLeaderOrFollower.Code
	case FaultNotEnoughReplicas:
		mf.Action, mf.ErrorCode = mockbroker.RespondWithError, kerr.NotEnoughReplicas.Code
	case FaultDelay:
		mf.Action, mf.Delay = mockbroker.DelayResponse, 2*s.RequestTimeout
	case FaultDropBefore:
		mf.Action = mockbroker.DropBeforeHandling
	default:
		return mf, false
	}
	return mf, true
}
