/**
 * The rebalance protocol: how a group moves through its states (see group-state.ts). Everything is
 * synchronous on the event loop, so no locking is needed: a JoinGroup or SyncGroup that must wait
 * is "parked" as a resolver on its member and answered by whichever later event (another member's
 * join, the leader's sync, the expiry tick) completes the phase.
 */
import { ErrorCode as E } from '../errors/index.ts';
import type { CoordinatorState } from './coordinator-state.ts';
import { EMPTY_BUFFER } from './consumer-group.ts';
import type { ConsumerGroup, JoinResult, Member, SyncResult } from './consumer-group.ts';
import type { CompletingRebalancePhase, PreparingRebalancePhase } from './group-state.ts';

export function joinError(errorCode: number, memberId = ''): JoinResult {
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

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER };
}

/**
 * Parks a member's JoinGroup until the rebalance completes. A second JoinGroup from the same member
 * supersedes the first (a client retrying on a new connection): the older one is answered.
 */
export function parkJoin(member: Member): Promise<JoinResult> {
  member.awaitingJoin?.(joinError(E.REBALANCE_IN_PROGRESS, member.memberId));
  return new Promise<JoinResult>((resolve) => {
    member.awaitingJoin = resolve;
  });
}

/** Parks a member's SyncGroup until the leader's assignment arrives. */
export function parkSync(member: Member): Promise<SyncResult> {
  member.awaitingSync?.(syncError(E.REBALANCE_IN_PROGRESS));
  return new Promise<SyncResult>((resolve) => {
    member.awaitingSync = resolve;
  });
}

/** Answers a member's parked requests with `errorCode` (it was removed, fenced or the coordinator closed). */
export function releaseMember(member: Member, errorCode: number): void {
  member.awaitingJoin?.(joinError(errorCode, member.memberId));
  member.awaitingJoin = null;
  member.awaitingSync?.(syncError(errorCode));
  member.awaitingSync = null;
}

/** Empty, Stable or CompletingRebalance → PreparingRebalance: every member must (re)join. */
export function prepareRebalance(
  st: CoordinatorState,
  group: ConsumerGroup,
  now: number,
  reason: string,
): void {
  const phase = group.phase;
  if (phase.state === 'PreparingRebalance' || phase.state === 'Dead') return;
  if (phase.state === 'CompletingRebalance') {
    // The generation being completed is abandoned: followers waiting for it must rejoin.
    for (const m of group.members.values()) {
      m.assignment = EMPTY_BUFFER;
      m.awaitingSync?.(syncError(E.REBALANCE_IN_PROGRESS));
      m.awaitingSync = null;
    }
  }
  const rebalanceDeadline = now + group.maxRebalanceTimeoutMs();
  const delay = st.settings.initialRebalanceDelayMs;
  group.transition(phase, {
    state: 'PreparingRebalance',
    since: now,
    rebalanceDeadline,
    initialDelayUntil:
      phase.state === 'Empty' && delay > 0 ? Math.min(now + delay, rebalanceDeadline) : 0,
  });
  st.logger.info(
    { group: group.groupId, generation: group.generationId, reason },
    'preparing rebalance',
  );
}

/** Completes the join phase once every member has rejoined (and the initial delay is over). */
export function tryCompleteJoin(st: CoordinatorState, group: ConsumerGroup, now: number): void {
  const phase = group.phase;
  if (phase.state !== 'PreparingRebalance') return;
  if (phase.initialDelayUntil > 0 && now < phase.initialDelayUntil) return;
  if (group.allMembersJoined()) completeJoin(st, group, phase, now);
}

/**
 * PreparingRebalance → CompletingRebalance (or Empty when nobody is left): drops members that did
 * not rejoin, starts the next generation and answers every parked JoinGroup.
 */
export function completeJoin(
  st: CoordinatorState,
  group: ConsumerGroup,
  phase: PreparingRebalancePhase,
  now: number,
): void {
  for (const m of [...group.members.values()]) {
    if (!m.awaitingJoin) {
      st.logger.info(
        { group: group.groupId, memberId: m.memberId },
        'member did not rejoin in time: removed',
      );
      removeMember(group, m);
    }
  }
  group.generationId += 1;
  const first = group.members.values().next().value;
  if (first === undefined) {
    group.protocolName = null;
    group.leaderId = null;
    group.transition(phase, { state: 'Empty', since: now });
    st.journal.persistGroupMetadata(group, now);
    st.logger.info({ group: group.groupId, generation: group.generationId }, 'group is empty');
    return;
  }
  group.protocolType = first.protocolType;
  group.protocolName = group.selectProtocol();
  if (group.leaderId === null || !group.members.has(group.leaderId))
    group.leaderId = first.memberId;
  group.transition(phase, {
    state: 'CompletingRebalance',
    since: now,
    syncDeadline: now + group.maxRebalanceTimeoutMs(),
  });
  st.logger.info(
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
    resolve?.(joinResponse(group, m));
  }
}

/**
 * CompletingRebalance → Stable on the leader's SyncGroup: relays each member's assignment (opaque
 * bytes, whatever the assignor) and answers every parked SyncGroup.
 */
export function completeSync(
  st: CoordinatorState,
  group: ConsumerGroup,
  phase: CompletingRebalancePhase,
  assignments: ReadonlyArray<{ memberId: string; assignment: Buffer }>,
  now: number,
): void {
  const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
  for (const m of group.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY_BUFFER;
  group.transition(phase, { state: 'Stable', since: now });
  st.journal.persistGroupMetadata(group, now);
  st.logger.info({ group: group.groupId, generation: group.generationId }, 'group stable');
  for (const m of group.members.values()) {
    const resolve = m.awaitingSync;
    m.awaitingSync = null;
    resolve?.(syncResponse(group, m));
  }
}

export function joinResponse(group: ConsumerGroup, member: Member): JoinResult {
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

export function syncResponse(group: ConsumerGroup, member: Member): SyncResult {
  return {
    errorCode: E.NONE,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    assignment: member.assignment,
  };
}

/** Takes a member out of the group (its parked requests answered UNKNOWN_MEMBER_ID). */
export function removeMember(group: ConsumerGroup, member: Member): void {
  releaseMember(member, E.UNKNOWN_MEMBER_ID);
  group.members.delete(member.memberId);
  if (
    member.groupInstanceId !== null &&
    group.staticMembers.get(member.groupInstanceId) === member.memberId
  ) {
    group.staticMembers.delete(member.groupInstanceId);
  }
}

/** After members left or expired: the others rebalance (or the group empties). */
export function onMembersRemoved(
  st: CoordinatorState,
  group: ConsumerGroup,
  now: number,
  reason: string,
): void {
  if (group.state === 'Stable' || group.state === 'CompletingRebalance')
    prepareRebalance(st, group, now, reason);
  tryCompleteJoin(st, group, now);
}
