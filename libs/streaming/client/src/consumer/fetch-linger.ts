import { sleep } from './retry-policy.ts';

/**
 * Spaces a busy consumer's fetches at least `lingerMs` apart, so records that arrive one by one are
 * handled a few at a time: each batch costs the handler one transaction and the consumer one fetch,
 * whatever its size, and a stack that pays those round trips per record spends its cores on them.
 *
 * kafkajs fetches, hands every partition's batch to the runner, and fetches again once all are
 * handled. After a batch, the runner waits until `lingerMs` after the start of the fetch that
 * brought it. An idle consumer's fetch is a long poll that started long before its record came,
 * so a lone record is never held; a batch that took longer than `lingerMs` to fetch and handle
 * (a backlog) is not held either. The wait ends at once on a stop. It delays only the next fetch:
 * the batch's offsets were resolved before it, so nothing waits uncommitted.
 */
export class FetchLinger {
  readonly #lingerMs: number;
  readonly #stopping: AbortSignal;
  #fetchStartedAt = 0;

  constructor(lingerMs: number, stopping: AbortSignal) {
    this.#lingerMs = lingerMs;
    this.#stopping = stopping;
  }

  /** Called as each fetch starts (kafkajs' FETCH_START instrumentation event). */
  fetchStarted(at: number = Date.now()): void {
    this.#fetchStartedAt = at;
  }

  /** How long to wait after a batch handled at `now`: only the rest of the current fetch's linger. */
  waitMs(now: number = Date.now()): number {
    if (this.#lingerMs <= 0) return 0;
    return Math.max(0, this.#fetchStartedAt + this.#lingerMs - now);
  }

  /** Waits out the rest of the current fetch's linger; returns at once on a stop. */
  async afterBatch(): Promise<void> {
    const wait = this.waitMs();
    if (wait === 0 || this.#stopping.aborted) return;
    await sleep(wait, this.#stopping, () => new Error('stopping')).catch(() => undefined);
  }
}
