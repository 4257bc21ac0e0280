// The consumer-group benchmark: `npm run bench:groups` (BENCH_QUICK=1 for a smoke run of ~20 s).
// Starts the broker as a child process, then measures with kafkajs and librdkafka members (each a
// process of its own): how long three members take to form a group, how long a rebalance takes
// after a member is SIGKILLed and after a clean leave, and group-mode consume throughput with 1 and
// 3 members. Writes bench/results/groups-latest.json and docs/benchmarks/broker-groups.md.
// Progress goes to stderr, the table to stdout.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, spawnBroker } from './broker-process.ts';
import type { BenchBroker } from './broker-process.ts';
import { HEARTBEAT_INTERVAL_MS, KAFKAJS_MAX_WAIT_MS } from './group-events.ts';
import { GROUP_CLIENTS, SYSTEM_PYTHON } from './group-members.ts';
import type { GroupClient } from './group-members.ts';
import { consoleTable, markdown, summarise } from './group-report.ts';
import type { ConsumeRow, GroupBenchResults, MembershipSummary } from './group-report.ts';
import { GROUP_PARTITIONS, consumeRun, membershipRun } from './group-scenarios.ts';
import type { MembershipRun } from './group-scenarios.ts';
import { createTopic } from './kafkajs-load.ts';
import { kcatConsumeAll, kcatProduceFile, writeRecordFile } from './kcat-load.ts';
import { machineInfo, round } from './report.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const PLAN = QUICK
  ? { membershipRuns: 1, sessionMs: 2_000, records: { 100: 30_000, 1024: 10_000 } }
  : { membershipRuns: 3, sessionMs: 2_000, records: { 100: 200_000, 1024: 50_000 } };
/** Consume runs are about throughput: a member starved of CPU for a moment must not be expired. */
const CONSUME_SESSION_MS = 10_000;
const SIZES = [100, 1024] as const;
const MEMBER_COUNTS = [1, 3] as const;

const started = performance.now();
function progress(msg: string): void {
  process.stderr.write(
    `[groups ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}\n`,
  );
}

/** Which member clients can run here; the reason when one cannot. */
function availableClients(): Map<GroupClient, string | null> {
  const python = spawnSync(SYSTEM_PYTHON, ['-c', 'import confluent_kafka'], { encoding: 'utf8' });
  return new Map<GroupClient, string | null>([
    ['kafkajs', null],
    [
      'librdkafka',
      python.status === 0
        ? null
        : `${SYSTEM_PYTHON} cannot import confluent_kafka (apt-get install -y python3-confluent-kafka): librdkafka rows skipped`,
    ],
  ]);
}

function clientVersions(): Record<string, string> {
  const py = spawnSync(
    SYSTEM_PYTHON,
    ['-c', 'import confluent_kafka as c; print(c.version()[0], c.libversion()[0])'],
    { encoding: 'utf8' },
  );
  const [confluentKafka, librdkafka] = (py.stdout ?? '').trim().split(' ');
  return confluentKafka ? { confluentKafka, librdkafka } : {};
}

/** Runs `fn`, recording a failure in the results instead of ending the run. */
type Attempt = (what: string, fn: () => Promise<void>) => Promise<void>;

function newResults(): GroupBenchResults {
  return {
    date: new Date().toISOString(),
    quick: QUICK,
    durationSeconds: 0,
    machine: { ...machineInfo(), ...clientVersions() },
    settings: {
      partitions: GROUP_PARTITIONS,
      sessionTimeoutMs: PLAN.sessionMs,
      heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
      kafkajsMaxWaitMs: KAFKAJS_MAX_WAIT_MS,
      consumeSessionTimeoutMs: CONSUME_SESSION_MS,
      membershipRuns: PLAN.membershipRuns,
    },
    membership: [],
    consume: [],
    errors: [],
  };
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'group-bench-'));
  const results = newResults();
  const attempt: Attempt = async (what, fn) => {
    try {
      await fn();
    } catch (err) {
      const e = err as Error & { code?: string };
      const msg = `${what}: ${e.code ? `[${e.code}] ` : ''}${e.message.split('\n').slice(0, 3).join(' ')}`;
      results.errors.push(msg);
      progress(`FAILED ${msg}`);
    }
  };
  const available = availableClients();
  const clients = GROUP_CLIENTS.filter((c) => available.get(c) === null);
  for (const reason of available.values()) if (reason) results.errors.push(reason);

  let broker: BenchBroker | null = null;
  try {
    broker = await spawnBroker(fs.mkdtempSync(path.join(tmp, 'data-')));
    progress(`broker ready on ${broker.bootstrap} (pid ${broker.pid})`);
    await measureMembership(broker, clients, results, attempt);
    for (const size of SIZES) await measureConsume(broker, clients, size, tmp, results, attempt);
  } catch (err) {
    results.errors.push(`broker: ${(err as Error).message}`);
    progress(`FAILED broker: ${(err as Error).message}`);
  } finally {
    const code = await broker?.stop();
    if (code !== undefined && code !== 0)
      results.errors.push(`broker exited with ${code} on SIGTERM`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  await saveResults(results);
}

/** Group formation, SIGKILL and LeaveGroup rebalance times, PLAN.membershipRuns runs per client. */
async function measureMembership(
  b: BenchBroker,
  clients: readonly GroupClient[],
  results: GroupBenchResults,
  attempt: Attempt,
): Promise<void> {
  const idle = 'group-bench-idle';
  await createTopic(b.bootstrap, idle, GROUP_PARTITIONS);
  for (const client of clients) {
    const summary: MembershipSummary = { client, runs: [], median: null };
    results.membership.push(summary);
    for (let i = 1; i <= PLAN.membershipRuns; i++) {
      await attempt(`${client} membership run ${i}`, async () => {
        const r = await membershipRun(client, b.bootstrap, idle, PLAN.sessionMs);
        const rounded = Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, round(v, 1)]),
        ) as unknown as MembershipRun;
        summary.runs.push(rounded);
        progress(
          `${client} ${i}/${PLAN.membershipRuns}: formed ${r.formFromSpawnMs.toFixed(0)} ms from spawn ` +
            `(${r.formFromLastStartMs.toFixed(0)} ms from the last start); SIGKILL -> reowned ` +
            `${r.killRebalanceMs.toFixed(0)} ms (S + ${r.killAboveSessionMs.toFixed(0)}); ` +
            `LeaveGroup -> reowned ${r.leaveRebalanceMs.toFixed(0)} ms`,
        );
      });
    }
    summary.median = summarise(summary.runs);
  }
}

/** Produces `size`-byte records with kcat, then consumes them without a group and with each client's groups. */
async function measureConsume(
  b: BenchBroker,
  clients: readonly GroupClient[],
  size: (typeof SIZES)[number],
  tmp: string,
  results: GroupBenchResults,
  attempt: Attempt,
): Promise<void> {
  const records = PLAN.records[size];
  const topic = `group-bench-consume-${size}`;
  const file = path.join(tmp, `records-${size}.txt`);
  let produced = false;
  await attempt(`produce ${size} B`, async () => {
    await createTopic(b.bootstrap, topic, GROUP_PARTITIONS);
    writeRecordFile(file, records, size);
    const seconds = await kcatProduceFile(b.bootstrap, topic, file);
    produced = true;
    progress(
      `produced ${records.toLocaleString('en-US')} records of ${size} B with kcat in ${seconds.toFixed(2)} s`,
    );
  });
  fs.rmSync(file, { force: true });
  if (!produced) return;
  await attempt(`kcat baseline ${size} B`, async () => {
    // Plain kcat -C (assigned partitions, no group, process start-up included): what this
    // machine delivers right now without any group, to read the group rows against.
    const c = await kcatConsumeAll(b.bootstrap, topic, 120_000);
    results.consume.push({
      client: 'kcat (no group)',
      members: 0,
      recordBytes: size,
      records: c.records,
      seconds: round(c.seconds, 3),
      recordsPerSec: Math.round(c.records / c.seconds),
      mbPerSec: round((c.records * size) / c.seconds / 1e6, 1),
      formMs: 0,
    });
    progress(
      `kcat -C (no group) ${size} B: ${Math.round(c.records / c.seconds).toLocaleString('en-US')} rec/s`,
    );
  });
  for (const client of clients) {
    for (const count of MEMBER_COUNTS) {
      await attempt(`${client} consume ${size} B with ${count} member(s)`, async () => {
        results.consume.push(await groupConsumeRow(b, client, topic, records, size, count));
      });
    }
  }
}

/** One consume of the topic by `count` members of one client's group, as a result row. */
async function groupConsumeRow(
  b: BenchBroker,
  client: GroupClient,
  topic: string,
  records: number,
  size: number,
  count: number,
): Promise<ConsumeRow> {
  const cpu0 = b.cpuSeconds();
  const r = await consumeRun(
    client,
    b.bootstrap,
    topic,
    records,
    count,
    CONSUME_SESSION_MS,
    120_000,
  );
  const row: ConsumeRow = {
    client,
    members: count,
    recordBytes: size,
    records: r.records,
    seconds: round(r.seconds, 3),
    recordsPerSec: Math.round(records / r.seconds),
    mbPerSec: round((records * size) / r.seconds / 1e6, 1),
    formMs: round(r.formMs, 1),
    brokerCpuSeconds: round(b.cpuSeconds() - cpu0, 2),
  };
  const notes: string[] = [];
  if (r.records > records) notes.push(`${r.records - records} records delivered twice`);
  if (r.rebalancesDuringRun > 0)
    notes.push(`${r.rebalancesDuringRun} revocation(s) during the run`);
  if (r.consumedBeforeGo > 0) notes.push(`${r.consumedBeforeGo} consumed before release`);
  if (notes.length) row.note = notes.join('; ');
  progress(
    `${client} x${count} ${size} B: ${row.recordsPerSec.toLocaleString('en-US')} rec/s, ` +
      `${row.mbPerSec} MB/s (${row.seconds} s; group formed in ${r.formMs.toFixed(0)} ms)` +
      (row.note ? ` [${row.note}]` : ''),
  );
  return row;
}

/** Writes groups-latest.json and the docs page, and prints the summary table. */
async function saveResults(results: GroupBenchResults): Promise<void> {
  results.machine.loadAverage1mAtEnd = round(os.loadavg()[0], 2);
  results.durationSeconds = round((performance.now() - started) / 1000, 1);
  const resultsDir = path.join(REPO_ROOT, 'libs/streaming/broker/bench/results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(
    path.join(resultsDir, 'groups-latest.json'),
    JSON.stringify(results, null, 2) + '\n',
  );
  await writePage(results);
  process.stdout.write(consoleTable(results) + '\n');
  progress('done; wrote bench/results/groups-latest.json and docs/benchmarks/broker-groups.md');
}

/** Writes the page formatted with the repo's Prettier settings, so `prettier --check .` stays green. */
async function writePage(results: GroupBenchResults): Promise<void> {
  const docsDir = path.join(REPO_ROOT, 'docs/benchmarks');
  fs.mkdirSync(docsDir, { recursive: true });
  const file = path.join(docsDir, 'broker-groups.md');
  let text = markdown(results);
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    text = await prettier.format(text, { ...options, filepath: file });
  } catch (err) {
    progress(`prettier unavailable, markdown left unformatted: ${(err as Error).message}`);
  }
  fs.writeFileSync(file, text);
}

/** BENCH_REPORT_ONLY=1 rewrites the page from the last results, without measuring. */
async function reportOnly(): Promise<void> {
  const file = path.join(REPO_ROOT, 'libs/streaming/broker/bench/results/groups-latest.json');
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as GroupBenchResults;
  await writePage(results);
  process.stdout.write(consoleTable(results) + '\n');
}

if (process.env.BENCH_REPORT_ONLY === '1') await reportOnly();
else await main();
// kafkajs (the admin used to create topics) keeps reconnect timers alive: the figures are written.
process.exit(0);
