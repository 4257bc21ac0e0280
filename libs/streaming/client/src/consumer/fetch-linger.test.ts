import { describe, expect, it } from 'vitest';
import { FetchLinger } from './fetch-linger.ts';

const linger10 = () => new FetchLinger({ minMs: 10, maxMs: 50 }, new AbortController().signal);

describe('a fetch linger', () => {
  it('holds a batch handled soon after its fetch started for the rest of the linger', () => {
    const linger = linger10();
    linger.fetchStarted(1_000);
    expect(linger.waitMs(1, 1_003)).toBe(7);
  });

  it('never holds a batch whose fetch was a long poll or whose handling took the whole linger', () => {
    const linger = linger10();
    linger.fetchStarted(1_000);
    expect(linger.waitMs(1, 1_500)).toBe(0); // an idle consumer's long poll, answered by a lone record
    expect(linger.waitMs(1, 1_010)).toBe(0);
  });

  it('holds the partitions of one fetch together: only until the same end, not once each', () => {
    const linger = linger10();
    linger.fetchStarted(1_000);
    expect(linger.waitMs(1, 1_002)).toBe(8); // the first partition's batch waits...
    expect(linger.waitMs(1, 1_011)).toBe(0); // ...and the next one of the same fetch goes straight on
  });

  it('spaces fetches further apart while records come fast', () => {
    const linger = linger10();
    // 40 records every 50 ms (800 a second) for a second: the linger grows to its most.
    for (let at = 0; at <= 1_000; at += 50) {
      linger.fetchStarted(at);
      linger.waitMs(40, at + 1);
    }
    linger.fetchStarted(1_050);
    expect(linger.waitMs(40, 1_051)).toBe(49);
  });

  it('is off at 0', () => {
    const linger = new FetchLinger({ minMs: 0, maxMs: 50 }, new AbortController().signal);
    linger.fetchStarted(1_000);
    expect(linger.waitMs(1, 1_000)).toBe(0);
  });

  it('ends its wait as soon as the consumer stops', async () => {
    const stopping = new AbortController();
    const linger = new FetchLinger({ minMs: 60_000, maxMs: 60_000 }, stopping.signal);
    linger.fetchStarted();
    const waiting = linger.afterBatch(1);
    stopping.abort();
    // Resolves instead of hanging for a minute (the test runner's timeout would fail it).
    await expect(waiting).resolves.toBeUndefined();
  });
});
