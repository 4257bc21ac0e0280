/**
 * Everything that happens because time passed: member sessions expiring, MEMBER_ID_REQUIRED ids
 * never used, rebalance and sync deadlines, and the removal of groups left Empty without offsets.
 */
import { ErrorCode as E } from '../errors/index.ts';
import type { CoordinatorState } from './coordinator-state.ts';
import type { ConsumerGroup } from './consumer-group.ts';
import type { EmptyPhase } from './group-state.ts';
import {
  completeJoin,
  onMembersRemoved,
  prepareRebalance,
  removeMember,
  tryCompleteJoin,
} from './rebalance.ts';

/** Session expiry and rebalance/sync deadlines of every group at `now`. */
export function expireGroups(st: CoordinatorState, now: number): void {
  for (const group of st.groups.values()) expireGroup(st, group, now);
}

/**
 * The group as it is at `now`: sessions and deadlines that have passed are applied first. Every API
 * that reads or changes membership looks its group up through this, so expiry is exact: the
 * periodic tick only serves whoever is not asking (parked requests, groups nobody touches). Without
 * it a member could outlive its session by up to one tick, e.g. a DeleteGroups sent just after the
 * session timeout would be refused with NON_EMPTY_GROUP.
 */
export function currentGroup(
  st: CoordinatorState,
  groupId: string,
  now: number,
): ConsumerGroup | undefined {
  const group = st.groups.get(groupId);
  if (group) expireGroup(st, group, now);
  return st.groups.get(groupId);
}

function expireGroup(st: CoordinatorState, group: ConsumerGroup, now: number): void {
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
    st.logger.info({ group: group.groupId, memberId: m.memberId }, 'member session expired');
    removeMember(group, m);
  }
  if (expired.length > 0) onMembersRemoved(st, group, now, 'session expired');
  else if (pendingExpired) tryCompleteJoin(st, group, now);

  const phase = group.phase;
  if (phase.state === 'PreparingRebalance') {
    if (now >= phase.rebalanceDeadline) completeJoin(st, group, phase, now);
    else tryCompleteJoin(st, group, now);
  } else if (phase.state === 'CompletingRebalance' && now >= phase.syncDeadline) {
    // The leader never sent its assignment: drop whoever has not synced and start over.
    for (const m of [...group.members.values()]) {
      if (!m.awaitingSync) removeMember(group, m);
    }
    prepareRebalance(st, group, now, 'leader did not sync in time');
    tryCompleteJoin(st, group, now);
  } else if (
    phase.state === 'Empty' &&
    !group.hasOffsets() &&
    now - phase.since >= st.settings.emptyGroupRetentionMs
  ) {
    removeEmptyGroup(st, group, phase, now);
  }
}

function removeEmptyGroup(
  st: CoordinatorState,
  group: ConsumerGroup,
  phase: EmptyPhase,
  now: number,
): void {
  if (st.journal.persist([{ kind: 'group', groupId: group.groupId, value: null }], now) !== E.NONE)
    return;
  group.transition(phase, { state: 'Dead', since: now });
  st.groups.delete(group.groupId);
  st.logger.info({ group: group.groupId }, 'empty group without offsets removed');
}
