import type { EachBatchPayload, Offsets } from 'kafkajs';

/**
 * When a consumer's resolved offsets are committed. kafkajs with `autoCommit` commits after every
 * fetched batch whatever `autoCommitInterval` says (the interval only adds commits), so a consumer
 * whose records arrive one by one sent one OffsetCommit per record: a round trip for the client and
 * an append to `__consumer_offsets` for the broker, for each order at each hop. The runner turns
 * kafkajs's auto-commit off and commits through this instead:
 * - while busy, about once per interval (kafkajs's own interval check after each batch, and a
 *   timer armed by the first batch after a commit, which also covers a consumer gone quiet, so
 *   its group's lag reads 0 within an interval);
 * - at once when it stops, or when a batch ends with an error (a rebalance says so through the
 *   heartbeat), so the next owner of a partition starts after every record that was applied.
 *
 * Only offsets of records already applied (or dead-lettered) are ever resolved, so committing them
 * later never skips a record. What a commit loses to a crash (kill -9) or to a rebalance that comes
 * between batches is at most one interval of records, delivered again; the consumers are idempotent
 * (inbox, or the stream processor's own offsets), as they already had to be for a crash mid-batch.
 */
export class OffsetCommits {
  readonly #intervalMs: number;
  readonly #onError: (error: Error) => void;
  /** Commits every resolved offset not yet committed, through the latest batch's payload. */
  #commitResolved: (() => Promise<void>) | undefined;
  #quiet: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, onError: (error: Error) => void) {
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  /** Before a batch: later commits go through its payload (any payload commits the whole group's). */
  track(payload: EachBatchPayload): void {
    // kafkajs commits everything resolved when it is given offsets without topics.
    const everything = {} as Offsets;
    this.#commitResolved = () => payload.commitOffsetsIfNecessary(everything);
  }

  /** After a batch: its offsets are committed one interval later at the latest, busy or not. */
  afterBatch(): void {
    this.#quiet ??= setTimeout(() => void this.flush(), this.#intervalMs).unref();
  }

  /** Commits every resolved offset now; a failure is reported, not thrown (the records come again). */
  async flush(): Promise<void> {
    clearTimeout(this.#quiet);
    this.#quiet = undefined;
    await this.#commitResolved?.().catch((error: Error) => this.#onError(error));
  }

  dispose(): void {
    clearTimeout(this.#quiet);
    this.#quiet = undefined;
  }
}
