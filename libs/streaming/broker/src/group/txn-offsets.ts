/**
 * Offsets committed by transactions (TxnOffsetCommit): checked against the group's membership when
 * the producer sends them, held by the transaction coordinator while the transaction is open, and
 * written to `__consumer_offsets` only when it commits. An aborted transaction's offsets are never
 * seen by the group, so a consume-transform-produce loop's input position and output move together.
 */
import { ErrorCode as E } from '../errors/index.ts';
import type { CoordinatorState } from './coordinator-state.ts';
import { ConsumerGroup } from './consumer-group.ts';
import { currentGroup } from './expiry.ts';
import type { CommittedOffset, GroupRecord } from './group-records.ts';
import { checkMember } from './membership.ts';

export interface TxnOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

/**
 * TxnOffsetCommit v3+ names the consumer's generation (KIP-447): a zombie member of an older
 * generation must not commit. Without a generation (-1 and no member id) any producer may commit,
 * as in Kafka.
 */
export function checkTxnCommitMember(
  st: CoordinatorState,
  groupId: string,
  generationId: number,
  memberId: string,
  groupInstanceId: string | null,
  now: number,
): number {
  if (!groupId) return E.INVALID_GROUP_ID;
  if (generationId < 0 && !memberId) return E.NONE;
  const group = currentGroup(st, groupId, now);
  if (!group) return E.ILLEGAL_GENERATION;
  const fenced = checkMember(group, memberId, groupInstanceId);
  if (fenced !== E.NONE) return fenced;
  if (!group.members.has(memberId)) return E.UNKNOWN_MEMBER_ID;
  if (generationId !== group.generationId) return E.ILLEGAL_GENERATION;
  return E.NONE;
}

/** Makes a committed transaction's offsets the group's (one batch of `__consumer_offsets`). */
export function applyTxnOffsets(
  st: CoordinatorState,
  groupId: string,
  offsets: readonly TxnOffset[],
  now: number,
): number {
  if (offsets.length === 0) return E.NONE;
  const values = offsets.map((o) => ({
    o,
    value: {
      offset: o.offset,
      leaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      commitTimestampMs: now,
    } satisfies CommittedOffset,
  }));
  const records: GroupRecord[] = values.map(({ o, value }) => ({
    kind: 'offset',
    groupId,
    topic: o.topic,
    partition: o.partition,
    value,
  }));
  const code = st.journal.persist(records, now);
  if (code !== E.NONE) return code;
  let group = currentGroup(st, groupId, now);
  if (!group) {
    group = ConsumerGroup.empty(groupId, now);
    st.groups.set(groupId, group);
  }
  for (const { o, value } of values) group.setOffset(o.topic, o.partition, value);
  return E.NONE;
}
