// Package kerr holds Kafka's protocol error codes as comparable Go errors.
//
// Every code a broker may put in a response's error_code field has one *Error value here, named
// after Kafka's own name in CamelCase (NOT_LEADER_OR_FOLLOWER is [NotLeaderOrFollower]). [ForCode]
// turns a code read off the wire into that value, so callers test errors with [errors.Is]:
//
//	if errors.Is(kerr.ForCode(p.ErrorCode), kerr.NotLeaderOrFollower) { ... }
//
// Codes, names and descriptions follow Kafka's Errors.java
// (clients/src/main/java/org/apache/kafka/common/protocol/Errors.java in apache/kafka), up to
// SHARE_SESSION_LIMIT_REACHED (133). An error is retriable when Kafka's exception class for it
// extends RetriableException (directly or through InvalidMetadataException or
// RefreshRetriableException): retrying the same request, perhaps after refreshing metadata, may
// succeed.
package kerr

import (
	"errors"
	"fmt"
)

// Error is one Kafka protocol error code.
type Error struct {
	Code        int16  // the code on the wire
	Name        string // Kafka's name, e.g. "NOT_LEADER_OR_FOLLOWER"
	Description string // Kafka's default message for the code
	Retriable   bool   // whether retrying the request may succeed
}

// Error is the name and the description, e.g. "REQUEST_TIMED_OUT: The request timed out.".
func (e *Error) Error() string { return e.Name + ": " + e.Description }

// The error codes, in code order. NONE (0) has no value: [ForCode] returns nil for it.
var (
	UnknownServerError                 = &Error{-1, "UNKNOWN_SERVER_ERROR", "The server experienced an unexpected error when processing the request.", false}
	OffsetOutOfRange                   = &Error{1, "OFFSET_OUT_OF_RANGE", "The requested offset is not within the range of offsets maintained by the server.", false}
	CorruptMessage                     = &Error{2, "CORRUPT_MESSAGE", "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.", true}
	UnknownTopicOrPartition            = &Error{3, "UNKNOWN_TOPIC_OR_PARTITION", "This server does not host this topic-partition.", true}
	InvalidFetchSize                   = &Error{4, "INVALID_FETCH_SIZE", "The requested fetch size is invalid.", false}
	LeaderNotAvailable                 = &Error{5, "LEADER_NOT_AVAILABLE", "There is no leader for this topic-partition as we are in the middle of a leadership election.", true}
	NotLeaderOrFollower                = &Error{6, "NOT_LEADER_OR_FOLLOWER", "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.", true}
	RequestTimedOut                    = &Error{7, "REQUEST_TIMED_OUT", "The request timed out.", true}
	BrokerNotAvailable                 = &Error{8, "BROKER_NOT_AVAILABLE", "The broker is not available.", false}
	ReplicaNotAvailable                = &Error{9, "REPLICA_NOT_AVAILABLE", "The replica is not available for the requested topic-partition. Produce/Fetch requests and other requests intended only for the leader or follower return NOT_LEADER_OR_FOLLOWER if the broker is not a replica of the topic-partition.", true}
	MessageTooLarge                    = &Error{10, "MESSAGE_TOO_LARGE", "The request included a message larger than the max message size the server will accept.", false}
	StaleControllerEpoch               = &Error{11, "STALE_CONTROLLER_EPOCH", "The controller moved to another broker.", false}
	OffsetMetadataTooLarge             = &Error{12, "OFFSET_METADATA_TOO_LARGE", "The metadata field of the offset request was too large.", false}
	NetworkException                   = &Error{13, "NETWORK_EXCEPTION", "The server disconnected before a response was received.", true}
	CoordinatorLoadInProgress          = &Error{14, "COORDINATOR_LOAD_IN_PROGRESS", "The coordinator is loading and hence can't process requests.", true}
	CoordinatorNotAvailable            = &Error{15, "COORDINATOR_NOT_AVAILABLE", "The coordinator is not available.", true}
	NotCoordinator                     = &Error{16, "NOT_COORDINATOR", "This is not the correct coordinator.", true}
	InvalidTopicException              = &Error{17, "INVALID_TOPIC_EXCEPTION", "The request attempted to perform an operation on an invalid topic.", false}
	RecordListTooLarge                 = &Error{18, "RECORD_LIST_TOO_LARGE", "The request included message batch larger than the configured segment size on the server.", false}
	NotEnoughReplicas                  = &Error{19, "NOT_ENOUGH_REPLICAS", "Messages are rejected since there are fewer in-sync replicas than required.", true}
	NotEnoughReplicasAfterAppend       = &Error{20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", "Messages are written to the log, but to fewer in-sync replicas than required.", true}
	InvalidRequiredAcks                = &Error{21, "INVALID_REQUIRED_ACKS", "Produce request specified an invalid value for required acks.", false}
	IllegalGeneration                  = &Error{22, "ILLEGAL_GENERATION", "Specified group generation id is not valid.", false}
	InconsistentGroupProtocol          = &Error{23, "INCONSISTENT_GROUP_PROTOCOL", "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.", false}
	InvalidGroupID                     = &Error{24, "INVALID_GROUP_ID", "The group id is invalid.", false}
	UnknownMemberID                    = &Error{25, "UNKNOWN_MEMBER_ID", "The coordinator is not aware of this member.", false}
	InvalidSessionTimeout              = &Error{26, "INVALID_SESSION_TIMEOUT", "The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).", false}
	RebalanceInProgress                = &Error{27, "REBALANCE_IN_PROGRESS", "The group is rebalancing, so a rejoin is needed.", false}
	InvalidCommitOffsetSize            = &Error{28, "INVALID_COMMIT_OFFSET_SIZE", "The committing offset data size is not valid.", false}
	TopicAuthorizationFailed           = &Error{29, "TOPIC_AUTHORIZATION_FAILED", "Topic authorization failed.", false}
	GroupAuthorizationFailed           = &Error{30, "GROUP_AUTHORIZATION_FAILED", "Group authorization failed.", false}
	ClusterAuthorizationFailed         = &Error{31, "CLUSTER_AUTHORIZATION_FAILED", "Cluster authorization failed.", false}
	InvalidTimestamp                   = &Error{32, "INVALID_TIMESTAMP", "The timestamp of the message is out of acceptable range.", false}
	UnsupportedSaslMechanism           = &Error{33, "UNSUPPORTED_SASL_MECHANISM", "The broker does not support the requested SASL mechanism.", false}
	IllegalSaslState                   = &Error{34, "ILLEGAL_SASL_STATE", "Request is not valid given the current SASL state.", false}
	UnsupportedVersion                 = &Error{35, "UNSUPPORTED_VERSION", "The version of API is not supported.", false}
	TopicAlreadyExists                 = &Error{36, "TOPIC_ALREADY_EXISTS", "Topic with this name already exists.", false}
	InvalidPartitions                  = &Error{37, "INVALID_PARTITIONS", "Number of partitions is below 1.", false}
	InvalidReplicationFactor           = &Error{38, "INVALID_REPLICATION_FACTOR", "Replication factor is below 1 or larger than the number of available brokers.", false}
	InvalidReplicaAssignment           = &Error{39, "INVALID_REPLICA_ASSIGNMENT", "Replica assignment is invalid.", false}
	InvalidConfig                      = &Error{40, "INVALID_CONFIG", "Configuration is invalid.", false}
	NotController                      = &Error{41, "NOT_CONTROLLER", "This is not the correct controller for this cluster.", true}
	InvalidRequest                     = &Error{42, "INVALID_REQUEST", "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.", false}
	UnsupportedForMessageFormat        = &Error{43, "UNSUPPORTED_FOR_MESSAGE_FORMAT", "The message format version on the broker does not support the request.", false}
	PolicyViolation                    = &Error{44, "POLICY_VIOLATION", "Request parameters do not satisfy the configured policy.", false}
	OutOfOrderSequenceNumber           = &Error{45, "OUT_OF_ORDER_SEQUENCE_NUMBER", "The broker received an out of order sequence number.", false}
	DuplicateSequenceNumber            = &Error{46, "DUPLICATE_SEQUENCE_NUMBER", "The broker received a duplicate sequence number.", false}
	InvalidProducerEpoch               = &Error{47, "INVALID_PRODUCER_EPOCH", "Producer attempted to produce with an old epoch.", false}
	InvalidTxnState                    = &Error{48, "INVALID_TXN_STATE", "The producer attempted a transactional operation in an invalid state.", false}
	InvalidProducerIDMapping           = &Error{49, "INVALID_PRODUCER_ID_MAPPING", "The producer attempted to use a producer id which is not currently assigned to its transactional id.", false}
	InvalidTransactionTimeout          = &Error{50, "INVALID_TRANSACTION_TIMEOUT", "The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms).", false}
	ConcurrentTransactions             = &Error{51, "CONCURRENT_TRANSACTIONS", "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing.", true}
	TransactionCoordinatorFenced       = &Error{52, "TRANSACTION_COORDINATOR_FENCED", "Indicates that the transaction coordinator sending a WriteTxnMarker is no longer the current coordinator for a given producer.", false}
	TransactionalIDAuthorizationFailed = &Error{53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", "Transactional Id authorization failed.", false}
	SecurityDisabled                   = &Error{54, "SECURITY_DISABLED", "Security features are disabled.", false}
	OperationNotAttempted              = &Error{55, "OPERATION_NOT_ATTEMPTED", "The broker did not attempt to execute this operation. This may happen for batched RPCs where some operations in the batch failed, causing the broker to respond without trying the rest.", false}
	KafkaStorageError                  = &Error{56, "KAFKA_STORAGE_ERROR", "Disk error when trying to access log file on the disk.", true}
	LogDirNotFound                     = &Error{57, "LOG_DIR_NOT_FOUND", "The user-specified log directory is not found in the broker config.", false}
	SaslAuthenticationFailed           = &Error{58, "SASL_AUTHENTICATION_FAILED", "SASL Authentication failed.", false}
	UnknownProducerID                  = &Error{59, "UNKNOWN_PRODUCER_ID", "This exception is raised by the broker if it could not locate the producer metadata associated with the producerId in question. This could happen if, for instance, the producer's records were deleted because their retention time had elapsed. Once the last records of the producerId are removed, the producer's metadata is removed from the broker, and future appends by the producer will return this exception.", false}
	ReassignmentInProgress             = &Error{60, "REASSIGNMENT_IN_PROGRESS", "A partition reassignment is in progress.", false}
	DelegationTokenAuthDisabled        = &Error{61, "DELEGATION_TOKEN_AUTH_DISABLED", "Delegation Token feature is not enabled.", false}
	DelegationTokenNotFound            = &Error{62, "DELEGATION_TOKEN_NOT_FOUND", "Delegation Token is not found on server.", false}
	DelegationTokenOwnerMismatch       = &Error{63, "DELEGATION_TOKEN_OWNER_MISMATCH", "Specified Principal is not valid Owner/Renewer.", false}
	DelegationTokenRequestNotAllowed   = &Error{64, "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", "Delegation Token requests are not allowed on PLAINTEXT/1-way SSL channels and on delegation token authenticated channels.", false}
	DelegationTokenAuthorizationFailed = &Error{65, "DELEGATION_TOKEN_AUTHORIZATION_FAILED", "Delegation Token authorization failed.", false}
	DelegationTokenExpired             = &Error{66, "DELEGATION_TOKEN_EXPIRED", "Delegation Token is expired.", false}
	InvalidPrincipalType               = &Error{67, "INVALID_PRINCIPAL_TYPE", "Supplied principalType is not supported.", false}
	NonEmptyGroup                      = &Error{68, "NON_EMPTY_GROUP", "The group is not empty.", false}
	GroupIDNotFound                    = &Error{69, "GROUP_ID_NOT_FOUND", "The group id does not exist.", false}
	FetchSessionIDNotFound             = &Error{70, "FETCH_SESSION_ID_NOT_FOUND", "The fetch session ID was not found.", true}
	InvalidFetchSessionEpoch           = &Error{71, "INVALID_FETCH_SESSION_EPOCH", "The fetch session epoch is invalid.", true}
	ListenerNotFound                   = &Error{72, "LISTENER_NOT_FOUND", "There is no listener on the leader broker that matches the listener on which metadata request was processed.", true}
	TopicDeletionDisabled              = &Error{73, "TOPIC_DELETION_DISABLED", "Topic deletion is disabled.", false}
	FencedLeaderEpoch                  = &Error{74, "FENCED_LEADER_EPOCH", "The leader epoch in the request is older than the epoch on the broker.", true}
	UnknownLeaderEpoch                 = &Error{75, "UNKNOWN_LEADER_EPOCH", "The leader epoch in the request is newer than the epoch on the broker.", true}
	UnsupportedCompressionType         = &Error{76, "UNSUPPORTED_COMPRESSION_TYPE", "The requesting client does not support the compression type of given partition.", false}
	StaleBrokerEpoch                   = &Error{77, "STALE_BROKER_EPOCH", "Broker epoch has changed.", false}
	OffsetNotAvailable                 = &Error{78, "OFFSET_NOT_AVAILABLE", "The leader high watermark has not caught up from a recent leader election so the offsets cannot be guaranteed to be monotonically increasing.", true}
	MemberIDRequired                   = &Error{79, "MEMBER_ID_REQUIRED", "The group member needs to have a valid member id before actually entering a consumer group.", false}
	PreferredLeaderNotAvailable        = &Error{80, "PREFERRED_LEADER_NOT_AVAILABLE", "The preferred leader was not available.", true}
	GroupMaxSizeReached                = &Error{81, "GROUP_MAX_SIZE_REACHED", "The group has reached its maximum size.", false}
	FencedInstanceID                   = &Error{82, "FENCED_INSTANCE_ID", "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id.", false}
	EligibleLeadersNotAvailable        = &Error{83, "ELIGIBLE_LEADERS_NOT_AVAILABLE", "Eligible topic partition leaders are not available.", true}
	ElectionNotNeeded                  = &Error{84, "ELECTION_NOT_NEEDED", "Leader election not needed for topic partition.", true}
	NoReassignmentInProgress           = &Error{85, "NO_REASSIGNMENT_IN_PROGRESS", "No partition reassignment is in progress.", false}
	GroupSubscribedToTopic             = &Error{86, "GROUP_SUBSCRIBED_TO_TOPIC", "Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.", false}
	InvalidRecord                      = &Error{87, "INVALID_RECORD", "This record has failed the validation on broker and hence will be rejected.", false}
	UnstableOffsetCommit               = &Error{88, "UNSTABLE_OFFSET_COMMIT", "There are unstable offsets that need to be cleared.", true}
	ThrottlingQuotaExceeded            = &Error{89, "THROTTLING_QUOTA_EXCEEDED", "The throttling quota has been exceeded.", true}
	ProducerFenced                     = &Error{90, "PRODUCER_FENCED", "There is a newer producer with the same transactionalId which fences the current one.", false}
	ResourceNotFound                   = &Error{91, "RESOURCE_NOT_FOUND", "A request illegally referred to a resource that does not exist.", false}
	DuplicateResource                  = &Error{92, "DUPLICATE_RESOURCE", "A request illegally referred to the same resource twice.", false}
	UnacceptableCredential             = &Error{93, "UNACCEPTABLE_CREDENTIAL", "Requested credential would not meet criteria for acceptability.", false}
	InconsistentVoterSet               = &Error{94, "INCONSISTENT_VOTER_SET", "Indicates that the either the sender or recipient of a voter-only request is not one of the expected voters.", false}
	InvalidUpdateVersion               = &Error{95, "INVALID_UPDATE_VERSION", "The given update version was invalid.", false}
	FeatureUpdateFailed                = &Error{96, "FEATURE_UPDATE_FAILED", "Unable to update finalized features due to an unexpected server error.", false}
	PrincipalDeserializationFailure    = &Error{97, "PRINCIPAL_DESERIALIZATION_FAILURE", "Request principal deserialization failed during forwarding. This indicates an internal error on the broker cluster security setup.", false}
	SnapshotNotFound                   = &Error{98, "SNAPSHOT_NOT_FOUND", "Requested snapshot was not found.", false}
	PositionOutOfRange                 = &Error{99, "POSITION_OUT_OF_RANGE", "Requested position is not greater than or equal to zero, and less than the size of the snapshot.", false}
	UnknownTopicID                     = &Error{100, "UNKNOWN_TOPIC_ID", "This server does not host this topic ID.", true}
	DuplicateBrokerRegistration        = &Error{101, "DUPLICATE_BROKER_REGISTRATION", "This broker ID is already in use.", false}
	BrokerIDNotRegistered              = &Error{102, "BROKER_ID_NOT_REGISTERED", "The given broker ID was not registered.", false}
	InconsistentTopicID                = &Error{103, "INCONSISTENT_TOPIC_ID", "The log's topic ID did not match the topic ID in the request.", true}
	InconsistentClusterID              = &Error{104, "INCONSISTENT_CLUSTER_ID", "The clusterId in the request does not match that found on the server.", false}
	TransactionalIDNotFound            = &Error{105, "TRANSACTIONAL_ID_NOT_FOUND", "The transactionalId could not be found.", false}
	FetchSessionTopicIDError           = &Error{106, "FETCH_SESSION_TOPIC_ID_ERROR", "The fetch session encountered inconsistent topic ID usage.", true}
	IneligibleReplica                  = &Error{107, "INELIGIBLE_REPLICA", "The new ISR contains at least one ineligible replica.", false}
	NewLeaderElected                   = &Error{108, "NEW_LEADER_ELECTED", "The AlterPartition request successfully updated the partition state but the leader has changed.", false}
	OffsetMovedToTieredStorage         = &Error{109, "OFFSET_MOVED_TO_TIERED_STORAGE", "The requested offset is moved to tiered storage.", false}
	FencedMemberEpoch                  = &Error{110, "FENCED_MEMBER_EPOCH", "The member epoch is fenced by the group coordinator. The member must abandon all its partitions and rejoin.", false}
	UnreleasedInstanceID               = &Error{111, "UNRELEASED_INSTANCE_ID", "The instance ID is still used by another member in the consumer group. That member must leave first.", false}
	UnsupportedAssignor                = &Error{112, "UNSUPPORTED_ASSIGNOR", "The assignor or its version range is not supported by the consumer group.", false}
	StaleMemberEpoch                   = &Error{113, "STALE_MEMBER_EPOCH", "The member epoch is stale. The member must retry after receiving its updated member epoch via the ConsumerGroupHeartbeat API.", false}
	MismatchedEndpointType             = &Error{114, "MISMATCHED_ENDPOINT_TYPE", "The request was sent to an endpoint of the wrong type.", false}
	UnsupportedEndpointType            = &Error{115, "UNSUPPORTED_ENDPOINT_TYPE", "This endpoint type is not supported yet.", false}
	UnknownControllerID                = &Error{116, "UNKNOWN_CONTROLLER_ID", "This controller ID is not known.", false}
	UnknownSubscriptionID              = &Error{117, "UNKNOWN_SUBSCRIPTION_ID", "Client sent a push telemetry request with an invalid or outdated subscription ID.", false}
	TelemetryTooLarge                  = &Error{118, "TELEMETRY_TOO_LARGE", "Client sent a push telemetry request larger than the maximum size the broker will accept.", false}
	InvalidRegistration                = &Error{119, "INVALID_REGISTRATION", "The controller has considered the broker registration to be invalid.", false}
	TransactionAbortable               = &Error{120, "TRANSACTION_ABORTABLE", "The server encountered an error with the transaction. The client can abort the transaction to continue using this transactional ID.", false}
	InvalidRecordState                 = &Error{121, "INVALID_RECORD_STATE", "The record state is invalid. The acknowledgement of delivery could not be completed.", false}
	ShareSessionNotFound               = &Error{122, "SHARE_SESSION_NOT_FOUND", "The share session was not found.", true}
	InvalidShareSessionEpoch           = &Error{123, "INVALID_SHARE_SESSION_EPOCH", "The share session epoch is invalid.", true}
	FencedStateEpoch                   = &Error{124, "FENCED_STATE_EPOCH", "The share coordinator rejected the request because the share-group state epoch did not match.", false}
	InvalidVoterKey                    = &Error{125, "INVALID_VOTER_KEY", "The voter key doesn't match the receiving replica's key.", false}
	DuplicateVoter                     = &Error{126, "DUPLICATE_VOTER", "The voter is already part of the set of voters.", false}
	VoterNotFound                      = &Error{127, "VOTER_NOT_FOUND", "The voter is not part of the set of voters.", false}
	InvalidRegularExpression           = &Error{128, "INVALID_REGULAR_EXPRESSION", "The regular expression is not valid.", false}
	RebootstrapRequired                = &Error{129, "REBOOTSTRAP_REQUIRED", "Client metadata is stale. The client should rebootstrap to obtain new metadata.", false}
	StreamsInvalidTopology             = &Error{130, "STREAMS_INVALID_TOPOLOGY", "The supplied topology is invalid.", false}
	StreamsInvalidTopologyEpoch        = &Error{131, "STREAMS_INVALID_TOPOLOGY_EPOCH", "The supplied topology epoch is invalid.", false}
	StreamsTopologyFenced              = &Error{132, "STREAMS_TOPOLOGY_FENCED", "The supplied topology epoch is outdated.", false}
	ShareSessionLimitReached           = &Error{133, "SHARE_SESSION_LIMIT_REACHED", "The limit of share sessions has been reached.", true}
)

// all is every known error, in code order: the one table [ForCode] and [All] read.
var all = []*Error{
	UnknownServerError, OffsetOutOfRange, CorruptMessage, UnknownTopicOrPartition, InvalidFetchSize,
	LeaderNotAvailable, NotLeaderOrFollower, RequestTimedOut, BrokerNotAvailable, ReplicaNotAvailable,
	MessageTooLarge, StaleControllerEpoch, OffsetMetadataTooLarge, NetworkException,
	CoordinatorLoadInProgress, CoordinatorNotAvailable, NotCoordinator, InvalidTopicException,
	RecordListTooLarge, NotEnoughReplicas, NotEnoughReplicasAfterAppend, InvalidRequiredAcks,
	IllegalGeneration, InconsistentGroupProtocol, InvalidGroupID, UnknownMemberID,
	InvalidSessionTimeout, RebalanceInProgress, InvalidCommitOffsetSize, TopicAuthorizationFailed,
	GroupAuthorizationFailed, ClusterAuthorizationFailed, InvalidTimestamp, UnsupportedSaslMechanism,
	IllegalSaslState, UnsupportedVersion, TopicAlreadyExists, InvalidPartitions,
	InvalidReplicationFactor, InvalidReplicaAssignment, InvalidConfig, NotController, InvalidRequest,
	UnsupportedForMessageFormat, PolicyViolation, OutOfOrderSequenceNumber, DuplicateSequenceNumber,
	InvalidProducerEpoch, InvalidTxnState, InvalidProducerIDMapping, InvalidTransactionTimeout,
	ConcurrentTransactions, TransactionCoordinatorFenced, TransactionalIDAuthorizationFailed,
	SecurityDisabled, OperationNotAttempted, KafkaStorageError, LogDirNotFound,
	SaslAuthenticationFailed, UnknownProducerID, ReassignmentInProgress, DelegationTokenAuthDisabled,
	DelegationTokenNotFound, DelegationTokenOwnerMismatch, DelegationTokenRequestNotAllowed,
	DelegationTokenAuthorizationFailed, DelegationTokenExpired, InvalidPrincipalType, NonEmptyGroup,
	GroupIDNotFound, FetchSessionIDNotFound, InvalidFetchSessionEpoch, ListenerNotFound,
	TopicDeletionDisabled, FencedLeaderEpoch, UnknownLeaderEpoch, UnsupportedCompressionType,
	StaleBrokerEpoch, OffsetNotAvailable, MemberIDRequired, PreferredLeaderNotAvailable,
	GroupMaxSizeReached, FencedInstanceID, EligibleLeadersNotAvailable, ElectionNotNeeded,
	NoReassignmentInProgress, GroupSubscribedToTopic, InvalidRecord, UnstableOffsetCommit,
	ThrottlingQuotaExceeded, ProducerFenced, ResourceNotFound, DuplicateResource,
	UnacceptableCredential, InconsistentVoterSet, InvalidUpdateVersion, FeatureUpdateFailed,
	PrincipalDeserializationFailure, SnapshotNotFound, PositionOutOfRange, UnknownTopicID,
	DuplicateBrokerRegistration, BrokerIDNotRegistered, InconsistentTopicID, InconsistentClusterID,
	TransactionalIDNotFound, FetchSessionTopicIDError, IneligibleReplica, NewLeaderElected,
	OffsetMovedToTieredStorage, FencedMemberEpoch, UnreleasedInstanceID, UnsupportedAssignor,
	StaleMemberEpoch, MismatchedEndpointType, UnsupportedEndpointType, UnknownControllerID,
	UnknownSubscriptionID, TelemetryTooLarge, InvalidRegistration, TransactionAbortable,
	InvalidRecordState, ShareSessionNotFound, InvalidShareSessionEpoch, FencedStateEpoch,
	InvalidVoterKey, DuplicateVoter, VoterNotFound, InvalidRegularExpression, RebootstrapRequired,
	StreamsInvalidTopology, StreamsInvalidTopologyEpoch, StreamsTopologyFenced,
	ShareSessionLimitReached,
}

// byCode indexes all by code.
var byCode = func() map[int16]*Error {
	m := make(map[int16]*Error, len(all))
	for _, e := range all {
		m[e.Code] = e
	}
	return m
}()

// UnknownCodeName is the Name of the *Error [ForCode] makes for a code it does not know.
const UnknownCodeName = "UNKNOWN_ERROR_CODE"

// ForCode is the error for a code read off the wire: nil for 0 (NONE), the package's own *Error
// for a known code (so [errors.Is] matches it against the variables above), and for any other code
// a new, non-retriable *Error named [UnknownCodeName] that keeps the code.
func ForCode(code int16) error {
	if code == 0 {
		return nil
	}
	if e, ok := byCode[code]; ok {
		return e
	}
	return &Error{
		Code:        code,
		Name:        UnknownCodeName,
		Description: fmt.Sprintf("The broker returned error code %d, which kwire does not know.", code),
	}
}

// IsRetriable reports whether err is or wraps a retriable *Error.
func IsRetriable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retriable
}

// IsStaleMetadata reports whether err says the client's metadata is out of date, so that it
// should refresh it before retrying: the errors of the Java client's InvalidMetadataException.
func IsStaleMetadata(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e {
	case UnknownTopicOrPartition, LeaderNotAvailable, NotLeaderOrFollower, NetworkException,
		KafkaStorageError, ListenerNotFound, FencedLeaderEpoch, UnknownTopicID, InconsistentTopicID:
		return true
	}
	return false
}

// All is every known error in code order, in a new slice.
func All() []*Error { return append([]*Error(nil), all...) }

// CodeOf is the code to put on the wire for err: 0 for nil, the code of the *Error err is or
// wraps, and UNKNOWN_SERVER_ERROR's for any other error.
func CodeOf(err error) int16 {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return UnknownServerError.Code
}
