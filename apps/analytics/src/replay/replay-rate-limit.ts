/**
 * How fast a replay may feed records to the pipeline: a token bucket of `recordsPerSecond`, holding at
 * most one second's worth. A replay re-reads every topic from the beginning; unbounded, it takes every
 * core and a steady stream of large commits from the PostgreSQL server the shop's services share, and
 * the live path's latency goes with them. Bounded, it takes longer and the shop does not notice.
 *
 * `lift()` ends the bound (the replay caught up: its group is the live one now) and `release()` lets
 * every waiter through at once (a stop must not wait for the bucket).
 */
export class ReplayRateLimit {
  readonly recordsPerSecond: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  #tokens: number;
  #last: number;
  #lifted = false;
  #released = new AbortController();
  #waitedMs = 0;
  /** Waiters queue behind each other: one batch's wait must not be overtaken by a later batch. */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    recordsPerSecond: number,
    clock: {
      now?: () => number;
      sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
    } = {},
  ) {
    if (!(recordsPerSecond > 0)) throw new RangeError('recordsPerSecond must be positive');
    this.recordsPerSecond = recordsPerSecond;
    this.#now = clock.now ?? (() => performance.now());
    this.#sleep = clock.sleep ?? abortableSleep;
    this.#tokens = recordsPerSecond;
    this.#last = this.#now();
  }

  /** Milliseconds the replay has been held back so far. */
  get waitedMs(): number {
    return Math.round(this.#waitedMs);
  }

  get lifted(): boolean {
    return this.#lifted;
  }

  /** Resolves when `records` more records may be processed. */
  take(records: number): Promise<void> {
    const turn = this.#queue.then(() => this.#takeNow(records));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  lift(): void {
    this.#lifted = true;
    this.#released.abort();
  }

  release(): void {
    this.#released.abort();
  }

  async #takeNow(records: number): Promise<void> {
    if (this.#lifted || this.#released.signal.aborted) return;
    this.#refill();
    // A batch larger than the bucket goes through once the bucket is full, leaving it in debt.
    const needed = Math.min(records, this.recordsPerSecond);
    if (this.#tokens < needed) {
      const waitMs = ((needed - this.#tokens) / this.recordsPerSecond) * 1000;
      const began = this.#now();
      await this.#sleep(waitMs, this.#released.signal);
      this.#waitedMs += this.#now() - began;
      this.#refill();
    }
    this.#tokens -= records;
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(
      this.recordsPerSecond,
      this.#tokens + (elapsed / 1000) * this.recordsPerSecond,
    );
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
