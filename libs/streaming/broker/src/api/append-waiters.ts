/**
 * Lets Fetch long-polls sleep until one of the partitions they read from receives an append.
 *
 * One subscription on the LogManager feeds all waiters (instead of one listener per parked fetch), and
 * `close()` wakes everyone so a shutting-down broker never keeps a request hanging for maxWaitMs.
 */
export type AppendSource = (listener: (topic: string, partition: number) => void) => () => void;

interface Waiter {
  keys: ReadonlySet<string>;
  wake: () => void;
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
   * broker closes, whichever comes first. Never rejects: the caller simply re-reads the logs.
   */
  wait(keys: ReadonlySet<string>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || timeoutMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        this.waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { keys, wake: finish };
      const timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Wakes every waiter and refuses new waits. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  private notify(topic: string, partition: number): void {
    if (this.waiters.size === 0) return;
    const key = partitionKey(topic, partition);
    for (const waiter of [...this.waiters]) {
      if (waiter.keys.has(key)) waiter.wake();
    }
  }
}
