package mockbroker

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/kerr"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// testClient is a bare Kafka client for the broker's tests: it frames requests and reads responses.
type testClient struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
	corr int32
}

func dialTest(t testing.TB, addr string) *testClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &testClient{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func pipeTest(t *testing.T, c *Cluster, broker int32) *testClient {
	client, server := net.Pipe()
	go c.ServeConn(server, broker)
	t.Cleanup(func() { client.Close() })
	return &testClient{t: t, conn: client, r: bufio.NewReader(client)}
}

// send writes a request without waiting for the answer.
func (tc *testClient) send(version int16, body protocol.Message) int32 {
	tc.corr++
	id := "kwire-test"
	frame := protocol.AppendRequest(nil, &protocol.RequestHeader{APIKey: body.Key(), APIVersion: version, CorrelationID: tc.corr, ClientID: &id}, body)
	tc.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := tc.conn.Write(frame); err != nil {
		tc.t.Fatal(err)
	}
	return tc.corr
}

// receive reads the next response into resp and checks its correlation id.
func (tc *testClient) receive(corr int32, version int16, resp protocol.Message) {
	tc.t.Helper()
	frame, err := tc.readFrame()
	if err != nil {
		tc.t.Fatalf("reading %s response: %v", resp.Key(), err)
	}
	got, body, err := protocol.ReadResponseHeader(frame, resp.Key(), version)
	if err != nil || got != corr {
		tc.t.Fatalf("response header: correlation %d (want %d), %v", got, corr, err)
	}
	if err := resp.Decode(body, version); err != nil {
		tc.t.Fatalf("decoding %s v%d response: %v", resp.Key(), version, err)
	}
}

func (tc *testClient) readFrame() ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(tc.r, size[:]); err != nil {
		return nil, err
	}
	frame := make([]byte, binary.BigEndian.Uint32(size[:]))
	_, err := io.ReadFull(tc.r, frame)
	return frame, err
}

// roundTrip sends a request and reads its response.
func (tc *testClient) roundTrip(version int16, req, resp protocol.Message) {
	tc.t.Helper()
	tc.receive(tc.send(version, req), version, resp)
}

// expectClosed requires the broker to close the connection.
func (tc *testClient) expectClosed() {
	tc.t.Helper()
	tc.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := tc.r.ReadByte(); err != io.EOF && !isClosed(err) {
		tc.t.Fatalf("connection still open (read: %v)", err)
	}
}

func isClosed(err error) bool {
	ne, ok := err.(net.Error)
	return err != nil && !(ok && ne.Timeout())
}

func TestApiVersions(t *testing.T) {
	c := NewTestCluster(t)
	tc := dialTest(t, c.Addrs()[0])
	for _, v := range []int16{0, 3, 4} {
		var resp protocol.ApiVersionsResponse
		tc.roundTrip(v, &protocol.ApiVersionsRequest{ClientSoftwareName: "t", ClientSoftwareVersion: "1"}, &resp)
		if resp.ErrorCode != 0 || len(resp.APIKeys) == 0 {
			t.Fatalf("v%d: %+v", v, resp)
		}
		found := false
		for _, k := range resp.APIKeys {
			found = found || k.APIKey == protocol.KeyApiVersions && k.MinVersion == 0 && k.MaxVersion == 4
		}
		if !found {
			t.Fatalf("v%d: ApiVersions 0–4 not advertised: %+v", v, resp.APIKeys)
		}
	}
}

// An ApiVersions request newer than the broker serves gets v0 with UNSUPPORTED_VERSION and, as
// from Kafka, the range of ApiVersions alone (KIP-511), for the client to retry within it.
func TestApiVersionsTooNew(t *testing.T) {
	c := NewTestCluster(t)
	tc := dialTest(t, c.Addrs()[0])
	corr := tc.send(9, &protocol.ApiVersionsRequest{})
	var resp protocol.ApiVersionsResponse
	tc.receive(corr, 0, &resp)
	want := []protocol.ApiVersion{{APIKey: protocol.KeyApiVersions, MinVersion: 0, MaxVersion: 4}}
	if resp.ErrorCode != kerr.UnsupportedVersion.Code || !reflect.DeepEqual(resp.APIKeys, want) {
		t.Fatalf("got %+v, want UNSUPPORTED_VERSION and %+v", resp, want)
	}
}

// Bad frames close their own connection and nobody else's.
func TestBadFramesCloseOnlyTheirConnection(t *testing.T) {
	c := NewTestCluster(t)
	good := dialTest(t, c.Addrs()[0])
	for name, raw := range map[string][]byte{
		"huge size":       {0x7f, 0xff, 0xff, 0xff},
		"negative size":   {0xff, 0xff, 0xff, 0xff},
		"unknown api key": {0, 0, 0, 10, 0x03, 0xe7, 0, 0, 0, 0, 0, 1, 0xff, 0xff},
		"short header":    {0, 0, 0, 2, 0, 18},
		"garbage body":    {0, 0, 0, 14, 0, 18, 0, 3, 0, 0, 0, 1, 0xff, 0xff, 0x00, 0x7f, 0x7f, 0x7f},
	} {
		t.Run(name, func(t *testing.T) {
			bad := dialTest(t, c.Addrs()[0])
			bad.conn.Write(raw)
			bad.expectClosed()
			var resp protocol.ApiVersionsResponse
			good.roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
		})
	}
}

// Pipelined requests are answered in order.
func TestPipelining(t *testing.T) {
	c := NewTestCluster(t)
	tc := dialTest(t, c.Addrs()[0])
	var corrs []int32
	for range 20 {
		corrs = append(corrs, tc.send(3, &protocol.ApiVersionsRequest{}))
	}
	for _, corr := range corrs {
		var resp protocol.ApiVersionsResponse
		tc.receive(corr, 3, &resp)
	}
}

func TestServeConnOverPipe(t *testing.T) {
	c := NewTestCluster(t)
	tc := pipeTest(t, c, 0)
	var resp protocol.ApiVersionsResponse
	tc.roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
	if len(resp.APIKeys) == 0 {
		t.Fatal("no api keys over a pipe")
	}
}

// TestCaptureExactBytes: an exchange holds the request's bytes as they came, size prefix
// included; the offsets and log-append times that batches read from the log carry do not show in
// them.
func TestCaptureExactBytes(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1), LogAppendTimeTopic("lat", 1))
	tc := dialTest(t, c.Addrs()[0])
	batch := batchOf(t, -1, 0, 0, wire.CodecNone, "a", "b")
	requests := []struct {
		version int16
		body    protocol.Message
	}{
		{3, &protocol.ApiVersionsRequest{ClientSoftwareName: "cap"}},
		{9, produceReq(1, "t", 0, batch)},
		{9, produceReq(1, "t", 0, batch)}, // stored at offset 2
		{9, produceReq(1, "lat", 0, batch)},
		{99, &protocol.ApiVersionsRequest{}}, // unsupported: answered at v0
	}
	var want [][]byte
	for _, r := range requests {
		id := "kwire-test"
		corr := tc.send(r.version, r.body)
		want = append(want, protocol.AppendRequest(nil, &protocol.RequestHeader{APIKey: r.body.Key(), APIVersion: r.version, CorrelationID: corr, ClientID: &id}, r.body))
		if _, err := tc.readFrame(); err != nil {
			t.Fatal(err)
		}
	}
	ex := c.Exchanges()
	if len(ex) != len(want) {
		t.Fatalf("%d exchanges, want %d", len(ex), len(want))
	}
	for i, e := range ex {
		if string(e.RequestBytes) != string(want[i]) {
			t.Errorf("exchange %d: captured request % x, want % x", i, e.RequestBytes, want[i])
		}
		if e.Response == nil || len(e.ResponseBytes) < 8 {
			t.Errorf("exchange %d: no response captured: %+v", i, e)
		}
	}
	if ex[0].Request.(*protocol.ApiVersionsRequest).ClientSoftwareName != "cap" {
		t.Errorf("captured request decoded as %+v", ex[0].Request)
	}
	stored, err := c.Batches("t", 0)
	if err != nil || len(stored) != 2 {
		t.Fatalf("stored %d batches, %v", len(stored), err)
	}
	if h, err := wire.ReadBatchHeader(stored[1]); err != nil || h.BaseOffset != 2 {
		t.Fatalf("second stored batch: base offset %d, %v; want 2", h.BaseOffset, err)
	}
	stamped, err := c.Batches("lat", 0)
	if err != nil || len(stamped) != 1 {
		t.Fatalf("stored %d batches, %v", len(stamped), err)
	}
	var b wire.RecordBatch
	if _, err := b.Decode(stamped[0]); err != nil || b.Attributes&wire.AttrLogAppendTime == 0 || b.MaxTimestamp == 1000 {
		t.Fatalf("batch read from a log-append-time topic: %v, %+v", err, b.BatchHeader)
	}
}

func strPtr(s string) *string { return &s }

// TestReadRequest: a request comes back whole with its size prefix, also when it is read in
// several steps; a size out of range is an error naming the setting, and a frame cut short one
// that says so.
func TestReadRequest(t *testing.T) {
	const max = 5 << 20
	frame := func(size int) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(size))
		for i := range size {
			b = append(b, byte(i%251))
		}
		return b
	}
	for _, tc := range []struct {
		name    string
		in      []byte
		want    []byte
		wantErr string
	}{
		{"one byte", frame(1), frame(1), ""},
		{"one step", frame(1 << 20), frame(1 << 20), ""},
		{"several steps", frame(3<<20 + 7), frame(3<<20 + 7), ""},
		{"followed by the next", append(frame(9), frame(2)...), frame(9), ""},
		{"size zero", frame(0), frame(0), ""},
		{"at max", frame(max), frame(max), ""},
		{"negative size", []byte{0xff, 0xff, 0xff, 0xfe}, nil, "request size -2 outside 0..5242880 (test.max)"},
		{"above max", frame(max + 1)[:4], nil, "request size 5242881 outside 0..5242880 (test.max)"},
		{"cut short in the first step", frame(100)[:50], nil, "frame of 100 bytes cut short: unexpected EOF"},
		{"cut short in a later step", frame(2 << 20)[:1<<20+100], nil, "frame of 2097152 bytes cut short: unexpected EOF"},
		{"no size", []byte{0, 0}, nil, "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readRequest(wire.NewFramer(nil, bytes.NewReader(tc.in)), max, "test.max")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("read %d bytes, %v; want %d bytes", len(got), err, len(tc.want))
			}
		})
	}
}

func TestFaultDropAndDelay(t *testing.T) {
	c := NewTestCluster(t)
	c.Inject(Fault{API: protocol.KeyApiVersions, Action: DropBeforeHandling})
	tc := dialTest(t, c.Addrs()[0])
	tc.send(3, &protocol.ApiVersionsRequest{})
	tc.expectClosed()

	c.Inject(Fault{API: protocol.KeyApiVersions, Action: DelayResponse, Delay: 200 * time.Millisecond})
	tc = dialTest(t, c.Addrs()[0])
	start := time.Now()
	var resp protocol.ApiVersionsResponse
	tc.roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
	if time.Since(start) < 200*time.Millisecond {
		t.Fatal("response was not delayed")
	}
	c.Inject(Fault{API: protocol.KeyApiVersions, Action: RespondWithError, ErrorCode: 35, Times: 2})
	for i := range 3 {
		tc.roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
		if want := map[bool]int16{true: 35, false: 0}[i < 2]; resp.ErrorCode != want {
			t.Fatalf("request %d: error %d, want %d", i, resp.ErrorCode, want)
		}
	}
}

func TestStopAndRestartBroker(t *testing.T) {
	c := NewTestCluster(t, NumBrokers(2))
	addr := c.Addrs()[1]
	tc := dialTest(t, addr)
	if err := c.StopBroker(1); err != nil {
		t.Fatal(err)
	}
	tc.expectClosed()
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Fatal("a stopped broker accepted a connection")
	}
	if err := c.RestartBroker(1); err != nil {
		t.Fatal(err)
	}
	var resp protocol.ApiVersionsResponse
	dialTest(t, addr).roundTrip(3, &protocol.ApiVersionsRequest{}, &resp)
}

// TestStopEndsFaultDelay: stopping a broker ends a DelayResponse fault's hold at once, so a test
// may delay answers past any client timeout without its cleanup waiting the delay out.
func TestStopEndsFaultDelay(t *testing.T) {
	c := NewTestCluster(t)
	c.Inject(Fault{API: protocol.KeyApiVersions, Action: DelayResponse, Delay: 30 * time.Second})
	tc := dialTest(t, c.Addrs()[0])
	tc.send(3, &protocol.ApiVersionsRequest{})
	time.Sleep(100 * time.Millisecond) // the answer is being held
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Close took %v with an answer held", took)
	}
	tc.expectClosed()
}

func TestCaptureKeepsTheLatest(t *testing.T) {
	c := NewTestCluster(t, CaptureLimit(3))
	tc := dialTest(t, c.Addrs()[0])
	for range 10 {
		tc.roundTrip(3, &protocol.ApiVersionsRequest{}, &protocol.ApiVersionsResponse{})
	}
	got := c.Exchanges()
	if len(got) != 3 {
		t.Fatalf("%d exchanges kept, want 3", len(got))
	}
	for i, e := range got {
		if e.Header.CorrelationID != int32(8+i) {
			t.Fatalf("exchange %d: correlation id %d, want %d", i, e.Header.CorrelationID, 8+i)
		}
	}
}

func TestCaptureKeepsWithinBytes(t *testing.T) {
	const budget = 1 << 20
	c := NewTestCluster(t, CaptureBytes(budget), Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	value := strings.Repeat("x", 100<<10)
	for range 30 {
		produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, value))
	}
	got := c.Exchanges()
	total := 0
	for _, e := range got {
		total += len(e.RequestBytes) + len(e.ResponseBytes)
	}
	if total > budget || len(got) < 5 {
		t.Fatalf("%d exchanges of %d bytes kept, want at least 5 within %d", len(got), total, budget)
	}
	if last := got[len(got)-1].Header.CorrelationID; last != 30 {
		t.Fatalf("latest exchange kept has correlation id %d, want 30", last)
	}
}

func TestCaptureLargerThanBudgetKeepsNothing(t *testing.T) {
	c := NewTestCluster(t, CaptureBytes(1000), Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, strings.Repeat("x", 2000)))
	if got := c.Exchanges(); len(got) != 0 {
		t.Fatalf("%d exchanges kept, want none: each is larger than the budget", len(got))
	}
}

// TestCapturedFetchSharesItsBytes checks that a captured Fetch keeps its batches once: the
// decoded response's records are the response frame's bytes, not a copy beside them.
func TestCapturedFetchSharesItsBytes(t *testing.T) {
	c := NewTestCluster(t, Topic("t", 1))
	tc := dialTest(t, c.Addrs()[0])
	produce(tc, 9, 1, "t", 0, batchOf(t, -1, 0, 0, wire.CodecNone, "a", "b"))
	tc.roundTrip(12, fetchReq("t", 0, 0), &protocol.FetchResponse{})
	ex := c.Exchanges()
	e := ex[len(ex)-1]
	records := e.Response.(*protocol.FetchResponse).Responses[0].Partitions[0].Records
	if len(records) == 0 || !within(records, e.ResponseBytes) {
		t.Fatalf("the captured Fetch's %d record bytes are not a slice of its %d response bytes", len(records), len(e.ResponseBytes))
	}
}

// within reports whether b lies inside buf's memory.
func within(b, buf []byte) bool {
	start, end := uintptr(unsafe.Pointer(unsafe.SliceData(buf))), uintptr(unsafe.Pointer(unsafe.SliceData(buf)))+uintptr(len(buf))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= start && p+uintptr(len(b)) <= end
}
