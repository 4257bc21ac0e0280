/**
 * Lets Fetch long-polls sleep until one of the partitions they read from receives an append.
 *
 * One subscription on the LogManager feeds all waiters (instead of one listener per parked fetch), and
 * `close()` wakes everyone so a shutting-down broker never keeps a request hanging for maxWaitMs.
 */
export type AppendSource = (listener: (topic: string, partition: number) => void) => () => void;

/** Why a wait ended. Only 'append' is worth waiting again for. */
export type WakeReason = 'append' | 'timeout' | 'aborted' | 'closed';

interface Waiter {
  keys: ReadonlySet<string>;
  wake: (reason: WakeReason) => void;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class AppendWaiters {
  private readonly waiters = new Set<Waiter>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(subscribe: AppendSource) {
    this.unsubscribe = subscribe((topic, partition) => this.notify(topic, partition));
  }

  /** Number of parked waits (exposed for tests and diagnostics). */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves when a partition in `keys` is appended to, `timeoutMs` elapses, `signal` aborts or the
   * broker closes, whichever comes first, with the reason. Never rejects: the caller re-reads the
   * logs, and waits again only after an 'append' (anything else means: answer now).
   */
  wait(keys: ReadonlySet<string>, timeoutMs: number, signal?: AbortSignal): Promise<WakeReason> {
    if (this.closed) return Promise.resolve('closed');
    if (signal?.aborted) return Promise.resolve('aborted');
    if (timeoutMs <= 0) return Promise.resolve('timeout');
    return new Promise<WakeReason>((resolve) => {
      const finish = (reason: WakeReason) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
        resolve(reason);
      };
      const onAbort = () => finish('aborted');
      const waiter: Waiter = { keys, wake: finish };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Wakes every waiter and refuses new waits. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const waiter of [...this.waiters]) waiter.wake('closed');
  }

  private notify(topic: string, partition: number): void {
    if (this.waiters.size === 0) return;
    const key = partitionKey(topic, partition);
    for (const waiter of [...this.waiters]) {
      if (waiter.keys.has(key)) waiter.wake('append');
    }
  }
}
