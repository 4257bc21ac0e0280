import { describe, expect, it } from 'vitest';
import { lagBackToZero } from './lag-back-to-zero.ts';
import { epochNow } from './open-loop.ts';

/** A lag probe that answers the given readings in turn (the last one from then on). */
function readings(...answers: Record<string, number>[]) {
  let calls = 0;
  const measure = async () => answers[Math.min(calls++, answers.length - 1)] ?? {};
  return { measure, calls: () => calls };
}

describe('lagBackToZero', () => {
  it('counts a group as back at 0 once it has been seen there, whatever it reads later', async () => {
    const probe = readings(
      { analytics: 3, sales: 0 },
      { analytics: 0, sales: 2 }, // sales got a new record after it was back at 0: still counted 0
      { analytics: 1, sales: 0 },
    );
    const lag = await lagBackToZero(
      probe.measure,
      { analytics: 40, sales: 5 },
      epochNow() + 2_000,
      1,
    );
    expect(lag).toEqual({ analytics: 0, sales: 0 });
    expect(probe.calls()).toBe(2);
  });

  it('answers the lag at the deadline for a group that never got back to 0', async () => {
    const probe = readings({ analytics: 120 }, { analytics: 90 });
    const lag = await lagBackToZero(probe.measure, { analytics: 150 }, epochNow() + 60, 10);
    expect(lag).toEqual({ analytics: 90 });
  });

  it('reads nothing more when every group is at 0 at the end of the step', async () => {
    const probe = readings({ analytics: 5 });
    expect(await lagBackToZero(probe.measure, { analytics: 0 }, epochNow() + 5_000)).toEqual({
      analytics: 0,
    });
    expect(probe.calls()).toBe(0);
  });
});
