package protocol

import (
	"bytes"
	"testing"

	"github.com/kwire-dev/kwire/wire"
)

func TestApiVersionsRoundTrip(t *testing.T) {
	req := &ApiVersionsRequest{ClientSoftwareName: "kwire", ClientSoftwareVersion: "0.1.0"}
	checkRoundTrip(t, req, ApiVersionsVersions, func(v int16) bool { return v >= 3 })
	resp := &ApiVersionsResponse{
		ErrorCode:      0,
		APIKeys:        []ApiVersion{{APIKey: KeyProduce, MinVersion: 0, MaxVersion: 11}, {APIKey: KeyApiVersions, MaxVersion: 4}},
		ThrottleTimeMs: 5,
	}
	checkRoundTrip(t, resp, ApiVersionsVersions, func(v int16) bool { return v >= 1 })
}

// TestApiVersionsV3Bytes checks a v3 request frame against bytes written out by hand from
// ApiVersionsRequest.json and RequestHeader.json.
func TestApiVersionsV3Bytes(t *testing.T) {
	got := AppendRequest(nil, &RequestHeader{APIKey: KeyApiVersions, APIVersion: 3, CorrelationID: 7, ClientID: strp("c")},
		&ApiVersionsRequest{ClientSoftwareName: "kw", ClientSoftwareVersion: "1"})
	want := []byte{
		0, 0, 0, 18, // size
		0, 18, 0, 3, // api key 18, version 3
		0, 0, 0, 7, // correlation id
		0, 1, 'c', // client id: a classic nullable string even in header v2
		0,           // header tags
		3, 'k', 'w', // compact string "kw"
		2, '1', // compact string "1"
		0, // body tags
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
	h, body, err := ReadRequestHeader(got[4:])
	if err != nil || h.APIKey != KeyApiVersions || h.APIVersion != 3 || h.CorrelationID != 7 || *h.ClientID != "c" {
		t.Fatalf("header %+v, err %v", h, err)
	}
	var m ApiVersionsRequest
	if err := m.Decode(body, 3); err != nil || m.ClientSoftwareName != "kw" {
		t.Fatalf("body %+v, err %v", m, err)
	}
}

// ApiVersions responses use header v0 even at flexible versions.
func TestApiVersionsResponseHeaderIsV0(t *testing.T) {
	frame := AppendResponse(nil, 9, 3, &ApiVersionsResponse{})
	corr, body, err := ReadResponseHeader(frame[4:], KeyApiVersions, 3)
	if err != nil || corr != 9 {
		t.Fatal(corr, err)
	}
	if want := (&ApiVersionsResponse{}).AppendTo(nil, 3); !bytes.Equal(body, want) {
		t.Fatalf("body % x, want % x (no header tags)", body, want)
	}
}

func TestUnknownAPIKey(t *testing.T) {
	frame := wire.AppendInt16(nil, 999)
	frame = wire.AppendInt16(frame, 0)
	frame = wire.AppendInt32(frame, 42)
	frame = wire.AppendNullableString(frame, nil)
	h, _, err := ReadRequestHeader(frame)
	if err == nil || h.CorrelationID != 42 {
		t.Fatalf("want an error with the correlation id read; got %+v, %v", h, err)
	}
}
