package mockbroker

// ApiVersions, versions 0–4.
//
// Answers with the version range of each API this broker serves: the cluster's VersionProfile
// (Kafka 3.9's by default) narrowed to what kwire implements. A request at a version the broker
// does not serve gets v0, UNSUPPORTED_VERSION and, as from Kafka, the range of ApiVersions alone,
// so the client can retry within it (KIP-511).
// It does not advertise features (the tagged SupportedFeatures fields).

import (
	"slices"

	"github.com/kwire-dev/kwire/wire/protocol"
)

func serveApiVersions(c *Cluster, r *request) protocol.Message {
	resp := c.apiVersions()
	resp.ErrorCode = r.forcedError("", -1)
	return resp
}

// apiVersions lists the served ranges, by API key.
func (c *Cluster) apiVersions() *protocol.ApiVersionsResponse {
	resp := &protocol.ApiVersionsResponse{}
	for k := range handlers {
		if vr, ok := c.cfg.profile.served(k); ok {
			resp.APIKeys = append(resp.APIKeys, protocol.ApiVersion{APIKey: k, MinVersion: vr.Min, MaxVersion: vr.Max})
		}
	}
	slices.SortFunc(resp.APIKeys, func(a, b protocol.ApiVersion) int { return int(a.APIKey) - int(b.APIKey) })
	return resp
}
