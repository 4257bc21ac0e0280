import type { BatchItem } from './consumer-runner.ts';

type Run = (items: readonly BatchItem<unknown>[]) => Promise<void>;

interface Waiting {
  items: readonly BatchItem<unknown>[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Lets the partitions of one fetch share a transaction. A fetch brings a batch per partition, and a
 * consumer that handles partitions concurrently (`partitionsConsumedConcurrently`) hands them to a
 * topic's batch handler at the same moment; under load each holds a record or two, so a transaction
 * per partition batch costs a transaction (five database round trips in sales) per record or two.
 * The batches handed over before the next turn of the event loop run as one call of the handler,
 * their records one partition after another, each partition's in offset order.
 *
 * Each partition batch keeps its own outcome. When the shared call fails, every batch in it is run
 * again on its own, one after another, and each resolves or rejects with what happened to it: a
 * record that cannot be applied fails (and is retried, or dead-lettered) with its own partition's
 * batch only, never with its neighbours'. The handler must apply all of its records or none, as
 * every batch handler must (see EventBatchHandler).
 */
export class BatchCombiner {
  readonly #run: Run;
  #waiting: Waiting[] = [];

  constructor(run: Run) {
    this.#run = run;
  }

  /** Resolves once `items` are applied, alone or with the batches handed over beside them. */
  handle(items: readonly BatchItem<unknown>[]): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#waiting.push({ items, resolve, reject });
    if (this.#waiting.length === 1) setImmediate(() => void this.#runWaiting());
    return promise;
  }

  async #runWaiting(): Promise<void> {
    const group = this.#waiting;
    this.#waiting = [];
    if (group.length > 1) {
      try {
        await this.#run(group.flatMap((waiting) => waiting.items));
        for (const waiting of group) waiting.resolve();
        return;
      } catch {
        // Which batch failed is not known: each goes again alone and learns its own outcome.
      }
    }
    for (const waiting of group)
      await this.#run(waiting.items).then(waiting.resolve, waiting.reject);
  }
}
