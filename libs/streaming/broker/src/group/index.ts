import type { LogManager } from '../storage/index.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import type { GroupCoordinatorOptions } from './group-coordinator.ts';
import { OffsetsTopicStore } from './offsets-topic.ts';

export { GroupCoordinator } from './group-coordinator.ts';
export type {
  DescribedGroup,
  FetchedOffset,
  GroupCoordinatorOptions,
  GroupLogger,
  JoinRequest,
  LeaveResult,
  ListedGroup,
  MemberRef,
  OffsetCommitRequest,
  OffsetDeleteResult,
  OffsetFetchResult,
  PartitionResult,
  SyncRequest,
  TopicResults,
} from './group-coordinator.ts';
export { ConsumerGroup } from './consumer-group.ts';
export { GROUP_STATES, GROUP_TRANSITIONS } from './group-state.ts';
export type { JoinResult, Member, MemberProtocol, SyncResult } from './consumer-group.ts';
export type { GroupPhase, GroupState } from './group-state.ts';
export {
  OFFSETS_TOPIC,
  OFFSETS_TOPIC_PARTITIONS,
  OffsetsTopicStore,
  isInternalTopic,
} from './offsets-topic.ts';
export type { GroupStore } from './offsets-topic.ts';
export { decodeGroupRecord, encodeGroupRecord, RECORD_SCHEMA_VERSION } from './group-records.ts';
export type {
  CommittedOffset,
  GroupMetadataValue,
  GroupRecord,
  PersistedMember,
} from './group-records.ts';
export { encodeSubscription, subscribedTopics } from './consumer-protocol.ts';

/**
 * Creates the broker's coordinator over a LogManager: opens (or creates) `__consumer_offsets`,
 * replays it to restore committed offsets, and validates commits against the LogManager's topics.
 */
export function openGroupCoordinator(
  logs: LogManager,
  options: Omit<GroupCoordinatorOptions, 'store' | 'partitionCount'> = {},
): GroupCoordinator {
  return new GroupCoordinator({
    ...options,
    store: OffsetsTopicStore.open(logs),
    partitionCount: (topic) => logs.getTopic(topic)?.partitionCount,
  });
}
