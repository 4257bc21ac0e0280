import type { Logger } from '@retail-streams/streaming-client';
import type { ReorderingDb } from '../database.ts';
import { advanceNextDueOrder, nextStepDueAt, type SupplierStep } from './supplier-steps.ts';

export interface SimulatedSupplierOptions {
  db: ReorderingDb;
  logger: Logger;
  now?: () => Date;
  /** Called after each step commits (for logs, tests and metrics). */
  onStep?: (step: SupplierStep) => void;
  /**
   * A slow safety net: a replica learns of orders opened by another replica only through the
   * database, so every instance looks again now and then. A single instance never needs it.
   */
  recheckEveryMs?: number;
}

// setTimeout's longest delay; a later due time is reached by waking and planning again.
const MAX_TIMER_MS = 2_147_483_647;
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * The supplier, simulated in-process but driven entirely by the database: each open purchase order
 * carries the time of its next step (`next_step_at`). The supplier sleeps on one timer set for the
 * earliest due step, performs every step that is due, and sets the timer again. Nothing is held in
 * memory that a restart could lose: a new process plans from the table, and steps that fell due while
 * it was down run at once. `wake()` replans when a new order is opened.
 */
export class SimulatedSupplier {
  readonly #options: SimulatedSupplierOptions;
  #timer: NodeJS.Timeout | undefined;
  #recheck: NodeJS.Timeout | undefined;
  #pass: Promise<void> | undefined;
  #passAgain = false;
  #stopped = false;
  #failures = 0;
  #steps = 0;

  constructor(options: SimulatedSupplierOptions) {
    this.#options = options;
  }

  /** Steps performed by this instance since start. */
  get steps(): number {
    return this.#steps;
  }

  start(): void {
    this.#stopped = false;
    const recheckEveryMs = this.#options.recheckEveryMs ?? 60_000;
    this.#recheck = setInterval(() => this.wake(), recheckEveryMs);
    this.#recheck.unref();
    this.wake();
  }

  /** Performs what is due now and plans the next wake-up (after a new order, or on the timer). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#pass) {
      this.#passAgain = true;
      return;
    }
    this.#clearTimer();
    this.#pass = this.#runPasses().finally(() => {
      this.#pass = undefined;
    });
  }

  /** Resolves when the pass in progress (if any) has finished. */
  async idle(): Promise<void> {
    while (this.#pass) await this.#pass;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimer();
    if (this.#recheck) clearInterval(this.#recheck);
    this.#recheck = undefined;
    await this.idle();
  }

  async #runPasses(): Promise<void> {
    do {
      this.#passAgain = false;
      try {
        await this.#performDueSteps();
        const due = await nextStepDueAt(this.#options.db);
        this.#failures = 0;
        if (due !== null) this.#schedule(due.getTime() - this.#now().getTime() + 1);
      } catch (error) {
        // The database is down or refused: try again later rather than give up on the orders.
        this.#failures += 1;
        const delay = Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** Math.min(this.#failures, 10));
        this.#options.logger.warn(
          {
            code: 'SUPPLIER_STEP_FAILED',
            error: (error as Error).message,
            failures: this.#failures,
            retryInMs: delay,
          },
          'simulated supplier could not advance purchase orders; retrying',
        );
        this.#schedule(delay);
        return;
      }
    } while (this.#passAgain && !this.#stopped);
  }

  async #performDueSteps(): Promise<void> {
    while (!this.#stopped) {
      const step = await advanceNextDueOrder(this.#options.db, this.#now());
      if (step === null) return;
      this.#steps += 1;
      this.#options.logger.info(step, `purchase order ${step.step}`);
      this.#options.onStep?.(step);
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#clearTimer();
    this.#timer = setTimeout(() => this.wake(), Math.min(Math.max(delayMs, 0), MAX_TIMER_MS));
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}
