// `npm run bench:start`: how long `npm start` takes on an empty data folder (cold) and on the same
// folder after a load run (warm), step by step (issue #15 part 6). Progress to stderr, the table to
// stdout, and docs/benchmarks/start.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@retail-streams/demo-stack';
import { runLoad } from '../../src/load/load-generator.ts';
import { fetchSkus } from '../../src/load/order-factory.ts';
import { freePortBlock } from '../stack-under-test.ts';
import { LOGGED_PROCESSES, logSince, startDemo } from './demo-run.ts';
import type { DemoRun } from './demo-run.ts';
import { markdown, stepRows, table } from './start-report.ts';
import type { MeasuredStart, StartBenchResults } from './start-report.ts';
import { parseRecords, startTimeline } from './start-timeline.ts';

const USAGE = `Usage: npm run bench:start -- [options]

Starts the demo on an empty data folder (cold), runs a load against it, stops it with Ctrl-C, starts
it again on the same folder (warm), and reports each start-up step of both starts.

Options:
  --rate <n>         orders per second of the load run (default 60)
  --seconds <n>      length of the load run (default 120)
  --sync-ratio <r>   share of sync orders (default 0.5)
  --base-port <n>    the stack's 7 ports from here (default: a free block)
  --out <file>       where the markdown goes (default docs/benchmarks/start.md)
  --no-write         print only
  --keep-data        keep the data folder
  -h, --help
`;

const READY_TIMEOUT_MS = 240_000;
const SERVICES = ['inventory', 'sales', 'reordering', 'analytics'];

const began = performance.now();
function progress(message: string): void {
  const at = ((performance.now() - began) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench:start ${at} s] ${message}\n`);
}

async function measure(
  label: string,
  dataDir: string,
  basePort: number,
): Promise<{ run: DemoRun; start: MeasuredStart }> {
  const loadAverage = os.loadavg();
  progress(`${label} start (load average ${loadAverage.map((v) => v.toFixed(1)).join(' ')})`);
  const run = startDemo(dataDir, basePort);
  let seenReadyMs: number;
  try {
    seenReadyMs = await run.ready(READY_TIMEOUT_MS);
  } catch (error) {
    run.kill();
    throw error;
  }
  const cpuMs = run.cpuMs();
  const logs = Object.fromEntries(
    LOGGED_PROCESSES.map((name) => [
      name,
      parseRecords(logSince(dataDir, name, run.logOffsets[name] ?? 0)),
    ]),
  );
  const postgresLog = logSince(dataDir, 'postgres', run.logOffsets.postgres ?? 0).split('\n');
  const timeline = startTimeline(run.lines, logs, postgresLog, SERVICES);
  progress(
    `${label}: demo ready in ${((timeline.demoReadyMs ?? seenReadyMs) / 1000).toFixed(1)} s`,
  );
  return { run, start: { label, timeline, seenReadyMs, cpuMs, loadAverage } };
}

function number(
  raw: string | undefined,
  fallback: number,
  valid: (n: number) => boolean,
  name: string,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !valid(n)) throw new Error(`--${name}: "${raw}" is not a valid value`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rate: { type: 'string' },
      seconds: { type: 'string' },
      'sync-ratio': { type: 'string' },
      'base-port': { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean' },
      'keep-data': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const rate = number(values.rate, 60, (n) => n > 0 && n <= 5000, 'rate');
  const loadSeconds = number(values.seconds, 120, (n) => n > 0 && n <= 3600, 'seconds');
  const syncRatio = number(values['sync-ratio'], 0.5, (n) => n >= 0 && n <= 1, 'sync-ratio');
  const basePort =
    values['base-port'] === undefined
      ? await freePortBlock(7)
      : number(
          values['base-port'],
          0,
          (n) => Number.isInteger(n) && n >= 1024 && n <= 65000,
          'base-port',
        );
  const out = values.out ?? join(repoRoot, 'docs', 'benchmarks', 'start.md');
  const dataDir = mkdtempSync(join(os.tmpdir(), 'retail-streams-start-bench-'));
  progress(`data folder ${dataDir}, ports from ${basePort}`);

  let current: DemoRun | undefined;
  let failed = false;
  process.once('SIGINT', () => {
    current?.kill();
    process.exit(130);
  });
  try {
    const cold = await measure('cold', dataDir, basePort);
    current = cold.run;
    const salesUrl = `http://127.0.0.1:${basePort + 3}`;
    const inventoryUrl = `http://127.0.0.1:${basePort + 4}`;
    progress(`load run: ${rate} orders/s for ${loadSeconds} s`);
    const result = await runLoad({
      salesUrl,
      rate,
      durationMs: loadSeconds * 1000,
      syncRatio,
      skus: await fetchSkus(inventoryUrl),
    });
    const accepted = result.paths.async.accepted + result.paths.sync.accepted;
    progress(`load run done: ${accepted} orders accepted; stopping (Ctrl-C)`);
    const stopMs = await cold.run.stop();
    current = undefined;
    const warm = await measure('warm after the load run', dataDir, basePort);
    current = warm.run;
    await warm.run.stop();
    current = undefined;

    const results: StartBenchResults = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      command: `npm run bench:start -- --rate ${rate} --seconds ${loadSeconds} --sync-ratio ${syncRatio}`,
      load: { rate, seconds: loadSeconds, syncRatio, accepted, stopMs },
      starts: [cold.start, warm.start],
      notes: [],
    };
    process.stdout.write(`\n${table(['step', 'cold', 'warm'], stepRows(results.starts))}\n`);
    if (!values['no-write']) {
      writeFileSync(out, await formatMarkdown(markdown(results), out));
      progress(`wrote ${out}`);
    }
    return 0;
  } catch (error) {
    failed = true;
    current?.kill();
    process.stderr.write(
      `bench:start failed: ${(error as Error).message}\n(data kept in ${dataDir})\n`,
    );
    return 1;
  } finally {
    if (!values['keep-data'] && !failed) rmSync(dataDir, { recursive: true, force: true });
  }
}

function machineInfo(): Record<string, string | number> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** Formats the page with the repository's Prettier settings, so `format-check` stays green. */
async function formatMarkdown(text: string, file: string): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}

process.exitCode = await main();
