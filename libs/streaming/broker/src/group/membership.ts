/**
 * The membership APIs: JoinGroup (new, known and static members), SyncGroup, Heartbeat and
 * LeaveGroup, with the fencing of static members. The state changes they cause are in rebalance.ts.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode as E } from '../errors/index.ts';
import type { CoordinatorState } from './coordinator-state.ts';
import { currentGroup } from './expiry.ts';
import { ConsumerGroup, EMPTY_BUFFER } from './consumer-group.ts';
import type { JoinResult, Member, MemberProtocol, SyncResult } from './consumer-group.ts';
import {
  completeSync,
  joinError,
  joinResponse,
  onMembersRemoved,
  parkJoin,
  parkSync,
  prepareRebalance,
  releaseMember,
  removeMember,
  syncError,
  syncResponse,
  tryCompleteJoin,
} from './rebalance.ts';

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

function sameProtocols(a: readonly MemberProtocol[], b: readonly MemberProtocol[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata))
  );
}

/** Fencing of static members: an instance id that now belongs to another member id is fenced. */
export function checkMember(
  group: ConsumerGroup,
  memberId: string,
  groupInstanceId: string | null,
): number {
  if (groupInstanceId === null) return E.NONE;
  const owner = group.staticMembers.get(groupInstanceId);
  if (owner !== undefined && owner !== memberId) return E.FENCED_INSTANCE_ID;
  return E.NONE;
}

export function join(st: CoordinatorState, req: JoinRequest, now: number): Promise<JoinResult> {
  if (!req.groupId) return Promise.resolve(joinError(E.INVALID_GROUP_ID, req.memberId));
  const { minSessionTimeoutMs, maxSessionTimeoutMs } = st.settings;
  if (req.sessionTimeoutMs < minSessionTimeoutMs || req.sessionTimeoutMs > maxSessionTimeoutMs) {
    return Promise.resolve(joinError(E.INVALID_SESSION_TIMEOUT, req.memberId));
  }
  let group = currentGroup(st, req.groupId, now);
  if (!group) {
    if (req.memberId !== '') return Promise.resolve(joinError(E.UNKNOWN_MEMBER_ID, req.memberId));
    group = ConsumerGroup.empty(req.groupId, now);
    st.groups.set(req.groupId, group);
  }
  if (!group.supportsProtocols(req.protocolType, req.protocols, req.memberId || undefined)) {
    return Promise.resolve(joinError(E.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
  }
  return req.memberId === ''
    ? joinNewMember(st, group, req, now)
    : joinKnownMember(st, group, req, now);
}

function joinNewMember(
  st: CoordinatorState,
  group: ConsumerGroup,
  req: JoinRequest,
  now: number,
): Promise<JoinResult> {
  const prefix = req.groupInstanceId ?? (req.clientId || 'member');
  const memberId = `${prefix}-${randomUUID()}`;
  if (req.groupInstanceId !== null) {
    // Static members never get MEMBER_ID_REQUIRED: the instance id already identifies them.
    const previous = group.staticMembers.get(req.groupInstanceId);
    const old = previous === undefined ? undefined : group.members.get(previous);
    if (old) return replaceStaticMember(st, group, old, memberId, req.groupInstanceId, req, now);
    return addMemberAndRebalance(st, group, memberId, req, now);
  }
  if (req.requireKnownMemberId) {
    group.pendingMembers.set(memberId, now + req.sessionTimeoutMs);
    return Promise.resolve(joinError(E.MEMBER_ID_REQUIRED, memberId));
  }
  return addMemberAndRebalance(st, group, memberId, req, now);
}

function joinKnownMember(
  st: CoordinatorState,
  group: ConsumerGroup,
  req: JoinRequest,
  now: number,
): Promise<JoinResult> {
  if (group.pendingMembers.delete(req.memberId))
    return addMemberAndRebalance(st, group, req.memberId, req, now);
  const fenced = checkMember(group, req.memberId, req.groupInstanceId);
  if (fenced !== E.NONE) return Promise.resolve(joinError(fenced, req.memberId));
  const member = group.members.get(req.memberId);
  if (!member) return Promise.resolve(joinError(E.UNKNOWN_MEMBER_ID, req.memberId));
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberAndRebalance(st, group, member, req, now);
    case 'CompletingRebalance':
      if (sameProtocols(member.protocols, req.protocols)) {
        // A retried join (the response was lost): answer with the generation being completed.
        member.sessionDeadline = now + member.sessionTimeoutMs;
        return Promise.resolve(joinResponse(group, member));
      }
      return updateMemberAndRebalance(st, group, member, req, now);
    case 'Stable':
      // The leader rejoining asks for a new assignment (e.g. its topics changed); a follower with
      // unchanged metadata just gets the current generation back.
      if (member.memberId === group.leaderId || !sameProtocols(member.protocols, req.protocols)) {
        return updateMemberAndRebalance(st, group, member, req, now);
      }
      member.sessionDeadline = now + member.sessionTimeoutMs;
      return Promise.resolve(joinResponse(group, member));
    default:
      return Promise.resolve(joinError(E.UNKNOWN_MEMBER_ID, req.memberId));
  }
}

function addMemberAndRebalance(
  st: CoordinatorState,
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
    rebalanceTimeoutMs: req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
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
  st.logger.debug({ group: group.groupId, memberId, state: group.state }, 'member joining group');
  const parked = parkJoin(member);
  const phase = group.phase;
  if (phase.state === 'PreparingRebalance') {
    // A newcomer can take longer than the members already waiting; and during the initial delay
    // every join restarts the delay so a burst of consumers lands in one generation.
    phase.rebalanceDeadline = Math.max(phase.rebalanceDeadline, now + member.rebalanceTimeoutMs);
    if (phase.initialDelayUntil > 0) {
      phase.initialDelayUntil = Math.min(
        now + st.settings.initialRebalanceDelayMs,
        phase.rebalanceDeadline,
      );
    }
  } else {
    prepareRebalance(st, group, now, `member ${memberId} joined`);
  }
  tryCompleteJoin(st, group, now);
  return parked;
}

function updateMemberAndRebalance(
  st: CoordinatorState,
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
  const parked = parkJoin(member);
  prepareRebalance(st, group, now, `member ${member.memberId} rejoined`);
  tryCompleteJoin(st, group, now);
  return parked;
}

/**
 * A static member restarted (new member id, same instance id): the new incarnation takes the old
 * one's place and the old id is fenced. With unchanged metadata in a Stable group no rebalance is
 * needed: the member rejoins the current generation and SyncGroup hands it its old assignment.
 */
function replaceStaticMember(
  st: CoordinatorState,
  group: ConsumerGroup,
  member: Member,
  newId: string,
  instanceId: string,
  req: JoinRequest,
  now: number,
): Promise<JoinResult> {
  const oldId = member.memberId;
  releaseMember(member, E.FENCED_INSTANCE_ID);
  group.members.delete(oldId);
  member.memberId = newId;
  group.members.set(newId, member);
  group.staticMembers.set(instanceId, newId);
  if (group.leaderId === oldId) group.leaderId = newId;
  member.sessionDeadline = now + req.sessionTimeoutMs;
  st.logger.info(
    { group: group.groupId, oldId, newId, instance: instanceId },
    'static member replaced',
  );
  const unchanged =
    member.protocolType === req.protocolType && sameProtocols(member.protocols, req.protocols);
  if (group.state === 'Stable' && unchanged && group.leaderId !== newId) {
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    // The new member id must survive a restart like the rest of the Stable membership.
    st.journal.persistGroupMetadata(group, now);
    return Promise.resolve(joinResponse(group, member));
  }
  return updateMemberAndRebalance(st, group, member, req, now);
}

export function sync(st: CoordinatorState, req: SyncRequest, now: number): Promise<SyncResult> {
  if (!req.groupId) return Promise.resolve(syncError(E.INVALID_GROUP_ID));
  const group = currentGroup(st, req.groupId, now);
  if (!group) return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
  const fenced = checkMember(group, req.memberId, req.groupInstanceId);
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
  const phase = group.phase;
  switch (phase.state) {
    case 'PreparingRebalance':
      return Promise.resolve(syncError(E.REBALANCE_IN_PROGRESS));
    case 'CompletingRebalance': {
      member.sessionDeadline = now + member.sessionTimeoutMs;
      const parked = parkSync(member);
      if (member.memberId === group.leaderId) completeSync(st, group, phase, req.assignments, now);
      return parked;
    }
    case 'Stable':
      member.sessionDeadline = now + member.sessionTimeoutMs;
      return Promise.resolve(syncResponse(group, member));
    default:
      return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
  }
}

export function heartbeat(st: CoordinatorState, req: MemberRef, now: number): number {
  if (!req.groupId) return E.INVALID_GROUP_ID;
  const group = currentGroup(st, req.groupId, now);
  if (!group) return E.UNKNOWN_MEMBER_ID;
  const fenced = checkMember(group, req.memberId, req.groupInstanceId);
  if (fenced !== E.NONE) return fenced;
  const member = group.members.get(req.memberId);
  if (!member || group.state === 'Empty') return E.UNKNOWN_MEMBER_ID;
  if (req.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
  member.sessionDeadline = now + member.sessionTimeoutMs;
  return group.state === 'PreparingRebalance' ? E.REBALANCE_IN_PROGRESS : E.NONE;
}

/** LeaveGroup: every listed member is removed at once (no waiting for its session to expire). */
export function leave(
  st: CoordinatorState,
  groupId: string,
  members: ReadonlyArray<{ memberId: string; groupInstanceId: string | null }>,
  now: number,
): LeaveResult {
  if (!groupId) return { errorCode: E.INVALID_GROUP_ID, members: [] };
  const group = currentGroup(st, groupId, now);
  const results: LeaveResult['members'] = [];
  let removed = 0;
  for (const { memberId, groupInstanceId } of members) {
    const outcome = group ? leaveOne(st, group, memberId, groupInstanceId) : E.UNKNOWN_MEMBER_ID;
    if (outcome === 'removed') removed += 1;
    results.push({
      memberId,
      groupInstanceId,
      errorCode: outcome === 'removed' ? E.NONE : outcome,
    });
  }
  if (group && removed > 0) onMembersRemoved(st, group, now, 'member left');
  return { errorCode: E.NONE, members: results };
}

/** One leaving member: 'removed' if it was in the group, else the error code to answer (NONE for a pending one). */
function leaveOne(
  st: CoordinatorState,
  group: ConsumerGroup,
  memberId: string,
  groupInstanceId: string | null,
): 'removed' | number {
  // Admin removal (v3+) may name a static member by instance id only.
  let id = memberId;
  if (id === '' && groupInstanceId !== null) {
    id = group.staticMembers.get(groupInstanceId) ?? '';
  } else {
    const fenced = checkMember(group, id, groupInstanceId);
    if (fenced !== E.NONE) return fenced;
  }
  if (group.pendingMembers.delete(id)) return E.NONE;
  const member = group.members.get(id);
  if (!member) return E.UNKNOWN_MEMBER_ID;
  st.logger.info({ group: group.groupId, memberId: id }, 'member left group');
  removeMember(group, member);
  return 'removed';
}
