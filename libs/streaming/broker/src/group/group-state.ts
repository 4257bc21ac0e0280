/**
 * The states of a classic consumer group and the only transitions between them:
 *
 *   Empty ──join──▶ PreparingRebalance ──every member rejoined / deadline──▶ CompletingRebalance
 *     ▲                 │        ▲                                                │        │
 *     └─ no member left ┘        └──── join, leave, expiry, leader did not sync ──┘        │
 *                                ▲                                          leader's SyncGroup
 *                                └──── join, leave, expiry, changed metadata ──── Stable ◀─┘
 *   Empty ──DeleteGroups / retention──▶ Dead   (a Dead group is gone; unknown groups report Dead)
 *
 * Each state is a phase object carrying what only that state has (the rebalance deadline exists
 * only while preparing a rebalance, the sync deadline only while completing one). A group moves
 * with `ConsumerGroup.transition(from, to)`, whose types only accept a `to` that GROUP_TRANSITIONS
 * allows from the state `from` has been narrowed to: an illegal transition does not compile.
 */

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

/** The states each state may move to. */
export const GROUP_TRANSITIONS = {
  Empty: ['PreparingRebalance', 'Dead'],
  PreparingRebalance: ['CompletingRebalance', 'Empty'],
  CompletingRebalance: ['Stable', 'PreparingRebalance'],
  Stable: ['PreparingRebalance'],
  Dead: [],
} as const satisfies { readonly [S in GroupState]: readonly GroupState[] };

interface Phase<S extends GroupState> {
  readonly state: S;
  /** When the group entered this state (ms). */
  readonly since: number;
}

export type EmptyPhase = Phase<'Empty'>;

export interface PreparingRebalancePhase extends Phase<'PreparingRebalance'> {
  /** When to stop waiting for members to rejoin (pushed out by a newcomer with a longer timeout). */
  rebalanceDeadline: number;
  /** A formerly empty group waits group.initial.rebalance.delay.ms for more members: until then (0 = no delay). */
  initialDelayUntil: number;
}

export interface CompletingRebalancePhase extends Phase<'CompletingRebalance'> {
  /** When to give up on the leader's SyncGroup. */
  readonly syncDeadline: number;
}

export type StablePhase = Phase<'Stable'>;
export type DeadPhase = Phase<'Dead'>;

export type GroupPhase =
  EmptyPhase | PreparingRebalancePhase | CompletingRebalancePhase | StablePhase | DeadPhase;

export type PhaseOf<S extends GroupState> = Extract<GroupPhase, { state: S }>;

/** The states allowed after S. */
export type NextState<S extends GroupState> = (typeof GROUP_TRANSITIONS)[S][number];

/**
 * The states allowed after every state of S. For one state that is its NextState; for a phase the
 * caller has not narrowed (S is a union) it is only what all of them allow, which is nothing.
 */
export type AllowedAfter<S extends GroupState> = Exclude<
  GroupState,
  { [P in S]: Exclude<GroupState, NextState<P>> }[S]
>;

export function isAllowedTransition(from: GroupState, to: GroupState): boolean {
  return (GROUP_TRANSITIONS[from] as readonly GroupState[]).includes(to);
}
