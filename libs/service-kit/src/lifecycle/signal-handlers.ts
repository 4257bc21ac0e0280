import type { Logger } from 'pino';
import { processShutdown } from './shutdown-registry.ts';
import type { ShutdownRegistry } from './shutdown-registry.ts';

export interface SignalHandlerOptions {
  /** Budget for all shutdown steps together (default 10 s, below Kubernetes' 30 s grace period). */
  timeoutMs?: number;
  registry?: ShutdownRegistry;
  signals?: readonly NodeJS.Signals[];
  /** How to end the process; replaced in tests. */
  exit?: (code: number) => void;
}

/**
 * On the first SIGTERM/SIGINT/SIGHUP, runs the shutdown steps and exits 0 if all succeeded, 1 otherwise.
 * A second signal while that is in progress exits 1 at once: the operator pressing Ctrl-C twice
 * wants the process gone, whatever step is stuck. Returns a function that removes the handlers.
 */
export function installSignalHandlers(
  logger: Logger,
  options: SignalHandlerOptions = {},
): () => void {
  const registry = options.registry ?? processShutdown;
  // SIGHUP: the terminal a service runs in was closed.
  const signals = options.signals ?? ['SIGTERM', 'SIGINT', 'SIGHUP'];

  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;

  const handler = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn(
        { signal },
        `received ${signal} again, exiting without waiting for shutdown steps`,
      );
      flushThen(logger, () => exit(1));
      return;
    }
    shuttingDown = true;
    logger.info(
      { signal, steps: registry.stepNames.toReversed() },
      `received ${signal}, shutting down`,
    );
    void registry.run({ logger, timeoutMs: options.timeoutMs }).then(
      (outcome) => {
        if (outcome.ok) logger.info('shutdown complete');
        else
          logger.error(
            { failed: outcome.failed, timedOut: outcome.timedOut },
            'shutdown finished with failures',
          );
        flushThen(logger, () => exit(outcome.ok ? 0 : 1));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown crashed');
        flushThen(logger, () => exit(1));
      },
    );
  };

  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

/** pino may buffer (with async destinations): make sure the last lines reach the output before exit. */
function flushThen(logger: Logger, then: () => void): void {
  try {
    logger.flush((_error?: Error) => then());
  } catch {
    then();
  }
}
