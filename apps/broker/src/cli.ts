// The broker process (entry: main.ts): `node apps/broker/src/main.ts --port 9092 --log-dir ./.data/broker`.
// Prints exactly one line to stdout (`broker ready on HOST:PORT`) once clients can connect; pino JSON
// logs go to stderr. SIGINT/SIGTERM close the broker cleanly and exit 0; bad flags, a bad config file
// or an unusable log dir print one line on stderr and exit 1.
import { pino } from 'pino';
import type { Logger } from 'pino';
import { loadServerProperties, startBroker } from '@retail-streams/streaming-broker';
import type { BrokerOptions, RunningBroker } from '@retail-streams/streaming-broker';
import { CliError, USAGE, parseCliArgs } from './cli-args.ts';
import type { CliOptions } from './cli-args.ts';

const DEFAULT_LOG_DIR = './.data/broker';

export function fail(message: string): never {
  process.stderr.write(`broker: ${message}\n`);
  process.exit(1);
}

/** server.properties first, then the flags on top. */
function brokerOptions(cli: CliOptions, logger: Logger): BrokerOptions {
  const fromFile = cli.configFile
    ? loadServerProperties(cli.configFile)
    : { options: {}, warnings: [] };
  for (const warning of fromFile.warnings) logger.warn({ config: cli.configFile }, warning);
  const options: BrokerOptions = {
    ...fromFile.options,
    logDir: fromFile.options.logDir ?? DEFAULT_LOG_DIR,
    logger,
  };
  if (cli.port !== undefined) options.port = cli.port;
  if (cli.host !== undefined) options.host = cli.host;
  if (cli.logDir !== undefined) options.logDir = cli.logDir;
  if (cli.nodeId !== undefined) options.nodeId = cli.nodeId;
  if (cli.advertisedHost !== undefined) options.advertisedHost = cli.advertisedHost;
  if (cli.advertisedPort !== undefined) options.advertisedPort = cli.advertisedPort;
  return options;
}

export async function main(): Promise<void> {
  let command;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CliError) fail(`${err.message} (see --help)`);
    throw err;
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const logger = pino(
    { level: command.options.logLevel, base: { service: 'broker' } },
    pino.destination({ dest: 2, sync: false }),
  );

  // Signal handlers go in BEFORE the ready line: a supervisor may signal the instant it reads it, and
  // without a handler the default action would kill the process without a clean close.
  let broker: RunningBroker | null = null;
  let stopping = false;
  const shutdown = (running: RunningBroker) => {
    running.close().then(
      () => logger.flush(() => process.exit(0)),
      (err: unknown) => {
        logger.error({ err }, 'error while closing');
        logger.flush(() => process.exit(1));
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
