package protocol

import (
	"bytes"
	"reflect"
	"testing"
)

// Helpers the per-API tests share.

// checkRoundTripEach runs checkRoundTrip on build(v) for every version v in vr, requiring the
// message decoded at v itself to equal build(v).
func checkRoundTripEach(t *testing.T, vr VersionRange, build func(v int16) Message) {
	t.Helper()
	for v := vr.Min; v <= vr.Max; v++ {
		checkRoundTrip(t, build(v), vr, func(x int16) bool { return x == v })
	}
}

// bytesCase is a message and the bytes it encodes to at version, written out by hand from the
// spec's JSON definitions.
type bytesCase struct {
	name    string
	version int16
	msg     Message
	want    []byte
}

// checkBytes requires, for each case, that msg encodes to want and that want decodes to msg.
func checkBytes(t *testing.T, cases []bytesCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.msg.AppendTo(nil, tc.version); !bytes.Equal(got, tc.want) {
				t.Fatalf("got  % x\nwant % x", got, tc.want)
			}
			got := reflect.New(reflect.TypeOf(tc.msg).Elem()).Interface().(Message)
			if err := got.Decode(tc.want, tc.version); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.msg) {
				t.Fatalf("decoded %+v\nwant    %+v", got, tc.msg)
			}
		})
	}
}

// garbageCase is bytes that must fail to decode into m at version, on field.
type garbageCase struct {
	name    string
	m       Message
	version int16
	src     []byte
	field   string
}

// checkGarbage runs checkGarbageFails on each case, wanting an error that wraps want.
func checkGarbage(t *testing.T, cases []garbageCase, want error) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkGarbageFails(t, tc.m, tc.version, tc.src, tc.field, want)
		})
	}
}

// fuzzDecode fuzzes decoding a *T at the versions of vr (and the one above), requiring that
// whatever decodes re-encodes stably (see checkReencode). Add the seeds before calling it.
func fuzzDecode[T any, PT interface {
	*T
	Message
}](f *testing.F, vr VersionRange) {
	f.Fuzz(func(t *testing.T, raw int16, data []byte) {
		v := fuzzVersion(raw, vr)
		m := PT(new(T))
		if err := m.Decode(data, v); err != nil {
			return
		}
		checkReencode(t, m, PT(new(T)), v)
	})
}
