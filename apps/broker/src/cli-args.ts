import { parseArgs } from 'node:util';
import type { ScramUserOptions } from '@retail-streams/streaming-broker';

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
export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface CliOptions {
  port?: number;
  host?: string;
  logDir?: string;
  configFile?: string;
  nodeId?: number;
  advertisedHost?: string;
  advertisedPort?: number;
  /** Broker properties set on top of --config (`--override key=value`, repeatable). */
  overrides?: [string, string][];
  /** --add-scram: SCRAM users set at start. */
  scramUsers?: ScramUserOptions[];
  /** --add-scram-file: a file of --add-scram values, one a line (keeps passwords out of `ps`). */
  scramUsersFile?: string;
  logLevel: LogLevel;
  logFormat?: LogFormat;
}

export type CliCommand = { kind: 'help' } | { kind: 'run'; options: CliOptions };

export const USAGE = `Usage: broker [options]

A single-node broker speaking the Apache Kafka wire protocol.

Options:
  --port <n>              port to listen on (0 = ephemeral; default 9092; with
                          listeners= in --config: the first listener's port)
  --host <addr>           interface to bind (default 127.0.0.1; likewise)
  --log-dir <dir>         where topics are stored (default ./.data/broker)
  --config <file>         Kafka-style server.properties; flags override it
  --node-id <n>           broker id reported to clients (default 1)
  --advertised-host <h>   host name given to clients (default: the bound host)
  --advertised-port <n>   port given to clients (default: the bound port)
  --override <key=value>  a server.properties key, over --config (repeatable)
  --add-scram <cred>      set a SCRAM user at start, as kafka-storage format does (repeatable):
                          'SCRAM-SHA-512=[name=alice,password=alice-secret(,iterations=8192)]'
  --add-scram-file <f>    the same, one value a line, read from a file: passwords on a
                          command line are visible to every local user (ps)
  --log-level <level>     ${LOG_LEVELS.join(' | ')} (default info; debug logs every request)
  --log-format <format>   json (default: one pino object per line) | text (Kafka-style lines)
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
        override: { type: 'string', multiple: true },
        'add-scram': { type: 'string', multiple: true },
        'add-scram-file': { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
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
  for (const flag of ['host', 'log-dir', 'config', 'advertised-host', 'add-scram-file'] as const) {
    if (values[flag] !== undefined && values[flag].trim() === '')
      throw new CliError('BAD_FLAG_VALUE', `--${flag} cannot be empty`);
  }
  const logFormat = values['log-format'];
  if (logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new CliError(
      'BAD_FLAG_VALUE',
      `--log-format must be one of ${LOG_FORMATS.join(', ')}, got "${logFormat}"`,
    );
  }
  const options: CliOptions = { logLevel: logLevel as LogLevel };
  if (logFormat !== undefined) options.logFormat = logFormat as LogFormat;
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
  if (values.override !== undefined) {
    options.overrides = values.override.map((text) => {
      const at = text.indexOf('=');
      if (at <= 0)
        throw new CliError('BAD_FLAG_VALUE', `--override expects key=value, got "${text}"`);
      return [text.slice(0, at).trim(), text.slice(at + 1)];
    });
  }
  if (values['add-scram']) options.scramUsers = values['add-scram'].map(parseAddScram);
  if (values['add-scram-file'] !== undefined) options.scramUsersFile = values['add-scram-file'];
  return { kind: 'run', options };
}

/** `SCRAM-SHA-256=[name=alice,password=alice-secret,iterations=8192]`, kafka-storage's --add-scram syntax. */
export function parseAddScram(raw: string): ScramUserOptions {
  const m = /^(SCRAM-SHA-256|SCRAM-SHA-512)=\[(.*)\]$/.exec(raw.trim());
  if (!m)
    throw new CliError(
      'BAD_FLAG_VALUE',
      "--add-scram must look like 'SCRAM-SHA-512=[name=alice,password=alice-secret]'",
    );
  const fields = new Map<string, string>();
  for (const part of m[2].split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CliError('BAD_FLAG_VALUE', '--add-scram: expected key=value pairs');
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
  }
  const name = fields.get('name');
  const password = fields.get('password');
  if (!name || !password)
    throw new CliError('BAD_FLAG_VALUE', '--add-scram needs both name= and password=');
  const iterations = int('add-scram iterations', fields.get('iterations'), 4096, 16384);
  return {
    name,
    mechanism: m[1] as ScramUserOptions['mechanism'],
    password,
    ...(iterations !== undefined ? { iterations } : {}),
  };
}

/** The --add-scram values of an --add-scram-file: one a line; blank lines and `#` comments skipped. */
export function parseAddScramFile(text: string): ScramUserOptions[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(parseAddScram);
}
