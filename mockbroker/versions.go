package mockbroker

import "github.com/kwire-dev/kwire/wire/protocol"

// VersionProfile is the version range a broker advertises for each API in ApiVersions. Clients
// choose their request versions from it, and some change behaviour on it: librdkafka before 2.11.1
// compresses only when Produce v0 is advertised, as brokers before Kafka 4.0 did.
type VersionProfile map[protocol.APIKey]protocol.VersionRange

// Kafka39 is what an Apache Kafka 3.9 broker advertises for the APIs kwire serves.
var Kafka39 = VersionProfile{
	protocol.KeyProduce:        {Min: 0, Max: 11},
	protocol.KeyFetch:          {Min: 0, Max: 17},
	protocol.KeyListOffsets:    {Min: 0, Max: 9},
	protocol.KeyMetadata:       {Min: 0, Max: 12},
	protocol.KeyApiVersions:    {Min: 0, Max: 4},
	protocol.KeyCreateTopics:   {Min: 0, Max: 7},
	protocol.KeyInitProducerID: {Min: 0, Max: 5},
}

// Kafka40 is what an Apache Kafka 4.0 broker advertises: the protocol versions removed by KIP-896
// are gone, Produce v0–v2 among them.
var Kafka40 = VersionProfile{
	protocol.KeyProduce:        {Min: 3, Max: 12},
	protocol.KeyFetch:          {Min: 4, Max: 17},
	protocol.KeyListOffsets:    {Min: 1, Max: 10},
	protocol.KeyMetadata:       {Min: 0, Max: 13},
	protocol.KeyApiVersions:    {Min: 0, Max: 4},
	protocol.KeyCreateTopics:   {Min: 2, Max: 7},
	protocol.KeyInitProducerID: {Min: 0, Max: 5},
}

// served is the range of k the broker both advertises under p and implements; ok is false when
// there is none.
func (p VersionProfile) served(k protocol.APIKey) (protocol.VersionRange, bool) {
	adv, ok := p[k]
	h, implemented := handlers[k]
	if !ok || !implemented {
		return protocol.VersionRange{}, false
	}
	r := protocol.VersionRange{Min: max(adv.Min, h.versions.Min), Max: min(adv.Max, h.versions.Max)}
	return r, r.Min <= r.Max
}
