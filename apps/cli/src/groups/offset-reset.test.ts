import { describe, expect, it } from 'vitest';
import { planReset } from './offset-reset.ts';

const partitions = [
  { partition: 0, low: 10n, high: 50n },
  { partition: 1, low: 0n, high: 5n },
];
const committed = new Map([[0, 30n]]);

describe('planReset', () => {
  it('targets the log start or end', () => {
    expect(planReset({ kind: 'earliest' }, partitions, committed).map((p) => p.target)).toEqual([
      10n,
      0n,
    ]);
    expect(planReset({ kind: 'latest' }, partitions, committed).map((p) => p.target)).toEqual([
      50n,
      5n,
    ]);
  });

  it('shifts from the committed offset (log start without one), clamped to the log', () => {
    expect(planReset({ kind: 'shift', by: -25n }, partitions, committed)).toEqual([
      { partition: 0, current: 30n, target: 10n },
      { partition: 1, current: null, target: 0n },
    ]);
    expect(
      planReset({ kind: 'shift', by: 3n }, partitions, committed).map((p) => p.target),
    ).toEqual([33n, 3n]);
  });

  it('clamps an explicit offset and maps a datetime with no later record to the end', () => {
    expect(
      planReset({ kind: 'offset', offset: 7n }, partitions, committed).map((p) => p.target),
    ).toEqual([10n, 5n]);
    const offsets = new Map([
      [0, 42n],
      [1, -1n],
    ]);
    expect(
      planReset({ kind: 'datetime', ms: 0, offsets }, partitions, committed).map((p) => p.target),
    ).toEqual([42n, 5n]);
  });
});
