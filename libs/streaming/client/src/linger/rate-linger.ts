/**
 * How long a busy hop lets records gather before it takes the next lot: a consumer between the
 * starts of two fetches, the outbox relay between the starts of two drains. The longer the wait,
 * the more records each cycle carries.
 *
 * A cycle costs about the same whatever it carries (a fetch, a transaction and an offset commit; a
 * SELECT, a produce and a mark), so with a fixed wait the cycles per second stay the same as the
 * load rises and on two cores they take the CPU the records need. The wait therefore grows with
 * the rate the hop has been taking records at: `minMs` up to 200 records a second, then a tenth of
 * a millisecond more per record a second, at most `maxMs`. With the defaults a hop waits 10 ms up
 * to 200 records a second (as before the wait grew), 20 ms at 300/s, 40 ms at 500/s and 50 ms from
 * 600/s on. The latency this adds is where the rate is high and the batches pay for it: at 100
 * orders a second an async order still passes its four lingering hops at the least wait each
 * (measured with a linear growth from 0, the async path's decision p99 there rose from ~1.3x to up
 * to 3x the sync path's, the limit issue #12 sets).
 */
export interface RateLingerOptions {
  /** The wait at a low rate; 0 turns lingering off. */
  minMs: number;
  /** The longest wait, however high the rate. */
  maxMs: number;
}

/** The rate up to which the wait stays at its least, in records a second. */
const GROWS_ABOVE_PER_SECOND = 200;
/** Milliseconds of wait per record a second above that. */
const MS_PER_RECORD_PER_SECOND = 0.1;
/**
 * The rate is averaged over about this long: a cycle weighs by its length, so a short cycle moves
 * the average a little and a long idle poll nearly replaces it.
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
    const above = Math.max(0, this.#recordsPerSecond - GROWS_ABOVE_PER_SECOND);
    return Math.min(this.#maxMs, this.#minMs + above * MS_PER_RECORD_PER_SECOND);
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
