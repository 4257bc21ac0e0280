import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import {
  DEFAULT_PORTS,
  defaultDataDir,
  DemoError,
  portsFromBase,
} from '@retail-streams/demo-stack';
import type { PortMap } from '@retail-streams/demo-stack';

export interface StackArgs {
  dataDir: string;
  ports: PortMap;
  logLevel: string;
  connectors: boolean;
  help: boolean;
}

export const STACK_OPTIONS_USAGE = `Options:
  --data-dir <dir>     where everything persists (default ./.data)
  --base-port <n>      run beside another stack: postgres n, broker n+1, analytics n+2, sales n+3,
                       inventory n+4, reordering n+5, controls n+6,
                       the broker's SASL listener n+7
  --log-level <level>  the processes' log level (default info)
  --no-connectors      do not ship access logs to logs.access
  -h, --help
`;

/** The flags `npm start` and `npm run infra` share. */
export function parseStackArgs(argv: readonly string[]): StackArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        'base-port': { type: 'string' },
        'log-level': { type: 'string' },
        'no-connectors': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new DemoError('BAD_ARGUMENT', (error as Error).message);
  }
  const base = parseBasePort(values['base-port']);
  return {
    dataDir: resolve(values['data-dir'] ?? defaultDataDir),
    ports: base === undefined ? DEFAULT_PORTS : portsFromBase(base),
    logLevel: parseLogLevel(values['log-level']),
    connectors: !values['no-connectors'],
    help: values.help ?? false,
  };
}

/** `--base-port`: the first of the stack's eight consecutive ports, or undefined when not given. */
export function parseBasePort(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const base = Number(raw);
  if (!Number.isInteger(base) || base < 1024 || base > 65_000) {
    throw new DemoError('BAD_ARGUMENT', `--base-port must be an integer from 1024 to 65000`);
  }
  return base;
}

/** `--log-level`: one of pino's levels, `info` when not given. */
export function parseLogLevel(raw: string | undefined): string {
  const logLevel = raw ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(logLevel)) {
    throw new DemoError(
      'BAD_ARGUMENT',
      `--log-level must be trace, debug, info, warn, error, fatal or silent`,
    );
  }
  return logLevel;
}
