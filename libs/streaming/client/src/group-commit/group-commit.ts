import type { Logger } from '../logger.ts';
import { describeFailure } from '../consumer/handler-errors.ts';

export interface GroupCommitOptions<I, R> {
  /** Writes a batch in one transaction; resolves with one result per item, in the same order. */
  commit: (items: readonly I[]) => Promise<R[]>;
  logger: Logger;
  /** What the items are, for the log line when a batch fails ("orders", "sync reservations"). */
  what: string;
  /** The most items one commit carries. */
  maxBatch: number;
  /** Whether one more commit may start while `inFlight` run, for the items waiting; default: one at a time. */
  mayStart?: (inFlight: number, waiting: readonly I[]) => boolean;
}

interface Pending<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * GROUP COMMIT for requests that each need a transaction: the items submitted while a commit is in
 * flight are written together by the next one, so under load the cost per item falls as batches
 * grow, and under light load a commit carries one item and nothing waits. Each submitter is answered
 * only once its item is committed.
 *
 * If a batch fails, its items are committed again one by one, so one item the database refuses fails
 * only its own request; when the database is unavailable, the whole batch fails at once.
 */
export class GroupCommit<I, R> {
  readonly #options: GroupCommitOptions<I, R>;
  #queue: Pending<I, R>[] = [];
  #inFlight = 0;
  #starting = false;

  constructor(options: GroupCommitOptions<I, R>) {
    this.#options = options;
  }

  /** Commits `item` with whatever else is waiting; resolves with its result. */
  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#startCommits();
    });
  }

  #mayStart(): boolean {
    if (this.#queue.length === 0) return false;
    if (this.#inFlight === 0) return true;
    return (
      this.#options.mayStart?.(
        this.#inFlight,
        this.#queue.map((pending) => pending.item),
      ) ?? false
    );
  }

  #startCommits(): void {
    if (this.#starting || !this.#mayStart()) return;
    this.#starting = true;
    // Let the requests already on their way join the commit.
    setImmediate(() => {
      this.#starting = false;
      while (this.#mayStart()) {
        this.#inFlight += 1;
        void this.#flush(this.#queue.splice(0, this.#options.maxBatch)).finally(() => {
          this.#inFlight -= 1;
          this.#startCommits();
        });
      }
    });
  }

  async #flush(batch: Pending<I, R>[]): Promise<void> {
    try {
      const results = await this.#options.commit(batch.map((pending) => pending.item));
      batch.forEach((pending, index) => pending.resolve(results[index] as R));
      return;
    } catch (error) {
      // One by one only helps when an item itself is the problem; not when the database is away.
      if (batch.length === 1 || describeFailure(error).kind === 'unavailable') {
        for (const pending of batch) pending.reject(error);
        return;
      }
      this.#options.logger.warn(
        { items: batch.length, error: (error as Error).message },
        `committing a batch of ${this.#options.what} failed; committing them one by one`,
      );
    }
    for (const pending of batch) {
      await this.#options
        .commit([pending.item])
        .then(([result]) => pending.resolve(result as R), pending.reject);
    }
  }
}
