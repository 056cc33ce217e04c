package producer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// produceVersions are the Produce versions the producer sends: v3 is the first with record batches,
// v12 the last that names topics rather than their ids.
var produceVersions = protocol.VersionRange{Min: 3, Max: 12}

// idle is how long the sender sleeps when nothing is due; sends and completions wake it sooner.
const idle = 50 * time.Millisecond

// sender is the producer's one background goroutine that moves batches: it closes batches whose
// linger passed, groups ready ones by leader into produce requests, and handles the answers:
// completions, retries, splits and, for idempotence, producer ids and epoch bumps. Everything
// below mu is touched only from that goroutine.
type sender struct {
	p   *Producer
	cfg *Config

	mu      sync.Mutex
	done    []*call       // answered calls, waiting for the sender
	signal  chan struct{} // something was added to done, or a dial or InitProducerId finished
	dialed  []dialResult
	pidDone *pidResult

	brokers map[int32]*brokerSlot

	pid         int64
	epoch       int16
	pidPending  bool
	pidAfter    time.Time // backoff after a failed InitProducerId
	pidFailures int       // InitProducerId requests failed in a row, for the backoff
	pidErr      error     // why the last of them failed; nil once one succeeded
	needBump    bool      // sequences must restart under a new epoch, once nothing unresolved is left
}

// brokerSlot is the sender's connection to one broker and what limits sending to it.
type brokerSlot struct {
	id             int32
	conn           *brokerConn
	dialing        bool
	dialAfter      time.Time // reconnect backoff
	authErr        error     // the last connection attempt failed to authenticate
	inflight       int
	throttledUntil time.Time
}

type dialResult struct {
	id   int32
	conn *brokerConn
	err  error
}

type pidResult struct {
	id      int64
	epoch   int16
	bump    bool // the request carried the producer id, for a new epoch of it
	refused bool // err is the broker's answer, an error retrying cannot change
	err     error
}

func newSender(p *Producer) *sender {
	return &sender{p: p, cfg: &p.cfg, signal: make(chan struct{}, 1), brokers: map[int32]*brokerSlot{}, pid: -1, epoch: -1}
}

// notify wakes the sender loop from another goroutine.
func (s *sender) notify() {
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// run moves batches until ctx ends.
func (s *sender) run(ctx context.Context) {
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		s.handleEvents()
		next := s.drain(time.Now())
		timer.Reset(max(time.Until(next), 0))
		select {
		case <-ctx.Done():
			for _, b := range s.brokers {
				if b.conn != nil {
					b.conn.close(ErrClosed)
				}
			}
			return
		case <-s.p.wake:
		case <-s.signal:
		case <-timer.C:
		}
	}
}

// handleEvents takes in what other goroutines finished: answered calls, dials, producer ids.
func (s *sender) handleEvents() {
	s.mu.Lock()
	done, dialed, pid := s.done, s.dialed, s.pidDone
	s.done, s.dialed, s.pidDone = nil, nil, nil
	s.mu.Unlock()
	for _, d := range dialed {
		s.dialDone(d)
	}
	if pid != nil {
		s.gotProducerID(pid)
	}
	for _, cl := range done {
		s.complete(cl)
	}
}

// dialDone takes a connection made to a broker, or notes why none was. After an authentication
// failure, records waiting for the broker fail with it (see take) until the next attempt, after
// retry.backoff.max.ms.
func (s *sender) dialDone(d dialResult) {
	slot := s.brokers[d.id]
	slot.dialing = false
	slot.authErr = nil
	switch {
	case d.err == nil:
		slot.conn = d.conn
	case isAuthError(d.err):
		slot.authErr = d.err
		slot.dialAfter = time.Now().Add(max(s.cfg.RetryBackoffMax, s.cfg.RetryBackoff))
		s.p.warnf("broker refused authentication", "broker", d.id, "err", d.err)
	default:
		slot.dialAfter = time.Now().Add(s.cfg.RetryBackoff)
		s.p.logf("cannot connect to broker", "broker", d.id, "err", d.err)
		s.p.meta.refresh()
	}
}

// drain sends what is ready and returns when it next needs to look.
func (s *sender) drain(now time.Time) time.Time {
	next := now.Add(idle)
	s.p.mu.RLock()
	parts, flushing := s.p.partitions, s.p.flushing > 0 || s.p.closed.Load()
	s.p.mu.RUnlock()
	mode := sendEverything
	if s.cfg.Idempotence != Off && (s.pid < 0 || s.needBump) {
		if now.Before(s.pidAfter) && s.pidAfter.Before(next) {
			next = s.pidAfter // the next InitProducerId may go then
		}
		if s.pid < 0 || !s.unresolved(parts) {
			s.initProducerID()
		}
		mode = sendResolving
		if s.pid < 0 || s.pidPending {
			mode = sendNone
		}
	}
	view := s.p.meta.current()
	requests := map[int32]*produceBuild{}
	for _, ps := range parts {
		b, wake := s.take(ps, now, flushing, mode, view, requests)
		if wake.Before(next) {
			next = wake
		}
		if b == nil {
			continue
		}
		leader := view.topics[ps.tp.topic].leaders[ps.tp.partition]
		build := requests[leader]
		if build == nil {
			build = &produceBuild{}
			requests[leader] = build
		}
		if err := s.prepare(b); err != nil {
			s.fail(b, err)
			continue
		}
		build.add(b)
		if build.size >= s.cfg.MaxRequestSize-len(b.data) {
			s.dispatch(leader, build)
			delete(requests, leader) // the next request to it waits for an in-flight slot
		}
	}
	for leader, build := range requests {
		if len(build.batches) > 0 {
			s.dispatch(leader, build)
		}
	}
	return next
}

// unresolved reports whether a partition whose sequences are intact still has batches numbered
// under the current epoch, in flight or queued. They may have been written, so they must be
// resolved (acknowledged, or failed for good) under that epoch before an epoch bump renumbers
// what is left: renumbered, a written batch would be written again.
func (s *sender) unresolved(parts []*partitionState) bool {
	for _, ps := range parts {
		if ps.broken {
			continue
		}
		if ps.inflight > 0 {
			return true
		}
		ps.mu.Lock()
		numbered := len(ps.queue) > 0 && ps.queue[0].data != nil
		ps.mu.Unlock()
		if numbered {
			return true
		}
	}
	return false
}

// gap notes that ps's sequences have a gap the broker will not accept: its batches wait for an
// epoch bump, which restarts every partition's sequences.
func (s *sender) gap(ps *partitionState) {
	ps.broken = true
	s.needBump = true
}

// sendMode is what drain may send.
type sendMode int

const (
	sendEverything sendMode = iota
	sendResolving           // before an epoch bump: batches already numbered, of partitions without a gap
	sendNone                // while waiting for a producer id or a new epoch
)

// take closes ps's open batch if its linger is over, fails the batches past
// delivery.timeout.ms, and returns the batch to send now, if mode lets one go, and when to look at
// ps again.
func (s *sender) take(ps *partitionState, now time.Time, flushing bool, mode sendMode, view *clusterView, requests map[int32]*produceBuild) (*batch, time.Time) {
	wake := now.Add(idle)
	var expired, refused []*batch
	var refusal error
	defer func() {
		for _, b := range expired {
			if b.seq >= 0 {
				s.gap(ps)
			}
			s.fail(b, &DeliveryTimeoutError{Topic: ps.tp.topic, Partition: ps.tp.partition, Timeout: s.cfg.DeliveryTimeout, Last: cmp.Or(b.lastErr, s.pidErr)})
		}
		s.failRefused(ps, refused, refusal)
	}()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.open != nil {
		// Past its linger, the open batch closes only when it is next to go: behind queued
		// batches (a leader that is down, requests in flight) it keeps taking records, as the
		// Java client's last batch of a partition does until the sender takes it, so that what
		// piles up meanwhile goes out in full batches rather than one per linger.ms.
		switch end := ps.open.created.Add(s.cfg.Linger); {
		case flushing || !now.Before(end) && len(ps.queue) == 0:
			s.p.closeOpen(ps)
		case now.Before(end):
			wake = end
		}
	}
	for len(ps.queue) > 0 && now.Sub(ps.queue[0].created) >= s.cfg.DeliveryTimeout {
		expired = append(expired, ps.queue[0])
		ps.queue = ps.queue[1:]
	}
	if len(ps.queue) == 0 {
		return nil, wake
	}
	head := ps.queue[0]
	switch {
	case head.retryAt.After(now):
		return nil, head.retryAt
	case mode == sendNone, mode == sendResolving && (ps.broken || head.data == nil):
		return nil, wake
	case s.cfg.Idempotence != Off && ps.inflight > 0 && (ps.retrying || ps.lastAcked < 0):
		// One batch at a time while one is retried, and until the partition has acknowledged
		// one under this epoch: a broker without the producer's state for a partition takes
		// whatever sequence comes first, so a later batch must not get there before the first
		// (if the first met NOT_LEADER_OR_FOLLOWER, say), or the first could never follow it.
		return nil, wake
	}
	tv := view.topics[ps.tp.topic]
	if tv == nil || int(ps.tp.partition) >= len(tv.leaders) || tv.leaders[ps.tp.partition] < 0 {
		s.p.meta.refresh()
		return nil, wake
	}
	leader := tv.leaders[ps.tp.partition]
	if ps.inflight > 0 && ps.inflightTo != leader {
		// A partition's batches are in flight to one broker at a time: after its leader moved,
		// those still out to the old one are answered (or fail) first, for the new one would
		// refuse later batches that came before them (OUT_OF_ORDER_SEQUENCE_NUMBER).
		return nil, wake
	}
	if _, started := requests[leader]; !started && !s.ready(leader, view, now) {
		if refusal = s.brokers[leader].authErr; refusal != nil {
			refused, ps.queue = ps.queue, nil // the leader refused to authenticate the producer
		}
		return nil, wake
	}
	ps.queue = ps.queue[1:]
	ps.inflight++
	ps.inflightTo = leader
	return head, wake
}

// failRefused fails batches taken from ps's queue because their broker refused to authenticate
// the producer.
func (s *sender) failRefused(ps *partitionState, batches []*batch, err error) {
	for _, b := range batches {
		if b.seq >= 0 {
			s.gap(ps) // later batches need a new epoch
		}
		s.fail(b, err)
	}
}

// ready reports whether a new request may go to broker id now, connecting to it if need be.
func (s *sender) ready(id int32, view *clusterView, now time.Time) bool {
	slot := s.brokers[id]
	if slot == nil {
		slot = &brokerSlot{id: id}
		s.brokers[id] = slot
	}
	if c := slot.conn; c != nil && !c.usable(now) {
		if slot.inflight > 0 {
			// What is in flight on it is answered, or fails, first: its batches may have been
			// written, and a new connection must not carry later batches past them.
			return false
		}
		c.retire()
		slot.conn = nil
	}
	if slot.conn == nil {
		if addr, ok := view.brokers[id]; ok && !slot.dialing && !now.Before(slot.dialAfter) {
			slot.dialing = true
			go func() {
				conn, err := s.p.dial(s.p.ctx, addr)
				s.mu.Lock()
				s.dialed = append(s.dialed, dialResult{id, conn, err})
				s.mu.Unlock()
				s.notify()
			}()
		}
		return false
	}
	return slot.inflight < s.cfg.MaxInFlight && !now.Before(slot.throttledUntil)
}

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

// overtaken reports whether a batch after b, numbered under the current epoch, was acknowledged.
func (ps *partitionState) overtaken(b *batch) bool {
	return b.seq >= 0 && ps.lastAcked >= 0 && !seqBefore(ps.lastAcked, addSequence(b.seq, b.records-1))
}

// knownWritten reports whether the broker has written b: a later batch was acknowledged, which a
// broker that knows the producer allows only after this one, and an attempt of b may have been
// written (it went unanswered, or was answered with an error Kafka gives after appending). A
// batch overtaken without such an attempt was refused, and a broker without the producer's state
// took a later one first.
func (ps *partitionState) knownWritten(b *batch) bool { return b.maybeWritten && ps.overtaken(b) }

// addSequence adds n to a sequence number, wrapping past MaxInt32 to 0 as Kafka does.
func addSequence(seq int32, n int32) int32 {
	return int32((int64(seq) + int64(n)) % (math.MaxInt32 + 1))
}

// seqBefore reports whether sequence a comes before b: sequences wrap past MaxInt32 to 0, so a
// is before b when b is less than half the range of sequences ahead of it.
func seqBefore(a, b int32) bool {
	d := (int64(b) - int64(a) + math.MaxInt32 + 1) % (math.MaxInt32 + 1)
	return d > 0 && d <= math.MaxInt32/2
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

// answered hands a finished call to the sender loop; it runs on the connection's goroutines.
func (s *sender) answered(cl *call) {
	s.mu.Lock()
	s.done = append(s.done, cl)
	s.mu.Unlock()
	s.notify()
}

// complete handles a produce call's outcome, batch by batch.
func (s *sender) complete(cl *call) {
	now := time.Now()
	slot := s.brokers[cl.broker] // by id: its connection may have been replaced since
	slot.inflight--
	s.p.stats.inflight.Add(-1)
	if !cl.sentAt.IsZero() {
		s.p.stats.noteLatency(now.Sub(cl.sentAt))
	}
	if cl.err != nil {
		s.p.stats.noteError("NETWORK")
		for _, b := range cl.batches {
			b.maybeWritten = true
			s.retryOrFail(b, cl.err, now)
		}
		return
	}
	if cl.resp == nil { // acks=0
		for _, b := range cl.batches {
			s.succeed(b, -1, -1)
		}
		return
	}
	resp := cl.resp.(*protocol.ProduceResponse)
	if resp.ThrottleTimeMs > 0 {
		slot.throttledUntil = now.Add(time.Duration(resp.ThrottleTimeMs) * time.Millisecond)
	}
	for _, b := range cl.batches {
		pr, ok := findPartition(resp, b.ps.tp)
		if !ok {
			s.retryOrFail(b, &NetworkError{Addr: cl.conn.addr, Err: errors.New("produce response without the partition")}, now)
			continue
		}
		s.outcome(b, pr, now)
	}
}

// findPartition finds tp's answer in a produce response.
func findPartition(resp *protocol.ProduceResponse, tp topicPartition) (*protocol.ProducePartitionResponse, bool) {
	for i := range resp.Responses {
		t := &resp.Responses[i]
		if t.Name != tp.topic {
			continue
		}
		for j := range t.PartitionResponses {
			if t.PartitionResponses[j].Index == tp.partition {
				return &t.PartitionResponses[j], true
			}
		}
	}
	return nil, false
}

// outcome applies one partition's answer to its batch.
func (s *sender) outcome(b *batch, pr *protocol.ProducePartitionResponse, now time.Time) {
	err := kerr.ForCode(pr.ErrorCode)
	switch {
	case err == nil:
		s.succeed(b, pr.BaseOffset, pr.LogAppendTimeMs)
		return
	case errors.Is(err, kerr.DuplicateSequenceNumber):
		s.succeed(b, -1, -1)
		return
	case errors.Is(err, kerr.MessageTooLarge) && b.records > 1:
		serr := s.split(b)
		if serr == nil {
			return
		}
		err = serr
	}
	s.p.stats.noteError(err.(*kerr.Error).Name)
	if mayHaveWritten(err) {
		b.maybeWritten = true
	}
	idempotent := s.cfg.Idempotence != Off
	switch {
	case idempotent && (errors.Is(err, kerr.OutOfOrderSequenceNumber) || errors.Is(err, kerr.UnknownProducerID)):
		switch ps := b.ps; {
		case ps.knownWritten(b):
			// Its acknowledgement was lost, and the broker no longer remembers it among its
			// latest batches.
			s.succeed(b, -1, -1)
			return
		case ps.overtaken(b):
			// No attempt of it was written, yet later batches were: the broker had no state
			// for the producer when it took them, and takes any sequence first. Its turn is
			// gone, and retries would only meet OUT_OF_ORDER again.
			ps.landed()
			s.fail(b, fmt.Errorf("%w (the broker wrote later batches of the partition, and never this one)", err))
			return
		case b.seq == addSequence(ps.lastAcked, 1) || ps.lastAcked < 0 && b.seq == 0:
			// The broker lost the producer's state for the partition (KIP-360): restart the
			// sequences under a new epoch and send again.
			s.gap(ps)
		}
		s.retry(b, err, now)
	default:
		if kerr.IsStaleMetadata(err) {
			s.p.meta.refresh() // the leader moved: the next attempt goes where metadata says
		}
		s.retryOrFail(b, err, now)
	}
}

// retryOrFail sends a batch again after a backoff if err allows it and time remains, and fails
// it otherwise.
func (s *sender) retryOrFail(b *batch, err error, now time.Time) {
	var ne *NetworkError
	retriable := errors.As(err, &ne) || kerr.IsRetriable(err)
	if !retriable || b.attempts >= s.cfg.Retries || now.Sub(b.created) >= s.cfg.DeliveryTimeout {
		b.ps.inflight--
		if retriable {
			err = &DeliveryTimeoutError{Topic: b.ps.tp.topic, Partition: b.ps.tp.partition, Timeout: s.cfg.DeliveryTimeout, Last: err}
		}
		if b.seq >= 0 {
			s.gap(b.ps) // later batches need a new epoch
		}
		s.fail(b, err)
		return
	}
	if ne != nil {
		s.p.meta.refresh()
	}
	s.retry(b, err, now)
}

// retry puts a batch back in its partition's queue to go again after the backoff.
func (s *sender) retry(b *batch, err error, now time.Time) {
	ps := b.ps
	ps.inflight--
	b.attempts++
	b.lastErr = err
	b.retryAt = now.Add(s.backoff(b.attempts))
	s.p.logf("retrying batch", "topic", ps.tp.topic, "partition", ps.tp.partition, "attempt", b.attempts, "err", err)
	ps.requeue(b)
}

// requeue puts a batch that came back from the broker into the queue in its place by the order
// of their records, and holds the partition to one batch in flight until it lands.
func (ps *partitionState) requeue(b *batch) {
	ps.mu.Lock()
	i := 0
	for i < len(ps.queue) && ps.queue[i].index < b.index {
		i++
	}
	ps.queue = append(ps.queue, nil)
	copy(ps.queue[i+1:], ps.queue[i:])
	ps.queue[i] = b
	ps.mu.Unlock()
	ps.retrying = true
}

// backoff is the wait before attempt n: retry.backoff.ms doubling up to retry.backoff.max.ms,
// with 20% jitter, as the Java client does.
func (s *sender) backoff(attempt int) time.Duration {
	d := float64(s.cfg.RetryBackoff) * math.Pow(2, float64(attempt-1))
	d = min(d, float64(max(s.cfg.RetryBackoffMax, s.cfg.RetryBackoff)))
	return time.Duration(d * (0.8 + 0.4*rand.Float64()))
}

// succeed settles a batch that the broker wrote at baseOffset (-1 if unknown).
func (s *sender) succeed(b *batch, baseOffset, logAppendTime int64) {
	ps := b.ps
	if last := addSequence(b.seq, b.records-1); b.seq >= 0 && (ps.lastAcked < 0 || seqBefore(ps.lastAcked, last)) {
		ps.lastAcked = last // a retry acknowledged after later batches leaves it where they took it
	}
	ps.landed()
	b.baseOffset, b.logAppendTime = baseOffset, logAppendTime
	s.deliver(b)
}

// landed notes that one of ps's batches in flight has its final answer: with none left in flight,
// the partition sends several at a time again unless its next batch is a retry too.
func (ps *partitionState) landed() {
	ps.inflight--
	if ps.retrying && ps.inflight == 0 {
		ps.mu.Lock()
		ps.retrying = len(ps.queue) > 0 && ps.queue[0].attempts > 0
		ps.mu.Unlock()
	}
}

// mayHaveWritten reports whether a produce error leaves open that the broker wrote the batch:
// Kafka answers these after appending it, or after failing midway; every other error refuses a
// batch before it is written.
func mayHaveWritten(err error) bool {
	for _, after := range []error{kerr.RequestTimedOut, kerr.NotEnoughReplicasAfterAppend, kerr.KafkaStorageError, kerr.UnknownServerError} {
		if errors.Is(err, after) {
			return true
		}
	}
	return false
}

// fail settles a batch with err for each of its records.
func (s *sender) fail(b *batch, err error) {
	b.err = err
	s.deliver(b)
}

// deliver completes a settled batch once every earlier batch of its partition is complete, so
// that a partition's callbacks come in send order even when a retried batch is answered after a
// later one.
func (s *sender) deliver(b *batch) {
	ps := b.ps
	if b.index != ps.completed {
		ps.held = append(ps.held, b)
		return
	}
	s.callBack(b)
	for i := 0; i < len(ps.held); i++ {
		if h := ps.held[i]; h.index == ps.completed {
			ps.held = slices.Delete(ps.held, i, i+1)
			s.callBack(h)
			i = -1
		}
	}
}

// callBack runs a settled batch's callbacks and completes it. The stats count the batch's
// records first, so that a callback sees its own record counted.
func (s *sender) callBack(b *batch) {
	ps := b.ps
	ps.completed = b.index + int64(b.records)
	if b.err != nil {
		s.p.stats.failed.Add(int64(b.records))
		for _, e := range b.entries {
			e.cb(Metadata{Topic: ps.tp.topic, Partition: ps.tp.partition, Offset: -1}, b.err)
		}
		s.p.logf("records failed", "topic", ps.tp.topic, "partition", ps.tp.partition, "records", b.records, "err", b.err)
		s.p.finish(b)
		return
	}
	s.p.stats.delivered.Add(int64(b.records))
	for _, e := range b.entries {
		md := Metadata{Topic: ps.tp.topic, Partition: ps.tp.partition, Offset: -1, Timestamp: time.UnixMilli(e.ts)}
		if b.baseOffset >= 0 {
			md.Offset = b.baseOffset + int64(e.delta)
		}
		if b.logAppendTime >= 0 {
			md.Timestamp = time.UnixMilli(b.logAppendTime)
		}
		e.cb(md, nil)
	}
	s.p.finish(b)
}

// failAll fails every incomplete batch; the sender has stopped. Open and queued batches are
// detached first, under their partition's lock, so that no Send adds to a batch being failed;
// batches settled but held for an earlier one complete with their own outcome.
func (s *sender) failAll(err error) {
	s.p.mu.RLock()
	parts := s.p.partitions
	s.p.mu.RUnlock()
	for _, ps := range parts {
		ps.mu.Lock()
		ps.open, ps.queue = nil, nil
		ps.mu.Unlock()
		slices.SortFunc(ps.held, func(a, b *batch) int { return cmp.Compare(a.index, b.index) })
		for _, b := range ps.held {
			s.callBack(b)
		}
		ps.held = nil
	}
	s.p.mu.Lock()
	left := make([]*batch, 0, len(s.p.incomplete))
	for b := range s.p.incomplete {
		left = append(left, b)
	}
	s.p.mu.Unlock()
	for _, b := range left {
		b.err = err
		s.callBack(b)
	}
}

// finish releases a completed batch's memory and wakes those waiting for it. The batch stays
// among the incomplete ones until then, so that Flush also waits for its memory.
func (p *Producer) finish(b *batch) {
	p.mu.Lock()
	_, ok := p.incomplete[b]
	p.mu.Unlock()
	if !ok {
		return
	}
	p.release(b)
	p.mu.Lock()
	delete(p.incomplete, b)
	p.mu.Unlock()
}

// release gives a completed batch's buffer and memory back and wakes those waiting for it; the
// last half of a split batch completes the original.
func (p *Producer) release(b *batch) {
	if b.buf != nil {
		p.bufs.put(b.buf)
	}
	b.recycleEntries()
	p.mem.release(b.reserved)
	if parent := b.parent; parent != nil {
		if parent.parts--; parent.parts == 0 {
			p.release(parent)
		}
	}
	close(b.done)
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
