/**
 * How long a busy hop lets records gather before it takes the next lot: a consumer between the
 * starts of two fetches, the outbox relay between the starts of two drains. The longer the wait,
 * the more records each cycle carries.
 *
 * A cycle costs about the same whatever it carries (a fetch, a transaction and an offset commit; a
 * SELECT, a produce and a mark), so with a fixed wait the cycles per second stay the same as the
 * load rises and on two cores they take the CPU the records need. The wait therefore grows with
 * the rate the hop has been taking records at: a tenth of a millisecond per record a second, never
 * less than `minMs` nor more than `maxMs`. With the defaults a hop taking up to 100 records a second
 * waits 10 ms (as before this grew), at 300/s 30 ms, from 500/s on 50 ms. The latency this adds
 * is where the order rate is high and the batches pay for it; a quiet hop is as quick as ever.
 */
export interface RateLingerOptions {
  /** The wait at a low rate; 0 turns lingering off. */
  minMs: number;
  /** The longest wait, however high the rate. */
  maxMs: number;
}

/** Milliseconds of wait per record a second. */
const MS_PER_RECORD_PER_SECOND = 0.1;
/**
 * The rate is averaged over about this long: a cycle weighs by its length, so a burst in one short
 * cycle moves the rate a little, and a long idle poll nearly resets it.
 */
const AVERAGING_MS = 100;

export class RateLinger {
  readonly #minMs: number;
  readonly #maxMs: number;
  #recordsPerSecond = 0;
  #cycleStartedAt: number | undefined;
  #records = 0;

  constructor(options: RateLingerOptions) {
    this.#minMs = options.minMs;
    this.#maxMs = Math.max(options.minMs, options.maxMs);
  }

  /** A cycle (fetch, drain) starts: the one before it, from its start to now, updates the rate. */
  cycleStarted(at: number = Date.now()): void {
    if (this.#cycleStartedAt !== undefined && at > this.#cycleStartedAt) {
      const elapsed = at - this.#cycleStartedAt;
      const rate = (this.#records * 1000) / elapsed;
      const weight = 1 - Math.exp(-elapsed / AVERAGING_MS);
      this.#recordsPerSecond += weight * (rate - this.#recordsPerSecond);
    }
    this.#cycleStartedAt = at;
    this.#records = 0;
  }

  /** The current cycle took `count` records. */
  took(count: number): void {
    this.#records += count;
  }

  /** The rate the hop has been taking records at, averaged over the last tenth of a second or so. */
  get recordsPerSecond(): number {
    return this.#recordsPerSecond;
  }

  /** The least time between the starts of two cycles at the current rate. */
  get lingerMs(): number {
    if (this.#minMs <= 0) return 0;
    const grown = this.#recordsPerSecond * MS_PER_RECORD_PER_SECOND;
    return Math.min(this.#maxMs, Math.max(this.#minMs, grown));
  }

  /**
   * How long to wait at `now` before the next cycle starts: the rest of the linger since the current
   * one started. A cycle that already took longer (a backlog, a long poll) is not held.
   */
  waitMs(now: number = Date.now()): number {
    if (this.#cycleStartedAt === undefined) return 0;
    return Math.max(0, this.#cycleStartedAt + this.lingerMs - now);
  }
}
