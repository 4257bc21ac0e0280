import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy, retryDelayMs, sleep } from './retry-policy.ts';

describe('the retry policy', () => {
  const policy = { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2 };

  it('doubles the wait after each failed attempt, up to the cap', () => {
    const upperBounds = [1, 2, 3, 4, 5].map((attempt) => retryDelayMs(policy, attempt, () => 1));
    expect(upperBounds).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('jitters each wait within its upper half so consumers do not retry in lock-step', () => {
    expect(retryDelayMs(policy, 3, () => 0)).toBe(200);
    expect(retryDelayMs(policy, 3, () => 0.5)).toBe(300);
  });

  it('gives up after a bounded number of attempts by default', () => {
    expect(defaultRetryPolicy.maxAttempts).toBeGreaterThan(1);
    expect(defaultRetryPolicy.maxAttempts).toBeLessThanOrEqual(10);
  });

  it('stops waiting as soon as the runner is told to stop', async () => {
    const stopping = new AbortController();
    const waiting = sleep(60_000, stopping.signal, () => new Error('stopped'));
    stopping.abort();
    await expect(waiting).rejects.toThrow('stopped');
  });
});
