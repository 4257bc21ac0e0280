import { describe, expect, it } from 'vitest';
import { FetchLinger } from './fetch-linger.ts';

describe('a fetch linger', () => {
  it('holds a batch handled soon after its fetch started for the rest of the linger', () => {
    const linger = new FetchLinger(10, new AbortController().signal);
    linger.fetchStarted(1_000);
    expect(linger.waitMs(1_003)).toBe(7);
  });

  it('never holds a batch whose fetch was a long poll or whose handling took the whole linger', () => {
    const linger = new FetchLinger(10, new AbortController().signal);
    linger.fetchStarted(1_000);
    expect(linger.waitMs(1_500)).toBe(0); // an idle consumer's long poll, answered by a lone record
    expect(linger.waitMs(1_010)).toBe(0);
  });

  it('holds the partitions of one fetch together: only until the same end, not once each', () => {
    const linger = new FetchLinger(10, new AbortController().signal);
    linger.fetchStarted(1_000);
    expect(linger.waitMs(1_002)).toBe(8); // the first partition's batch waits...
    expect(linger.waitMs(1_011)).toBe(0); // ...and the next one of the same fetch goes straight on
  });

  it('is off at 0', () => {
    const linger = new FetchLinger(0, new AbortController().signal);
    linger.fetchStarted(1_000);
    expect(linger.waitMs(1_000)).toBe(0);
  });

  it('ends its wait as soon as the consumer stops', async () => {
    const stopping = new AbortController();
    const linger = new FetchLinger(60_000, stopping.signal);
    linger.fetchStarted();
    const waiting = linger.afterBatch();
    stopping.abort();
    // Resolves instead of hanging for a minute (the test runner's timeout would fail it).
    await expect(waiting).resolves.toBeUndefined();
  });
});
