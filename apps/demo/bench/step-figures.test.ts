import { describe, expect, it } from 'vitest';
import type { Decision } from './broker-probes.ts';
import type { SentOrder } from './open-loop.ts';
import {
  analyticsKeepsUp,
  lateness,
  pathFigures,
  percentileWithMissing,
  slope,
  sloVerdict,
  sustainedRate,
} from './step-figures.ts';
import type { PathFigures } from './step-figures.ts';

const order = (overrides: Partial<SentOrder>): SentOrder => ({
  path: 'async',
  scheduledAt: 1000,
  sentAt: 1000,
  answeredAt: 1010,
  status: 202,
  error: null,
  orderId: null,
  answer: 'PENDING',
  ...overrides,
});

const decided = (publishedAt: number, outcome: Decision['outcome'] = 'CONFIRMED'): Decision => ({
  outcome,
  publishedAt,
  seenAt: publishedAt + 1,
});

describe('percentiles with undecided orders', () => {
  it('is the nearest-rank percentile when nothing is missing', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileWithMissing(values, 0, 50)).toBe(50);
    expect(percentileWithMissing(values, 0, 99)).toBe(99);
    expect(percentileWithMissing([7], 0, 99)).toBe(7);
  });

  it('ranks the missing values above every known one', () => {
    const values = Array.from({ length: 98 }, (_, i) => i + 1);
    // 100 orders, 2 undecided: p98 is still known, p99 falls among the undecided.
    expect(percentileWithMissing(values, 2, 98)).toBe(98);
    expect(percentileWithMissing(values, 2, 99)).toBe(Number.POSITIVE_INFINITY);
    expect(percentileWithMissing([], 3, 50)).toBe(Number.POSITIVE_INFINITY);
  });

  it('has no value without any order', () => {
    expect(percentileWithMissing([], 0, 50)).toBeNaN();
  });
});

describe('figures of one path', () => {
  it('follows async orders to their decision on the topic, counting errors by kind', () => {
    const orders = [
      order({ orderId: 'a', sentAt: 1000, answeredAt: 1004 }),
      order({ orderId: 'b', sentAt: 2000, answeredAt: 2008 }),
      order({ orderId: 'c', sentAt: 3000, answeredAt: 3002 }),
      order({ status: 503, answeredAt: 4100, sentAt: 4000, error: 'HTTP 503', answer: null }),
      order({ status: 0, answeredAt: Number.NaN, error: 'ECONNRESET', answer: null }),
      order({ path: 'sync', orderId: 's', status: 201, answer: 'CONFIRMED' }),
    ];
    const decisions = new Map([
      ['a', decided(1100)],
      ['b', decided(2300, 'REJECTED')],
    ]);
    const f = pathFigures(orders, 'async', decisions);
    expect(f).toMatchObject({
      sent: 5,
      accepted: 3,
      errors: { 'HTTP 503': 1, ECONNRESET: 1 },
      undecided: 1,
      confirmed: 1,
      rejected: 1,
    });
    // Answer times: 4, 8, 2 and the 503 after 100 ms; the reset got no answer.
    expect(f.acceptP50Ms).toBe(4);
    expect(f.acceptP99Ms).toBe(100);
    // Decisions 100 and 300 ms, one undecided: the median is known, the p99 is not.
    expect(f.decisionP50Ms).toBe(300);
    expect(f.decisionP99Ms).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes the 201 answer as the sync decision', () => {
    const orders = [
      order({ path: 'sync', status: 201, answer: 'CONFIRMED', sentAt: 0, answeredAt: 20 }),
      order({ path: 'sync', status: 201, answer: 'REJECTED', sentAt: 0, answeredAt: 40 }),
    ];
    expect(pathFigures(orders, 'sync', new Map())).toMatchObject({
      sent: 2,
      accepted: 2,
      confirmed: 1,
      rejected: 1,
      undecided: 0,
      decisionP50Ms: 20,
      decisionP99Ms: 40,
    });
  });
});

describe('generator lateness', () => {
  it('counts sends that left more than 10 ms after their schedule', () => {
    const orders = [0, 5, 10, 11, 50].map((late) =>
      order({ scheduledAt: 100, sentAt: 100 + late }),
    );
    expect(lateness(orders)).toEqual({ late: 2, p99Ms: 50, maxMs: 50 });
  });
});

describe('the SLO', () => {
  const healthy: PathFigures = {
    sent: 1000,
    accepted: 1000,
    errors: {},
    acceptP50Ms: 5,
    acceptP99Ms: 50,
    decisionP50Ms: 40,
    decisionP99Ms: 1000,
    undecided: 0,
    confirmed: 990,
    rejected: 10,
  };
  const step = {
    paths: { async: healthy, sync: healthy },
    lagAfterDrain: { inventory: 0, analytics: 0 },
    sent: 2000,
    lateSends: 20,
  };

  it('is met at its limits', () => {
    expect(sloVerdict(step)).toEqual({ met: true, misses: [] });
  });

  it('names every miss', () => {
    const verdict = sloVerdict({
      paths: {
        async: { ...healthy, errors: { 'HTTP 503': 2 }, decisionP99Ms: Number.POSITIVE_INFINITY },
        sync: { ...healthy, acceptP99Ms: 51 },
      },
      lagAfterDrain: { inventory: 0, analytics: 12 },
      sent: 2000,
      lateSends: 21,
    });
    expect(verdict.met).toBe(false);
    expect(verdict.misses).toEqual([
      'async: 2 errors',
      'async: decision p99 undecided > 1000 ms',
      'sync: accept p99 51 ms > 50 ms',
      'lag not back to 0 within 5 s of the step: analytics 12',
      'generator late on 21 of 2000 sends',
    ]);
  });

  it('does not judge a path that sent nothing', () => {
    const empty = { ...healthy, sent: 0, acceptP99Ms: Number.NaN, decisionP99Ms: Number.NaN };
    expect(sloVerdict({ ...step, paths: { async: healthy, sync: empty } }).met).toBe(true);
  });

  it('calls the highest step that met it sustained, even above a missed one', () => {
    const at = (rate: number, met: boolean) => ({ rate, slo: { met, misses: [] } });
    expect(sustainedRate([at(50, true), at(100, true), at(200, false)])).toBe(100);
    expect(sustainedRate([at(50, true), at(100, false), at(200, true)])).toBe(200);
    expect(sustainedRate([at(50, false)])).toBeNull();
  });
});

describe('analytics keeping up', () => {
  it('fits the trend of the lag', () => {
    expect(slope([])).toBe(0);
    expect(
      slope([
        { x: 0, y: 5 },
        { x: 10, y: 25 },
        { x: 20, y: 45 },
      ]),
    ).toBeCloseTo(2);
  });

  it('keeps up when the lag has no upward trend and drains', () => {
    const flat = [0, 5, 10, 15, 20].map((atSeconds, i) => ({
      atSeconds,
      lag: [30, 80, 20, 60, 40][i]!,
    }));
    expect(analyticsKeepsUp(flat, 500, 0).met).toBe(true);
    expect(analyticsKeepsUp(flat, 500, 3).met).toBe(false);
  });

  it('falls behind when the lag grows by 1 % of the rate or more', () => {
    const growing = [0, 5, 10, 15, 20].map((atSeconds) => ({ atSeconds, lag: atSeconds * 5 }));
    const verdict = analyticsKeepsUp(growing, 500, 0);
    expect(verdict.slopePerSecond).toBeCloseTo(5);
    expect(verdict.met).toBe(false);
  });
});
