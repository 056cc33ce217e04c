package mockbroker

// InitProducerId, versions 0–6 (the cluster's VersionProfile decides which are advertised).
//
// Gives an idempotent producer a new producer id at epoch 0, whatever id and epoch it sends (v3+),
// as Kafka does for a producer that is not transactional (such a producer bumps its epoch itself,
// KIP-360); an id without an epoch, or an epoch without an id, is INVALID_REQUEST.
//
// Not done: transactions. A request with a transactional id is refused with
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED, a non-retriable error that says plainly it will not work,
// rather than a coordinator error a client would retry forever.

import (
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveInitProducerID(c *Cluster, r *request) protocol.Message {
	req := r.body.(*protocol.InitProducerIDRequest)
	resp := &protocol.InitProducerIDResponse{ProducerID: -1, ProducerEpoch: -1, OngoingTxnProducerID: -1, OngoingTxnProducerEpoch: -1}
	switch {
	case r.forcedError("", -1) != 0:
		resp.ErrorCode = r.forcedError("", -1)
	case req.TransactionalID != nil:
		resp.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
	default:
		c.mu.Lock()
		resp.ProducerID, resp.ProducerEpoch, resp.ErrorCode = c.initProducer(req.ProducerID, req.ProducerEpoch)
		c.mu.Unlock()
	}
	return resp
}
