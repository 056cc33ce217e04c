package interop

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/kwire-dev/kwire/wire/protocol"
)

// diffSide is one of the two brokers the differential test talks to: a raw connection with kwire's
// framing, and what this broker handed out that later requests must name (topic ids, producer
// ids), so that both brokers get the same bytes but for those.
type diffSide struct {
	name  string // "kafka" or "mock"
	addr  string
	conn  net.Conn
	r     *bufio.Reader
	corr  int32 // of the request sent last, which its answer must carry
	aside int32 // requests sent to this broker alone, outside exchanges

	topicIDs      map[string]protocol.UUID
	producerID    int64
	producerEpoch int16
}

// diffTimeout bounds every read and write: a broker that does not answer fails the exchange.
const diffTimeout = 20 * time.Second

// diffClientID is the client id of every request.
var diffClientID = "kwire-mockdiff"

// errNoAnswer is what roundTrip returns when the broker closed the connection instead of answering.
var errNoAnswer = errors.New("connection closed without an answer")

func newDiffSide(name, addr string) *diffSide {
	return &diffSide{name: name, addr: addr, topicIDs: map[string]protocol.UUID{}, producerID: -1, producerEpoch: -1}
}

// dial connects if the side has no connection (the first request, or after the broker closed one).
func (s *diffSide) dial() error {
	if s.conn != nil {
		return nil
	}
	conn, err := net.DialTimeout("tcp", s.addr, diffTimeout)
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	s.conn, s.r = conn, bufio.NewReader(conn)
	return nil
}

func (s *diffSide) close() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// asideCorrelationIDs start the correlation ids of the requests sent to one broker alone (waiting
// for a topic, a probe after acks=0), so that an exchange's request has the same id, and the same
// bytes, on both.
const asideCorrelationIDs = 1 << 30

// nextAside is the correlation id of the next request sent to this broker alone.
func (s *diffSide) nextAside() int32 {
	s.aside++
	return asideCorrelationIDs + s.aside
}

// send frames body at version with correlation id corr and writes it; it returns the frame.
func (s *diffSide) send(version int16, body protocol.Message, corr int32) ([]byte, error) {
	if err := s.dial(); err != nil {
		return nil, err
	}
	s.corr = corr
	frame := protocol.AppendRequest(nil, &protocol.RequestHeader{APIKey: body.Key(), APIVersion: version, CorrelationID: corr, ClientID: &diffClientID}, body)
	s.conn.SetDeadline(time.Now().Add(diffTimeout))
	if _, err := s.conn.Write(frame); err != nil {
		s.close()
		return frame, fmt.Errorf("%s: writing %s v%d: %w", s.name, body.Key(), version, err)
	}
	return frame, nil
}

// receive reads the answer to the request just sent, checks its correlation id and decodes it
// with kwire's wire/protocol at version (answerVersion, for ApiVersions' v0 answer to a version it
// does not serve). A connection the broker closed gives errNoAnswer and is dropped.
func (s *diffSide) receive(key protocol.APIKey, answerVersion int16) (protocol.Message, error) {
	var size [4]byte
	if _, err := io.ReadFull(s.r, size[:]); err != nil {
		s.close()
		if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isConnReset(err) {
			return nil, errNoAnswer
		}
		return nil, fmt.Errorf("%s: reading the %s response: %w", s.name, key, err)
	}
	n := binary.BigEndian.Uint32(size[:])
	if n > 64<<20 {
		s.close()
		return nil, fmt.Errorf("%s: a %s response of %d bytes", s.name, key, n)
	}
	frame := make([]byte, n)
	if _, err := io.ReadFull(s.r, frame); err != nil {
		s.close()
		return nil, fmt.Errorf("%s: reading the %s response: %w", s.name, key, err)
	}
	corr, body, err := protocol.ReadResponseHeader(frame, key, answerVersion)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %s response header: %w", s.name, key, err)
	case corr != s.corr:
		return nil, fmt.Errorf("%s: %s response with correlation id %d, want %d", s.name, key, corr, s.corr)
	}
	resp := protocol.NewResponse(key)
	if err := resp.Decode(body, answerVersion); err != nil {
		return nil, fmt.Errorf("%s: kwire cannot decode the %s v%d response (%d bytes, %x…): %w", s.name, key, answerVersion, len(body), body[:min(len(body), 256)], err)
	}
	return resp, nil
}

// isConnReset reports a connection the broker reset rather than closed (it had unread bytes).
func isConnReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }
