package protocol

// NewRequest returns an empty request of API k, or nil if kwire does not know k.
func NewRequest(k APIKey) Message {
	switch k {
	case KeyProduce:
		return new(ProduceRequest)
	case KeyFetch:
		return new(FetchRequest)
	case KeyApiVersions:
		return new(ApiVersionsRequest)
	case KeyListOffsets:
		return new(ListOffsetsRequest)
	case KeyMetadata:
		return new(MetadataRequest)
	case KeyFindCoordinator:
		return new(FindCoordinatorRequest)
	case KeyCreateTopics:
		return new(CreateTopicsRequest)
	case KeyInitProducerID:
		return new(InitProducerIDRequest)
	case KeySaslHandshake:
		return new(SaslHandshakeRequest)
	case KeySaslAuthenticate:
		return new(SaslAuthenticateRequest)
	}
	return nil
}

// NewResponse returns an empty response of API k, or nil if kwire does not know k.
func NewResponse(k APIKey) Message {
	switch k {
	case KeyProduce:
		return new(ProduceResponse)
	case KeyFetch:
		return new(FetchResponse)
	case KeyApiVersions:
		return new(ApiVersionsResponse)
	case KeyListOffsets:
		return new(ListOffsetsResponse)
	case KeyMetadata:
		return new(MetadataResponse)
	case KeyFindCoordinator:
		return new(FindCoordinatorResponse)
	case KeyCreateTopics:
		return new(CreateTopicsResponse)
	case KeyInitProducerID:
		return new(InitProducerIDResponse)
	case KeySaslHandshake:
		return new(SaslHandshakeResponse)
	case KeySaslAuthenticate:
		return new(SaslAuthenticateResponse)
	}
	return nil
}
