import { describe, expect, it } from 'vitest';
import { splitsExactly } from './group-ownership.ts';

describe('splitsExactly', () => {
  it('accepts members that split every partition between them', () => {
    expect(
      splitsExactly(
        [
          [0, 3],
          [1, 4],
          [2, 5],
        ],
        6,
      ),
    ).toBe(true);
    expect(splitsExactly([[5, 4, 3, 2, 1, 0]], 6)).toBe(true);
  });

  it('rejects a group while a member has no assignment yet (rebalance in flight)', () => {
    expect(splitsExactly([[0, 1, 2], null, [3, 4, 5]], 6)).toBe(false);
  });

  it('rejects a member that holds nothing: the group is not formed for it', () => {
    expect(splitsExactly([[0, 1, 2, 3, 4, 5], [], []], 6)).toBe(false);
  });

  it('rejects a partition held twice (an old assignment next to a new one)', () => {
    expect(
      splitsExactly(
        [
          [0, 1, 2, 3],
          [3, 4, 5],
        ],
        6,
      ),
    ).toBe(false);
  });

  it('rejects a partition left over (a dead member still counted for nobody)', () => {
    expect(
      splitsExactly(
        [
          [0, 1],
          [2, 3],
        ],
        6,
      ),
    ).toBe(false);
  });

  it('rejects partitions the topic does not have', () => {
    expect(
      splitsExactly(
        [
          [0, 1, 2],
          [3, 4, 6],
        ],
        6,
      ),
    ).toBe(false);
  });
});
