import type { Logger } from 'pino';

/**
 * A warning that a client can provoke at will (a failed login, TLS garbage) must not let that
 * client flood the log. At most `limit` lines per `intervalMs` are written; the rest are counted
 * and reported by one summary line when the next window opens.
 */
export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #limit: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #windowStart = -Infinity;
  #written = 0;
  #suppressed = 0;

  constructor(
    logger: Logger,
    options: { limit?: number; intervalMs?: number; now?: () => number } = {},
  ) {
    this.#logger = logger;
    this.#limit = options.limit ?? 20;
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  warn(fields: Record<string, unknown>, message: string): void {
    const now = this.#now();
    if (now - this.#windowStart >= this.#intervalMs) {
      if (this.#suppressed > 0)
        this.#logger.warn(
          { suppressed: this.#suppressed, windowMs: this.#intervalMs },
          `${this.#suppressed} similar warnings suppressed (rate limit)`,
        );
      this.#windowStart = now;
      this.#written = 0;
      this.#suppressed = 0;
    }
    if (this.#written < this.#limit) {
      this.#written++;
      this.#logger.warn(fields, message);
    } else {
      this.#suppressed++;
    }
  }
}
