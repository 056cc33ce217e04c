package interop

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/mockbroker"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// TestRealKafkaMockDiff sends the same requests to Apache Kafka and to kwire's mock broker, decodes
// both answers with kwire's wire/protocol and compares them field by field, at every version of
// each API that both brokers advertise and kwire implements. The mock is configured as the shared
// Kafka broker is (one node, auto-create on, Kafka 4.4's versions), and every case uses topics of
// its own, named with a prefix of the run's, so that both brokers are in the same state when a
// request arrives. A field that differs is a mock broker bug unless mockDiffAllowances names it
// and the relation it names still holds.
func TestRealKafkaMockDiff(t *testing.T) {
	k := sharedKafka(t)
	mock := newMockCluster(t, mockbroker.Versions(mockbroker.Kafka44))
	d := newDiffer(t, newDiffSide("kafka", k.Addr(1)), newDiffSide("mock", mock.Addrs()[0]))
	d.prefix = fmt.Sprintf("mockdiff%d-", mockDiffRuns.Add(1))
	defer d.kafka.close()
	defer d.mock.close()
	for _, group := range mockDiffGroups {
		t.Run(group.name, func(t *testing.T) {
			d.t = t
			group.run(d)
		})
	}
	d.t = t
	d.report()
}

// mockDiffRuns numbers the runs of TestRealKafkaMockDiff in the process (go test -count), so that
// each has topics of its own on the shared broker.
var mockDiffRuns atomic.Int32

// mockDiffGroups are the cases, by API, in the order they run: Metadata for all topics runs
// before FindCoordinator, whose first group lookup makes Kafka create its internal
// __consumer_offsets topic, which the mock broker does not have.
var mockDiffGroups = []struct {
	name string
	run  func(d *differ)
}{
	{"ApiVersions", diffApiVersions},
	{"CreateTopics", diffCreateTopics},
	{"Metadata", diffMetadata},
	{"Produce", diffProduce},
	{"Idempotence", diffIdempotence},
	{"Fetch", diffFetch},
	{"ListOffsets", diffListOffsets},
	{"InitProducerId", diffInitProducerID},
	{"MetadataAllTopics", diffMetadataAllTopics},
	{"FindCoordinator", diffFindCoordinator},
}

// kwireVersions are the versions of each API that kwire's wire/protocol encodes and decodes.
var kwireVersions = map[protocol.APIKey]protocol.VersionRange{
	protocol.KeyProduce:          protocol.ProduceVersions,
	protocol.KeyFetch:            protocol.FetchVersions,
	protocol.KeyListOffsets:      protocol.ListOffsetsVersions,
	protocol.KeyMetadata:         protocol.MetadataVersions,
	protocol.KeyFindCoordinator:  protocol.FindCoordinatorVersions,
	protocol.KeyApiVersions:      protocol.ApiVersionsVersions,
	protocol.KeyCreateTopics:     protocol.CreateTopicsVersions,
	protocol.KeyInitProducerID:   protocol.InitProducerIDVersions,
	protocol.KeySaslHandshake:    protocol.SaslHandshakeVersions,
	protocol.KeySaslAuthenticate: protocol.SaslAuthenticateVersions,
}

// differ runs the cases against both brokers and keeps the score.
type differ struct {
	t           *testing.T
	kafka, mock *diffSide
	prefix      string // of every topic the run creates
	since       int64  // when the test started, in ms: timestamps the brokers set are after it
	advertised  map[string]map[protocol.APIKey]protocol.VersionRange
	allowances  []*allowance
	cases       map[string]bool // API and label, without the versions in topic names
	exchanges   int
	identical   int // exchanges whose request had the same bytes for both brokers
	fields      int
	versions    map[protocol.APIKey]map[int16]bool // the versions compared
	allowed     int                                // differences allowances excused
	bugs        []string
}

func newDiffer(t *testing.T, kafka, mock *diffSide) *differ {
	d := &differ{t: t, kafka: kafka, mock: mock, since: time.Now().UnixMilli(),
		advertised: map[string]map[protocol.APIKey]protocol.VersionRange{}, cases: map[string]bool{},
		versions: map[protocol.APIKey]map[int16]bool{}}
	d.allowances = mockDiffAllowances(d)
	for _, s := range []*diffSide{kafka, mock} {
		if _, err := s.send(3, &protocol.ApiVersionsRequest{ClientSoftwareName: "kwire-mockdiff", ClientSoftwareVersion: "1"}, s.nextAside()); err != nil {
			t.Fatal(err)
		}
		resp, err := s.receive(protocol.KeyApiVersions, 3)
		if err != nil {
			t.Fatal(err)
		}
		d.advertised[s.name] = map[protocol.APIKey]protocol.VersionRange{}
		for _, k := range resp.(*protocol.ApiVersionsResponse).APIKeys {
			d.advertised[s.name][k.APIKey] = protocol.VersionRange{Min: k.MinVersion, Max: k.MaxVersion}
		}
	}
	return d
}

// served is the range of versions of key to compare: advertised by both brokers and implemented by
// kwire.
func (d *differ) served(key protocol.APIKey) protocol.VersionRange {
	r := kwireVersions[key]
	for _, adv := range d.advertised {
		a, ok := adv[key]
		if !ok {
			d.t.Fatalf("a broker does not advertise %s", key)
		}
		r.Min, r.Max = max(r.Min, a.Min), min(r.Max, a.Max)
	}
	if r.Min > r.Max {
		d.t.Fatalf("no version of %s is served by both brokers and kwire", key)
	}
	return r
}

// eachVersion runs f for each version of key to compare.
func (d *differ) eachVersion(key protocol.APIKey, f func(v int16)) {
	r := d.served(key)
	for v := r.Min; v <= r.Max; v++ {
		f(v)
	}
}

// topic is the name of the run's topic that format and args name.
func (d *differ) topic(format string, args ...any) string {
	return d.prefix + fmt.Sprintf(format, args...)
}

// exchange sends the request build makes for each broker at version to both, and compares the
// answers; label says what the case is. It returns the answers, nil where a broker sent none
// (acks=0, or a connection closed).
func (d *differ) exchange(label string, version int16, build func(s *diffSide) protocol.Message) (kafka, mock protocol.Message) {
	d.t.Helper()
	return d.exchangeNarrowed(label, version, build, nil)
}

// exchangeNarrowed is exchange with Kafka's answer narrowed by narrow before it is compared.
func (d *differ) exchangeNarrowed(label string, version int16, build func(s *diffSide) protocol.Message, narrow func(kafka protocol.Message)) (kafka, mock protocol.Message) {
	d.t.Helper()
	kreq, mreq := build(d.kafka), build(d.mock)
	key := kreq.Key()
	corr := int32(d.exchanges + 1)
	kframe, kafka, kErr := d.roundTrip(d.kafka, version, kreq, corr)
	mframe, mock, mErr := d.roundTrip(d.mock, version, mreq, corr)
	if kErr != nil && !errors.Is(kErr, errNoAnswer) || mErr != nil && !errors.Is(mErr, errNoAnswer) {
		d.t.Fatalf("%s v%d %s: %v", key, version, label, errors.Join(kErr, mErr))
	}
	d.exchanges++
	d.cases[key.String()+" "+caseVersion.ReplaceAllString(strings.ReplaceAll(label, d.prefix, ""), "")] = true
	if bytes.Equal(kframe, mframe) {
		d.identical++
	}
	if d.versions[key] == nil {
		d.versions[key] = map[int16]bool{}
	}
	d.versions[key][version] = true
	label = strings.TrimSpace(fmt.Sprintf("%s v%d %s", key, version, label))
	d.fields++
	switch {
	case (kafka == nil) != (mock == nil) || (kErr == nil) != (mErr == nil):
		d.bugs = append(d.bugs, fmt.Sprintf("%s: kafka %s, mock %s", label, outcome(kafka, kErr), outcome(mock, mErr)))
		return kafka, mock
	case kafka == nil:
		return nil, nil
	case narrow != nil:
		narrow(kafka)
	}
	c := comparer{allowances: d.allowances, unordered: mockDiffUnordered}
	c.compare(key.String(), reflect.ValueOf(kafka), reflect.ValueOf(mock))
	d.fields += c.fields
	for _, diff := range c.diffs {
		if a := diff.allowed; a != nil {
			d.allowed++
			a.used++
			a.example(label, diff)
		} else {
			d.bugs = append(d.bugs, fmt.Sprintf("%s: %s", label, diff))
		}
	}
	return kafka, mock
}

// caseVersion matches the version in a topic's name, which makes one case's topics differ.
var caseVersion = regexp.MustCompile(`-v\d+`)

// outcome says how a broker dealt with a request: answered it, sent no answer (acks=0), or closed
// the connection.
func outcome(answer protocol.Message, err error) string {
	switch {
	case err != nil:
		return "closed the connection"
	case answer == nil:
		return "sent no answer"
	}
	return "answered"
}

// exchangeSettled is exchange for a request that Kafka answers with a transient error for a while
// after it starts (a coordinator loading, a block of producer ids on its way from the controller):
// it sends the request to each broker until its answer is not transient (or 30 s have passed),
// then compares the last answers.
func (d *differ) exchangeSettled(label string, version int16, build func(s *diffSide) protocol.Message, transient func(protocol.Message) bool) (kafka, mock protocol.Message) {
	d.t.Helper()
	for _, s := range []*diffSide{d.kafka, d.mock} {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			_, resp, err := d.roundTrip(s, version, build(s), s.nextAside())
			if err != nil {
				d.t.Fatalf("%s: %s v%d %s: %v", s.name, build(s).Key(), version, label, err)
			}
			if !transient(resp) {
				break
			}
		}
	}
	return d.exchange(label, version, build)
}

// roundTrip sends body to s at version with correlation id corr and reads the answer: v0 for an
// ApiVersions version s does not serve, and none for an acks=0 produce. After an acks=0 produce it
// sends an ApiVersions request: a broker answers a connection's requests in order, so an answer to
// the produce would come first (and fail receive's check of the correlation id), and a broker that
// closes the connection instead (as Kafka does when an acks=0 produce fails) gives errNoAnswer. It
// returns the request's frame too.
func (d *differ) roundTrip(s *diffSide, version int16, body protocol.Message, corr int32) ([]byte, protocol.Message, error) {
	frame, err := s.send(version, body, corr)
	if err != nil {
		return frame, nil, err
	}
	if p, ok := body.(*protocol.ProduceRequest); ok && p.Acks == 0 {
		if _, err := s.send(0, &protocol.ApiVersionsRequest{}, s.nextAside()); err != nil {
			return frame, nil, err
		}
		_, err := s.receive(protocol.KeyApiVersions, 0)
		return frame, nil, err
	}
	answer := version
	if body.Key() == protocol.KeyApiVersions && !d.advertised[s.name][protocol.KeyApiVersions].Contains(version) {
		answer = 0
	}
	resp, err := s.receive(body.Key(), answer)
	return frame, resp, err
}

// same is build for requests whose bytes are the same for both brokers.
func same(m protocol.Message) func(*diffSide) protocol.Message {
	return func(*diffSide) protocol.Message { return m }
}

// report logs the counts and every excused difference, and fails the test with every other one.
func (d *differ) report() {
	var versions []string
	n := 0
	for _, key := range slices.Sorted(maps.Keys(d.versions)) {
		vs := slices.Sorted(maps.Keys(d.versions[key]))
		n += len(vs)
		versions = append(versions, key.String()+" "+versionRanges(vs))
	}
	d.t.Logf("%d request cases in %d exchanges (%d with the same request bytes for both brokers, the others differing in the ids each gave) at %d API versions (%s), %d fields compared, %d differences allowed, %d not",
		len(d.cases), d.exchanges, d.identical, n, strings.Join(versions, ", "), d.fields, d.allowed, len(d.bugs))
	for _, a := range d.allowances {
		d.t.Logf("allowed %4d× %s: %s; e.g. %s", a.used, strings.Join(a.paths, ", "), a.why, strings.Join(a.examples, "; "))
		for _, p := range a.paths {
			if !a.reached[p] {
				d.t.Errorf("no case reaches %s: drop it from the allowances", p)
			}
		}
	}
	for _, s := range d.bugs {
		d.t.Errorf("differs: %s", s)
	}
}

// versionRanges formats sorted versions as ranges: "v0–v4, v99".
func versionRanges(vs []int16) string {
	var out []string
	for i := 0; i < len(vs); {
		j := i
		for j+1 < len(vs) && vs[j+1] == vs[j]+1 {
			j++
		}
		if j > i {
			out = append(out, fmt.Sprintf("v%d–v%d", vs[i], vs[j]))
		} else {
			out = append(out, fmt.Sprintf("v%d", vs[i]))
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}

// settle waits until both brokers know topic and lead all its partitions, and records each
// broker's id for it. Kafka creates topics asynchronously: its metadata names a leader a moment
// before the leader serves the partition, so settle waits for ListOffsets to answer too.
func (d *differ) settle(topic string) {
	d.t.Helper()
	for _, s := range []*diffSide{d.kafka, d.mock} {
		deadline := time.Now().Add(30 * time.Second)
		for !d.ready(s, topic) {
			if time.Now().After(deadline) {
				d.t.Fatalf("%s: topic %s not ready after 30 s", s.name, topic)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// ready reports whether s has topic, with a leader serving each of its partitions.
func (d *differ) ready(s *diffSide, topic string) bool {
	d.t.Helper()
	_, resp, err := d.roundTrip(s, 12, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{Name: &topic}}}, s.nextAside())
	if err != nil {
		d.t.Fatal(err)
	}
	t := resp.(*protocol.MetadataResponse).Topics[0]
	if t.ErrorCode != 0 || !leadersKnown(t.Partitions) {
		return false
	}
	s.topicIDs[topic] = t.TopicID
	req := &protocol.ListOffsetsRequest{ReplicaID: -1, Topics: []protocol.ListOffsetsTopic{{Name: topic}}}
	for _, p := range t.Partitions {
		req.Topics[0].Partitions = append(req.Topics[0].Partitions, protocol.ListOffsetsPartition{PartitionIndex: p.PartitionIndex, CurrentLeaderEpoch: -1, Timestamp: -1})
	}
	if _, resp, err = d.roundTrip(s, 9, req, s.nextAside()); err != nil {
		d.t.Fatal(err)
	}
	for _, p := range resp.(*protocol.ListOffsetsResponse).Topics[0].Partitions {
		if p.ErrorCode != 0 {
			return false
		}
	}
	return true
}

func leadersKnown(ps []protocol.MetadataPartition) bool {
	for _, p := range ps {
		if p.ErrorCode != 0 || p.LeaderID < 0 {
			return false
		}
	}
	return len(ps) > 0
}

// createTopic creates topic with n partitions and configs (name=value pairs) on both brokers, with
// CreateTopics v7 (compared like any exchange), and waits until both have it.
func (d *differ) createTopic(topic string, n int32, configs ...string) {
	d.t.Helper()
	req := &protocol.CreateTopicsRequest{TimeoutMs: 30000, Topics: []protocol.CreateTopicsTopic{{Name: topic, NumPartitions: n, ReplicationFactor: 1}}}
	for i := 0; i+1 < len(configs); i += 2 {
		req.Topics[0].Configs = append(req.Topics[0].Configs, protocol.CreateTopicsConfig{Name: configs[i], Value: &configs[i+1]})
	}
	k, m := d.exchange("create "+topic, d.served(protocol.KeyCreateTopics).Max, same(req))
	for _, r := range []protocol.Message{k, m} {
		if code := r.(*protocol.CreateTopicsResponse).Topics[0].ErrorCode; code != 0 {
			d.t.Fatalf("creating %s: %v", topic, kerr.ForCode(code))
		}
	}
	d.settle(topic)
}
