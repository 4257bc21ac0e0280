// The broker process (entry: main.ts): `node apps/broker/src/main.ts --port 9092 --log-dir ./.data/broker`.
// Prints exactly one line to stdout (`broker ready on HOST:PORT`) once clients can connect; pino JSON
// logs go to stderr. SIGINT/SIGTERM/SIGHUP close the broker cleanly and exit 0 within 10 s, even when
// stdout and stderr are gone; bad flags, a bad config file or an unusable log dir print one line on
// stderr and exit 1.
import { pino } from 'pino';
import type { Logger } from 'pino';
import {
  loadServerProperties,
  serverPropertiesToOptions,
  startBroker,
} from '@retail-streams/streaming-broker';
import type {
  BrokerOptions,
  RunningBroker,
  ScramUserOptions,
} from '@retail-streams/streaming-broker';
import { readFileSync } from 'node:fs';
import { CliError, USAGE, parseAddScramFile, parseCliArgs } from './cli-args.ts';
import type { CliOptions } from './cli-args.ts';
import { textDestination } from './text-log.ts';
import { terminalDestination } from '@retail-streams/service-kit/logging';

const DEFAULT_LOG_DIR = './.data/broker';

/** A SIGTERM shutdown ends within this, as a supervisor (the demo, Kubernetes) expects. */
const SHUTDOWN_BUDGET_MS = 10_000;

export function fail(message: string): never {
  process.stderr.write(`broker: ${message}\n`);
  process.exit(1);
}

/** server.properties first, then the flags on top. */
function brokerOptions(cli: CliOptions, logger: Logger): BrokerOptions {
  const overrides = cli.overrides ?? [];
  const fromFile = cli.configFile
    ? loadServerProperties(cli.configFile, overrides)
    : serverPropertiesToOptions(new Map(overrides));
  for (const warning of fromFile.warnings) logger.warn({ config: cli.configFile }, warning);
  const options: BrokerOptions = {
    ...fromFile.options,
    logDir: fromFile.options.logDir ?? DEFAULT_LOG_DIR,
    logger,
  };
  if (cli.logDir !== undefined) options.logDir = cli.logDir;
  if (cli.nodeId !== undefined) options.nodeId = cli.nodeId;
  if (cli.scramUsers !== undefined || cli.scramUsersFile !== undefined)
    options.scramUsers = [...(cli.scramUsers ?? []), ...scramUsersFromFile(cli.scramUsersFile)];
  // With `listeners` in the file, the address flags apply to its first listener.
  const first = options.listeners?.[0];
  if (first) {
    options.listeners = [
      {
        ...first,
        ...(cli.port !== undefined ? { port: cli.port } : {}),
        ...(cli.host !== undefined ? { host: cli.host } : {}),
        ...(cli.advertisedHost !== undefined ? { advertisedHost: cli.advertisedHost } : {}),
        ...(cli.advertisedPort !== undefined ? { advertisedPort: cli.advertisedPort } : {}),
      },
      ...options.listeners!.slice(1),
    ];
    return options;
  }
  if (cli.port !== undefined) options.port = cli.port;
  if (cli.host !== undefined) options.host = cli.host;
  if (cli.advertisedHost !== undefined) options.advertisedHost = cli.advertisedHost;
  if (cli.advertisedPort !== undefined) options.advertisedPort = cli.advertisedPort;
  return options;
}

function scramUsersFromFile(file: string | undefined): ScramUserOptions[] {
  if (file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(
      'BAD_FLAG_VALUE',
      `--add-scram-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return parseAddScramFile(text);
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (err) {
    if (err instanceof CliError) fail(`${err.message} (see --help)`);
    throw err;
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  // Written synchronously, and dropped when stderr is gone: the broker's shutdown never waits on a
  // reader that went away (it used to stay up for ever when its stderr was a closed socket).
  const logger = pino(
    { level: command.options.logLevel, base: { service: 'broker' } },
    command.options.logFormat === 'text' ? textDestination(2) : terminalDestination(2),
  );

  // Signal handlers go in BEFORE the ready line: a supervisor may signal the instant it reads it, and
  // without a handler the default action would kill the process without a clean close.
  let broker: RunningBroker | null = null;
  let stopping = false;
  const shutdown = (running: RunningBroker) => {
    // Whatever happens below, the process is gone within the budget a supervisor waits for.
    setTimeout(() => {
      logger.error({ budgetMs: SHUTDOWN_BUDGET_MS }, 'shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_BUDGET_MS).unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Still starting: the startup path below closes the broker as soon as it exists.
    if (broker) shutdown(broker);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A terminal closing (kafka-server-start in a window that is closed) is a stop request too.
  process.on('SIGHUP', stop);
  // A reader that went away (a closed pipe or socket) must not turn a log line into a crash: the
  // broker keeps serving, and stops when told to.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

  try {
    broker = await startBroker(brokerOptions(command.options, logger));
  } catch (err) {
    const e = err as Error & { code?: unknown };
    logger.flush();
    fail(
      `cannot start: ${e.message}${typeof e.code === 'string' || typeof e.code === 'number' ? ` [${e.code}]` : ''}`,
    );
  }
  if (stopping) {
    shutdown(broker);
    return;
  }
  process.stdout.write(`broker ready on ${broker.bootstrap}\n`);
}
