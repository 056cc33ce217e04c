package protocol

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// checkRoundTrip encodes m at every version in vr and requires that decoding gives a message that
// encodes to the same bytes, that decoding truncated bytes fails without panicking, and (when
// same is true for that version) that the decoded message equals m.
func checkRoundTrip(t *testing.T, m Message, vr VersionRange, same func(v int16) bool) {
	t.Helper()
	for v := vr.Min; v <= vr.Max; v++ {
		enc := m.AppendTo(nil, v)
		got := reflect.New(reflect.TypeOf(m).Elem()).Interface().(Message)
		if err := got.Decode(enc, v); err != nil {
			t.Fatalf("%s v%d: decode: %v\n% x", m.Key(), v, err, enc)
		}
		if again := got.AppendTo(nil, v); !bytes.Equal(again, enc) {
			t.Fatalf("%s v%d: re-encoding differs\n first % x\nsecond % x", m.Key(), v, enc, again)
		}
		if same != nil && same(v) && !reflect.DeepEqual(got, m) {
			t.Fatalf("%s v%d: decoded\n%+v\nwant\n%+v", m.Key(), v, got, m)
		}
		for cut := 0; cut < len(enc); cut += max(1, len(enc)/40) {
			if err := got.Decode(enc[:cut], v); err == nil {
				t.Fatalf("%s v%d: decoding the first %d of %d bytes succeeded", m.Key(), v, cut, len(enc))
			}
		}
		if err := got.Decode(append(enc, 0), v); err == nil {
			t.Fatalf("%s v%d: a trailing byte went unnoticed", m.Key(), v)
		}
	}
	bad := reflect.New(reflect.TypeOf(m).Elem()).Interface().(Message)
	if err := bad.Decode(m.AppendTo(nil, vr.Max), vr.Max+1); !errors.Is(err, ErrUnsupportedVersion) {
		t.Fatalf("%s v%d: want ErrUnsupportedVersion, got %v", m.Key(), vr.Max+1, err)
	}
}

func strp(s string) *string { return &s }
