import { describe, expect, it } from 'vitest';
import { AppendWaiters, partitionKey } from './append-waiters.ts';

function source() {
  const listeners = new Set<(t: string, p: number) => void>();
  return {
    subscribe: (l: (t: string, p: number) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit: (t: string, p: number) => listeners.forEach((l) => l(t, p)),
    get count() {
      return listeners.size;
    },
  };
}

describe('AppendWaiters', () => {
  it('wakes a waiter when one of its partitions is appended to, and not for other partitions', async () => {
    const src = source();
    const waiters = new AppendWaiters(src.subscribe);
    let woke = false;
    const p = waiters.wait(new Set([partitionKey('a', 0)]), 60_000).then(() => (woke = true));
    src.emit('a', 1);
    src.emit('b', 0);
    await Promise.resolve();
    expect(woke).toBe(false);
    expect(waiters.size).toBe(1);
    src.emit('a', 0);
    await p;
    expect(woke).toBe(true);
    expect(await waiters.wait(new Set(['z']), 1)).toBe('timeout');
    expect(waiters.size).toBe(0);
  });

  it('releases every waiter on close and unsubscribes from the source', async () => {
    const src = source();
    const waiters = new AppendWaiters(src.subscribe);
    const all = Promise.all([
      waiters.wait(new Set(['x']), 60_000),
      waiters.wait(new Set(['y']), 60_000),
    ]);
    waiters.close();
    expect(await all).toEqual(['closed', 'closed']);
    expect(src.count).toBe(0);
    // Returns at once after close, saying so (a long poll must not wait again).
    expect(await waiters.wait(new Set(['x']), 60_000)).toBe('closed');
  });

  it('releases a waiter whose signal aborts', async () => {
    const waiters = new AppendWaiters(source().subscribe);
    const controller = new AbortController();
    const p = waiters.wait(new Set(['x']), 60_000, controller.signal);
    controller.abort();
    expect(await p).toBe('aborted');
    expect(waiters.size).toBe(0);
  });

  it('times out', async () => {
    const waiters = new AppendWaiters(source().subscribe);
    await waiters.wait(new Set(['x']), 5);
    expect(waiters.size).toBe(0);
  });
});
