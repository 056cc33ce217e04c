package mockbroker

// FindCoordinator, versions 0–6 (the cluster's VersionProfile decides which are advertised).
//
// Names the coordinator of each key asked for: one key before v4, any number from v4 (KIP-699),
// each with its own error. A group's coordinator (key type 0, and every key before v1) is a fixed
// broker, the FNV-1a hash of the group id modulo the number of brokers, much as Kafka places a
// group on the leader of the __consumer_offsets partition its id hashes to. Coordinators do not
// move: while that broker is stopped the lookup answers COORDINATOR_NOT_AVAILABLE, a retriable
// error, as Kafka does while the partition has no leader. An error has node id -1, host "" and
// port -1. The error message is Kafka's: before v4 the error's description, "NONE" for none; from
// v4 empty, but for a request Kafka refuses as a whole (an unknown key type), which gives every
// key the description.
//
// Transactional ids (key type 1) are refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which is
// what Kafka answers a principal not allowed to describe the id. The broker does not do
// transactions, and InitProducerId refuses a transactional id with the same error, so a
// transactional producer stops at its first request on a non-retriable error that says it will not
// work, rather than being sent to a coordinator that cannot serve it, or retrying a
// COORDINATOR_NOT_AVAILABLE for ever.
//
// Not done: the group APIs (JoinGroup, OffsetCommit, …) are not served, so a group's coordinator
// is of use only for the lookup itself. Share-group coordinators (key type 2, v6+, KIP-932) and
// unknown key types answer INVALID_REQUEST, which is Kafka's answer for type 2 below v6 and for
// types it does not know.

import (
	"hash/fnv"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveFindCoordinator(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.FindCoordinatorRequest)
	version := r.header.APIVersion
	resp := &protocol.FindCoordinatorResponse{}
	if version >= 4 {
		resp.Coordinators = make([]protocol.FindCoordinatorResult, 0, len(req.CoordinatorKeys))
		for _, key := range req.CoordinatorKeys {
			resp.Coordinators = append(resp.Coordinators, c.coordinatorFor(r, req.KeyType, key))
		}
		return resp
	}
	co := c.coordinatorFor(r, req.KeyType, req.CoordinatorKey)
	resp.ErrorCode, resp.NodeID, resp.Host, resp.Port = co.ErrorCode, co.NodeID, co.Host, co.Port
	if version >= 1 {
		msg := "NONE"
		if co.ErrorCode != 0 {
			msg = kerr.ForCode(co.ErrorCode).(*kerr.Error).Description
		}
		resp.ErrorMessage = &msg
	}
	return resp
}

// coordinatorFor answers the lookup of one key of keyType.
func (c *Cluster) coordinatorFor(r *request, keyType int8, key string) protocol.FindCoordinatorResult {
	code, msg := r.forcedError("", -1), ""
	if code == 0 {
		switch keyType {
		case protocol.CoordinatorGroup:
			id := groupCoordinator(key, len(c.brokers))
			if c.brokers[id].running() {
				ep := c.endpoint(id)
				return protocol.FindCoordinatorResult{Key: key, NodeID: ep.NodeID, Host: ep.Host, Port: ep.Port, ErrorMessage: &msg}
			}
			code = kerr.CoordinatorNotAvailable.Code
		case protocol.CoordinatorTransaction:
			code = kerr.TransactionalIDAuthorizationFailed.Code
		default:
			code, msg = kerr.InvalidRequest.Code, kerr.InvalidRequest.Description
		}
	}
	return protocol.FindCoordinatorResult{Key: key, NodeID: -1, Port: -1, ErrorCode: code, ErrorMessage: &msg}
}

// groupCoordinator is the id of the broker that coordinates group id among n brokers.
func groupCoordinator(id string, n int) int32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int32(h.Sum32() % uint32(n))
}
