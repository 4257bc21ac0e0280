/**
 * Persistence of the coordinator: committed offsets and group metadata as records of
 * `__consumer_offsets` (see group-records.ts for their format), and the replay that rebuilds every
 * group from them when the broker starts.
 */
import { ErrorCode } from '../errors/index.ts';
import type { GroupLogger } from './coordinator-state.ts';
import { ConsumerGroup } from './consumer-group.ts';
import { decodeGroupRecord, encodeGroupRecord } from './group-records.ts';
import type { GroupMetadataValue, GroupRecord } from './group-records.ts';
import type { GroupStore } from './offsets-topic.ts';

/**
 * What the replay has seen of one group so far: its offsets (kept in an Empty group, the state it
 * comes back in unless its last metadata record has members) and that last metadata record.
 */
interface ReplayedGroup {
  readonly group: ConsumerGroup;
  metadata: GroupMetadataValue | null;
}

export class GroupJournal {
  private readonly store: GroupStore;
  private readonly logger: GroupLogger;

  constructor(store: GroupStore, logger: GroupLogger) {
    this.store = store;
    this.logger = logger;
  }

  /** Writes records as one batch; returns the error code to report (NONE on success). */
  persist(records: GroupRecord[], now: number): number {
    if (records.length === 0) return ErrorCode.NONE;
    try {
      this.store.append(records.map(encodeGroupRecord), now);
      return ErrorCode.NONE;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      this.logger.error({ err }, 'cannot write to the offsets topic');
      // Too large a commit is the client's problem; anything else is retriable from its side.
      return code === ErrorCode.MESSAGE_TOO_LARGE || code === ErrorCode.RECORD_LIST_TOO_LARGE
        ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE
        : ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  /**
   * The group record: written when a generation becomes Stable and when the group becomes Empty.
   * Only a Stable generation's members are worth restoring; anything in flux is redone by rejoining.
   */
  persistGroupMetadata(group: ConsumerGroup, now: number): void {
    const stable = group.state === 'Stable';
    const code = this.persist(
      [
        {
          kind: 'group',
          groupId: group.groupId,
          value: {
            protocolType: group.protocolType,
            generationId: group.generationId,
            protocolName: group.protocolName,
            leader: group.leaderId,
            stateTimestampMs: now,
            members: stable
              ? [...group.members.values()].map((m) => ({
                  memberId: m.memberId,
                  groupInstanceId: m.groupInstanceId,
                  clientId: m.clientId,
                  clientHost: m.clientHost,
                  sessionTimeoutMs: m.sessionTimeoutMs,
                  rebalanceTimeoutMs: m.rebalanceTimeoutMs,
                  protocols: m.protocols,
                  assignment: m.assignment,
                }))
              : [],
          },
        },
      ],
      now,
    );
    // A lost metadata record only means members rejoin after a restart (and may re-process what
    // they had not committed): not worth failing the generation for.
    if (code !== ErrorCode.NONE)
      this.logger.warn({ group: group.groupId, code }, 'group metadata not persisted');
  }

  /** Rebuilds groups and committed offsets by replaying the offsets topic (last record per key wins). */
  load(now: number): Map<string, ConsumerGroup> {
    const began = performance.now();
    const replayed = new Map<string, ReplayedGroup>();
    let records = 0;
    let skipped = 0;
    for (const raw of this.store.replay()) {
      const record = decodeGroupRecord(raw.key, raw.value);
      if (!record) {
        skipped += 1;
        continue;
      }
      records += 1;
      if (record.kind === 'group' && record.value === null) {
        replayed.delete(record.groupId);
        continue;
      }
      let entry = replayed.get(record.groupId);
      if (!entry) {
        entry = { group: ConsumerGroup.empty(record.groupId, now), metadata: null };
        replayed.set(record.groupId, entry);
      }
      if (record.kind === 'offset') {
        if (record.value) entry.group.setOffset(record.topic, record.partition, record.value);
        else entry.group.deleteOffset(record.topic, record.partition);
      } else if (record.value) {
        entry.metadata = record.value;
      }
    }
    const groups = new Map<string, ConsumerGroup>();
    for (const [groupId, entry] of replayed) groups.set(groupId, restoreGroup(entry, now));
    if (records + skipped > 0) {
      this.logger.info(
        { groups: groups.size, records, skipped, ms: Math.round(performance.now() - began) },
        'consumer groups loaded from the offsets topic',
      );
    }
    return groups;
  }
}

/**
 * A group as of its last persisted record: Stable with the members of that generation (sessions
 * restart now, so members that died meanwhile expire normally), or Empty.
 */
function restoreGroup({ group: replayed, metadata }: ReplayedGroup, now: number): ConsumerGroup {
  if (!metadata) return replayed;
  const group =
    metadata.members.length > 0
      ? new ConsumerGroup(replayed.groupId, { state: 'Stable', since: now })
      : replayed;
  if (group !== replayed) {
    for (const [topic, partitions] of replayed.offsets) {
      for (const [partition, offset] of partitions) group.setOffset(topic, partition, offset);
    }
  }
  group.protocolType = metadata.protocolType;
  group.generationId = metadata.generationId;
  for (const m of metadata.members) {
    group.members.set(m.memberId, {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      sessionTimeoutMs: m.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      protocolType: metadata.protocolType ?? '',
      protocols: m.protocols,
      assignment: m.assignment,
      sessionDeadline: now + m.sessionTimeoutMs,
      awaitingJoin: null,
      awaitingSync: null,
    });
    if (m.groupInstanceId !== null) group.staticMembers.set(m.groupInstanceId, m.memberId);
  }
  if (group.members.size > 0) {
    group.protocolName = metadata.protocolName;
    group.leaderId =
      metadata.leader !== null && group.members.has(metadata.leader)
        ? metadata.leader
        : (group.members.keys().next().value ?? null);
  }
  return group;
}
