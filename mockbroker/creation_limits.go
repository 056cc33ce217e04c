package mockbroker

import (
	"fmt"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// What one request may create, as Kafka 4.4's controller bounds it: a CreateTopics request of more
// than 10,000 partitions in all, or one whose topics would take more than 10,000 metadata records
// (one a topic, one a partition, one a config), creates nothing, each of its topics answered
// POLICY_VIOLATION with Kafka's words; a Metadata request's auto-creation likewise creates nothing.
// Real clients stay far below: a topic of 9,999 partitions fits.
const (
	maxPartitionsPerRequest = 10000
	maxRecordsPerRequest    = 10000
)

var (
	errTooManyPartitions = fmt.Errorf("%w: Excessively large number of partitions per request.", kerr.PolicyViolation)
	errTooManyRecords    = fmt.Errorf("%w: Unable to perform excessively large batch operation.", kerr.PolicyViolation)
)

// tooLargeToCreate is the error that refuses every topic of req, or nil. seen counts each name's
// entries in req: only names listed once are created. The caller holds c.mu.
func (c *Cluster) tooLargeToCreate(req *protocol.CreateTopicsRequest, seen map[string]int) error {
	partitions, records := 0, 0
	for _, t := range req.Topics {
		if seen[t.Name] != 1 {
			continue
		}
		spec, err := c.topicSpecFor(&t)
		if err != nil {
			continue
		}
		partitions += spec.count()
		if c.checkNewName(t.Name) == nil {
			records += 1 + spec.count() + len(t.Configs)
		}
	}
	switch {
	case partitions > maxPartitionsPerRequest:
		return errTooManyPartitions
	case records > maxRecordsPerRequest:
		return errTooManyRecords
	}
	return nil
}

// autoCreateFits reports whether a Metadata request may auto-create n topics of the default
// partition count: within a request's bounds and the cluster's.
func (c *Cluster) autoCreateFits(n int) bool {
	partitions := n * int(c.cfg.defaultPartitions)
	return partitions <= maxPartitionsPerRequest && n+partitions <= maxRecordsPerRequest &&
		c.partitions+partitions <= c.cfg.maxPartitions
}

// checkRoomFor refuses a topic that would take the cluster past its MaxPartitions. The caller
// holds c.mu.
func (c *Cluster) checkRoomFor(spec topicSpec) error {
	if n := spec.count(); c.partitions+n > c.cfg.maxPartitions {
		return fmt.Errorf("%w: topic %q: %d partitions would make %d in the cluster, more than its %d (mockbroker.MaxPartitions)",
			kerr.PolicyViolation, spec.name, n, c.partitions+n, c.cfg.maxPartitions)
	}
	return nil
}
