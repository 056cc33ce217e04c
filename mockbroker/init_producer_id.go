package mockbroker

// InitProducerId, versions 0–6 (the cluster's VersionProfile decides which are advertised).
//
// Gives an idempotent producer a new producer id at epoch 0, or, given the id and epoch it holds
// (v3+, KIP-360), bumps its epoch so that it can reset its sequences after an error.
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
