import { describe, expect, it } from 'vitest';
import { RateLinger } from './rate-linger.ts';

/** Runs cycles `everyMs` apart from `from`, each taking `records`, for 2 s; returns when it ended. */
function steady(linger: RateLinger, records: number, everyMs: number, from = 0): number {
  let at = from;
  for (; at <= from + 2_000; at += everyMs) {
    linger.cycleStarted(at);
    linger.took(records);
  }
  return at;
}

describe('a rate linger', () => {
  it('waits its least while the hop takes up to 200 records a second', () => {
    const linger = new RateLinger({ minMs: 10, maxMs: 50 });
    steady(linger, 2, 10); // 200 a second, two per cycle
    expect(linger.recordsPerSecond).toBeCloseTo(200, 0);
    expect(linger.lingerMs).toBeCloseTo(10, 5);
  });

  it('waits a tenth of a millisecond more per record a second above that', () => {
    const linger = new RateLinger({ minMs: 10, maxMs: 50 });
    steady(linger, 9, 30); // 300 a second
    expect(linger.lingerMs).toBeCloseTo(20, 0);
    steady(linger, 20, 40, 2_100); // 500 a second
    expect(linger.lingerMs).toBeCloseTo(40, 0);
  });

  it('never waits longer than its most, however high the rate', () => {
    const linger = new RateLinger({ minMs: 10, maxMs: 50 });
    steady(linger, 200, 50); // 4,000 a second
    expect(linger.lingerMs).toBe(50);
  });

  it('comes back down once the rate falls', () => {
    const linger = new RateLinger({ minMs: 10, maxMs: 50 });
    steady(linger, 50, 50); // 1,000 a second
    expect(linger.lingerMs).toBe(50);
    const end = steady(linger, 0, 500, 2_100); // then idle long polls, for 2 s
    linger.cycleStarted(end);
    expect(linger.lingerMs).toBe(10);
  });

  it('holds only the rest of the linger since the current cycle started', () => {
    const linger = new RateLinger({ minMs: 10, maxMs: 50 });
    expect(linger.waitMs(1_000)).toBe(0); // no cycle yet: nothing to wait for
    linger.cycleStarted(1_000);
    expect(linger.waitMs(1_004)).toBe(6);
    expect(linger.waitMs(1_020)).toBe(0); // a cycle that took longer than the linger is not held
  });

  it('lengthens the wait after a burst, and forgets the burst within half a second', () => {
    const linger = new RateLinger({ minMs: 10, maxMs: 50 });
    steady(linger, 1, 10); // 100 a second
    expect(linger.lingerMs).toBe(10);
    linger.cycleStarted(3_000);
    linger.took(200); // a burst of 200 in one 10 ms cycle (20,000 a second)...
    linger.cycleStarted(3_010);
    expect(linger.lingerMs).toBe(50); // ...lengthens the next wait (the burst is real load)...
    for (let at = 3_020; at <= 3_500; at += 10) {
      linger.cycleStarted(at);
      linger.took(1);
    }
    expect(linger.lingerMs).toBeLessThan(15); // ...and back at 100 a second it fades
  });

  it('is off at 0, and keeps a least above the most', () => {
    const off = new RateLinger({ minMs: 0, maxMs: 50 });
    steady(off, 100, 10);
    expect(off.lingerMs).toBe(0);
    const slow = new RateLinger({ minMs: 100, maxMs: 50 }); // analytics lingers 100 ms
    expect(slow.lingerMs).toBe(100);
  });
});
