package mockbroker

import "github.com/kwire-dev/kwire/wire/protocol"

// VersionProfile is what a broker advertises in ApiVersions for each API, and which of the
// advertised versions it nonetheless refuses. Clients choose their request versions from the
// advertised ranges, and some change behaviour on them: librdkafka before 2.11.1 compresses with
// gzip, snappy and lz4 only when Produce v0 is advertised, and with lz4 only when FindCoordinator
// v0 is too (its feature map takes FindCoordinator for "broker 0.8.2 or later").
type VersionProfile struct {
	// Advertised is the range ApiVersions lists for each API, narrowed to what kwire implements.
	// An API missing here is neither advertised nor served.
	Advertised map[protocol.APIKey]protocol.VersionRange
	// Refused are versions within Advertised that the broker closes the connection on, as it does
	// on versions it does not advertise.
	Refused map[protocol.APIKey]protocol.VersionRange
}

// Kafka39 is what an Apache Kafka 3.9 broker advertises for the APIs kwire serves; it refuses none
// of them.
var Kafka39 = VersionProfile{
	Advertised: map[protocol.APIKey]protocol.VersionRange{
		protocol.KeyProduce:          {Min: 0, Max: 11},
		protocol.KeyFetch:            {Min: 0, Max: 17},
		protocol.KeyListOffsets:      {Min: 0, Max: 9},
		protocol.KeyMetadata:         {Min: 0, Max: 12},
		protocol.KeyFindCoordinator:  {Min: 0, Max: 6},
		protocol.KeyApiVersions:      {Min: 0, Max: 4},
		protocol.KeyCreateTopics:     {Min: 0, Max: 7},
		protocol.KeyInitProducerID:   {Min: 0, Max: 5},
		protocol.KeySaslHandshake:    {Min: 0, Max: 1},
		protocol.KeySaslAuthenticate: {Min: 0, Max: 2},
	},
}

// Kafka40 is what an Apache Kafka 4.0 broker advertises: the protocol versions KIP-896 removed
// are gone (Fetch v0–v3, ListOffsets v0, CreateTopics v0–v1), with one exception. Produce v0–v2
// were removed too, but Kafka 4.0 still advertises Produce from v0, because librdkafka before
// 2.11.1 takes a broker without Produce v0 for one without gzip, snappy and lz4 and sends those
// batches uncompressed (KAFKA-18659, librdkafka issue 4956). A Produce v0–v2 request is refused
// all the same: Kafka's network thread fails to parse its header (UnsupportedVersionException)
// and closes the connection without an answer, and so does a broker under this profile.
// FindCoordinator keeps v0, which librdkafka's lz4 also depends on: KIP-896 does not remove it
// (KAFKA-18270 took back its deprecation).
var Kafka40 = VersionProfile{
	Advertised: map[protocol.APIKey]protocol.VersionRange{
		protocol.KeyProduce:          {Min: 0, Max: 12},
		protocol.KeyFetch:            {Min: 4, Max: 17},
		protocol.KeyListOffsets:      {Min: 1, Max: 10},
		protocol.KeyMetadata:         {Min: 0, Max: 13},
		protocol.KeyFindCoordinator:  {Min: 0, Max: 6},
		protocol.KeyApiVersions:      {Min: 0, Max: 4},
		protocol.KeyCreateTopics:     {Min: 2, Max: 7},
		protocol.KeyInitProducerID:   {Min: 0, Max: 5},
		protocol.KeySaslHandshake:    {Min: 0, Max: 1},
		protocol.KeySaslAuthenticate: {Min: 0, Max: 2},
	},
	Refused: map[protocol.APIKey]protocol.VersionRange{
		protocol.KeyProduce: {Min: 0, Max: 2},
	},
}

// Kafka44 is what an Apache Kafka 4.4 broker advertises, as the differential test against one
// (interop's TestRealKafkaMockDiff) reads it: Kafka 4.0's ranges with Produce v13 and Fetch v18
// (topic ids in produce requests, KIP-516; the high watermark in fetch requests, KIP-1166),
// ListOffsets v11 (the earliest pending upload offset, KIP-1023) and ApiVersions v5, the last two
// narrowed to what kwire implements. Produce v0–v2 are refused as under [Kafka40].
var Kafka44 = VersionProfile{
	Advertised: map[protocol.APIKey]protocol.VersionRange{
		protocol.KeyProduce:          {Min: 0, Max: 13},
		protocol.KeyFetch:            {Min: 4, Max: 18},
		protocol.KeyListOffsets:      {Min: 1, Max: 11},
		protocol.KeyMetadata:         {Min: 0, Max: 13},
		protocol.KeyFindCoordinator:  {Min: 0, Max: 6},
		protocol.KeyApiVersions:      {Min: 0, Max: 5},
		protocol.KeyCreateTopics:     {Min: 2, Max: 7},
		protocol.KeyInitProducerID:   {Min: 0, Max: 5},
		protocol.KeySaslHandshake:    {Min: 0, Max: 1},
		protocol.KeySaslAuthenticate: {Min: 0, Max: 2},
	},
	Refused: map[protocol.APIKey]protocol.VersionRange{
		protocol.KeyProduce: {Min: 0, Max: 2},
	},
}

// served is the range of k the broker both advertises under p and implements; ok is false when
// there is none.
func (p VersionProfile) served(k protocol.APIKey) (protocol.VersionRange, bool) {
	adv, ok := p.Advertised[k]
	h, implemented := handlers[k]
	if !ok || !implemented {
		return protocol.VersionRange{}, false
	}
	r := protocol.VersionRange{Min: max(adv.Min, h.versions.Min), Max: min(adv.Max, h.versions.Max)}
	return r, r.Min <= r.Max
}

// refuses reports whether version v of k is advertised under p but refused.
func (p VersionProfile) refuses(k protocol.APIKey, v int16) bool {
	r, ok := p.Refused[k]
	return ok && r.Contains(v)
}
