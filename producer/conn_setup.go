package producer

// Setting a connection up: dial (the Dialer or TCP), TLS when configured, ApiVersions, then SASL
// authentication when configured. These requests go one at a time, each answered before the next
// is written, on the connection itself; only once it is ready do its writer and reader start.
// That is also what SaslHandshake v0 needs, whose tokens are bare frames without Kafka's header.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// dialBroker connects to addr, protects and authenticates the connection as sec says, and learns
// the broker's API versions. Failures are *NetworkError (retriable) or *AuthenticationError (not).
func dialBroker(ctx context.Context, addr string, cfg *Config, sec *security) (*brokerConn, error) {
	nc, err := openConn(ctx, addr, cfg)
	if err != nil {
		return nil, &NetworkError{Addr: addr, Err: err}
	}
	if sec.tls != nil {
		if nc, err = handshakeTLS(ctx, nc, addr, sec.tls, cfg.RequestTimeout); err != nil {
			return nil, tlsFailure(addr, err)
		}
	}
	c := &brokerConn{addr: addr, nc: nc, timeout: cfg.RequestTimeout, writes: make(chan *call), quit: make(chan struct{}),
		clientID: cfg.ClientID, framer: wire.NewFramer(nc, nc), sasl: sec.mechanism != ""}
	c.pending.L = &c.mu
	if err := c.setup(ctx, sec); err != nil {
		nc.Close()
		return nil, err
	}
	go c.writeLoop()
	go c.readLoop()
	return c, nil
}

// tlsFailure is the error of a failed TLS handshake: an *AuthenticationError when TLS refused a
// certificate, else a *NetworkError, with a hint when the broker hung up without a word.
func tlsFailure(addr string, err error) error {
	if ae := tlsRefusal(addr, err); ae != nil {
		return ae
	}
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("the broker closed the connection during the TLS handshake: is its listener PLAINTEXT or SASL_PLAINTEXT? (%w)", err)
	}
	return &NetworkError{Addr: addr, Err: err}
}

// setup asks for the broker's API versions and authenticates, until ctx ends; closing the
// producer ends ctx, which closes the connection.
func (c *brokerConn) setup(ctx context.Context, sec *security) error {
	stop := context.AfterFunc(ctx, func() { c.nc.Close() })
	err := c.negotiate()
	if err == nil && sec.mechanism != "" {
		err = c.authenticate(sec)
	}
	if !stop() {
		return &NetworkError{Addr: c.addr, Err: context.Cause(ctx)}
	}
	c.nc.SetDeadline(time.Time{})
	return err
}

// negotiate asks the broker which versions it serves (ApiVersions v3, or v0 if the broker is
// older, KIP-511).
func (c *brokerConn) negotiate() error {
	for _, v := range []int16{3, 0} {
		resp := new(protocol.ApiVersionsResponse)
		req := &protocol.ApiVersionsRequest{ClientSoftwareName: "kwire", ClientSoftwareVersion: "0.1"}
		if err := c.exchange(v, req, resp); err != nil {
			return c.setupError(protocol.KeyApiVersions, err)
		}
		if resp.ErrorCode == 0 {
			c.versions = make(map[protocol.APIKey]protocol.VersionRange, len(resp.APIKeys))
			for _, k := range resp.APIKeys {
				c.versions[k.APIKey] = protocol.VersionRange{Min: k.MinVersion, Max: k.MaxVersion}
			}
			return nil
		}
	}
	return &NetworkError{Addr: c.addr, Err: errors.New("ApiVersions: the broker supports neither v3 nor v0")}
}

// exchange writes one request and reads its answer, within request.timeout.ms.
func (c *brokerConn) exchange(version int16, req, resp protocol.Message) error {
	c.setupCorr++
	id := c.clientID
	out := protocol.AppendRequest(c.framer.WriteBuffer(), &protocol.RequestHeader{APIKey: req.Key(), APIVersion: version, CorrelationID: c.setupCorr, ClientID: &id}, req)
	c.nc.SetDeadline(time.Now().Add(c.timeout))
	if err := c.framer.WriteFrame(out); err != nil {
		return err
	}
	frame, err := c.readFrame(req.Key(), responseBound(req))
	if err != nil {
		return err
	}
	corr, body, err := protocol.ReadResponseHeader(frame, req.Key(), version)
	if err == nil && corr != c.setupCorr {
		err = fmt.Errorf("correlation id %d, expected %d", corr, c.setupCorr)
	}
	if err == nil {
		err = resp.Decode(body, version)
	}
	if err != nil {
		return fmt.Errorf("%s v%d response: %w", req.Key(), version, err)
	}
	return nil
}

// setupError is the error of a setup request of API key that failed with err: an
// *AuthenticationError when TLS refused (with TLS 1.3 a broker's refusal of the client
// certificate arrives with its first answer), else a *NetworkError saying what happened.
func (c *brokerConn) setupError(key protocol.APIKey, err error) error {
	if ae := tlsRefusal(c.addr, err); ae != nil {
		return ae
	}
	var (
		ne      net.Error
		badSize *responseSizeError
	)
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		err = fmt.Errorf("no answer to %s within request.timeout.ms (%v)", key, c.timeout)
	case errors.As(err, &badSize) && badSize.tlsRecord() && !isTLS(c.nc):
		err = fmt.Errorf("the broker answered %s in TLS: is its listener SSL or SASL_SSL (security.protocol)? (%w)", key, err)
	case errors.Is(err, io.EOF) && key == protocol.KeyApiVersions && !isTLS(c.nc):
		err = fmt.Errorf("%w by the broker during ApiVersions: is its listener SSL or SASL_SSL (security.protocol)?", errConnClosed)
	case errors.Is(err, io.EOF) && key == protocol.KeySaslAuthenticate:
		err = fmt.Errorf("%w by the broker during SASL authentication (a broker that refuses credentials without saying so does this)", errConnClosed)
	case errors.Is(err, io.EOF):
		err = fmt.Errorf("%w by the broker during %s", errConnClosed, key)
	}
	return &NetworkError{Addr: c.addr, Err: err}
}
