import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.ts';

describe('waitFor', () => {
  it('returns the first value the probe produces', async () => {
    let calls = 0;
    const value = await waitFor('the third call', () => (++calls === 3 ? 'done' : undefined), {
      intervalMs: 1,
    });
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('fails after its timeout naming what it waited for and what it last saw', async () => {
    await expect(
      waitFor('order 42 to be CONFIRMED', () => undefined, {
        timeoutMs: 30,
        intervalMs: 5,
        lastSeen: () => ({ status: 'PENDING' }),
      }),
    ).rejects.toThrow(/waiting for order 42 to be CONFIRMED; last seen: \{"status":"PENDING"\}/);
  });

  it('reports the last error a probe threw', async () => {
    await expect(
      waitFor(
        'inventory to answer',
        () => {
          throw new Error('ECONNREFUSED');
        },
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toMatchObject({ code: 'WAIT_TIMEOUT', message: /ECONNREFUSED/ });
  });
});
