package producer

import (
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// prepare finishes a batch the first time it is sent: its header, its producer id, epoch and
// sequence when idempotent, and its compression.
func (s *sender) prepare(b *batch) error {
	if b.data != nil {
		s.p.stats.retries.Add(1)
		return nil
	}
	h := wire.BatchHeader{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}
	h.Attributes = h.Attributes.WithCodec(s.cfg.Compression)
	if s.cfg.Idempotence != Off {
		ps := b.ps
		b.seq = ps.nextSeq
		ps.nextSeq = addSequence(ps.nextSeq, b.records)
		h.ProducerID, h.ProducerEpoch, h.BaseSequence = s.pid, s.epoch, b.seq
	}
	uncompressed := b.builder.Size()
	var out []byte // where a compressed batch goes: a pooled buffer, which replaces the batch's
	if s.cfg.Compression != wire.CodecNone {
		out = s.p.bufs.get(s.cfg.BatchSize)
	}
	data, err := b.builder.Finish(out, h, s.cfg.level())
	if err != nil {
		s.p.bufs.put(out)
		return err
	}
	if out != nil {
		s.p.bufs.put(b.buf)
		b.buf = data
	}
	b.data = data
	s.p.stats.batches.Add(1)
	s.p.stats.batchBytes.Add(int64(len(data)))
	s.p.stats.uncompressed.Add(int64(uncompressed))
	return nil
}

// produceBuild gathers the batches of one produce request.
type produceBuild struct {
	batches []*batch
	size    int
}

func (pb *produceBuild) add(b *batch) {
	pb.batches = append(pb.batches, b)
	pb.size += len(b.data)
}

// dispatch sends a produce request with the gathered batches to broker id.
func (s *sender) dispatch(id int32, build *produceBuild) {
	slot := s.brokers[id]
	version, err := slot.conn.version(protocol.KeyProduce, produceVersions)
	if err != nil {
		for _, b := range build.batches {
			s.retryOrFail(b, err, time.Now())
		}
		return
	}
	req := &protocol.ProduceRequest{Acks: int16(s.cfg.Acks), TimeoutMs: int32(s.cfg.RequestTimeout / time.Millisecond)}
	topicIndex := map[string]int{}
	for _, b := range build.batches {
		i, ok := topicIndex[b.ps.tp.topic]
		if !ok {
			i = len(req.TopicData)
			topicIndex[b.ps.tp.topic] = i
			req.TopicData = append(req.TopicData, protocol.ProduceTopic{Name: b.ps.tp.topic})
		}
		req.TopicData[i].PartitionData = append(req.TopicData[i].PartitionData, protocol.ProducePartition{Index: b.ps.tp.partition, Records: b.data})
	}
	cl := &call{key: protocol.KeyProduce, version: version, body: req, batches: build.batches, broker: id, done: s.answered}
	if s.cfg.Acks != AcksNone {
		cl.resp = new(protocol.ProduceResponse)
	}
	slot.inflight++
	s.p.stats.inflight.Add(1)
	slot.conn.send(cl)
}
