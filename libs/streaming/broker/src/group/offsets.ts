/**
 * Committed offsets: OffsetCommit (member and standalone commits), OffsetFetch and OffsetDelete.
 * Offsets are plain numbers here, bigint only at the protocol boundary; every accepted change is a
 * record of `__consumer_offsets` before it is applied.
 */
import { ErrorCode as E } from '../errors/index.ts';
import type { CoordinatorState } from './coordinator-state.ts';
import { currentGroup } from './expiry.ts';
import { ConsumerGroup } from './consumer-group.ts';
import { subscribedTopics } from './consumer-protocol.ts';
import type { CommittedOffset } from './group-records.ts';
import { checkMember } from './membership.ts';

export interface OffsetCommitRequest {
  groupId: string;
  /** -1 with memberId '' for a standalone ("simple") commit to an empty group. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }>;
  }>;
}

export interface PartitionResult {
  partitionIndex: number;
  errorCode: number;
}

export interface TopicResults {
  name: string;
  partitions: PartitionResult[];
}

export interface FetchedOffset {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchResult {
  errorCode: number;
  topics: Array<{ name: string; partitions: FetchedOffset[] }>;
}

export interface OffsetDeleteResult {
  errorCode: number;
  topics: TopicResults[];
}

/** The same error code for every partition of a commit. */
export function commitFailed(req: OffsetCommitRequest, code: number): TopicResults[] {
  return req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })),
  }));
}

/**
 * Whether the committer may commit to this group now: E.NONE, or the code to answer for every
 * partition. Members need the current generation; a standalone commit needs an Empty group.
 */
function commitAllowed(group: ConsumerGroup, req: OffsetCommitRequest, now: number): number {
  if (req.generationId < 0 && group.state === 'Empty') return E.NONE;
  const fenced = checkMember(group, req.memberId, req.groupInstanceId);
  if (fenced !== E.NONE) return fenced;
  // Offsets committed in PreparingRebalance are accepted: consumers commit what they processed
  // before rejoining (onPartitionsRevoked). In CompletingRebalance the assignment is in flux.
  if (group.state === 'CompletingRebalance') return E.REBALANCE_IN_PROGRESS;
  const member = group.members.get(req.memberId);
  if (!member) return E.UNKNOWN_MEMBER_ID;
  if (req.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
  member.sessionDeadline = now + member.sessionTimeoutMs;
  return E.NONE;
}

export function commitOffsets(
  st: CoordinatorState,
  req: OffsetCommitRequest,
  now: number,
): TopicResults[] {
  if (!req.groupId) return commitFailed(req, E.INVALID_GROUP_ID);
  let group = currentGroup(st, req.groupId, now);
  let created = false;
  if (!group) {
    // Only a standalone commit may create a group; a member commit needs a live generation.
    if (req.generationId >= 0) return commitFailed(req, E.ILLEGAL_GENERATION);
    group = ConsumerGroup.empty(req.groupId, now);
    st.groups.set(req.groupId, group);
    created = true;
  } else {
    const allowed = commitAllowed(group, req, now);
    if (allowed !== E.NONE) return commitFailed(req, allowed);
  }

  const results: TopicResults[] = [];
  const accepted: Array<{ topic: string; partition: PartitionResult; value: CommittedOffset }> = [];
  for (const topic of req.topics) {
    const count = st.partitionCount(topic.name);
    const partitions: PartitionResult[] = [];
    for (const p of topic.partitions) {
      const out: PartitionResult = { partitionIndex: p.partitionIndex, errorCode: E.NONE };
      partitions.push(out);
      if (count === undefined || p.partitionIndex < 0 || p.partitionIndex >= count) {
        out.errorCode = E.UNKNOWN_TOPIC_OR_PARTITION;
      } else if (
        p.committedMetadata !== null &&
        Buffer.byteLength(p.committedMetadata) > st.settings.maxOffsetMetadataBytes
      ) {
        out.errorCode = E.OFFSET_METADATA_TOO_LARGE;
      } else {
        accepted.push({
          topic: topic.name,
          partition: out,
          value: {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata,
            commitTimestampMs: now,
          },
        });
      }
    }
    results.push({ name: topic.name, partitions });
  }

  const code = st.journal.persist(
    accepted.map((a) => ({
      kind: 'offset',
      groupId: req.groupId,
      topic: a.topic,
      partition: a.partition.partitionIndex,
      value: a.value,
    })),
    now,
  );
  if (code !== E.NONE) {
    for (const a of accepted) a.partition.errorCode = code;
    if (created) st.groups.delete(req.groupId);
    return results;
  }
  for (const a of accepted) group.setOffset(a.topic, a.partition.partitionIndex, a.value);
  if (created && !group.hasOffsets()) st.groups.delete(req.groupId);
  return results;
}

/** OffsetFetch: `topics` null means every partition the group has an offset for. */
export function fetchOffsets(
  st: CoordinatorState,
  groupId: string,
  topics: ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }> | null,
): OffsetFetchResult {
  if (!groupId) return { errorCode: E.INVALID_GROUP_ID, topics: [] };
  const group = st.groups.get(groupId);
  const fetched = (topic: string, partitionIndex: number): FetchedOffset => {
    const committed = group?.offsets.get(topic)?.get(partitionIndex);
    return {
      partitionIndex,
      committedOffset: committed ? committed.offset : -1,
      committedLeaderEpoch: committed ? committed.leaderEpoch : -1,
      metadata: committed?.metadata ?? '',
      errorCode: E.NONE,
    };
  };
  if (topics === null) {
    const all = [...(group?.offsets ?? new Map<string, Map<number, CommittedOffset>>())].map(
      ([name, parts]) => ({
        name,
        partitions: [...parts.keys()].sort((a, b) => a - b).map((p) => fetched(name, p)),
      }),
    );
    return { errorCode: E.NONE, topics: all };
  }
  return {
    errorCode: E.NONE,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => fetched(t.name, p)),
    })),
  };
}

/** The topics a live group's members subscribe to ('all' when one subscribes by pattern or is unreadable). */
function subscriptionsOf(group: ConsumerGroup): Set<string> | 'all' {
  const subscribed = new Set<string>();
  for (const m of group.members.values()) {
    const topicsOfMember = subscribedTopics(group.metadataFor(m, group.protocolName));
    if (topicsOfMember === null) return 'all';
    for (const t of topicsOfMember) subscribed.add(t);
  }
  return subscribed;
}

/** OffsetDelete: refuses partitions of topics the live group still subscribes to. */
export function deleteOffsets(
  st: CoordinatorState,
  groupId: string,
  topics: ReadonlyArray<{ name: string; partitions: readonly number[] }>,
  now: number,
): OffsetDeleteResult {
  if (!groupId) return { errorCode: E.INVALID_GROUP_ID, topics: [] };
  const group = currentGroup(st, groupId, now);
  if (!group) return { errorCode: E.GROUP_ID_NOT_FOUND, topics: [] };
  let subscribed: Set<string> | 'all' = new Set();
  if (group.state !== 'Empty') {
    if (group.protocolType !== 'consumer') return { errorCode: E.NON_EMPTY_GROUP, topics: [] };
    subscribed = subscriptionsOf(group);
  }
  const results: TopicResults[] = [];
  const tombstones: Array<{ topic: string; partition: number; out: PartitionResult }> = [];
  for (const t of topics) {
    const known = st.partitionCount(t.name) !== undefined;
    const isSubscribed = subscribed === 'all' || subscribed.has(t.name);
    const partitions = t.partitions.map((partitionIndex) => {
      const out: PartitionResult = { partitionIndex, errorCode: E.NONE };
      if (!known) out.errorCode = E.UNKNOWN_TOPIC_OR_PARTITION;
      else if (isSubscribed) out.errorCode = E.GROUP_SUBSCRIBED_TO_TOPIC;
      else if (group.offsets.get(t.name)?.has(partitionIndex))
        tombstones.push({ topic: t.name, partition: partitionIndex, out });
      return out;
    });
    results.push({ name: t.name, partitions });
  }
  const code = st.journal.persist(
    tombstones.map((d) => ({
      kind: 'offset',
      groupId,
      topic: d.topic,
      partition: d.partition,
      value: null,
    })),
    now,
  );
  for (const d of tombstones) {
    if (code === E.NONE) group.deleteOffset(d.topic, d.partition);
    else d.out.errorCode = code;
  }
  return { errorCode: E.NONE, topics: results };
}
