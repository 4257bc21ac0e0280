import type { EachBatchPayload } from 'kafkajs';
import type { Logger } from '../logger.ts';

type CommitFunctions = Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'>;

/**
 * Commits the offsets the runner resolved, at most about once per `intervalMs`, instead of after
 * every partition's batch.
 *
 * With kafkajs' autoCommit on, the client commits after each partition's batch, whatever
 * `autoCommitInterval` says: under load that was an OffsetCommit (a request, and a write to the
 * broker's offsets log) for every few records, more requests than the fetches themselves. The
 * runner turns autoCommit off and commits through this instead:
 * - between chunks of a batch, when the interval has passed (kafkajs' `commitOffsetsIfNecessary`);
 * - every half interval while the consumer is idle, so the last batch before a quiet spell is
 *   committed within ~1.5 intervals and lag goes back to 0;
 * - on stop, after the handlers finished and before the member leaves its group.
 *
 * Committing later never loses a record: an offset is only resolved once its record was handled,
 * and what a crash or a rebalance leaves uncommitted is delivered again, which the inbox makes
 * harmless (the at-least-once contract of every consumer in this project).
 */
export class OffsetCommits {
  readonly #logger: Logger;
  readonly #groupId: string;
  readonly #timer: NodeJS.Timeout;
  /** The running client's commit functions, taken from its latest batch (they outlive the batch). */
  #client: CommitFunctions | undefined;
  /** Commits one after another, so a later one never reaches the broker before an earlier one. */
  #chain: Promise<void> = Promise.resolve();

  constructor(options: { groupId: string; intervalMs: number; logger: Logger }) {
    this.#logger = options.logger;
    this.#groupId = options.groupId;
    this.#timer = setInterval(() => void this.#commit(false), options.intervalMs / 2);
    this.#timer.unref();
  }

  /** Remembers the client a batch came from: its group's offsets are the ones to commit. */
  track(payload: CommitFunctions): void {
    this.#client = payload;
  }

  /**
   * Drops the client's commit functions: kafkajs replaces its whole group client when it restarts
   * after a crash, and the old one's member is gone (a commit through it could only fail, again and
   * again while the consumer is idle). The new client's first batch is tracked instead.
   */
  forget(): void {
    this.#client = undefined;
  }

  /** Commits every resolved offset now (on stop). Failures are logged: the records come again. */
  commitAll(): Promise<void> {
    return this.#commit(true);
  }

  /** Stops the idle timer (the runner has stopped). */
  dispose(): void {
    clearInterval(this.#timer);
  }

  #commit(all: boolean): Promise<void> {
    const client = this.#client;
    if (client === undefined) return this.#chain;
    this.#chain = this.#chain.then(async () => {
      try {
        // kafkajs sends nothing when no offset changed since its last commit.
        if (all) await client.commitOffsetsIfNecessary(client.uncommittedOffsets());
        else await client.commitOffsetsIfNecessary();
      } catch (error) {
        // A rebalance or a restart of the client in between: the new generation commits its own.
        this.#logger[all ? 'warn' : 'debug'](
          { groupId: this.#groupId, error: (error as Error).message },
          'committing offsets failed; their records will be delivered again',
        );
      }
    });
    return this.#chain;
  }
}
