/**
 * Every Kafka protocol error code in one table: its number, its name (the names of Kafka's `Errors`
 * enum), whether a client may retry the same request, and the message the broker sends when it has
 * nothing more specific to say. Every layer of the broker (storage, groups, producer state, API
 * handlers) answers with these codes; nothing else keeps its own list.
 *
 * `retriable` follows Kafka's Java client: the code's exception is a `RetriableException` (or, like
 * CONCURRENT_TRANSACTIONS, one the coordinator expects clients to retry). A client may then retry
 * after refreshing metadata or backing off; otherwise retrying the same request cannot help.
 */

interface ErrorSpec {
  readonly code: number;
  readonly retriable: boolean;
  readonly message: string;
}

const retriable = (code: number, message: string) => ({ code, retriable: true, message }) as const;
const fatal = (code: number, message: string) => ({ code, retriable: false, message }) as const;

export const KAFKA_ERRORS = {
  UNKNOWN_SERVER_ERROR: fatal(
    -1,
    'The server hit an unexpected error while processing the request.',
  ),
  NONE: fatal(0, ''),
  OFFSET_OUT_OF_RANGE: fatal(1, 'The requested offset is outside the range the partition holds.'),
  CORRUPT_MESSAGE: retriable(
    2,
    'A record failed its CRC check, is too large or is otherwise malformed.',
  ),
  UNKNOWN_TOPIC_OR_PARTITION: retriable(3, 'This broker does not host this topic-partition.'),
  INVALID_FETCH_SIZE: fatal(4, 'The requested fetch size is invalid.'),
  LEADER_NOT_AVAILABLE: retriable(5, 'The partition has no leader at the moment.'),
  NOT_LEADER_OR_FOLLOWER: retriable(
    6,
    'This broker is not the leader (or a replica) of the partition.',
  ),
  REQUEST_TIMED_OUT: retriable(7, 'The request timed out.'),
  BROKER_NOT_AVAILABLE: fatal(8, 'The broker is not available.'),
  REPLICA_NOT_AVAILABLE: retriable(
    9,
    'The replica is not available for the requested topic-partition.',
  ),
  MESSAGE_TOO_LARGE: fatal(
    10,
    'A record batch is larger than the largest message the broker accepts.',
  ),
  STALE_CONTROLLER_EPOCH: fatal(11, 'The controller moved to another broker.'),
  OFFSET_METADATA_TOO_LARGE: fatal(12, 'The metadata of the committed offset is too large.'),
  NETWORK_EXCEPTION: retriable(13, 'The server disconnected before a response was received.'),
  COORDINATOR_LOAD_IN_PROGRESS: retriable(14, 'The coordinator is still loading its state.'),
  COORDINATOR_NOT_AVAILABLE: retriable(15, 'The coordinator is not available.'),
  NOT_COORDINATOR: retriable(16, 'This broker is not the coordinator for that key.'),
  INVALID_TOPIC_EXCEPTION: fatal(
    17,
    'The topic name is invalid, or the request may not use this topic.',
  ),
  RECORD_LIST_TOO_LARGE: fatal(18, 'The record batch is larger than the segment size allows.'),
  NOT_ENOUGH_REPLICAS: retriable(19, 'Fewer in-sync replicas than required.'),
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: retriable(
    20,
    'Appended, but to fewer in-sync replicas than required.',
  ),
  INVALID_REQUIRED_ACKS: fatal(21, 'The acks value is not one of -1, 0 and 1.'),
  ILLEGAL_GENERATION: fatal(22, 'The generation id is not the current generation of the group.'),
  INCONSISTENT_GROUP_PROTOCOL: fatal(23, 'The protocol type or protocols do not match the group.'),
  INVALID_GROUP_ID: fatal(24, 'The group id is invalid.'),
  UNKNOWN_MEMBER_ID: fatal(25, 'The member id is not known to the coordinator.'),
  INVALID_SESSION_TIMEOUT: fatal(26, 'The session timeout is outside the range the broker allows.'),
  REBALANCE_IN_PROGRESS: fatal(27, 'The group is rebalancing: rejoin it.'),
  INVALID_COMMIT_OFFSET_SIZE: fatal(28, 'The offset commit is too large to store.'),
  TOPIC_AUTHORIZATION_FAILED: fatal(29, 'Not authorized to access the topic.'),
  GROUP_AUTHORIZATION_FAILED: fatal(30, 'Not authorized to access the group.'),
  CLUSTER_AUTHORIZATION_FAILED: fatal(31, 'Not authorized to perform this cluster action.'),
  INVALID_TIMESTAMP: fatal(32, 'A record timestamp is outside the accepted range.'),
  UNSUPPORTED_SASL_MECHANISM: fatal(33, 'The broker does not support this SASL mechanism.'),
  ILLEGAL_SASL_STATE: fatal(34, 'The request is not valid in the current SASL state.'),
  UNSUPPORTED_VERSION: fatal(35, 'The broker does not support this version of the API.'),
  TOPIC_ALREADY_EXISTS: fatal(36, 'The topic already exists.'),
  INVALID_PARTITIONS: fatal(37, 'The number of partitions is invalid.'),
  INVALID_REPLICATION_FACTOR: fatal(38, 'The replication factor is invalid.'),
  INVALID_REPLICA_ASSIGNMENT: fatal(39, 'The replica assignment is invalid.'),
  INVALID_CONFIG: fatal(40, 'The configuration is invalid.'),
  NOT_CONTROLLER: retriable(41, 'This broker is not the controller.'),
  INVALID_REQUEST: fatal(42, 'The request is malformed or breaks a rule of the protocol.'),
  UNSUPPORTED_FOR_MESSAGE_FORMAT: fatal(
    43,
    'The message format version does not support this request.',
  ),
  POLICY_VIOLATION: fatal(44, 'The request violates a policy of the broker.'),
  OUT_OF_ORDER_SEQUENCE_NUMBER: fatal(45, 'The producer sequence number is out of order.'),
  DUPLICATE_SEQUENCE_NUMBER: fatal(46, 'The producer sent a duplicate sequence number.'),
  INVALID_PRODUCER_EPOCH: fatal(47, 'The producer epoch is older than the current one (fenced).'),
  INVALID_TXN_STATE: fatal(48, 'The operation is not valid in the current transaction state.'),
  INVALID_PRODUCER_ID_MAPPING: fatal(49, 'The producer id does not match the transactional id.'),
  INVALID_TRANSACTION_TIMEOUT: fatal(
    50,
    'The transaction timeout is larger than the broker allows.',
  ),
  CONCURRENT_TRANSACTIONS: retriable(
    51,
    'Another transaction of this producer is still completing.',
  ),
  TRANSACTION_COORDINATOR_FENCED: fatal(52, 'A newer transaction coordinator has taken over.'),
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: fatal(53, 'Not authorized to use this transactional id.'),
  SECURITY_DISABLED: fatal(54, 'Security features are disabled.'),
  OPERATION_NOT_ATTEMPTED: fatal(55, 'The operation was not attempted because another one failed.'),
  KAFKA_STORAGE_ERROR: retriable(56, 'The broker could not read or write its log directory.'),
  LOG_DIR_NOT_FOUND: fatal(57, 'The log directory does not exist.'),
  SASL_AUTHENTICATION_FAILED: fatal(58, 'SASL authentication failed.'),
  UNKNOWN_PRODUCER_ID: fatal(59, 'The broker has no state for this producer id.'),
  REASSIGNMENT_IN_PROGRESS: fatal(60, 'A partition reassignment is in progress.'),
  DELEGATION_TOKEN_AUTH_DISABLED: fatal(61, 'Delegation tokens are disabled.'),
  DELEGATION_TOKEN_NOT_FOUND: fatal(62, 'The delegation token does not exist.'),
  DELEGATION_TOKEN_OWNER_MISMATCH: fatal(63, 'The principal does not own the delegation token.'),
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: fatal(
    64,
    'Delegation token requests are not allowed on this connection.',
  ),
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: fatal(65, 'Not authorized for this delegation token.'),
  DELEGATION_TOKEN_EXPIRED: fatal(66, 'The delegation token has expired.'),
  INVALID_PRINCIPAL_TYPE: fatal(67, 'The principal type is not supported.'),
  NON_EMPTY_GROUP: fatal(68, 'The group still has members.'),
  GROUP_ID_NOT_FOUND: fatal(69, 'The group does not exist.'),
  FETCH_SESSION_ID_NOT_FOUND: retriable(70, 'The fetch session id was not found.'),
  INVALID_FETCH_SESSION_EPOCH: retriable(71, 'The fetch session epoch is invalid.'),
  LISTENER_NOT_FOUND: retriable(
    72,
    'The leader has no endpoint for the listener the request came on.',
  ),
  TOPIC_DELETION_DISABLED: fatal(73, 'Topic deletion is disabled.'),
  FENCED_LEADER_EPOCH: retriable(74, "The leader epoch in the request is older than the broker's."),
  UNKNOWN_LEADER_EPOCH: retriable(
    75,
    "The leader epoch in the request is newer than the broker's.",
  ),
  UNSUPPORTED_COMPRESSION_TYPE: fatal(
    76,
    'The consumer does not support the compression type of these records.',
  ),
  STALE_BROKER_EPOCH: fatal(77, 'The broker epoch has changed.'),
  OFFSET_NOT_AVAILABLE: retriable(78, 'The leader high watermark has not caught up yet.'),
  MEMBER_ID_REQUIRED: fatal(79, 'The group member must rejoin with the member id it was given.'),
  PREFERRED_LEADER_NOT_AVAILABLE: retriable(80, 'The preferred leader is not available.'),
  GROUP_MAX_SIZE_REACHED: fatal(81, 'The group has reached its maximum size.'),
  FENCED_INSTANCE_ID: fatal(82, 'Another member with the same group instance id has taken over.'),
  ELIGIBLE_LEADERS_NOT_AVAILABLE: retriable(
    83,
    'No eligible leader is available for the partition.',
  ),
  ELECTION_NOT_NEEDED: fatal(84, 'The leader election is not needed.'),
  NO_REASSIGNMENT_IN_PROGRESS: fatal(85, 'No partition reassignment is in progress.'),
  GROUP_SUBSCRIBED_TO_TOPIC: fatal(
    86,
    'The group still subscribes to this topic: its offsets cannot be deleted.',
  ),
  INVALID_RECORD: fatal(87, "A record failed the broker's validation."),
  UNSTABLE_OFFSET_COMMIT: retriable(88, 'Unstable offsets are pending for this partition.'),
  THROTTLING_QUOTA_EXCEEDED: retriable(89, 'The throttling quota has been exceeded.'),
  PRODUCER_FENCED: fatal(
    90,
    'A newer producer with the same transactional id has fenced this one.',
  ),
  RESOURCE_NOT_FOUND: fatal(91, 'The resource does not exist.'),
  DUPLICATE_RESOURCE: fatal(92, 'The resource is listed more than once.'),
  UNACCEPTABLE_CREDENTIAL: fatal(93, "The credential does not meet the broker's requirements."),
  INCONSISTENT_VOTER_SET: fatal(94, "The voter set does not match the leader's."),
  INVALID_UPDATE_VERSION: fatal(95, 'The update version is invalid.'),
  FEATURE_UPDATE_FAILED: fatal(96, 'The feature update failed.'),
  PRINCIPAL_DESERIALIZATION_FAILURE: fatal(97, 'The forwarded principal could not be read.'),
  SNAPSHOT_NOT_FOUND: fatal(98, 'The snapshot does not exist.'),
  POSITION_OUT_OF_RANGE: fatal(99, 'The position is outside the snapshot.'),
  UNKNOWN_TOPIC_ID: retriable(100, 'This broker does not host a topic with this id.'),
  DUPLICATE_BROKER_REGISTRATION: fatal(101, 'The broker is already registered.'),
  BROKER_ID_NOT_REGISTERED: fatal(102, 'The broker id is not registered.'),
  INCONSISTENT_TOPIC_ID: retriable(103, 'The topic id does not match the topic name.'),
  INCONSISTENT_CLUSTER_ID: fatal(104, 'The cluster id does not match.'),
  TRANSACTIONAL_ID_NOT_FOUND: fatal(105, 'The transactional id does not exist.'),
  FETCH_SESSION_TOPIC_ID_ERROR: retriable(106, 'The fetch session mixes topic ids and names.'),
  INELIGIBLE_REPLICA: fatal(107, 'The replica is not eligible for election.'),
  NEW_LEADER_ELECTED: fatal(108, 'A new leader was elected: the request must be retried there.'),
  OFFSET_MOVED_TO_TIERED_STORAGE: fatal(109, 'The offset has moved to tiered storage.'),
  FENCED_MEMBER_EPOCH: fatal(110, 'The member epoch is fenced by the coordinator.'),
  UNRELEASED_INSTANCE_ID: fatal(111, 'The instance id is still used by another member.'),
  UNSUPPORTED_ASSIGNOR: fatal(112, 'The assignor is not supported by the group.'),
  STALE_MEMBER_EPOCH: fatal(113, 'The member epoch is stale.'),
  MISMATCHED_ENDPOINT_TYPE: fatal(114, 'The request went to the wrong kind of endpoint.'),
  UNSUPPORTED_ENDPOINT_TYPE: fatal(115, 'This endpoint type does not support the request.'),
  UNKNOWN_CONTROLLER_ID: fatal(116, 'The controller id is not known.'),
  UNKNOWN_SUBSCRIPTION_ID: fatal(117, 'The client telemetry subscription id is not known.'),
  TELEMETRY_TOO_LARGE: fatal(118, 'The client telemetry is too large.'),
  INVALID_REGISTRATION: fatal(119, 'The controller rejected the broker registration.'),
  TRANSACTION_ABORTABLE: fatal(120, 'The transaction must be aborted.'),
  INVALID_RECORD_STATE: fatal(121, 'The record state is invalid.'),
  SHARE_SESSION_NOT_FOUND: fatal(122, 'The share session was not found.'),
  INVALID_SHARE_SESSION_EPOCH: fatal(123, 'The share session epoch is invalid.'),
  FENCED_STATE_EPOCH: fatal(124, 'The share coordinator state epoch is fenced.'),
  INVALID_VOTER_KEY: fatal(125, 'The voter key does not match.'),
  DUPLICATE_VOTER: fatal(126, 'The voter is already part of the quorum.'),
  VOTER_NOT_FOUND: fatal(127, 'The voter is not part of the quorum.'),
  INVALID_REGULAR_EXPRESSION: fatal(128, 'The regular expression is invalid.'),
  REBOOTSTRAP_REQUIRED: fatal(129, 'The client must rebootstrap.'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCodeName = keyof typeof KAFKA_ERRORS;

/** Kafka error codes by name: `ErrorCode.UNKNOWN_TOPIC_OR_PARTITION` is 3. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(Object.entries(KAFKA_ERRORS).map(([name, spec]) => [name, spec.code])),
) as { readonly [N in ErrorCodeName]: (typeof KAFKA_ERRORS)[N]['code'] };

export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

export interface ErrorInfo extends ErrorSpec {
  readonly name: ErrorCodeName;
}

const BY_CODE = new Map<number, ErrorInfo>(
  (Object.keys(KAFKA_ERRORS) as ErrorCodeName[]).map((name) => [
    KAFKA_ERRORS[name].code,
    { name, ...KAFKA_ERRORS[name] },
  ]),
);

/** The table row of a code, or undefined for a code Kafka does not define (as of our definitions). */
export function errorInfo(code: number): ErrorInfo | undefined {
  return BY_CODE.get(code);
}

/** "UNKNOWN_TOPIC_OR_PARTITION" for 3; "UNKNOWN_ERROR_CODE_<n>" for codes this table does not know. */
export function errorName(code: number): string {
  return BY_CODE.get(code)?.name ?? `UNKNOWN_ERROR_CODE_${code}`;
}

/** Whether a client may retry the same request after this error (see the table's header). */
export function isRetriable(code: number): boolean {
  return BY_CODE.get(code)?.retriable ?? false;
}

/** The message sent with this code when the broker has nothing more specific to say. */
export function defaultMessage(code: number): string {
  return BY_CODE.get(code)?.message ?? `error code ${code}`;
}
