package producer

import (
	"context"
	"sync"
	"time"

	"github.com/kwire-dev/kwire/wire/protocol"
)

// produceVersions are the Produce versions the producer sends: v3 is the first with record batches,
// v12 the last that names topics rather than their ids.
var produceVersions = protocol.VersionRange{Min: 3, Max: 12}

// idle is how long the sender sleeps when nothing is due; sends and completions wake it sooner.
const idle = 50 * time.Millisecond

// sender is the producer's one background goroutine that moves batches: it seals batches whose
// linger passed and takes those ready to go (drain.go), sends them to their leaders in produce
// requests (dispatch.go), reads the answers and retries (outcome.go), and settles each batch
// (settle.go), asking for producer ids and epochs when idempotent (idempotence.go). Everything
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
		s.produceDone(cl)
	}
}

// answered hands a finished call to the sender loop; it runs on the connection's goroutines.
func (s *sender) answered(cl *call) {
	s.mu.Lock()
	s.done = append(s.done, cl)
	s.mu.Unlock()
	s.notify()
}
