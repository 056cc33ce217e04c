package mockbroker

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"time"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// clientConn is one client connection to a broker.
type clientConn struct {
	id     int64
	broker *Broker
	conn   net.Conn
	sasl   *saslConn // nil without SASL
}

// request is a decoded request on its way through a handler.
type request struct {
	cc     *clientConn
	header protocol.RequestHeader
	body   protocol.Message
	faults []*armedFault // the faults that matched it
	token  []byte        // a SaslAuthenticate's token, before its secret was blanked in body
	// closeAfter makes the connection close once the response is sent (a failed authentication), or
	// in its place (an acks=0 produce that failed).
	closeAfter bool
}

// handler serves one API: the versions it implements and the function that answers a request. A
// nil response means none is sent (Produce with acks=0).
type handler struct {
	versions protocol.VersionRange
	serve    func(c *Cluster, r *request) protocol.Message
}

// handlers is the dispatch table by API key, and what ApiVersions advertises (within the
// cluster's VersionProfile). It is assigned in init only because ApiVersions' handler reads it.
var handlers map[protocol.APIKey]handler

func init() {
	handlers = map[protocol.APIKey]handler{
		protocol.KeyApiVersions:      {protocol.ApiVersionsVersions, serveApiVersions},
		protocol.KeyProduce:          {protocol.ProduceVersions, serveProduce},
		protocol.KeyFetch:            {protocol.FetchVersions, serveFetch},
		protocol.KeyListOffsets:      {protocol.ListOffsetsVersions, serveListOffsets},
		protocol.KeyMetadata:         {protocol.MetadataVersions, serveMetadata},
		protocol.KeyFindCoordinator:  {protocol.FindCoordinatorVersions, serveFindCoordinator},
		protocol.KeyCreateTopics:     {protocol.CreateTopicsVersions, serveCreateTopics},
		protocol.KeyInitProducerID:   {protocol.InitProducerIDVersions, serveInitProducerID},
		protocol.KeySaslHandshake:    {protocol.SaslHandshakeVersions, serveSaslHandshake},
		protocol.KeySaslAuthenticate: {protocol.SaslAuthenticateVersions, serveSaslAuthenticate},
	}
}

// handle answers one request, msg being its bytes with their size prefix. It reports false when
// the connection must close: a frame that cannot be read, a request its SASL state does not allow,
// an API or version this broker does not serve (or advertises but refuses), failed authentication,
// or a fault that says so.
func (cc *clientConn) handle(msg []byte) bool {
	c := cc.broker.cluster
	frame := msg[4:]
	if cc.sasl != nil && cc.sasl.state == saslRawTokens {
		return cc.rawToken(frame)
	}
	start := time.Now()
	h, body, err := protocol.ReadRequestHeader(frame)
	if err != nil {
		c.logf("broker %d: connection %d: bad request header: %v", cc.broker.id, cc.id, err)
		return false
	}
	if !cc.admit(h.APIKey) {
		return false
	}
	p := c.cfg.profile
	if served, ok := p.served(h.APIKey); !ok || !served.Contains(h.APIVersion) || p.refuses(h.APIKey, h.APIVersion) {
		return cc.unsupported(&h, msg)
	}
	req := &request{cc: cc, header: h, body: protocol.NewRequest(h.APIKey)}
	if err := req.body.Decode(body, h.APIVersion); err != nil {
		c.logf("broker %d: connection %d: malformed %s v%d request: %v", cc.broker.id, cc.id, h.APIKey, h.APIVersion, err)
		return false
	}
	if a, ok := req.body.(*protocol.SaslAuthenticateRequest); ok {
		req.token = cc.takeToken(a)
	}
	req.faults = c.matchFaults(cc.broker.id, req)
	if faultsSay(req.faults, DropBeforeHandling) {
		c.record(cc, req, msg, nil, nil, start)
		return false
	}
	resp := handlers[h.APIKey].serve(c, req)
	return cc.respond(req, msg, resp, start)
}

// respond sends resp, unless it is nil, after what the request's faults ask for: a delay, or a
// closed connection instead of the answer.
func (cc *clientConn) respond(req *request, msg []byte, resp protocol.Message, start time.Time) bool {
	c := cc.broker.cluster
	if faultsSay(req.faults, DropAfterHandling) {
		c.record(cc, req, msg, resp, nil, start)
		return false
	}
	if d := faultDelay(req.faults); d > 0 {
		select {
		case <-time.After(d):
		case <-cc.broker.stopping():
		}
	}
	var out []byte
	if resp != nil {
		out = protocol.AppendResponse(nil, req.header.CorrelationID, req.header.APIVersion, resp)
	}
	c.record(cc, req, msg, resp, out, start)
	if out == nil {
		return !req.closeAfter
	}
	if err := cc.write(out); err != nil {
		if errors.Is(err, net.ErrClosed) { // the broker stopped, or the cluster closed
			return false
		}
		c.logf("broker %d: connection %d: writing %s response: %v", cc.broker.id, cc.id, req.header.APIKey, err)
		return false
	}
	return !req.closeAfter
}

// write sends p to the client, which must take it within the request timeout: a client that
// stopped reading would otherwise hold the connection, and its goroutine, forever.
func (cc *clientConn) write(p []byte) error {
	d := cc.broker.cluster.cfg.requestTimeout
	cc.conn.SetWriteDeadline(deadline(d))
	_, err := cc.conn.Write(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w: not taken in %v (RequestTimeout)", err, d)
	}
	return err
}

// unsupported answers a request for a version the broker does not serve, or advertises but refuses
// (Produce v0–v2 under Kafka40). ApiVersions has an answer for that (v0, UNSUPPORTED_VERSION and
// the range of ApiVersions alone, KIP-511, as Kafka answers); other APIs do not, and Kafka closes
// the connection.
func (cc *clientConn) unsupported(h *protocol.RequestHeader, msg []byte) bool {
	c := cc.broker.cluster
	if c.cfg.profile.refuses(h.APIKey, h.APIVersion) {
		c.logf("broker %d: connection %d: %s v%d is advertised but refused (UNSUPPORTED_VERSION): closing the connection", cc.broker.id, cc.id, h.APIKey, h.APIVersion)
	} else {
		c.logf("broker %d: connection %d: %s v%d is not served", cc.broker.id, cc.id, h.APIKey, h.APIVersion)
	}
	if h.APIKey != protocol.KeyApiVersions {
		return false
	}
	resp := c.apiVersions()
	resp.ErrorCode = kerr.UnsupportedVersion.Code
	resp.APIKeys = slices.DeleteFunc(resp.APIKeys, func(k protocol.ApiVersion) bool { return k.APIKey != protocol.KeyApiVersions })
	req := &request{cc: cc, header: *h, body: &protocol.ApiVersionsRequest{}}
	req.header.APIVersion = 0
	return cc.respond(req, msg, resp, time.Now())
}
