import type { Logger } from 'pino';
import { createLogger } from '../logging/create-logger.ts';
import { processShutdown } from './shutdown-registry.ts';
import type { ShutdownRegistry } from './shutdown-registry.ts';
import { installSignalHandlers } from './signal-handlers.ts';

export interface RunServiceOptions {
  logger?: Logger;
  /** Budget for the shutdown steps; defaults to SHUTDOWN_TIMEOUT_MS or 10 s. */
  shutdownTimeoutMs?: number;
  registry?: ShutdownRegistry;
  exit?: (code: number) => void;
}

/**
 * A service's `main`: creates its logger, installs the signal handlers, runs `start` (which loads
 * config, migrates, starts the server and registers its shutdown steps), and turns any start-up
 * failure or later crash into one fatal log line (with the error's code, e.g. CONFIG_INVALID), the
 * shutdown steps registered so far, and exit code 1.
 *
 *   await runService('sales', async ({ logger }) => { ...; onShutdown('http', () => server.close()); });
 */
export async function runService(
  name: string,
  start: (context: { logger: Logger }) => Promise<void> | void,
  options: RunServiceOptions = {},
): Promise<void> {
  const logger = options.logger ?? createLogger(name);
  const registry = options.registry ?? processShutdown;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const fromEnv = Number(process.env['SHUTDOWN_TIMEOUT_MS']);
  const timeoutMs =
    options.shutdownTimeoutMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 10_000);
  installSignalHandlers(logger, { timeoutMs, registry, exit });

  let failing = false;
  const fail = async (error: unknown, message: string): Promise<void> => {
    if (failing) return;
    failing = true;
    const code = (error as { code?: unknown } | null)?.code;
    logger.fatal({ err: error, code }, `${message}: ${(error as Error)?.message ?? String(error)}`);
    await registry.run({ logger, timeoutMs });
    logger.flush();
    exit(1);
  };
  // A crash after start-up still deserves an orderly, logged exit rather than a bare stack trace.
  process.on('uncaughtException', (error) => void fail(error, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => void fail(reason, 'unhandled promise rejection'));

  const started = performance.now();
  try {
    await start({ logger });
  } catch (error) {
    await fail(error, `${name} failed to start`);
    return;
  }
  // moduleLoadMs: from the process's start to here (Node's start-up and every import), which the
  // start benchmark (bench:start) reports apart from the service's own start-up steps.
  logger.info(
    { startupMs: Math.round(performance.now() - started), moduleLoadMs: Math.round(started) },
    `${name} started`,
  );
}
