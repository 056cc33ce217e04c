package simulator

import (
	"strings"
	"testing"
	"time"

	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/wasm/explorer"
	"github.com/kwire-dev/kwire/wire"
)

// TestReadSettingsDefaults reads the form of a first visit: the Java producer's defaults, short
// timeouts, the default records and a lost acknowledgement.
func TestReadSettingsDefaults(t *testing.T) {
	s, err := ReadSettings(explorer.Defaults(), time.UnixMilli(1700000000000))
	if err != nil {
		t.Fatal(err)
	}
	if s.Acks != producer.AcksAll || !s.Idempotent || s.MaxInFlight != 5 || s.Linger != 5*time.Millisecond || s.BatchSize != 16384 ||
		s.Compression != wire.CodecNone || s.RequestTimeout != 500*time.Millisecond || s.DeliveryTimeout != 3*time.Second ||
		s.Fault != FaultLostAck || s.FaultTimes != 1 || len(s.Records) != 3 || s.Records[0].Timestamp != 1700000000000 {
		t.Errorf("defaults: %+v", s)
	}
	cfg := s.config()
	if cfg.Idempotence != producer.On || cfg.RequestTimeout != s.RequestTimeout || cfg.ClientID != "kwire-playground" {
		t.Errorf("producer config: %+v", cfg)
	}
}

// TestReadSettingsErrors points at the input at fault, with a message that says why.
func TestReadSettingsErrors(t *testing.T) {
	for _, c := range []struct {
		key, value, want string
	}{
		{explorer.KeySimLinger, "5000", "linger.ms: 5000 is outside 0 to 2000 ms"},
		{explorer.KeySimInFlight, "x", `max.in.flight.requests.per.connection: "x" is not a whole number`},
		{explorer.KeySimRequestTimeout, "1", "request.timeout.ms: 1 is outside 10 to 5000 ms"},
		{explorer.KeySimFaultTimes, "0", "times: 0 is outside 1 to 100"},
		{explorer.KeySimAcks, "", "acks"},
		{explorer.KeySimCompression, "brotli", "compression:"},
		{explorer.KeySimFault, "meteor", `fault: "meteor" is not a fault`},
		{explorer.KeySimRecords, "{\"value\":1}\n", "records: line 1"},
		{explorer.KeySimRecords, "\n", "records: none"},
	} {
		f := explorer.Defaults()
		f[c.key] = c.value
		_, err := ReadSettings(f, time.Now())
		ie, ok := err.(*explorer.InputError)
		if !ok || ie.Field != c.key || !strings.Contains(ie.Message, c.want) {
			t.Errorf("%s=%q: %v, want an error at %s saying %q", c.key, c.value, err, c.key, c.want)
		}
	}
}

// TestPresets: each preset's values read as settings of the lost-acknowledgement scenario.
func TestPresets(t *testing.T) {
	for _, id := range []string{"lost-ack-off", "lost-ack-on"} {
		p := FindPreset(id)
		if p == nil {
			t.Fatalf("no preset %s", id)
		}
		f := explorer.Defaults()
		f[explorer.KeySimFault], f[explorer.KeySimIdempotent] = "none", "x"
		for k, v := range p.Values {
			f[k] = v
		}
		s, err := ReadSettings(f, time.Now())
		if err != nil || s.Fault != FaultLostAck || s.Idempotent != (id == "lost-ack-on") || len(s.Records) != 1 {
			t.Errorf("%s: %+v, %v", id, s, err)
		}
	}
	if FindPreset("nope") != nil {
		t.Error("an unknown preset was found")
	}
}

// TestFaultsTable: every fault parses back, has a description, and all but none and the leader
// move are the mock broker's declared faults.
func TestFaultsTable(t *testing.T) {
	s := &Settings{FaultTimes: 2, RequestTimeout: time.Second}
	for _, fi := range Faults {
		f, err := ParseFault(string(fi.Fault))
		if err != nil || f.Info().Does == "" || f.Info().Broker == "" {
			t.Errorf("%s: %v, %+v", fi.Fault, err, f.Info())
		}
		mf, declared := f.declared(s)
		if declared != f.Repeats() {
			t.Errorf("%s: declared %t, repeats %t", f, declared, f.Repeats())
		}
		if declared && (mf.Times != 2 || mf.Topic != Topic) {
			t.Errorf("%s: %+v", f, mf)
		}
	}
}
