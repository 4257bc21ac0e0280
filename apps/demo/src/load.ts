// `npm run load -- --rate 200 --duration 60 --sync-ratio 0.5`: load against a running demo.
import { DemoError } from '@retail-streams/demo-stack';
import { parseLoadArgs, LOAD_USAGE } from './load/load-args.ts';
import { runLoad } from './load/load-generator.ts';
import { fetchSkus } from './load/order-factory.ts';
import { renderProgress } from './load/progress-bar.ts';
import { formatLoadSummary } from './load/summary-table.ts';

async function main(): Promise<number> {
  let args;
  try {
    args = parseLoadArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof DemoError) {
      process.stderr.write(`load: ${error.message}\n\n${LOAD_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(LOAD_USAGE);
    return 0;
  }
  const ready = await fetch(`${args.salesUrl}/health/ready`, { signal: AbortSignal.timeout(3000) })
    .then((r) => r.ok)
    .catch(() => false);
  if (!ready) {
    process.stderr.write(
      `load: sales is not ready at ${args.salesUrl} (start the demo with \`npm start\`, or pass --sales-url)\n`,
    );
    return 1;
  }
  const skus = await fetchSkus(args.inventoryUrl);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const tty = process.stderr.isTTY;
  let lastPrinted = 0;
  process.stdout.write(
    `sending ${args.rate} orders/s for ${args.durationSeconds} s to ${args.salesUrl} (sync share ${args.syncRatio}); Ctrl-C stops early\n`,
  );
  const result = await runLoad({
    salesUrl: args.salesUrl,
    rate: args.rate,
    durationMs: args.durationSeconds * 1000,
    syncRatio: args.syncRatio,
    skus,
    signal: abort.signal,
    onProgress: (progress) => {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${renderProgress(progress)}`);
      } else if (progress.elapsedMs - lastPrinted >= 5000) {
        lastPrinted = progress.elapsedMs;
        process.stderr.write(`${renderProgress(progress)}\n`);
      }
    },
  });
  if (tty) process.stderr.write('\n');
  process.stdout.write(`\n${formatLoadSummary(result)}\n`);
  return 0;
}

process.exitCode = await main();
