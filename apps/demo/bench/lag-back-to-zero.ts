import { setTimeout as sleep } from 'node:timers/promises';
import { epochNow } from './open-loop.ts';

/**
 * Each group's lag once it has been seen back at 0, or else its lag at `deadline`: the SLO's "back
 * to 0 within 5 s". One reading at the deadline is not that: records that keep arriving after the
 * load (the access-log lines of the services' span exports, say) leave a group a record or two
 * behind at any given instant although it has nothing to catch up on.
 */
export async function lagBackToZero(
  measure: () => Promise<Record<string, number>>,
  atEnd: Record<string, number>,
  deadline: number,
  pollMs = 250,
): Promise<Record<string, number>> {
  const lag = { ...atEnd };
  while (Object.values(lag).some((behind) => behind > 0) && epochNow() < deadline) {
    await sleep(Math.min(pollMs, Math.max(0, deadline - epochNow())));
    const now = await measure();
    for (const [group, behind] of Object.entries(now)) if (lag[group] !== 0) lag[group] = behind;
  }
  return lag;
}
