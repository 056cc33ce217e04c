package producer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// metadataVersions are the Metadata versions the producer asks with: v1 has the null "all topics"
// distinction and v12 is the last before topic ids are required.
var metadataVersions = protocol.VersionRange{Min: 1, Max: 12}

// clusterView is one snapshot of the cluster's metadata; it is never changed once published.
type clusterView struct {
	brokers map[int32]string // broker id to host:port
	topics  map[string]*topicView
	at      time.Time
}

// topicView is one topic's partitions, or the error the broker gave for it.
type topicView struct {
	err     error
	leaders []int32 // by partition; -1 while a partition has no leader
}

// metadataCache fetches metadata for the topics the producer uses and publishes snapshots.
type metadataCache struct {
	cfg    *Config
	dialer func(ctx context.Context, addr string) (*brokerConn, error)

	mu      sync.Mutex
	view    *clusterView
	updated chan struct{} // closed and replaced when a new view is published
	wanted  map[string]bool
	kick    chan struct{} // a refresh is wanted
	conn    *brokerConn
	next    int   // which bootstrap or known broker to try next
	failed  error // why the last refresh failed, nil once one succeeds
	// authErr is failed when it is an *AuthenticationError: waits for metadata end with it at
	// once, until a refresh succeeds.
	authErr error
}

func newMetadataCache(cfg *Config, dial func(ctx context.Context, addr string) (*brokerConn, error)) *metadataCache {
	return &metadataCache{
		cfg: cfg, dialer: dial,
		view:    &clusterView{brokers: map[int32]string{}, topics: map[string]*topicView{}},
		updated: make(chan struct{}),
		wanted:  map[string]bool{},
		kick:    make(chan struct{}, 1),
	}
}

// current is the latest view.
func (m *metadataCache) current() *clusterView {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.view
}

// refresh asks for new metadata soon.
func (m *metadataCache) refresh() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// topic waits until the metadata has topic's partitions, and returns them, or the topic's error if
// it is not retriable, or the authentication error of the last refresh, or ctx's.
func (m *metadataCache) topic(ctx context.Context, topic string) (*topicView, error) {
	for {
		m.mu.Lock()
		view, updated, authErr := m.view, m.updated, m.authErr
		m.wanted[topic] = true
		m.mu.Unlock()
		if t := view.topics[topic]; t != nil {
			if t.err == nil && len(t.leaders) > 0 {
				return t, nil
			}
			if t.err != nil && !kerr.IsRetriable(t.err) {
				return nil, fmt.Errorf("producer: topic %q: %w", topic, t.err)
			}
		}
		m.refresh()
		if authErr != nil {
			return nil, fmt.Errorf("producer: topic %q: no metadata: %w", topic, authErr)
		}
		select {
		case <-updated:
		case <-ctx.Done():
			return nil, m.noMetadata(ctx, topic, view)
		}
	}
}

// noMetadata is the error of a wait for topic's metadata that ctx ended: with the broker's last
// answer for the topic, or why the last refresh failed (e.g. no broker could be reached).
func (m *metadataCache) noMetadata(ctx context.Context, topic string, view *clusterView) error {
	m.mu.Lock()
	last := m.failed
	m.mu.Unlock()
	if t := view.topics[topic]; t != nil && t.err != nil {
		last = t.err
	}
	if last != nil {
		return fmt.Errorf("producer: topic %q: no metadata before %w (last error: %w)", topic, context.Cause(ctx), last)
	}
	return fmt.Errorf("producer: topic %q: no metadata: %w", topic, context.Cause(ctx))
}

// run refreshes the metadata when asked, at most once per retry.backoff.ms, and every
// metadata.max.age.ms, until ctx ends.
func (m *metadataCache) run(ctx context.Context) {
	age := time.NewTimer(m.cfg.MetadataMaxAge)
	defer age.Stop()
	defer m.closeConn()
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.kick:
		case <-age.C:
		}
		if ctx.Err() != nil {
			return // a kick that came with Close refreshes nothing
		}
		err := m.fetch(ctx)
		if ctx.Err() != nil {
			return // Close interrupted the refresh: no failure to note or log
		}
		auth := isAuthError(err)
		backoff := m.cfg.RetryBackoff
		// The log says why before those waiting for metadata learn it.
		switch {
		case auth:
			// Not retried on its own: the next wait for metadata tries again, at most once per
			// retry.backoff.max.ms, so that refused credentials do not hammer the broker.
			m.logf("metadata refresh failed to authenticate", "err", err)
			backoff = max(m.cfg.RetryBackoffMax, m.cfg.RetryBackoff)
		case err != nil:
			m.logf("metadata refresh failed", "err", err)
			m.refresh() // try again, on the next broker if this one is gone
		}
		m.noteOutcome(err, auth)
		select { // at most one refresh per retry.backoff.ms
		case <-time.After(backoff):
		case <-ctx.Done():
		}
		age.Reset(m.cfg.MetadataMaxAge)
	}
}

// closeConn closes the metadata connection, when the producer closes.
func (m *metadataCache) closeConn() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.conn != nil {
		m.conn.close(errors.New("producer closed"))
	}
}

// noteOutcome keeps why a refresh failed; an authentication failure also wakes those waiting for
// metadata, which fail with it.
func (m *metadataCache) noteOutcome(err error, auth bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failed = err
	switch {
	case auth:
		m.authErr = err
		close(m.updated)
		m.updated = make(chan struct{})
	case err == nil:
		m.authErr = nil
	}
}

// fetch asks a broker for the wanted topics and publishes what it says.
func (m *metadataCache) fetch(ctx context.Context) error {
	conn, err := m.connection(ctx)
	if err != nil {
		return err
	}
	v, err := conn.version(protocol.KeyMetadata, metadataVersions)
	if err != nil {
		return err
	}
	m.mu.Lock()
	req := &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{}, AllowAutoTopicCreation: true}
	for t := range m.wanted {
		req.Topics = append(req.Topics, protocol.MetadataRequestTopic{Name: &t})
	}
	m.mu.Unlock()
	resp := new(protocol.MetadataResponse)
	if err := conn.roundTrip(ctx, v, req, resp); err != nil {
		return err
	}
	m.publish(resp)
	return nil
}

// connection is the metadata connection, made anew to the next broker in turn when it broke.
func (m *metadataCache) connection(ctx context.Context) (*brokerConn, error) {
	m.mu.Lock()
	conn := m.conn
	addrs := append([]string(nil), m.cfg.BootstrapServers...)
	for _, a := range m.view.brokers {
		addrs = append(addrs, a)
	}
	addr := addrs[m.next%len(addrs)]
	m.next++
	m.mu.Unlock()
	if conn != nil && conn.usable(time.Now()) {
		return conn, nil
	}
	if conn != nil {
		conn.retire() // its SASL session is ending: it closes once its answers are in
	}
	old := conn
	conn, err := m.dialer(ctx, addr)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if other := m.conn; other != nil && other != old && other.usable(time.Now()) {
		// Another caller (the producer id request) connected meanwhile: keep one connection.
		m.mu.Unlock()
		conn.retire()
		return other, nil
	}
	m.conn = conn
	m.mu.Unlock()
	return conn, nil
}

// publish makes a new view from a Metadata response and wakes those waiting for one.
func (m *metadataCache) publish(resp *protocol.MetadataResponse) {
	view := &clusterView{brokers: map[int32]string{}, topics: map[string]*topicView{}, at: time.Now()}
	for _, b := range resp.Brokers {
		view.brokers[b.NodeID] = net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
	}
	for _, t := range resp.Topics {
		if t.Name == nil {
			continue
		}
		tv := &topicView{err: kerr.ForCode(t.ErrorCode)}
		if tv.err == nil {
			tv.leaders = make([]int32, len(t.Partitions))
			for _, p := range t.Partitions {
				if p.PartitionIndex < 0 || int(p.PartitionIndex) >= len(tv.leaders) {
					continue
				}
				tv.leaders[p.PartitionIndex] = p.LeaderID
				if p.ErrorCode != 0 && p.ErrorCode != kerr.ReplicaNotAvailable.Code {
					tv.leaders[p.PartitionIndex] = -1
				}
			}
		}
		view.topics[*t.Name] = tv
	}
	m.mu.Lock()
	m.view = view
	close(m.updated)
	m.updated = make(chan struct{})
	m.mu.Unlock()
}

func (m *metadataCache) logf(msg string, args ...any) {
	if m.cfg.Logger != nil {
		m.cfg.Logger.Warn(msg, args...)
	}
}
