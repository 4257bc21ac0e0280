import type { Logger } from 'pino';

export type ShutdownStep = () => Promise<unknown> | unknown;

export interface ShutdownOutcome {
  ok: boolean;
  /** Names of steps that threw. */
  failed: string[];
  /** Name of the step still running when the deadline passed; later steps were not started. */
  timedOut?: string;
}

export class ShutdownError extends Error {
  readonly code = 'SHUTDOWN_STEP_TIMEOUT';
  constructor(step: string, timeoutMs: number) {
    super(`shutdown step "${step}" did not finish within the ${timeoutMs} ms shutdown budget`);
    this.name = 'ShutdownError';
  }
}

/**
 * Shutdown steps in registration order, run in REVERSE: what started last depends on what started
 * first (the HTTP server on the consumers, the consumers on the database pool), so it stops first.
 * The whole run shares one time budget; a step that outlives it is reported and the rest are
 * skipped, because the process is about to exit anyway and a hung step must not keep it alive.
 */
export class ShutdownRegistry {
  readonly #steps: { name: string; step: ShutdownStep }[] = [];
  #running: Promise<ShutdownOutcome> | undefined;

  /** Registers a step; returns a function that unregisters it (for resources closed early). */
  onShutdown(name: string, step: ShutdownStep): () => void {
    const entry = { name, step };
    this.#steps.push(entry);
    return () => {
      const index = this.#steps.indexOf(entry);
      if (index >= 0) this.#steps.splice(index, 1);
    };
  }

  get stepNames(): string[] {
    return this.#steps.map((entry) => entry.name);
  }

  /** Runs the steps once; later calls return the first run's outcome. */
  run(options: { logger: Logger; timeoutMs?: number }): Promise<ShutdownOutcome> {
    this.#running ??= this.#runSteps(options.logger, options.timeoutMs ?? 10_000);
    return this.#running;
  }

  async #runSteps(logger: Logger, timeoutMs: number): Promise<ShutdownOutcome> {
    const deadline = performance.now() + timeoutMs;
    const failed: string[] = [];
    for (const { name, step } of [...this.#steps].reverse()) {
      const started = performance.now();
      const remaining = Math.max(0, deadline - started);
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), remaining);
      });
      try {
        const outcome = await Promise.race([Promise.resolve().then(step), expired]);
        if (outcome === 'expired') {
          const error = new ShutdownError(name, timeoutMs);
          logger.error({ step: name, code: error.code }, error.message);
          return { ok: false, failed, timedOut: name };
        }
        logger.info(
          { step: name, durationMs: Math.round(performance.now() - started) },
          `shutdown step "${name}" done`,
        );
      } catch (error) {
        failed.push(name);
        logger.error({ step: name, err: error }, `shutdown step "${name}" failed`);
      } finally {
        clearTimeout(timer);
      }
    }
    return { ok: failed.length === 0, failed };
  }
}

/** The process-wide registry that `onShutdown` and `installSignalHandlers` use by default. */
export const processShutdown = new ShutdownRegistry();

export function onShutdown(name: string, step: ShutdownStep): () => void {
  return processShutdown.onShutdown(name, step);
}
