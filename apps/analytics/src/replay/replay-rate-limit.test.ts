import { describe, expect, it } from 'vitest';
import { ReplayRateLimit } from './replay-rate-limit.ts';

/** A clock whose sleeps move time forward at once: the limit's arithmetic without waiting. */
function fakeClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('the replay rate limit', () => {
  it('lets through no more than the rate, plus one second of burst, over any stretch of time', async () => {
    const clock = fakeClock();
    const limit = new ReplayRateLimit(100, clock);
    let records = 0;
    for (let batch = 0; batch < 20; batch++) {
      await limit.take(50);
      records += 50;
      expect(records).toBeLessThanOrEqual(100 + (clock.now() / 1000) * 100);
    }
    // 1,000 records at 100/s with a 100-record bucket: at least 9 s.
    expect(clock.now()).toBeGreaterThanOrEqual(9_000);
    expect(limit.waitedMs).toBeGreaterThanOrEqual(9_000);
  });

  it('does not hold back records the rate has already paid for', async () => {
    const clock = fakeClock();
    const limit = new ReplayRateLimit(100, clock);
    await limit.take(100);
    clock.advance(2_000); // the bucket refills, to one second's worth at most
    await limit.take(100);
    expect(limit.waitedMs).toBe(0);
  });

  it('stops holding anything back once lifted or released', async () => {
    const lifted = new ReplayRateLimit(1);
    lifted.lift();
    await lifted.take(1_000_000);
    expect(lifted.waitedMs).toBe(0);

    const released = new ReplayRateLimit(1);
    await released.take(1);
    const waiting = released.take(1_000); // would take 1,000 s
    released.release();
    await waiting;
    expect(released.lifted).toBe(false);
  });
});
