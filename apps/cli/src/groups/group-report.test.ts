import { describe, expect, it } from 'vitest';
import { lagRows } from './group-report.ts';

describe('lagRows', () => {
  it('joins committed offsets, log ends and owners; lag is unknown without a commit', () => {
    const committed = new Map([['orders', new Map([[0, 3n]])]]);
    const ends = new Map([
      [
        'orders',
        new Map([
          [0, 10n],
          [1, 4n],
        ]),
      ],
    ]);
    const members = [
      { memberId: 'm1', clientId: 'c1', host: '/127.0.0.1', assignment: { orders: [1] } },
    ];
    expect(lagRows(committed, ends, members)).toEqual([
      {
        topic: 'orders',
        partition: 0,
        committed: 3n,
        logEnd: 10n,
        lag: 7n,
        memberId: null,
        clientId: null,
        host: null,
      },
      {
        topic: 'orders',
        partition: 1,
        committed: null,
        logEnd: 4n,
        lag: null,
        memberId: 'm1',
        clientId: 'c1',
        host: '/127.0.0.1',
      },
    ]);
  });

  it('never reports a negative lag (log truncated below the committed offset)', () => {
    const rows = lagRows(
      new Map([['t', new Map([[0, 9n]])]]),
      new Map([['t', new Map([[0, 5n]])]]),
      [],
    );
    expect(rows[0].lag).toBe(0n);
  });
});
