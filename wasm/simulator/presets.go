package simulator

import "github.com/kwire-dev/kwire/wasm/explorer"

// Preset is a scenario the page sets up and runs in one click.
type Preset struct {
	ID     string // the page's button has data-preset=ID
	Label  string
	Values explorer.Form // the Simulator's inputs it sets; the others keep their values
}

// paymentRecord is the record of the lost-acknowledgement scenario: one whose duplicate hurts.
const paymentRecord = `{"key":"payment-42","value":"charge card *4242: 10.00 EUR"}` + "\n"

// lostAck is the scenario of Kafka's documentation (Design, "Message Delivery Semantics"): the
// broker writes a record but the acknowledgement is lost, and the producer retries. Without
// idempotence the record is written twice; with it the broker recognises the retry.
func lostAck(idempotent bool) Preset {
	p := Preset{ID: "lost-ack-off", Label: "Lost acknowledgement, idempotence off"}
	idem := ""
	if idempotent {
		p.ID, p.Label, idem = "lost-ack-on", "Lost acknowledgement, idempotence on", "1"
	}
	p.Values = explorer.Form{
		explorer.KeySimRecords: paymentRecord, explorer.KeySimAcks: "-1", explorer.KeySimIdempotent: idem,
		explorer.KeySimInFlight: "5", explorer.KeySimLinger: "5", explorer.KeySimBatchSize: "16384",
		explorer.KeySimCompression: "none", explorer.KeySimRequestTimeout: "500", explorer.KeySimDeliveryTimeout: "3000",
		explorer.KeySimFault: string(FaultLostAck), explorer.KeySimFaultTimes: "1",
	}
	return p
}

// Presets are the scenarios the page offers.
var Presets = []Preset{lostAck(false), lostAck(true)}

// FindPreset returns the preset with id, or nil.
func FindPreset(id string) *Preset {
	for i := range Presets {
		if Presets[i].ID == id {
			return &Presets[i]
		}
	}
	return nil
}
