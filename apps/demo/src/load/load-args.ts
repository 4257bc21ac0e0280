import { parseArgs } from 'node:util';
import { DemoError } from '@retail-streams/demo-stack';

export interface LoadArgs {
  rate: number;
  durationSeconds: number;
  syncRatio: number;
  salesUrl: string;
  inventoryUrl: string;
  help: boolean;
}

export const LOAD_USAGE = `Usage: npm run load -- [options]

Sends orders to sales at a steady rate, half of them (by default) on the sync path, and prints
latency and throughput per path.

Options:
  --rate <n>            orders per second (default 50)
  --duration <s>        seconds to send for (default 30)
  --sync-ratio <r>      share of orders placed with ?mode=sync, 0..1 (default 0.5)
  --sales-url <url>     default http://127.0.0.1:3001
  --inventory-url <url> where to read the catalogue's SKUs (default http://127.0.0.1:3002)
  -h, --help
`;

export function parseLoadArgs(argv: readonly string[]): LoadArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        rate: { type: 'string' },
        duration: { type: 'string' },
        'sync-ratio': { type: 'string' },
        'sales-url': { type: 'string' },
        'inventory-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new DemoError('BAD_ARGUMENT', (error as Error).message);
  }
  return {
    rate: numberArg('rate', values.rate, 50, (n) => n > 0 && n <= 100_000),
    durationSeconds: numberArg('duration', values.duration, 30, (n) => n > 0 && n <= 86_400),
    syncRatio: numberArg('sync-ratio', values['sync-ratio'], 0.5, (n) => n >= 0 && n <= 1),
    salesUrl: values['sales-url'] ?? 'http://127.0.0.1:3001',
    inventoryUrl: values['inventory-url'] ?? 'http://127.0.0.1:3002',
    help: values.help ?? false,
  };
}

export function numberArg(
  name: string,
  raw: string | undefined,
  fallback: number,
  valid: (n: number) => boolean,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !valid(n)) {
    throw new DemoError('BAD_ARGUMENT', `--${name}: "${raw}" is not a valid value`);
  }
  return n;
}
