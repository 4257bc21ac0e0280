import { RateLinger, type RateLingerOptions } from '../linger/rate-linger.ts';
import { sleep } from './retry-policy.ts';

/**
 * Spaces a busy consumer's fetches apart, so records that arrive one by one are handled a few at a
 * time: each batch costs the handler one transaction and the consumer one fetch, whatever its size,
 * and a stack that pays those round trips per record spends its cores on them. The space grows
 * with the rate records come at (see RateLinger).
 *
 * kafkajs fetches, hands every partition's batch to the runner, and fetches again once all are
 * handled. After a batch, the runner waits until the linger after the start of the fetch that
 * brought it. An idle consumer's fetch is a long poll that started long before its record came,
 * so a lone record is never held; a batch that took longer than the linger to fetch and handle
 * (a backlog) is not held either. The wait ends at once on a stop. It delays only the next fetch:
 * the batch's offsets were resolved before it, so nothing waits uncommitted.
 */
export class FetchLinger {
  readonly #rate: RateLinger;
  readonly #stopping: AbortSignal;

  constructor(options: RateLingerOptions, stopping: AbortSignal) {
    this.#rate = new RateLinger(options);
    this.#stopping = stopping;
  }

  /** Called as each fetch starts (kafkajs' FETCH_START instrumentation event). */
  fetchStarted(at: number = Date.now()): void {
    this.#rate.cycleStarted(at);
  }

  /** How long to wait after a batch of `records` handled at `now`: the rest of its fetch's linger. */
  waitMs(records: number, now: number = Date.now()): number {
    this.#rate.took(records);
    return this.#rate.waitMs(now);
  }

  /** Waits out the rest of the current fetch's linger; returns at once on a stop. */
  async afterBatch(records: number): Promise<void> {
    const wait = this.waitMs(records);
    if (wait === 0 || this.#stopping.aborted) return;
    await sleep(wait, this.#stopping, () => new Error('stopping')).catch(() => undefined);
  }
}
