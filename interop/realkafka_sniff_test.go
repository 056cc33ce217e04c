package interop

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"sync"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// produceSniffer is a producer.Config.Dialer that keeps a copy of what kwire's producer sends: it
// dials TCP as usual and decodes the Produce requests written on every connection, with
// wire/protocol and wire.ReadBatchHeader, into the header of each batch, per partition in the
// order written. kwire does not report producer ids, epochs or sequences through its API; this is
// how a test knows what it put in each batch.
type produceSniffer struct {
	mu      sync.Mutex
	topics  map[protocol.UUID]string // Produce v13+ names topics by id
	batches map[topicPartition][]sentBatch
	err     error // the first request that could not be decoded
}

type topicPartition struct {
	topic     string
	partition int32
}

// sentBatch is one record batch of a Produce request, as written.
type sentBatch struct {
	wire.BatchHeader
	acks            int16
	transactionalID *string
}

func newProduceSniffer() *produceSniffer {
	return &produceSniffer{topics: map[protocol.UUID]string{}, batches: map[topicPartition][]sentBatch{}}
}

// Learn tells the sniffer the ids of topics, by name.
func (s *produceSniffer) Learn(topicIDs map[string]protocol.UUID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, id := range topicIDs {
		s.topics[id] = name
	}
}

// Dial is the producer.Config.Dialer.
func (s *produceSniffer) Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &sniffedConn{Conn: c, s: s}, nil
}

// Batches are the batches written to tp, in order.
func (s *produceSniffer) Batches(tp topicPartition) []sentBatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batches[tp]
}

// Err is the first failure to decode what the producer wrote.
func (s *produceSniffer) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// sniffedConn passes writes through and hands every complete request frame to its sniffer.
type sniffedConn struct {
	net.Conn
	s       *produceSniffer
	pending []byte // the start of a frame not written whole yet
}

// maxSniffedFrame bounds a request frame the sniffer buffers: kwire's requests stay below
// max.request.size (1 MiB by default) plus a little framing.
const maxSniffedFrame = 64 << 20

func (c *sniffedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	data := p[:n]
	if len(c.pending) > 0 {
		c.pending = append(c.pending, data...)
		data = c.pending
	}
	for len(data) >= 4 {
		size := binary.BigEndian.Uint32(data)
		if size > maxSniffedFrame {
			c.s.fail(fmt.Errorf("a request frame of %d bytes", size))
			c.pending = nil
			return n, err
		}
		if uint32(len(data)-4) < size {
			break
		}
		c.s.request(data[4 : 4+size])
		data = data[4+size:]
	}
	c.pending = append(c.pending[:0], data...) // the start of a frame not written whole
	return n, err
}

// request records the batches of frame, a request without its size prefix, if it is a Produce.
func (s *produceSniffer) request(frame []byte) {
	h, body, err := protocol.ReadRequestHeader(frame)
	if err != nil {
		s.fail(fmt.Errorf("request header: %w", err))
		return
	}
	if h.APIKey != protocol.KeyProduce {
		return
	}
	var req protocol.ProduceRequest
	if err := req.Decode(body, h.APIVersion); err != nil {
		s.fail(fmt.Errorf("Produce v%d (correlation id %d): %w", h.APIVersion, h.CorrelationID, err))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, td := range req.TopicData {
		topic := td.Name
		if h.APIVersion >= 13 {
			var ok bool
			if topic, ok = s.topics[td.TopicID]; !ok {
				s.failLocked(fmt.Errorf("Produce v%d names topic id %x, not one of the test's", h.APIVersion, td.TopicID))
				continue
			}
		}
		for _, pd := range td.PartitionData {
			tp := topicPartition{topic, pd.Index}
			for rest := pd.Records; len(rest) > 0; {
				bh, err := wire.ReadBatchHeader(rest)
				if err == nil {
					err = wire.VerifyBatchCRC(rest, &bh)
				}
				if err != nil {
					s.failLocked(fmt.Errorf("Produce v%d %s/%d: batch %d: %w", h.APIVersion, topic, pd.Index, len(s.batches[tp]), err))
					break
				}
				s.batches[tp] = append(s.batches[tp], sentBatch{bh, req.Acks, req.TransactionalID})
				rest = rest[bh.Size():]
			}
		}
	}
}

func (s *produceSniffer) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLocked(err)
}

func (s *produceSniffer) failLocked(err error) {
	if s.err == nil {
		s.err = err
	}
}
