import { pino } from 'pino';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import { terminalDestination } from './terminal-destination.ts';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Overrides `LOG_LEVEL`; tests use it to silence or capture output. */
  level?: string;
  /**
   * Where the JSON lines go; stdout (terminalDestination) when absent. Tests pass a stream to read the
   * lines back.
   */
  destination?: DestinationStream;
  /** The environment to read `LOG_LEVEL` from (defaults to `process.env`). */
  env?: Record<string, string | undefined>;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * One JSON logger per service. Every line carries `service` so that the interleaved output of
 * `npm start` (four services and the broker in one terminal) and a log collector can tell them apart.
 * Pretty-printing is left to the reader (`| npx pino-pretty`): services always write JSON.
 */
export function createLogger(name: string, options: CreateLoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const requested = (options.level ?? env['LOG_LEVEL'] ?? 'info').toLowerCase();
  // An unknown level must not crash the service at start-up: fall back and say so below.
  const level = LEVELS.has(requested) ? requested : 'info';
  const pinoOptions: LoggerOptions = {
    name,
    level,
    base: { service: name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      // Emit the level as a word: people and collectors both read `"level":"warn"` more easily than 40.
      level: (label) => ({ level: label }),
    },
  };
  const logger = pino(pinoOptions, options.destination ?? terminalDestination(1));
  if (level !== requested) {
    logger.warn({ requested }, `unknown LOG_LEVEL "${requested}", using "info"`);
  }
  return logger;
}
