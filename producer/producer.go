// Package producer is an asynchronous Kafka producer with the semantics of the Java client's
// KafkaProducer: records are partitioned, gathered into batches per partition for up to linger.ms
// or batch.size, compressed, and sent by a background sender with acks, retries, timeouts and
// (by default) idempotence, so that retries neither lose nor duplicate nor reorder records.
package producer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kwire-dev/kwire/internal/coarseclock"
	"github.com/kwire-dev/kwire/wire"
)

// ErrClosed is the error of a Send after Close, and of records Close could not deliver in time.
var ErrClosed = errors.New("producer: closed")

// RecordTooLargeError is a record bigger than max.request.size or buffer.memory allow.
type RecordTooLargeError struct {
	Size, Limit int
	Setting     string
}

// Error names the sizes and the setting.
func (e *RecordTooLargeError) Error() string {
	return fmt.Sprintf("producer: record of %d bytes is larger than %s (%d)", e.Size, e.Setting, e.Limit)
}

// DeliveryTimeoutError is a record that was not acknowledged within delivery.timeout.ms.
type DeliveryTimeoutError struct {
	Topic     string
	Partition int32
	Timeout   time.Duration
	Last      error // the last failure of an attempt, or of the InitProducerId it waited for; or nil
}

// Error names the partition and the last failure.
func (e *DeliveryTimeoutError) Error() string {
	s := fmt.Sprintf("producer: %s/%d: not delivered within delivery.timeout.ms (%v)", e.Topic, e.Partition, e.Timeout)
	if e.Last != nil {
		s += "; last error: " + e.Last.Error()
	}
	return s
}

// Unwrap is the last failure.
func (e *DeliveryTimeoutError) Unwrap() error { return e.Last }

// Producer sends records to Kafka. It is safe for use from many goroutines.
type Producer struct {
	cfg   Config
	sec   *security // the TLS configuration and SASL credentials
	meta  *metadataCache
	mem   *memory
	bufs  bufferPool
	clock coarseclock.Clock // the time of records without one
	stats stats

	ctx    context.Context // ends when the producer stops
	stop   context.CancelFunc
	closed atomic.Bool
	wake   chan struct{} // tells the sender there is work

	mu         sync.RWMutex
	topics     map[string]*topicState
	partitions []*partitionState // every partition state, for the sender to scan
	incomplete map[*batch]struct{}
	flushing   int // Flush calls in progress: batches go out without lingering

	sender    *sender
	closeOnce sync.Once
	senderEnd chan struct{} // closed when the sender has stopped
	metaEnd   chan struct{} // closed when the metadata refreshes have stopped
}

// topicState is a topic's partition states and its sticky partition.
type topicState struct {
	parts  []*partitionState
	sticky stickyPartition
}

// New starts a producer. It does not connect until the first record (or PartitionsFor) needs
// metadata, but it checks the configuration and reads the TLS files it names: errors are
// *ConfigError naming the property.
func New(cfg Config) (*Producer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	sec, err := newSecurity(&cfg)
	if err != nil {
		return nil, err
	}
	if !cfg.idempotent() {
		cfg.Idempotence = Off
	}
	p := &Producer{
		cfg:        cfg,
		sec:        sec,
		mem:        newMemory(cfg.BufferMemory),
		bufs:       bufferPool{size: cfg.BatchSize},
		wake:       make(chan struct{}, 1),
		topics:     map[string]*topicState{},
		incomplete: map[*batch]struct{}{},
		senderEnd:  make(chan struct{}),
		metaEnd:    make(chan struct{}),
	}
	p.ctx, p.stop = context.WithCancel(context.Background())
	p.meta = newMetadataCache(&p.cfg, p.dial)
	p.sender = newSender(p)
	go func() {
		defer close(p.metaEnd)
		p.meta.run(p.ctx)
	}()
	go func() {
		defer close(p.senderEnd)
		p.sender.run(p.ctx)
	}()
	return p, nil
}

// dial connects to a broker within the producer's life.
func (p *Producer) dial(ctx context.Context, addr string) (*brokerConn, error) {
	return dialBroker(ctx, addr, &p.cfg, p.sec)
}

// Send queues a record and returns once it is in a batch; cb (which may be nil, for
// fire-and-forget) is called once with where the record landed or why it did not. Send blocks up
// to max.block.ms, or until ctx ends, for metadata or buffer space. Errors it returns (too large,
// closed, timed out waiting) mean the record was not queued and cb will not be called.
//
// Send copies the record into its batch: once it returns, r and the key, value and headers it
// points to may be reused, as the Java client's serializers allow.
//
// Callbacks run on the producer's sender goroutine, in order per partition: keep them short.
func (p *Producer) Send(ctx context.Context, r *Record, cb func(Metadata, error)) error {
	if p.closed.Load() {
		return ErrClosed
	}
	rec := wire.Record{Timestamp: r.Timestamp.UnixMilli(), Key: r.Key, Value: r.Value, Headers: r.Headers}
	size := wire.RecordSize(&rec, 0, 0) + wire.BatchHeaderSize
	if size > p.cfg.MaxRequestSize {
		return &RecordTooLargeError{Size: size, Limit: p.cfg.MaxRequestSize, Setting: "max.request.size"}
	}
	if int64(size) > p.cfg.BufferMemory {
		return &RecordTooLargeError{Size: size, Limit: int(p.cfg.BufferMemory), Setting: "buffer.memory"}
	}
	ps, err := p.choosePartition(ctx, r, size)
	if err != nil {
		return err
	}
	if r.Timestamp.IsZero() {
		rec.Timestamp = p.clock.Milli() // once the metadata is in, as the Java producer stamps it
	}
	return p.append(ctx, ps, &rec, size, cb)
}

// SendSync sends a record and waits for its delivery, or for ctx.
func (p *Producer) SendSync(ctx context.Context, r *Record) (Metadata, error) {
	type result struct {
		md  Metadata
		err error
	}
	done := make(chan result, 1)
	if err := p.Send(ctx, r, func(md Metadata, err error) { done <- result{md, err} }); err != nil {
		return Metadata{}, err
	}
	select {
	case res := <-done:
		return res.md, res.err
	case <-ctx.Done():
		return Metadata{}, context.Cause(ctx)
	}
}

// choosePartition finds the partition state of the record's partition: its own, the
// partitioner's choice, its key's hash, or the topic's sticky partition.
func (p *Producer) choosePartition(ctx context.Context, r *Record, size int) (*partitionState, error) {
	ts, err := p.topic(ctx, r.Topic)
	if err != nil {
		return nil, err
	}
	n := int32(len(ts.parts))
	idx, explicit := r.Partition.Index()
	switch {
	case explicit:
		if idx < 0 || idx >= n {
			return nil, fmt.Errorf("producer: topic %q has %d partitions: no partition %d", r.Topic, n, idx)
		}
	case p.cfg.Partitioner != nil:
		idx = p.cfg.Partitioner.Partition(r.Topic, r.Key, n)
		if idx < 0 || idx >= n {
			return nil, fmt.Errorf("producer: partitioner chose partition %d of topic %q, which has %d", idx, r.Topic, n)
		}
	case r.Key != nil && !p.cfg.IgnoreKeys:
		idx = KeyPartition(r.Key, n)
	default:
		idx = ts.sticky.next(n, size, p.cfg.BatchSize)
	}
	return ts.parts[idx], nil
}

// topic is the state of topic, created once the metadata knows its partitions.
func (p *Producer) topic(ctx context.Context, topic string) (*topicState, error) {
	p.mu.RLock()
	ts := p.topics[topic]
	p.mu.RUnlock()
	if ts != nil {
		return ts, nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.MaxBlock)
	defer cancel()
	tv, err := p.meta.topic(ctx, topic)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ts = p.topics[topic]; ts != nil {
		return ts, nil
	}
	ts = &topicState{}
	for i := range tv.leaders {
		ps := &partitionState{tp: topicPartition{topic, int32(i)}, lastAcked: -1}
		ts.parts = append(ts.parts, ps)
		p.partitions = append(p.partitions, ps)
	}
	p.topics[topic] = ts
	return ts, nil
}

// append adds the record to the partition's open batch, opening a new one (and reserving its
// buffer memory, which may wait) when there is none or it is full. A batch opens with its first
// record, so the sender never sees an empty batch, and counts among the incomplete ones from then;
// once the producer is closed, nothing is added, so every callback of an accepted record is
// called.
func (p *Producer) append(ctx context.Context, ps *partitionState, rec *wire.Record, size int, cb func(Metadata, error)) error {
	var spare *batch
	defer func() {
		if spare != nil {
			p.release(spare) // unused: its memory goes back
		}
	}()
	for {
		ps.mu.Lock()
		if p.closed.Load() {
			ps.mu.Unlock()
			return ErrClosed
		}
		b := ps.open()
		opened := b == nil || b.full(size, p.cfg.BatchSize)
		if opened && spare == nil {
			ps.mu.Unlock()
			var err error
			if spare, err = p.newBatch(ctx, ps, size); err != nil {
				return err
			}
			continue
		}
		if opened {
			b, spare = spare, nil
			ps.push(b)
			p.mu.Lock()
			p.incomplete[b] = struct{}{}
			p.mu.Unlock()
		}
		b.add(rec, cb)
		ps.appended++
		full := b.builder.Size() >= p.cfg.BatchSize
		ps.mu.Unlock()
		if full || opened {
			p.kick()
		}
		p.stats.records.Add(1)
		return nil
	}
}

// newBatch makes an empty batch for ps with room for a record of size bytes, waiting for buffer
// memory until ctx ends.
func (p *Producer) newBatch(ctx context.Context, ps *partitionState, size int) (*batch, error) {
	n := min(max(p.cfg.BatchSize, size), int(p.cfg.BufferMemory)) // a record never exceeds buffer.memory
	ctx, cancel := context.WithTimeout(ctx, p.cfg.MaxBlock)
	defer cancel()
	if err := p.mem.reserve(ctx, n); err != nil {
		return nil, err
	}
	if p.closed.Load() {
		p.mem.release(n)
		return nil, ErrClosed
	}
	b := &batch{ps: ps, buf: p.bufs.get(n), reserved: n, created: time.Now(), seq: -1, done: make(chan struct{})}
	b.builder.Reset(b.buf)
	return b, nil
}

// kick wakes the sender.
func (p *Producer) kick() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Flush sends every buffered record at once, without lingering, and waits until all records sent
// before the call are complete (delivered or failed), or ctx ends.
func (p *Producer) Flush(ctx context.Context) error {
	p.mu.Lock()
	p.flushing++
	waiting := make([]*batch, 0, len(p.incomplete))
	for b := range p.incomplete {
		waiting = append(waiting, b)
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.flushing--
		p.mu.Unlock()
	}()
	p.kick()
	for _, b := range waiting {
		select {
		case <-b.done:
		case <-ctx.Done():
			return fmt.Errorf("producer: flush: %w", context.Cause(ctx))
		}
	}
	return nil
}

// Close stops accepting records, flushes what is buffered within ctx, then fails what is left with
// ErrClosed and releases the connections. Once it returns, the producer has stopped and logs
// nothing more. Closing again does nothing and returns nil.
func (p *Producer) Close(ctx context.Context) error {
	var err error
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		err = p.Flush(ctx)
		p.stop()
		<-p.senderEnd
		<-p.metaEnd
		p.sender.failAll(ErrClosed)
	})
	return err
}

// PartitionsFor is the number of partitions of topic and their leaders' broker ids (-1 for none),
// waiting up to max.block.ms (or ctx) for metadata.
func (p *Producer) PartitionsFor(ctx context.Context, topic string) ([]PartitionInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.MaxBlock)
	defer cancel()
	tv, err := p.meta.topic(ctx, topic)
	if err != nil {
		return nil, err
	}
	out := make([]PartitionInfo, len(tv.leaders))
	for i, l := range tv.leaders {
		out[i] = PartitionInfo{Topic: topic, Partition: int32(i), Leader: l}
	}
	return out, nil
}

// PartitionInfo is one partition of a topic and its leader, as the metadata says.
type PartitionInfo struct {
	Topic     string
	Partition int32
	Leader    int32 // broker id, -1 while there is none
}

// logf logs a producer event at debug level.
func (p *Producer) logf(msg string, args ...any) {
	if p.cfg.Logger != nil {
		p.cfg.Logger.Debug(msg, args...)
	}
}

// warnf logs a producer event that needs attention at warning level.
func (p *Producer) warnf(msg string, args ...any) {
	if p.cfg.Logger != nil {
		p.cfg.Logger.Warn(msg, args...)
	}
}
