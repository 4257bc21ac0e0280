// The group's states and transitions (group-state.ts). The `@ts-expect-error` lines are part of the
// specification: `npm run typecheck` fails if an illegal transition ever compiles again.
import { describe, expect, it } from 'vitest';
import { ConsumerGroup } from './consumer-group.ts';
import { GROUP_STATES, GROUP_TRANSITIONS, isAllowedTransition } from './group-state.ts';

const preparing = (since: number) =>
  ({
    state: 'PreparingRebalance',
    since,
    rebalanceDeadline: since + 1000,
    initialDelayUntil: 0,
  }) as const;

describe('group states', () => {
  it('allow exactly the transitions of the rebalance protocol', () => {
    const allowed = GROUP_STATES.flatMap((from) =>
      GROUP_STATES.filter((to) => isAllowedTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed).toEqual([
      'Empty->PreparingRebalance',
      'Empty->Dead',
      'PreparingRebalance->Empty',
      'PreparingRebalance->CompletingRebalance',
      'CompletingRebalance->PreparingRebalance',
      'CompletingRebalance->Stable',
      'Stable->PreparingRebalance',
    ]);
    expect(GROUP_TRANSITIONS.Dead).toEqual([]);
  });

  it('move a group only along an allowed transition, from the phase it is in', () => {
    const group = ConsumerGroup.empty('g', 0);
    const empty = group.phase;
    if (empty.state !== 'Empty') throw new Error('a new group is Empty');
    group.transition(empty, preparing(1));
    expect(group.state).toBe('PreparingRebalance');
    expect(group.stateTimestampMs).toBe(1);
    // A phase the group has left cannot be moved from again.
    expect(() => group.transition(empty, { state: 'Dead', since: 2 })).toThrow(
      'transition from Empty, a phase it has left',
    );
  });

  it('make an illegal transition a compile error', () => {
    const group = ConsumerGroup.empty('g', 0);
    const phase = group.phase;
    const attempts: Array<() => void> = [];
    if (phase.state === 'Empty') {
      // @ts-expect-error an Empty group cannot become Stable without a rebalance
      attempts.push(() => group.transition(phase, { state: 'Stable', since: 1 }));
    }
    if (phase.state === 'Stable') {
      // @ts-expect-error a Stable group is never deleted (DeleteGroups needs Empty)
      attempts.push(() => group.transition(phase, { state: 'Dead', since: 1 }));
    }
    // @ts-expect-error a phase that was not narrowed to one state allows no transition
    attempts.push(() => group.transition(group.phase, { state: 'Stable', since: 1 }));
    // The run-time guard says the same to code that got round the types.
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) expect(attempt).toThrow('Empty cannot become Stable');
  });
});
