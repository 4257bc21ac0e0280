import { ShutdownInterruptedError } from './handler-errors.ts';
import { sleep } from './retry-policy.ts';

/**
 * Keeps the consumer's group membership alive while the runner works on a fetched batch, however
 * long that takes (a slow transaction, a database outage retried for minutes): it sends a heartbeat
 * every `intervalMs` in the background, so the coordinator never sees the member as dead and never
 * evicts it.
 *
 * The coordinator answers a heartbeat with REBALANCE_IN_PROGRESS (or an unknown member, or no
 * answer) when the group is changing: the member must stop working on its partitions and rejoin.
 * That error is kept and thrown at the next `check()`, between records and between retries, so the
 * runner stops without committing what it did not finish (those records are redelivered, to this
 * member or another; the inbox makes that harmless).
 */
export class Heartbeats {
  readonly #heartbeat: () => Promise<void>;
  readonly #stopping: AbortSignal;
  readonly #timer: NodeJS.Timeout;
  #lost: unknown;

  constructor(heartbeat: () => Promise<void>, intervalMs: number, stopping: AbortSignal) {
    this.#heartbeat = heartbeat;
    this.#stopping = stopping;
    this.#timer = setInterval(() => void this.beat(), intervalMs);
    this.#timer.unref();
  }

  /** Sends a heartbeat now (the client skips it when one went out within its interval). */
  async beat(): Promise<void> {
    if (this.#lost !== undefined) return;
    try {
      await this.#heartbeat();
    } catch (error) {
      this.#lost ??= error;
    }
  }

  /** Throws if the membership was lost: stop working on this batch and let the client rejoin. */
  check(): void {
    if (this.#lost !== undefined) throw this.#lost;
  }

  /** Waits `ms` (a retry backoff) with heartbeats going on; ends early, throwing, on a stop. */
  async sleep(ms: number): Promise<void> {
    this.check();
    await sleep(ms, this.#stopping, () => new ShutdownInterruptedError());
    await this.beat();
    this.check();
  }

  dispose(): void {
    clearInterval(this.#timer);
  }
}
