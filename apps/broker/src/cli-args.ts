import { parseArgs } from 'node:util';

/** A command-line problem: printed as one line, exit code 1. */
export class CliError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
  }
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CliOptions {
  port?: number;
  host?: string;
  logDir?: string;
  configFile?: string;
  nodeId?: number;
  advertisedHost?: string;
  advertisedPort?: number;
  logLevel: LogLevel;
}

export type CliCommand = { kind: 'help' } | { kind: 'run'; options: CliOptions };

export const USAGE = `Usage: broker [options]

A single-node broker speaking the Apache Kafka wire protocol.

Options:
  --port <n>              port to listen on (0 = ephemeral; default 9092)
  --host <addr>           interface to bind (default 127.0.0.1)
  --log-dir <dir>         where topics are stored (default ./.data/broker)
  --config <file>         Kafka-style server.properties; flags override it
  --node-id <n>           broker id reported to clients (default 1)
  --advertised-host <h>   host name given to clients (default: the bound host)
  --advertised-port <n>   port given to clients (default: the bound port)
  --log-level <level>     ${LOG_LEVELS.join(' | ')} (default info; debug logs every request)
  -h, --help              show this help
`;

function int(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new CliError(
      'BAD_FLAG_VALUE',
      `--${flag} must be an integer between ${min} and ${max}, got "${raw}"`,
    );
  }
  return Number(raw);
}

/** Parses the process arguments (without node and script). Throws CliError on anything unknown or malformed. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'log-dir': { type: 'string' },
        config: { type: 'string' },
        'node-id': { type: 'string' },
        'advertised-host': { type: 'string' },
        'advertised-port': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new CliError('BAD_FLAG', (err as Error).message);
  }
  if (values.help) return { kind: 'help' };
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new CliError(
      'BAD_FLAG_VALUE',
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`,
    );
  }
  for (const flag of ['host', 'log-dir', 'config', 'advertised-host'] as const) {
    if (values[flag] !== undefined && values[flag].trim() === '')
      throw new CliError('BAD_FLAG_VALUE', `--${flag} cannot be empty`);
  }
  const options: CliOptions = { logLevel: logLevel as LogLevel };
  const port = int('port', values.port, 0, 65535);
  if (port !== undefined) options.port = port;
  if (values.host !== undefined) options.host = values.host;
  if (values['log-dir'] !== undefined) options.logDir = values['log-dir'];
  if (values.config !== undefined) options.configFile = values.config;
  const nodeId = int('node-id', values['node-id'], 0, 2 ** 31 - 1);
  if (nodeId !== undefined) options.nodeId = nodeId;
  if (values['advertised-host'] !== undefined) options.advertisedHost = values['advertised-host'];
  const advertisedPort = int('advertised-port', values['advertised-port'], 1, 65535);
  if (advertisedPort !== undefined) options.advertisedPort = advertisedPort;
  return { kind: 'run', options };
}
