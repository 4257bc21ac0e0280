// The broker benchmark: `npm run bench:broker` (BENCH_QUICK=1 for a smoke run).
// Starts the broker as a child process, measures cold start, produce/consume
// throughput with kcat and kafkajs, end-to-end latency at 1,000 rec/s (and the
// broker's own share of it, through a raw wire client) and the broker's peak RSS, then writes bench/results/broker-latest.json and
// docs/benchmarks/broker.md. Progress goes to stderr, the table to stdout.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, spawnBroker } from './broker-process.ts';
import type { BenchBroker } from './broker-process.ts';
import { createTopic, kafkajsConsumeAll, kafkajsProduceFor } from './kafkajs-load.ts';
import { kcatConsumeAll, kcatProduceFile, writeRecordFile } from './kcat-load.ts';
import { measureLatency } from './latency.ts';
import { platformaticFetchAll, platformaticProduceFor } from './platformatic-load.ts';
import { measureWireLatency } from './wire-latency.ts';
import { transactionsSection, withTransactionsSection } from './txn-section.ts';
import { consoleTable, evaluateTargets, machineInfo, markdown, rate, round } from './report.ts';
import type { BenchResults, ColdStart, ThroughputRow } from './report.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const PLAN = QUICK
  ? {
      coldRuns: 1,
      kcatSeconds: 0,
      kafkajsSeconds: 2,
      consumeJoinMs: 5_000,
      latencySeconds: 2,
      latencyControlSeconds: 1,
      latencyWarmup: 100,
    }
  : {
      coldRuns: 3,
      kcatSeconds: 10,
      kafkajsSeconds: 8,
      consumeJoinMs: 10_000,
      latencySeconds: 10,
      latencyControlSeconds: 4,
      latencyWarmup: 300,
    };
/** Records per kcat -P run: about 20-50 MB of values, so process start-up is amortised. */
const KCAT_CHUNK: Record<number, number> = QUICK
  ? { 100: 50_000, 1024: 10_000 }
  : { 100: 200_000, 1024: 50_000 };
const PARTITIONS = 3;
const SIZES = [100, 1024];

const started = performance.now();
function progress(msg: string): void {
  process.stderr.write(
    `[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}\n`,
  );
}

function hasKcat(): boolean {
  return spawnSync('kcat', ['-V']).status === 0;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

async function coldStart(tmp: string): Promise<ColdStart> {
  const measure = async (label: string, env: NodeJS.ProcessEnv) => {
    const runs: ColdStart['runs'] = [];
    for (let i = 0; i < PLAN.coldRuns; i++) {
      const dir = fs.mkdtempSync(path.join(tmp, 'cold-'));
      const b = await spawnBroker(dir, [], env);
      // CPU time by the ready line (the connect probe has finished, the broker idles): unlike the
      // wall-clock figures it hardly depends on what else the machine is doing.
      const cpuMs = Math.round(b.cpuSeconds() * 1000);
      runs.push({ readyMs: round(b.readyMs, 1), connectMs: round(b.connectMs, 1), cpuMs });
      progress(
        `cold start ${label} ${i + 1}/${PLAN.coldRuns}: ready ${b.readyMs.toFixed(0)} ms, TCP connect ${b.connectMs.toFixed(0)} ms, CPU ${cpuMs} ms`,
      );
      await b.stop();
    }
    return runs;
  };
  // main.ts enables Node's compile cache (which also keeps the type-stripped sources), so a
  // true first start needs it disabled; the second series shows a start with a warm cache.
  const plainEnv: NodeJS.ProcessEnv = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' };
  delete plainEnv.NODE_COMPILE_CACHE;
  const runs = await measure('(compile cache disabled)', plainEnv);
  const cacheEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_COMPILE_CACHE: fs.mkdtempSync(path.join(tmp, 'compile-cache-')),
  };
  delete cacheEnv.NODE_DISABLE_COMPILE_CACHE;
  await (await spawnBroker(fs.mkdtempSync(path.join(tmp, 'cold-')), [], cacheEnv)).stop();
  const cachedRuns = await measure('(warm compile cache)', cacheEnv);
  return {
    runs,
    readyMsMedian: median(runs.map((r) => r.readyMs)),
    connectMsMedian: median(runs.map((r) => r.connectMs)),
    cpuMsMedian: median(runs.map((r) => r.cpuMs ?? NaN)),
    compileCacheRuns: cachedRuns,
    compileCacheReadyMsMedian: median(cachedRuns.map((r) => r.readyMs)),
    compileCacheCpuMsMedian: median(cachedRuns.map((r) => r.cpuMs ?? NaN)),
  };
}

async function kcatThroughput(
  broker: BenchBroker,
  tmp: string,
  size: number,
): Promise<ThroughputRow> {
  const topic = `bench-kcat-${size}`;
  await createTopic(broker.bootstrap, topic, PARTITIONS);
  const chunk = KCAT_CHUNK[size];
  const file = path.join(tmp, `records-${size}.txt`);
  writeRecordFile(file, chunk, size);
  let records = 0;
  let seconds = 0;
  const cpu0 = broker.cpuSeconds();
  do {
    seconds += await kcatProduceFile(broker.bootstrap, topic, file);
    records += chunk;
    progress(
      `kcat produce ${size} B: ${records.toLocaleString('en-US')} records in ${seconds.toFixed(2)} s`,
    );
  } while (seconds < PLAN.kcatSeconds && seconds < 60);
  const produce = rate(records, seconds, size, broker.cpuSeconds() - cpu0);
  const peakRssAfterProduceMiB = broker.peakRssMiB();
  progress(`kcat consume ${size} B: reading ${records.toLocaleString('en-US')} records`);
  const cpu1 = broker.cpuSeconds();
  const consumed = await kcatConsumeAll(broker.bootstrap, topic, 120_000);
  const row: ThroughputRow = {
    client: 'kcat',
    recordBytes: size,
    produce,
    consume: rate(consumed.records, consumed.seconds, size, broker.cpuSeconds() - cpu1),
    peakRssAfterProduceMiB,
  };
  if (consumed.records !== records) row.note = `consumed ${consumed.records} of ${records} records`;
  progress(
    `kcat ${size} B: produce ${produce.recordsPerSec} rec/s, consume ${row.consume!.recordsPerSec} rec/s`,
  );
  return row;
}

async function kafkajsThroughput(broker: BenchBroker, size: number): Promise<ThroughputRow> {
  const topic = `bench-kafkajs-${size}`;
  await createTopic(broker.bootstrap, topic, PARTITIONS);
  progress(`kafkajs produce ${size} B for ${PLAN.kafkajsSeconds} s`);
  const cpu0 = broker.cpuSeconds();
  const p = await kafkajsProduceFor(broker.bootstrap, topic, size, PLAN.kafkajsSeconds, 5_000_000);
  const row: ThroughputRow = {
    client: 'kafkajs',
    recordBytes: size,
    produce: rate(p.records, p.seconds, size, broker.cpuSeconds() - cpu0),
    consume: null,
  };
  progress(`kafkajs consume ${size} B (needs a consumer group)`);
  const cpu1 = broker.cpuSeconds();
  const c = await kafkajsConsumeAll(
    broker.bootstrap,
    topic,
    p.records,
    PLAN.consumeJoinMs + p.seconds * 2_000,
  );
  if (c) {
    row.consume = rate(c.records, c.seconds, size, broker.cpuSeconds() - cpu1);
    if (c.records < p.records)
      row.note = `consumed ${c.records} of ${p.records} records before the time limit`;
  } else {
    row.note = 'consume n/a: the kafkajs Consumer needs consumer groups';
  }
  progress(
    `kafkajs ${size} B: produce ${row.produce!.recordsPerSec} rec/s, consume ${row.consume?.recordsPerSec ?? 'n/a'}`,
  );
  return row;
}

/** Formats the page with the repo's Prettier settings, so `prettier --check .` stays green. */
async function formatMarkdown(generated: string, dir: string): Promise<string> {
  // The transactions section is txn-bench.ts's: carried over from the page as it was.
  let text = generated;
  const previous = fs.existsSync(path.join(dir, 'broker.md'))
    ? transactionsSection(fs.readFileSync(path.join(dir, 'broker.md'), 'utf8'))
    : null;
  if (previous) text = withTransactionsSection(text, previous);
  try {
    const prettier = await import('prettier');
    const file = path.join(dir, 'broker.md');
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...options, filepath: file });
  } catch (err) {
    progress(`prettier unavailable, markdown left unformatted: ${(err as Error).message}`);
    return text;
  }
}

async function platformaticThroughput(broker: BenchBroker, size: number): Promise<ThroughputRow> {
  const topic = `bench-platformatic-${size}`;
  await createTopic(broker.bootstrap, topic, PARTITIONS);
  progress(`@platformatic/kafka produce ${size} B for ${PLAN.kafkajsSeconds} s`);
  const cpu0 = broker.cpuSeconds();
  const p = await platformaticProduceFor(broker.bootstrap, topic, size, PLAN.kafkajsSeconds);
  const cpu1 = broker.cpuSeconds();
  const c = await platformaticFetchAll(broker.bootstrap, topic);
  const cpu2 = broker.cpuSeconds();
  const row: ThroughputRow = {
    client: '@platformatic/kafka',
    recordBytes: size,
    produce: rate(p.records, p.seconds, size, cpu1 - cpu0),
    consume: rate(c.records, c.seconds, size, cpu2 - cpu1),
    peakRssAfterMiB: broker.peakRssMiB(),
  };
  if (c.records !== p.records) row.note = `fetched ${c.records} of ${p.records} records`;
  progress(
    `@platformatic/kafka ${size} B: produce ${row.produce!.recordsPerSec} rec/s, consume ${row.consume!.recordsPerSec} rec/s`,
  );
  return row;
}

/** Runs `fn`, recording a failure in the results instead of ending the run. */
type Attempt = (what: string, fn: () => Promise<void>) => Promise<void>;

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-bench-'));
  const results: BenchResults = {
    date: new Date().toISOString(),
    quick: QUICK,
    machine: machineInfo(),
    coldStart: null,
    throughput: [],
    latency: null,
    latencyControl: null,
    latencyBrokerOnly: null,
    peakRssMiB: null,
    targets: [],
    errors: [],
  };
  const attempt: Attempt = async (what, fn) => {
    try {
      await fn();
    } catch (err) {
      const msg = `${what}: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`;
      results.errors.push(msg);
      progress(`FAILED ${msg}`);
    }
  };
  const kcat = hasKcat();
  if (!kcat)
    results.errors.push(
      'kcat missing (apt-get install -y kcat): kcat rows and the latency run are skipped',
    );

  let broker: BenchBroker | null = null;
  try {
    await attempt('cold start', async () => {
      results.coldStart = await coldStart(tmp);
    });
    progress('starting the broker under test');
    broker = await spawnBroker(fs.mkdtempSync(path.join(tmp, 'data-')));
    await measureThroughput(broker, kcat, tmp, results, attempt);
    if (kcat) await measureClientLatency(broker, results, attempt);
    await measureBrokerLatency(broker, results, attempt);
    results.peakRssMiB = broker.peakRssMiB();
  } catch (err) {
    results.errors.push(`broker: ${(err as Error).message}`);
  } finally {
    const code = await broker?.stop();
    if (code !== undefined && code !== 0)
      results.errors.push(`broker exited with ${code} on SIGTERM`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  await saveResults(results);
}

/** Produce and consume rates of kcat, @platformatic/kafka and kafkajs for every record size. */
async function measureThroughput(
  b: BenchBroker,
  kcat: boolean,
  tmp: string,
  results: BenchResults,
  attempt: Attempt,
): Promise<void> {
  for (const size of SIZES) {
    if (kcat)
      await attempt(`kcat ${size} B`, async () => {
        const row = await kcatThroughput(b, tmp, size);
        row.peakRssAfterMiB = b.peakRssMiB();
        results.throughput.push(row);
      });
    await attempt(`@platformatic/kafka ${size} B`, async () => {
      results.throughput.push(await platformaticThroughput(b, size));
    });
    await attempt(`kafkajs ${size} B`, async () => {
      const row = await kafkajsThroughput(b, size);
      row.peakRssAfterMiB = b.peakRssMiB();
      results.throughput.push(row);
    });
  }
}

/** End-to-end latency through librdkafka (kcat), and a control run with a 500 ms long-poll bound. */
async function measureClientLatency(
  b: BenchBroker,
  results: BenchResults,
  attempt: Attempt,
): Promise<void> {
  await attempt('latency', async () => {
    await createTopic(b.bootstrap, 'bench-latency', 1);
    progress(`latency: 1,000 rec/s for ${PLAN.latencySeconds} s`);
    results.latency = await measureLatency(
      b.bootstrap,
      'bench-latency',
      1_000,
      PLAN.latencySeconds,
      PLAN.latencyWarmup,
    );
    progress(
      `latency: p50 ${results.latency.p50Ms.toFixed(2)} ms, p99 ${results.latency.p99Ms.toFixed(2)} ms`,
    );
    // Control run with a 500 ms long-poll bound: if the broker failed to wake waiting fetches
    // on append, stalls here would approach 500 ms; if they stay as in the main run, the
    // stalls come from elsewhere (CPU contention, GC).
    await createTopic(b.bootstrap, 'bench-latency-control', 1);
    results.latencyControl = await measureLatency(
      b.bootstrap,
      'bench-latency-control',
      1_000,
      PLAN.latencyControlSeconds,
      PLAN.latencyWarmup,
      500,
    );
    progress(
      `latency control (fetch.wait.max.ms=500): p99 ${results.latencyControl.p99Ms.toFixed(2)} ms, max ${results.latencyControl.maxMs.toFixed(2)} ms`,
    );
  });
}

/** Latency of the broker alone, through the raw wire client (no client library in the way). */
async function measureBrokerLatency(
  b: BenchBroker,
  results: BenchResults,
  attempt: Attempt,
): Promise<void> {
  await attempt('broker-only latency', async () => {
    const topic = 'bench-latency-wire';
    await createTopic(b.bootstrap, topic, 1);
    progress(`broker-only latency (raw wire client): 1,000 rec/s for ${PLAN.latencySeconds} s`);
    const port = Number(b.bootstrap.slice(b.bootstrap.lastIndexOf(':') + 1));
    results.latencyBrokerOnly = await measureWireLatency(
      port,
      topic,
      1_000,
      PLAN.latencySeconds,
      PLAN.latencyWarmup,
    );
    progress(
      `broker-only latency: p50 ${results.latencyBrokerOnly.p50Ms.toFixed(2)} ms, p99 ${results.latencyBrokerOnly.p99Ms.toFixed(2)} ms`,
    );
  });
}

/** Evaluates the targets, writes broker-latest.json and docs/benchmarks/broker.md, prints the table. */
async function saveResults(results: BenchResults): Promise<void> {
  results.machine.loadAverage1mAtEnd = round(os.loadavg()[0], 2);
  results.targets = evaluateTargets(results);
  const resultsDir = path.join(REPO_ROOT, 'libs/streaming/broker/bench/results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(
    path.join(resultsDir, 'broker-latest.json'),
    JSON.stringify(results, null, 2) + '\n',
  );
  const docsDir = path.join(REPO_ROOT, 'docs/benchmarks');
  fs.mkdirSync(docsDir, { recursive: true });
  fs.writeFileSync(
    path.join(docsDir, 'broker.md'),
    await formatMarkdown(markdown(results), docsDir),
  );
  process.stdout.write(consoleTable(results) + '\n');
  progress(`done; wrote bench/results/broker-latest.json and docs/benchmarks/broker.md`);
}

/** BENCH_REPORT_ONLY=1 rewrites docs/benchmarks/broker.md from the last results, without measuring. */
async function reportOnly(): Promise<void> {
  const file = path.join(REPO_ROOT, 'libs/streaming/broker/bench/results/broker-latest.json');
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResults;
  results.targets = evaluateTargets(results);
  const docsDir = path.join(REPO_ROOT, 'docs/benchmarks');
  fs.writeFileSync(
    path.join(docsDir, 'broker.md'),
    await formatMarkdown(markdown(results), docsDir),
  );
  process.stdout.write(consoleTable(results) + '\n');
}

if (process.env.BENCH_REPORT_ONLY === '1') await reportOnly();
else await main();
// kafkajs keeps reconnect timers alive after disconnect(): the figures are written, so leave now.
process.exit(0);
