/**
 * The classic consumer-group coordinator of a single-node broker: membership, rebalances, session
 * expiry, static membership, fencing, and committed offsets made durable in `__consumer_offsets`.
 *
 * State machine per group:
 *
 *   Empty --join--> PreparingRebalance --all rejoined / deadline--> CompletingRebalance
 *   CompletingRebalance --leader's SyncGroup--> Stable
 *   Stable / CompletingRebalance --join, leave, expiry, metadata change--> PreparingRebalance
 *   PreparingRebalance --every member gone--> Empty        (Dead only exists for deleted groups)
 *
 * Everything is synchronous on the event loop, so no locking is needed: a JoinGroup or SyncGroup
 * that must wait is "parked" as a resolver on its member and answered by whichever later event
 * (another member's join, the leader's sync, the coordinator tick) completes the phase. A single
 * `unref`'d tick drives session expiry and rebalance/sync deadlines instead of one timer per member,
 * and `close()` answers every parked request so shutdown never hangs on a long rebalance timeout.
 *
 * The coordinator is independent of the wire codecs: the API handlers translate requests into
 * these calls (offsets are plain numbers here, bigint only at the protocol boundary).
 */
import { randomUUID } from 'node:crypto';
import { ConsumerGroup, EMPTY_BUFFER } from './consumer-group.ts';
import type {
  GroupState,
  JoinResult,
  Member,
  MemberProtocol,
  SyncResult,
} from './consumer-group.ts';
import { subscribedTopics } from './consumer-protocol.ts';
import { GroupErrorCode as E } from './group-error-codes.ts';
import { decodeGroupRecord, encodeGroupRecord } from './group-records.ts';
import type { CommittedOffset, GroupMetadataValue, GroupRecord } from './group-records.ts';
import type { GroupStore } from './offsets-topic.ts';

export interface GroupLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;
const silentLogger: GroupLogger = { debug: noop, info: noop, warn: noop, error: noop };

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

export interface JoinRequest {
  groupId: string;
  /** '' for a first join. */
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  /** -1 (JoinGroup v0) means "same as the session timeout". */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+: a first join gets MEMBER_ID_REQUIRED and must rejoin with the id it is given. */
  requireKnownMemberId: boolean;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v5+: checked against the group's when not null. */
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface MemberRef {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

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

export interface OffsetDeleteResult {
  errorCode: number;
  topics: TopicResults[];
}

function joinError(errorCode: number, memberId = ''): JoinResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    members: [],
    skipAssignment: false,
  };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER };
}

function sameProtocols(a: readonly MemberProtocol[], b: readonly MemberProtocol[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata))
  );
}

export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly store: GroupStore;
  private readonly partitionCount: (topic: string) => number | undefined;
  private readonly logger: GroupLogger;
  private readonly initialRebalanceDelayMs: number;
  private readonly minSessionTimeoutMs: number;
  private readonly maxSessionTimeoutMs: number;
  private readonly maxOffsetMetadataBytes: number;
  private readonly emptyGroupRetentionMs: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | null;
  private closed = false;

  constructor(options: GroupCoordinatorOptions) {
    this.store = options.store;
    this.partitionCount = options.partitionCount;
    this.logger = options.logger ?? silentLogger;
    this.initialRebalanceDelayMs = options.initialRebalanceDelayMs ?? 0;
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? 1000;
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? 1_800_000;
    this.maxOffsetMetadataBytes = options.maxOffsetMetadataBytes ?? 4096;
    this.emptyGroupRetentionMs = options.emptyGroupRetentionMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.load();
    const tick = options.tickIntervalMs === undefined ? 100 : options.tickIntervalMs;
    if (tick !== null && tick > 0) {
      this.timer = setInterval(() => this.tick(this.now()), tick);
      this.timer.unref();
    } else {
      this.timer = null;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Membership

  join(req: JoinRequest): Promise<JoinResult> {
    const now = this.now();
    if (this.closed) return Promise.resolve(joinError(E.NOT_COORDINATOR, req.memberId));
    if (!req.groupId) return Promise.resolve(joinError(E.INVALID_GROUP_ID, req.memberId));
    if (
      req.sessionTimeoutMs < this.minSessionTimeoutMs ||
      req.sessionTimeoutMs > this.maxSessionTimeoutMs
    ) {
      return Promise.resolve(joinError(E.INVALID_SESSION_TIMEOUT, req.memberId));
    }
    let group = this.groups.get(req.groupId);
    if (!group) {
      if (req.memberId !== '') return Promise.resolve(joinError(E.UNKNOWN_MEMBER_ID, req.memberId));
      group = new ConsumerGroup(req.groupId, now);
      this.groups.set(req.groupId, group);
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols, req.memberId || undefined)) {
      return Promise.resolve(joinError(E.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    }
    return req.memberId === ''
      ? this.joinNewMember(group, req, now)
      : this.joinKnownMember(group, req, now);
  }

  private joinNewMember(group: ConsumerGroup, req: JoinRequest, now: number): Promise<JoinResult> {
    const prefix = req.groupInstanceId ?? (req.clientId || 'member');
    const memberId = `${prefix}-${randomUUID()}`;
    if (req.groupInstanceId !== null) {
      // Static members never get MEMBER_ID_REQUIRED: the instance id already identifies them.
      const previous = group.staticMembers.get(req.groupInstanceId);
      const old = previous === undefined ? undefined : group.members.get(previous);
      if (old) return this.replaceStaticMember(group, old, memberId, req, now);
      return this.addMemberAndRebalance(group, memberId, req, now);
    }
    if (req.requireKnownMemberId) {
      group.pendingMembers.set(memberId, now + req.sessionTimeoutMs);
      return Promise.resolve(joinError(E.MEMBER_ID_REQUIRED, memberId));
    }
    return this.addMemberAndRebalance(group, memberId, req, now);
  }

  private joinKnownMember(
    group: ConsumerGroup,
    req: JoinRequest,
    now: number,
  ): Promise<JoinResult> {
    if (group.pendingMembers.delete(req.memberId))
      return this.addMemberAndRebalance(group, req.memberId, req, now);
    const fenced = this.checkMember(group, req.memberId, req.groupInstanceId);
    if (fenced !== E.NONE) return Promise.resolve(joinError(fenced, req.memberId));
    const member = group.members.get(req.memberId);
    if (!member) return Promise.resolve(joinError(E.UNKNOWN_MEMBER_ID, req.memberId));
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, req, now);
      case 'CompletingRebalance':
        if (sameProtocols(member.protocols, req.protocols)) {
          // A retried join (the response was lost): answer with the generation being completed.
          member.sessionDeadline = now + member.sessionTimeoutMs;
          return Promise.resolve(this.joinResponse(group, member));
        }
        return this.updateMemberAndRebalance(group, member, req, now);
      case 'Stable':
        // The leader rejoining asks for a new assignment (e.g. its topics changed); a follower with
        // unchanged metadata just gets the current generation back.
        if (member.memberId === group.leaderId || !sameProtocols(member.protocols, req.protocols)) {
          return this.updateMemberAndRebalance(group, member, req, now);
        }
        member.sessionDeadline = now + member.sessionTimeoutMs;
        return Promise.resolve(this.joinResponse(group, member));
      default:
        return Promise.resolve(joinError(E.UNKNOWN_MEMBER_ID, req.memberId));
    }
  }

  private addMemberAndRebalance(
    group: ConsumerGroup,
    memberId: string,
    req: JoinRequest,
    now: number,
  ): Promise<JoinResult> {
    const member: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs:
        req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: EMPTY_BUFFER,
      sessionDeadline: now + req.sessionTimeoutMs,
      awaitingJoin: null,
      awaitingSync: null,
    };
    if (group.members.size === 0) group.protocolType = req.protocolType;
    group.members.set(memberId, member);
    if (req.groupInstanceId !== null) group.staticMembers.set(req.groupInstanceId, memberId);
    this.logger.debug(
      { group: group.groupId, memberId, state: group.state },
      'member joining group',
    );
    const parked = this.parkJoin(member);
    if (group.state === 'PreparingRebalance') {
      // A newcomer can take longer than the members already waiting; and during the initial delay
      // every join restarts the delay so a burst of consumers lands in one generation.
      group.rebalanceDeadline = Math.max(group.rebalanceDeadline, now + member.rebalanceTimeoutMs);
      if (group.initialDelayUntil > 0) {
        group.initialDelayUntil = Math.min(
          now + this.initialRebalanceDelayMs,
          group.rebalanceDeadline,
        );
      }
    } else {
      this.prepareRebalance(group, now, `member ${memberId} joined`);
    }
    this.tryCompleteJoin(group, now);
    return parked;
  }

  private updateMemberAndRebalance(
    group: ConsumerGroup,
    member: Member,
    req: JoinRequest,
    now: number,
  ): Promise<JoinResult> {
    member.protocols = req.protocols;
    member.protocolType = req.protocolType;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs =
      req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    const parked = this.parkJoin(member);
    if (group.state !== 'PreparingRebalance')
      this.prepareRebalance(group, now, `member ${member.memberId} rejoined`);
    this.tryCompleteJoin(group, now);
    return parked;
  }

  /**
   * A static member restarted (new member id, same instance id): the new incarnation takes the old
   * one's place and the old id is fenced. With unchanged metadata in a Stable group no rebalance is
   * needed: the member rejoins the current generation and SyncGroup hands it its old assignment.
   */
  private replaceStaticMember(
    group: ConsumerGroup,
    member: Member,
    newId: string,
    req: JoinRequest,
    now: number,
  ): Promise<JoinResult> {
    const oldId = member.memberId;
    member.awaitingJoin?.(joinError(E.FENCED_INSTANCE_ID, oldId));
    member.awaitingJoin = null;
    member.awaitingSync?.(syncError(E.FENCED_INSTANCE_ID));
    member.awaitingSync = null;
    group.members.delete(oldId);
    member.memberId = newId;
    group.members.set(newId, member);
    group.staticMembers.set(req.groupInstanceId as string, newId);
    if (group.leaderId === oldId) group.leaderId = newId;
    member.sessionDeadline = now + req.sessionTimeoutMs;
    this.logger.info(
      { group: group.groupId, oldId, newId, instance: req.groupInstanceId },
      'static member replaced',
    );
    const unchanged =
      member.protocolType === req.protocolType && sameProtocols(member.protocols, req.protocols);
    if (group.state === 'Stable' && unchanged && group.leaderId !== newId) {
      member.sessionTimeoutMs = req.sessionTimeoutMs;
      member.clientId = req.clientId;
      member.clientHost = req.clientHost;
      // The new member id must survive a restart like the rest of the Stable membership.
      this.persistGroupMetadata(group, now);
      return Promise.resolve(this.joinResponse(group, member));
    }
    return this.updateMemberAndRebalance(group, member, req, now);
  }

  private parkJoin(member: Member): Promise<JoinResult> {
    // A second JoinGroup from the same member supersedes the first (a client retrying on a new
    // connection): the older request is answered so it never hangs.
    member.awaitingJoin?.(joinError(E.REBALANCE_IN_PROGRESS, member.memberId));
    return new Promise<JoinResult>((resolve) => {
      member.awaitingJoin = resolve;
    });
  }

  private parkSync(member: Member): Promise<SyncResult> {
    member.awaitingSync?.(syncError(E.REBALANCE_IN_PROGRESS));
    return new Promise<SyncResult>((resolve) => {
      member.awaitingSync = resolve;
    });
  }

  private prepareRebalance(group: ConsumerGroup, now: number, reason: string): void {
    if (group.state === 'CompletingRebalance') {
      // The generation being completed is abandoned: followers waiting for it must rejoin.
      for (const m of group.members.values()) {
        m.assignment = EMPTY_BUFFER;
        m.awaitingSync?.(syncError(E.REBALANCE_IN_PROGRESS));
        m.awaitingSync = null;
      }
    }
    const wasEmpty = group.state === 'Empty';
    group.transition('PreparingRebalance', now);
    group.rebalanceDeadline = now + group.maxRebalanceTimeoutMs();
    group.initialDelayUntil =
      wasEmpty && this.initialRebalanceDelayMs > 0
        ? Math.min(now + this.initialRebalanceDelayMs, group.rebalanceDeadline)
        : 0;
    this.logger.info(
      { group: group.groupId, generation: group.generationId, reason },
      'preparing rebalance',
    );
  }

  private tryCompleteJoin(group: ConsumerGroup, now: number): void {
    if (group.state !== 'PreparingRebalance') return;
    if (group.initialDelayUntil > 0 && now < group.initialDelayUntil) return;
    if (group.allMembersJoined()) this.completeJoin(group, now);
  }

  /** Ends PreparingRebalance: drops members that did not rejoin and starts the next generation. */
  private completeJoin(group: ConsumerGroup, now: number): void {
    for (const m of [...group.members.values()]) {
      if (!m.awaitingJoin) {
        this.logger.info(
          { group: group.groupId, memberId: m.memberId },
          'member did not rejoin in time: removed',
        );
        this.removeMember(group, m);
      }
    }
    group.generationId += 1;
    group.initialDelayUntil = 0;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.leaderId = null;
      group.transition('Empty', now);
      this.persistGroupMetadata(group, now);
      this.logger.info({ group: group.groupId, generation: group.generationId }, 'group is empty');
      return;
    }
    const first = group.members.values().next().value as Member;
    group.protocolType = first.protocolType;
    group.protocolName = group.selectProtocol();
    if (group.leaderId === null || !group.members.has(group.leaderId))
      group.leaderId = first.memberId;
    group.transition('CompletingRebalance', now);
    group.syncDeadline = now + group.maxRebalanceTimeoutMs();
    this.logger.info(
      {
        group: group.groupId,
        generation: group.generationId,
        protocol: group.protocolName,
        leader: group.leaderId,
        members: group.members.size,
      },
      'rebalance: generation formed',
    );
    for (const m of group.members.values()) {
      const resolve = m.awaitingJoin;
      m.awaitingJoin = null;
      m.assignment = EMPTY_BUFFER;
      m.sessionDeadline = now + m.sessionTimeoutMs;
      resolve?.(this.joinResponse(group, m));
    }
  }

  private joinResponse(group: ConsumerGroup, member: Member): JoinResult {
    const isLeader = member.memberId === group.leaderId;
    return {
      errorCode: E.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: group.metadataFor(m, group.protocolName),
          }))
        : [],
      skipAssignment: false,
    };
  }

  sync(req: SyncRequest): Promise<SyncResult> {
    const now = this.now();
    if (this.closed) return Promise.resolve(syncError(E.NOT_COORDINATOR));
    if (!req.groupId) return Promise.resolve(syncError(E.INVALID_GROUP_ID));
    const group = this.groups.get(req.groupId);
    if (!group) return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
    const fenced = this.checkMember(group, req.memberId, req.groupInstanceId);
    if (fenced !== E.NONE) return Promise.resolve(syncError(fenced));
    const member = group.members.get(req.memberId);
    if (!member) return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
    if (req.generationId !== group.generationId)
      return Promise.resolve(syncError(E.ILLEGAL_GENERATION));
    if (
      (req.protocolType !== null && req.protocolType !== group.protocolType) ||
      (req.protocolName !== null && req.protocolName !== group.protocolName)
    ) {
      return Promise.resolve(syncError(E.INCONSISTENT_GROUP_PROTOCOL));
    }
    switch (group.state) {
      case 'PreparingRebalance':
        return Promise.resolve(syncError(E.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance': {
        member.sessionDeadline = now + member.sessionTimeoutMs;
        const parked = this.parkSync(member);
        if (member.memberId === group.leaderId) this.completeSync(group, req.assignments, now);
        return parked;
      }
      case 'Stable':
        member.sessionDeadline = now + member.sessionTimeoutMs;
        return Promise.resolve(this.syncResponse(group, member));
      default:
        return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
    }
  }

  /** The leader's SyncGroup: relay each member's assignment (opaque bytes, whatever the assignor). */
  private completeSync(
    group: ConsumerGroup,
    assignments: SyncRequest['assignments'],
    now: number,
  ): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of group.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY_BUFFER;
    group.transition('Stable', now);
    this.persistGroupMetadata(group, now);
    this.logger.info({ group: group.groupId, generation: group.generationId }, 'group stable');
    for (const m of group.members.values()) {
      const resolve = m.awaitingSync;
      m.awaitingSync = null;
      resolve?.(this.syncResponse(group, m));
    }
  }

  private syncResponse(group: ConsumerGroup, member: Member): SyncResult {
    return {
      errorCode: E.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: member.assignment,
    };
  }

  heartbeat(req: MemberRef): number {
    const now = this.now();
    if (this.closed) return E.NOT_COORDINATOR;
    if (!req.groupId) return E.INVALID_GROUP_ID;
    const group = this.groups.get(req.groupId);
    if (!group) return E.UNKNOWN_MEMBER_ID;
    const fenced = this.checkMember(group, req.memberId, req.groupInstanceId);
    if (fenced !== E.NONE) return fenced;
    const member = group.members.get(req.memberId);
    if (!member || group.state === 'Empty') return E.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    member.sessionDeadline = now + member.sessionTimeoutMs;
    return group.state === 'PreparingRebalance' ? E.REBALANCE_IN_PROGRESS : E.NONE;
  }

  /** LeaveGroup: every listed member is removed at once (no waiting for its session to expire). */
  leave(
    groupId: string,
    members: ReadonlyArray<{ memberId: string; groupInstanceId: string | null }>,
  ): LeaveResult {
    const now = this.now();
    if (this.closed) return { errorCode: E.NOT_COORDINATOR, members: [] };
    if (!groupId) return { errorCode: E.INVALID_GROUP_ID, members: [] };
    const group = this.groups.get(groupId);
    const results: LeaveResult['members'] = [];
    let removed = 0;
    for (const { memberId, groupInstanceId } of members) {
      const result = (errorCode: number) => results.push({ memberId, groupInstanceId, errorCode });
      if (!group) {
        result(E.UNKNOWN_MEMBER_ID);
        continue;
      }
      // Admin removal (v3+) may name a static member by instance id only.
      let id = memberId;
      if (id === '' && groupInstanceId !== null)
        id = group.staticMembers.get(groupInstanceId) ?? '';
      else {
        const fenced = this.checkMember(group, id, groupInstanceId);
        if (fenced !== E.NONE) {
          result(fenced);
          continue;
        }
      }
      if (group.pendingMembers.delete(id)) {
        result(E.NONE);
        continue;
      }
      const member = group.members.get(id);
      if (!member) {
        result(E.UNKNOWN_MEMBER_ID);
        continue;
      }
      this.logger.info({ group: groupId, memberId: id }, 'member left group');
      this.removeMember(group, member);
      removed += 1;
      result(E.NONE);
    }
    if (group && removed > 0) this.onMembersRemoved(group, now, 'member left');
    return { errorCode: E.NONE, members: results };
  }

  /** Fencing of static members: an instance id that now belongs to another member id is fenced. */
  private checkMember(
    group: ConsumerGroup,
    memberId: string,
    groupInstanceId: string | null,
  ): number {
    if (groupInstanceId === null) return E.NONE;
    const owner = group.staticMembers.get(groupInstanceId);
    if (owner !== undefined && owner !== memberId) return E.FENCED_INSTANCE_ID;
    return E.NONE;
  }

  private removeMember(group: ConsumerGroup, member: Member): void {
    member.awaitingJoin?.(joinError(E.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingJoin = null;
    member.awaitingSync?.(syncError(E.UNKNOWN_MEMBER_ID));
    member.awaitingSync = null;
    group.members.delete(member.memberId);
    if (
      member.groupInstanceId !== null &&
      group.staticMembers.get(member.groupInstanceId) === member.memberId
    ) {
      group.staticMembers.delete(member.groupInstanceId);
    }
  }

  private onMembersRemoved(group: ConsumerGroup, now: number, reason: string): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance')
      this.prepareRebalance(group, now, reason);
    this.tryCompleteJoin(group, now);
  }

  /** Session expiry and rebalance/sync deadlines; called by the internal timer (or by tests). */
  tick(now: number = this.now()): void {
    if (this.closed) return;
    for (const group of this.groups.values()) {
      let pendingExpired = false;
      for (const [id, deadline] of group.pendingMembers) {
        if (now >= deadline) {
          group.pendingMembers.delete(id);
          pendingExpired = true;
        }
      }
      // A member parked in JoinGroup or SyncGroup cannot heartbeat: the rebalance and sync deadlines
      // cover those instead of the session timeout.
      const expired = [...group.members.values()].filter(
        (m) => !m.awaitingJoin && !m.awaitingSync && now >= m.sessionDeadline,
      );
      for (const m of expired) {
        this.logger.info({ group: group.groupId, memberId: m.memberId }, 'member session expired');
        this.removeMember(group, m);
      }
      if (expired.length > 0) this.onMembersRemoved(group, now, 'session expired');
      else if (pendingExpired) this.tryCompleteJoin(group, now);

      if (group.state === 'PreparingRebalance') {
        if (now >= group.rebalanceDeadline) this.completeJoin(group, now);
        else this.tryCompleteJoin(group, now);
      } else if (group.state === 'CompletingRebalance' && now >= group.syncDeadline) {
        // The leader never sent its assignment: drop whoever has not synced and start over.
        for (const m of [...group.members.values()]) {
          if (!m.awaitingSync) this.removeMember(group, m);
        }
        this.prepareRebalance(group, now, 'leader did not sync in time');
        this.tryCompleteJoin(group, now);
      } else if (
        group.state === 'Empty' &&
        !group.hasOffsets() &&
        now - group.stateTimestampMs >= this.emptyGroupRetentionMs
      ) {
        this.removeEmptyGroup(group, now);
      }
    }
  }

  private removeEmptyGroup(group: ConsumerGroup, now: number): void {
    if (this.persist([{ kind: 'group', groupId: group.groupId, value: null }], now) !== E.NONE)
      return;
    group.transition('Dead', now);
    this.groups.delete(group.groupId);
    this.logger.info({ group: group.groupId }, 'empty group without offsets removed');
  }

  // -------------------------------------------------------------------------------------------
  // Offsets

  commitOffsets(req: OffsetCommitRequest): TopicResults[] {
    const now = this.now();
    const all = (code: number): TopicResults[] =>
      req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: code,
        })),
      }));
    if (this.closed) return all(E.NOT_COORDINATOR);
    if (!req.groupId) return all(E.INVALID_GROUP_ID);
    let group = this.groups.get(req.groupId);
    let created = false;
    if (!group) {
      // Only a standalone commit may create a group; a member commit needs a live generation.
      if (req.generationId >= 0) return all(E.ILLEGAL_GENERATION);
      group = new ConsumerGroup(req.groupId, now);
      this.groups.set(req.groupId, group);
      created = true;
    } else if (!(req.generationId < 0 && group.state === 'Empty')) {
      const fenced = this.checkMember(group, req.memberId, req.groupInstanceId);
      if (fenced !== E.NONE) return all(fenced);
      // Offsets committed in PreparingRebalance are accepted: consumers commit what they processed
      // before rejoining (onPartitionsRevoked). In CompletingRebalance the assignment is in flux.
      if (group.state === 'CompletingRebalance') return all(E.REBALANCE_IN_PROGRESS);
      const member = group.members.get(req.memberId);
      if (!member) return all(E.UNKNOWN_MEMBER_ID);
      if (req.generationId !== group.generationId) return all(E.ILLEGAL_GENERATION);
      member.sessionDeadline = now + member.sessionTimeoutMs;
    }

    const results: TopicResults[] = [];
    const accepted: Array<{ topic: string; partition: PartitionResult; value: CommittedOffset }> =
      [];
    for (const topic of req.topics) {
      const count = this.partitionCount(topic.name);
      const partitions: PartitionResult[] = [];
      for (const p of topic.partitions) {
        const out: PartitionResult = { partitionIndex: p.partitionIndex, errorCode: E.NONE };
        partitions.push(out);
        if (count === undefined || p.partitionIndex < 0 || p.partitionIndex >= count) {
          out.errorCode = E.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (
          p.committedMetadata !== null &&
          Buffer.byteLength(p.committedMetadata) > this.maxOffsetMetadataBytes
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

    const code = this.persist(
      accepted.map((a) => ({
        kind: 'offset',
        groupId: group.groupId,
        topic: a.topic,
        partition: a.partition.partitionIndex,
        value: a.value,
      })),
      now,
    );
    if (code !== E.NONE) {
      for (const a of accepted) a.partition.errorCode = code;
      if (created) this.groups.delete(group.groupId);
      return results;
    }
    for (const a of accepted) group.setOffset(a.topic, a.partition.partitionIndex, a.value);
    if (created && !group.hasOffsets()) this.groups.delete(group.groupId);
    return results;
  }

  /** OffsetFetch: `topics` null means every partition the group has an offset for. */
  fetchOffsets(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }> | null,
  ): OffsetFetchResult {
    if (this.closed) return { errorCode: E.NOT_COORDINATOR, topics: [] };
    if (!groupId) return { errorCode: E.INVALID_GROUP_ID, topics: [] };
    const group = this.groups.get(groupId);
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

  /** OffsetDelete: refuses partitions of topics the live group still subscribes to. */
  deleteOffsets(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitions: readonly number[] }>,
  ): OffsetDeleteResult {
    const now = this.now();
    if (this.closed) return { errorCode: E.NOT_COORDINATOR, topics: [] };
    if (!groupId) return { errorCode: E.INVALID_GROUP_ID, topics: [] };
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: E.GROUP_ID_NOT_FOUND, topics: [] };
    let subscribed: Set<string> | 'all' = new Set();
    if (group.state !== 'Empty') {
      if (group.protocolType !== 'consumer') return { errorCode: E.NON_EMPTY_GROUP, topics: [] };
      for (const m of group.members.values()) {
        const topicsOfMember = subscribedTopics(group.metadataFor(m, group.protocolName));
        if (topicsOfMember === null) {
          subscribed = 'all';
          break;
        }
        for (const t of topicsOfMember) subscribed.add(t);
      }
    }
    const results: TopicResults[] = [];
    const tombstones: Array<{ topic: string; partition: number; out: PartitionResult }> = [];
    for (const t of topics) {
      const known = this.partitionCount(t.name) !== undefined;
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
    const code = this.persist(
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

  // -------------------------------------------------------------------------------------------
  // Administration

  listGroups(
    statesFilter: readonly string[] = [],
    typesFilter: readonly string[] = [],
  ): ListedGroup[] {
    if (typesFilter.length > 0 && !typesFilter.some((t) => t.toLowerCase() === 'classic'))
      return [];
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const out: ListedGroup[] = [];
    for (const g of this.groups.values()) {
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
    const group = this.groups.get(groupId);
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
    return groupIds.map((groupId) => {
      if (this.closed) return { groupId, errorCode: E.NOT_COORDINATOR };
      if (!groupId) return { groupId, errorCode: E.INVALID_GROUP_ID };
      const group = this.groups.get(groupId);
      if (!group) return { groupId, errorCode: E.GROUP_ID_NOT_FOUND };
      if (group.state !== 'Empty') return { groupId, errorCode: E.NON_EMPTY_GROUP };
      const records: GroupRecord[] = [];
      for (const [topic, partitions] of group.offsets) {
        for (const partition of partitions.keys())
          records.push({ kind: 'offset', groupId, topic, partition, value: null });
      }
      records.push({ kind: 'group', groupId, value: null });
      const code = this.persist(records, now);
      if (code !== E.NONE) return { groupId, errorCode: code };
      group.transition('Dead', now);
      this.groups.delete(groupId);
      this.logger.info({ group: groupId }, 'group deleted');
      return { groupId, errorCode: E.NONE };
    });
  }

  /** Answers every parked JoinGroup/SyncGroup (clients then look for the coordinator again). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) {
        m.awaitingJoin?.(joinError(E.NOT_COORDINATOR, m.memberId));
        m.awaitingJoin = null;
        m.awaitingSync?.(syncError(E.NOT_COORDINATOR));
        m.awaitingSync = null;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Persistence

  /** Writes records as one batch; returns the error code to report (NONE on success). */
  private persist(records: GroupRecord[], now: number): number {
    if (records.length === 0) return E.NONE;
    try {
      this.store.append(records.map(encodeGroupRecord), now);
      return E.NONE;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      this.logger.error({ err }, 'cannot write to the offsets topic');
      // Too large a commit is the client's problem; anything else is retriable from its side.
      return code === 10 || code === 18
        ? E.INVALID_COMMIT_OFFSET_SIZE
        : E.COORDINATOR_NOT_AVAILABLE;
    }
  }

  private persistGroupMetadata(group: ConsumerGroup, now: number): void {
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
            // Only a Stable generation is worth restoring; anything in flux is redone by rejoining.
            members:
              group.state === 'Stable'
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
    if (code !== E.NONE)
      this.logger.warn({ group: group.groupId, code }, 'group metadata not persisted');
  }

  /** Rebuilds groups and committed offsets by replaying the offsets topic (last record per key wins). */
  private load(): void {
    const now = this.now();
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
        this.groups.delete(record.groupId);
        continue;
      }
      let group = this.groups.get(record.groupId);
      if (!group) {
        group = new ConsumerGroup(record.groupId, now);
        this.groups.set(record.groupId, group);
      }
      if (record.kind === 'offset') {
        if (record.value) group.setOffset(record.topic, record.partition, record.value);
        else group.deleteOffset(record.topic, record.partition);
      } else if (record.value) {
        this.restoreGroup(group, record.value, now);
      }
    }
    if (records + skipped > 0) {
      this.logger.info(
        { groups: this.groups.size, records, skipped },
        'consumer groups loaded from the offsets topic',
      );
    }
  }

  /**
   * Restores a group as of its last persisted record: Stable with the members of that generation
   * (sessions restart now, so members that died meanwhile expire normally), or Empty.
   */
  private restoreGroup(group: ConsumerGroup, value: GroupMetadataValue, now: number): void {
    group.protocolType = value.protocolType;
    group.generationId = value.generationId;
    group.members.clear();
    group.staticMembers.clear();
    for (const m of value.members) {
      group.members.set(m.memberId, {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        protocolType: value.protocolType ?? '',
        protocols: m.protocols,
        assignment: m.assignment,
        sessionDeadline: now + m.sessionTimeoutMs,
        awaitingJoin: null,
        awaitingSync: null,
      });
      if (m.groupInstanceId !== null) group.staticMembers.set(m.groupInstanceId, m.memberId);
    }
    if (group.members.size > 0) {
      group.protocolName = value.protocolName;
      group.leaderId =
        value.leader !== null && group.members.has(value.leader)
          ? value.leader
          : (group.members.keys().next().value ?? null);
      group.transition('Stable', now);
    } else {
      group.protocolName = null;
      group.leaderId = null;
      group.transition('Empty', now);
    }
  }

  /** Number of groups (diagnostics and tests). */
  get size(): number {
    return this.groups.size;
  }

  /** The state of a group, or 'Dead' when unknown (diagnostics and tests). */
  groupState(groupId: string): GroupState {
    return this.groups.get(groupId)?.state ?? 'Dead';
  }
}
