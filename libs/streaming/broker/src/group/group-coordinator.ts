/**
 * The classic consumer-group coordinator of a single-node broker: membership, rebalances, session
 * expiry, static membership, fencing, and committed offsets made durable in `__consumer_offsets`.
 *
 * This class is the entry point and owns the shared state; the work is done by focused modules:
 *
 * - group-state.ts: the states and the transitions allowed between them (checked by the compiler);
 * - consumer-group.ts: one group's data;
 * - membership.ts: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, static members;
 * - rebalance.ts: how a rebalance moves a group through its states;
 * - offsets.ts: OffsetCommit, OffsetFetch, OffsetDelete;
 * - expiry.ts: session expiry, rebalance/sync deadlines, retention of empty groups;
 * - group-journal.ts: the records of `__consumer_offsets` and their replay at start-up.
 *
 * A single `unref`'d tick drives expiry instead of one timer per member, and `close()` answers every
 * parked request so shutdown never hangs on a long rebalance timeout. The coordinator is independent
 * of the wire codecs: the API handlers translate requests into these calls.
 */
import { ErrorCode as E } from '../errors/index.ts';
import { silentLogger } from './coordinator-state.ts';
import type { CoordinatorState, GroupLogger } from './coordinator-state.ts';
import { EMPTY_BUFFER } from './consumer-group.ts';
import type { JoinResult, SyncResult } from './consumer-group.ts';
import { currentGroup, expireGroups } from './expiry.ts';
import { GroupJournal } from './group-journal.ts';
import type { GroupRecord } from './group-records.ts';
import type { GroupState } from './group-state.ts';
import { heartbeat, join, leave, sync } from './membership.ts';
import type { JoinRequest, LeaveResult, MemberRef, SyncRequest } from './membership.ts';
import { commitFailed, commitOffsets, deleteOffsets, fetchOffsets } from './offsets.ts';
import type {
  OffsetCommitRequest,
  OffsetDeleteResult,
  OffsetFetchResult,
  TopicResults,
} from './offsets.ts';
import type { GroupStore } from './offsets-topic.ts';
import { joinError, releaseMember, syncError } from './rebalance.ts';
import { applyTxnOffsets, checkTxnCommitMember } from './txn-offsets.ts';
import type { TxnOffset } from './txn-offsets.ts';

export type { GroupLogger } from './coordinator-state.ts';
export type { JoinRequest, LeaveResult, MemberRef, SyncRequest } from './membership.ts';
export type {
  FetchedOffset,
  OffsetCommitRequest,
  OffsetDeleteResult,
  OffsetFetchResult,
  PartitionResult,
  TopicResults,
} from './offsets.ts';

export interface GroupCoordinatorOptions {
  store: GroupStore;
  /** Partition count of a topic, or undefined when it does not exist (commit validation). */
  partitionCount: (topic: string) => number | undefined;
  logger?: GroupLogger;
  /** group.initial.rebalance.delay.ms: how long a new group waits for more members. Default 0. */
  initialRebalanceDelayMs?: number;
  /** group.min.session.timeout.ms. Default 1000 (Kafka: 6000), so tests can expire members fast. */
  minSessionTimeoutMs?: number;
  /** group.max.session.timeout.ms. Default 1800000. */
  maxSessionTimeoutMs?: number;
  /** offset.metadata.max.bytes. Default 4096. */
  maxOffsetMetadataBytes?: number;
  /** Period of the expiry/deadline tick; null = no timer (the caller drives `tick`). Default 100. */
  tickIntervalMs?: number | null;
  /**
   * How long a group that is Empty and has never committed an offset is kept before it is removed.
   * Kafka drops such groups in its periodic offsets cleanup; without it every throwaway group a
   * tool or test creates would stay listed for ever. Default 60000.
   */
  emptyGroupRetentionMs?: number;
  now?: () => number;
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: GroupState;
  groupType: 'classic';
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: GroupState;
  protocolType: string;
  protocolData: string;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
  }>;
}

export class GroupCoordinator {
  private readonly st: CoordinatorState;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | null;
  private closed = false;

  constructor(options: GroupCoordinatorOptions) {
    const logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    const journal = new GroupJournal(options.store, logger);
    this.st = {
      groups: journal.load(this.now()),
      settings: {
        initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0,
        minSessionTimeoutMs: options.minSessionTimeoutMs ?? 1000,
        maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 1_800_000,
        maxOffsetMetadataBytes: options.maxOffsetMetadataBytes ?? 4096,
        emptyGroupRetentionMs: options.emptyGroupRetentionMs ?? 60_000,
      },
      logger,
      journal,
      partitionCount: options.partitionCount,
    };
    const tick = options.tickIntervalMs === undefined ? 100 : options.tickIntervalMs;
    if (tick !== null && tick > 0) {
      this.timer = setInterval(() => this.tick(this.now()), tick);
      this.timer.unref();
    } else {
      this.timer = null;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Membership (membership.ts)

  join(req: JoinRequest): Promise<JoinResult> {
    if (this.closed) return Promise.resolve(joinError(E.NOT_COORDINATOR, req.memberId));
    return join(this.st, req, this.now());
  }

  sync(req: SyncRequest): Promise<SyncResult> {
    if (this.closed) return Promise.resolve(syncError(E.NOT_COORDINATOR));
    return sync(this.st, req, this.now());
  }

  heartbeat(req: MemberRef): number {
    if (this.closed) return E.NOT_COORDINATOR;
    return heartbeat(this.st, req, this.now());
  }

  /** LeaveGroup: every listed member is removed at once (no waiting for its session to expire). */
  leave(
    groupId: string,
    members: ReadonlyArray<{ memberId: string; groupInstanceId: string | null }>,
  ): LeaveResult {
    if (this.closed) return { errorCode: E.NOT_COORDINATOR, members: [] };
    return leave(this.st, groupId, members, this.now());
  }

  /** Session expiry and rebalance/sync deadlines; called by the internal timer (or by tests). */
  tick(now: number = this.now()): void {
    if (this.closed) return;
    expireGroups(this.st, now);
  }

  // -------------------------------------------------------------------------------------------
  // Offsets (offsets.ts)

  commitOffsets(req: OffsetCommitRequest): TopicResults[] {
    if (this.closed) return commitFailed(req, E.NOT_COORDINATOR);
    return commitOffsets(this.st, req, this.now());
  }

  /** OffsetFetch: `topics` null means every partition the group has an offset for. */
  fetchOffsets(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }> | null,
  ): OffsetFetchResult {
    if (this.closed) return { errorCode: E.NOT_COORDINATOR, topics: [] };
    return fetchOffsets(this.st, groupId, topics);
  }

  /** OffsetDelete: refuses partitions of topics the live group still subscribes to. */
  deleteOffsets(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitions: readonly number[] }>,
  ): OffsetDeleteResult {
    if (this.closed) return { errorCode: E.NOT_COORDINATOR, topics: [] };
    return deleteOffsets(this.st, groupId, topics, this.now());
  }

  /** TxnOffsetCommit's membership check (generation, member, static instance). */
  checkTxnCommitMember(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
  ): number {
    if (this.closed) return E.NOT_COORDINATOR;
    return checkTxnCommitMember(
      this.st,
      groupId,
      generationId,
      memberId,
      groupInstanceId,
      this.now(),
    );
  }

  /** The offsets of a committed transaction become the group's. */
  applyTxnOffsets(groupId: string, offsets: readonly TxnOffset[]): number {
    if (this.closed) return E.NOT_COORDINATOR;
    return applyTxnOffsets(this.st, groupId, offsets, this.now());
  }

  // -------------------------------------------------------------------------------------------
  // Administration

  listGroups(
    statesFilter: readonly string[] = [],
    typesFilter: readonly string[] = [],
  ): ListedGroup[] {
    if (typesFilter.length > 0 && !typesFilter.some((t) => t.toLowerCase() === 'classic'))
      return [];
    if (!this.closed) expireGroups(this.st, this.now());
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const out: ListedGroup[] = [];
    for (const g of this.st.groups.values()) {
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      out.push({
        groupId: g.groupId,
        protocolType: g.protocolType ?? '',
        groupState: g.state,
        groupType: 'classic',
      });
    }
    return out;
  }

  describeGroup(groupId: string): DescribedGroup {
    const base = { groupId, protocolType: '', protocolData: '', members: [] };
    if (this.closed) return { ...base, errorCode: E.NOT_COORDINATOR, groupState: 'Dead' };
    if (!groupId) return { ...base, errorCode: E.INVALID_GROUP_ID, groupState: 'Dead' };
    const group = currentGroup(this.st, groupId, this.now());
    // Kafka describes an unknown group as Dead without an error.
    if (!group) return { ...base, errorCode: E.NONE, groupState: 'Dead' };
    // Metadata and assignments are only meaningful once a generation is complete.
    const stable = group.state === 'Stable';
    return {
      errorCode: E.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? group.metadataFor(m, group.protocolName) : EMPTY_BUFFER,
        memberAssignment: stable ? m.assignment : EMPTY_BUFFER,
      })),
    };
  }

  /** DeleteGroups: only empty groups; their offsets and metadata get tombstones. */
  deleteGroups(groupIds: readonly string[]): Array<{ groupId: string; errorCode: number }> {
    const now = this.now();
    return groupIds.map((groupId) => ({ groupId, errorCode: this.deleteGroup(groupId, now) }));
  }

  private deleteGroup(groupId: string, now: number): number {
    if (this.closed) return E.NOT_COORDINATOR;
    if (!groupId) return E.INVALID_GROUP_ID;
    const group = currentGroup(this.st, groupId, now);
    if (!group) return E.GROUP_ID_NOT_FOUND;
    const phase = group.phase;
    if (phase.state !== 'Empty') return E.NON_EMPTY_GROUP;
    const records: GroupRecord[] = [];
    for (const [topic, partitions] of group.offsets) {
      for (const partition of partitions.keys())
        records.push({ kind: 'offset', groupId, topic, partition, value: null });
    }
    records.push({ kind: 'group', groupId, value: null });
    const code = this.st.journal.persist(records, now);
    if (code !== E.NONE) return code;
    group.transition(phase, { state: 'Dead', since: now });
    this.st.groups.delete(groupId);
    this.st.logger.info({ group: groupId }, 'group deleted');
    return E.NONE;
  }

  /** Answers every parked JoinGroup/SyncGroup (clients then look for the coordinator again). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const group of this.st.groups.values()) {
      for (const m of group.members.values()) releaseMember(m, E.NOT_COORDINATOR);
    }
  }

  /** Number of groups (diagnostics and tests). */
  get size(): number {
    return this.st.groups.size;
  }

  /** The state of a group, or 'Dead' when unknown (diagnostics and tests). */
  groupState(groupId: string): GroupState {
    return this.st.groups.get(groupId)?.state ?? 'Dead';
  }
}
