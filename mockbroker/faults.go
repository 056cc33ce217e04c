package mockbroker

import (
	"slices"
	"time"

	"github.com/kwire-dev/kwire/wire/protocol"
)

// FaultAction is what a fault does to a request it matches.
type FaultAction int

const (
	// RespondWithError answers with ErrorCode instead of handling the request: for the matching
	// partitions in partitioned requests, at the top level in others.
	RespondWithError FaultAction = iota
	// DelayResponse handles the request, then holds the answer for Delay (past a client's
	// request.timeout.ms, say). Later requests on the connection wait too, as on a real broker.
	DelayResponse
	// DropBeforeHandling closes the connection without handling the request.
	DropBeforeHandling
	// DropAfterHandling handles the request (a produce is written) and closes the connection
	// without answering: the lost acknowledgement that makes a non-idempotent retry a duplicate.
	DropAfterHandling
	// TimeoutAfterHandling handles a produce (it is written) and answers REQUEST_TIMED_OUT for its
	// partitions: the client is told the write failed when it did not.
	TimeoutAfterHandling
	// ForgetSequences makes the partitions of a produce request forget the sequences of
	// idempotent producers before handling it, as a leader elected without their latest batches
	// (an unclean election) does, though the log keeps its records: a producer's next batch,
	// numbered after what it had acknowledged, is answered OUT_OF_ORDER_SEQUENCE_NUMBER, and the
	// producer must bump its epoch (KIP-360).
	ForgetSequences
	// ForgetProducers makes the partitions of a produce request forget idempotent producers
	// altogether before handling it, as a leader with no state for them does (one elected from a
	// replica that never had them, or a broker before Kafka 2.4 whose retention deleted their
	// batches): as Kafka does, the partition takes a producer's next batch at any sequence.
	ForgetProducers
)

var faultActionNames = [...]string{"RespondWithError", "DelayResponse", "DropBeforeHandling", "DropAfterHandling", "TimeoutAfterHandling", "ForgetSequences", "ForgetProducers"}

func (a FaultAction) String() string {
	if int(a) < len(faultActionNames) {
		return faultActionNames[a]
	}
	return "FaultAction(?)"
}

// Fault declares a misbehaviour for the next requests it matches. Empty filters match anything.
type Fault struct {
	API        protocol.APIKey
	Brokers    []int32 // broker ids; empty: any broker
	Topic      string  // for requests that name topics; empty: any
	Partitions []int32 // with Topic; empty: any partition
	EpochBump  bool    // for InitProducerId: only requests carrying a producer id (v3+ epoch bumps)
	Action     FaultAction
	ErrorCode  int16         // for RespondWithError
	Delay      time.Duration // for DelayResponse
	Times      int           // how many matching requests it applies to; 0 means 1
}

// armedFault is a Fault with the number of requests it still applies to.
type armedFault struct {
	Fault
	left int
}

// Inject arms f for the next f.Times requests it matches.
func (c *Cluster) Inject(f Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, &armedFault{Fault: f, left: max(f.Times, 1)})
}

// ClearFaults disarms every fault.
func (c *Cluster) ClearFaults() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = nil
}

// matchFaults returns the armed faults that match a request on broker id, using up one of each.
func (c *Cluster) matchFaults(id int32, r *request) []*armedFault {
	c.mu.Lock()
	defer c.mu.Unlock()
	var matched []*armedFault
	for _, f := range c.faults {
		if f.left > 0 && f.API == r.header.APIKey && (len(f.Brokers) == 0 || slices.Contains(f.Brokers, id)) &&
			(f.Topic == "" || requestNames(r.body, f.Topic, f.Partitions)) && (!f.EpochBump || asksEpochBump(r.body)) {
			f.left--
			matched = append(matched, f)
		}
	}
	c.faults = slices.DeleteFunc(c.faults, func(f *armedFault) bool { return f.left == 0 })
	return matched
}

// asksEpochBump reports whether body is an InitProducerId request carrying a producer id.
func asksEpochBump(body protocol.Message) bool {
	req, ok := body.(*protocol.InitProducerIDRequest)
	return ok && req.ProducerID >= 0
}

func faultsSay(faults []*armedFault, a FaultAction) bool {
	return slices.ContainsFunc(faults, func(f *armedFault) bool { return f.Action == a })
}

func faultDelay(faults []*armedFault) time.Duration {
	var d time.Duration
	for _, f := range faults {
		if f.Action == DelayResponse {
			d = max(d, f.Delay)
		}
	}
	return d
}

// forcedError is the error code a RespondWithError fault imposes on topic/partition (topic "" for
// a request's top level), or 0.
func (r *request) forcedError(topic string, partition int32) int16 {
	if f := r.partitionFault(RespondWithError, topic, partition); f != nil {
		return f.ErrorCode
	}
	return 0
}

// partitionFault is the first of the request's faults with action a that applies to
// topic/partition (topic "" for a request's top level), or nil.
func (r *request) partitionFault(a FaultAction, topic string, partition int32) *armedFault {
	for _, f := range r.faults {
		if f.Action == a && (f.Topic == "" || f.Topic == topic) &&
			(len(f.Partitions) == 0 || slices.Contains(f.Partitions, partition)) {
			return f
		}
	}
	return nil
}

// requestNames reports whether a request names topic, and one of partitions if any are given.
func requestNames(body protocol.Message, topic string, partitions []int32) bool {
	for t, ps := range requestTopics(body) {
		if t == topic && (len(partitions) == 0 || slices.ContainsFunc(ps, func(p int32) bool { return slices.Contains(partitions, p) })) {
			return true
		}
	}
	return false
}
