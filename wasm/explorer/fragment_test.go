package explorer

import (
	"reflect"
	"strings"
	"testing"
)

// TestFragmentRoundTrip writes a form to a fragment and reads it back.
func TestFragmentRoundTrip(t *testing.T) {
	f := Defaults()
	f[KeyRecords] = `{"key":"k&=#","value":"ünïcode 😀"}` + "\n"
	f[KeyCompression], f[KeyIdempotent], f[KeySelected] = "zstd", "1", "batch[0].crc"
	f[KeyDecodeInput] = strings.Repeat("00", 5000)
	frag := f.Fragment()
	if strings.ContainsAny(frag, "#{} \n") {
		t.Errorf("fragment holds characters a URL must escape: %q", frag)
	}
	if len(frag) > 400 {
		t.Errorf("fragment of %d characters: the text areas are not packed", len(frag))
	}
	for _, prefix := range []string{"", "#"} {
		got, err := ParseFragment(prefix + frag)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Errorf("read back %v\nwant %v", got, f)
		}
	}
	if Defaults().Fragment() != "" {
		t.Errorf("the defaults' fragment is %q, want empty", Defaults().Fragment())
	}
}

// TestFragmentByHand reads a fragment written by hand: unpacked text, unknown keys ignored.
func TestFragmentByHand(t *testing.T) {
	f, err := ParseFragment("#records=%7B%22value%22%3A%22v%22%7D&compression=lz4&bogus=1")
	if err != nil {
		t.Fatal(err)
	}
	if f[KeyRecords] != `{"value":"v"}` || f[KeyCompression] != "lz4" || f[KeyTopic] != "orders" {
		t.Errorf("read %v", f)
	}
	if _, ok := f["bogus"]; ok {
		t.Error("kept an unknown key")
	}
}

// TestFragmentCorrupt names the key whose packed value is corrupt.
func TestFragmentCorrupt(t *testing.T) {
	for _, frag := range []string{"records=z:!!!", "decode-input=z:AAAA", "records=%zz"} {
		f, err := ParseFragment(frag)
		if err == nil {
			t.Errorf("%q: no error", frag)
			continue
		}
		if !strings.HasPrefix(err.Error(), "link: ") || f == nil {
			t.Errorf("%q: %v", frag, err)
		}
	}
	if _, err := ParseFragment("records=z:!!!"); !strings.Contains(err.Error(), "records") {
		t.Errorf("error does not name the key: %v", err)
	}
}

// TestFragmentSimulator keeps the Simulator's settings in the fragment too, its records packed.
func TestFragmentSimulator(t *testing.T) {
	f := Defaults()
	f[KeyMode], f[KeySimFault], f[KeySimIdempotent] = ModeSimulate, "delay", ""
	f[KeySimRecords] = strings.Repeat(`{"key":"k","value":"a value that repeats"}`+"\n", 50)
	frag := f.Fragment()
	if !strings.Contains(frag, "mode=simulate") || !strings.Contains(frag, "sim-records=z%3A") || len(frag) > 300 {
		t.Errorf("fragment %q", frag)
	}
	got, err := ParseFragment(frag)
	if err != nil || !reflect.DeepEqual(got, f) {
		t.Errorf("read back %v, %v", got, err)
	}
}
