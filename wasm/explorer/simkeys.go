package explorer

// The Simulator's inputs, by element id. Their values are part of the page's form, so that the
// URL holds a simulation's settings like the Explorer's; package simulator reads them.
const (
	KeySimRecords         = "sim-records" // JSONL, as the Explorer's records
	KeySimAcks            = "sim-acks"
	KeySimIdempotent      = "sim-idempotent"
	KeySimInFlight        = "sim-inflight"
	KeySimLinger          = "sim-linger"
	KeySimBatchSize       = "sim-batch-size"
	KeySimCompression     = "sim-compression"
	KeySimRequestTimeout  = "sim-request-timeout"
	KeySimDeliveryTimeout = "sim-delivery-timeout"
	KeySimFault           = "sim-fault"
	KeySimFaultTimes      = "sim-fault-times"
)

// defaultSimRecords are the records a simulation sends unless the user changes them.
const defaultSimRecords = `{"key":"order-17","value":"{\"item\":\"book\",\"qty\":1}"}
{"key":"order-18","value":"{\"item\":\"pen\",\"qty\":3}"}
{"key":"order-19","value":"{\"item\":\"ink\",\"qty\":2}"}
`

// simDefaults is the Simulator's part of [Defaults]: the Java producer's defaults (idempotent,
// acks all, five requests in flight, linger.ms 5, batch.size 16384), with timeouts short enough
// for a run to take a second or two, and a lost acknowledgement to show.
func simDefaults() Form {
	return Form{
		KeySimRecords:         defaultSimRecords,
		KeySimAcks:            "-1",
		KeySimIdempotent:      "1",
		KeySimInFlight:        "5",
		KeySimLinger:          "5",
		KeySimBatchSize:       "16384",
		KeySimCompression:     "none",
		KeySimRequestTimeout:  "500",
		KeySimDeliveryTimeout: "3000",
		KeySimFault:           "lost-ack",
		KeySimFaultTimes:      "1",
	}
}

// simKeys lists the Simulator's keys in a fixed order, for [Keys].
func simKeys() []string {
	return []string{KeySimRecords, KeySimAcks, KeySimIdempotent, KeySimInFlight, KeySimLinger, KeySimBatchSize,
		KeySimCompression, KeySimRequestTimeout, KeySimDeliveryTimeout, KeySimFault, KeySimFaultTimes}
}
