// Transactional against idempotent produce (part of `npm run bench:broker`; `npm run bench:txn`
// alone; BENCH_QUICK=1 for a smoke run). The same client (kafkajs 2.2.4, in this process), the same
// 100-byte records in sends of 1,000, one send in flight: idempotent sends, then transactions of 1
// and of 10 sends (commit each). Reports records/s and the broker's CPU per million records, writes
// bench/results/transactions-latest.json and the transactions section of docs/benchmarks/broker.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { REPO_ROOT, spawnBroker } from './broker-process.ts';
import type { BenchBroker } from './broker-process.ts';
import { createTopic } from './kafkajs-load.ts';
import { machineInfo, round } from './report.ts';
import { TXN_SECTION_END, TXN_SECTION_START, withTransactionsSection } from './txn-section.ts';

const { Kafka, logLevel } = kafkajs;
const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = QUICK ? 2 : 10;
const RUNS = QUICK ? 1 : 3;
const SIZE = 100;
const SEND = 1_000;

interface Series {
  name: string;
  /** Sends per transaction; 0 = idempotent, no transaction. */
  sendsPerTxn: number;
}
const SERIES: Series[] = [
  { name: 'idempotent (no transaction)', sendsPerTxn: 0 },
  { name: 'transactional, 1,000 records per transaction', sendsPerTxn: 1 },
  { name: 'transactional, 10,000 records per transaction', sendsPerTxn: 10 },
];

interface Row {
  series: string;
  recordsPerSecond: number;
  transactionsPerSecond: number | null;
  brokerCpuMsPerMillion: number;
  runs: number[];
}

/** Produces for SECONDS and returns records acknowledged (committed), transactions and elapsed s. */
async function produceFor(b: BenchBroker, topic: string, s: Series, run: number) {
  const kafka = new Kafka({
    clientId: 'bench-txn',
    brokers: [b.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    ...(s.sendsPerTxn > 0 ? { transactionalId: `bench-txn-${s.sendsPerTxn}-${run}` } : {}),
  });
  await producer.connect();
  const value = Buffer.alloc(SIZE, 't');
  const messages = Array.from({ length: SEND }, () => ({ value }));
  let records = 0;
  let transactions = 0;
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  while (performance.now() < deadline) {
    if (s.sendsPerTxn === 0) {
      await producer.send({ topic, acks: -1, messages });
      records += SEND;
      continue;
    }
    const txn = await producer.transaction();
    for (let i = 0; i < s.sendsPerTxn; i++) await txn.send({ topic, acks: -1, messages });
    await txn.commit();
    records += SEND * s.sendsPerTxn;
    transactions++;
  }
  const seconds = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return { records, transactions, seconds };
}

/**
 * Every run measures the series one after the other (interleaved), so that a machine whose load
 * drifts during the bench weighs on all of them alike.
 */
async function measure(tmp: string): Promise<Row[]> {
  const samples = SERIES.map(() => ({
    rates: [] as number[],
    txnRates: [] as number[],
    cpu: [] as number[],
  }));
  for (let run = 0; run < RUNS; run++) {
    for (const [i, s] of SERIES.entries()) {
      const b = await spawnBroker(fs.mkdtempSync(path.join(tmp, 'txn-')));
      try {
        const topic = `txn-bench-${run}`;
        await createTopic(b.bootstrap, topic, 1);
        const cpuBefore = b.cpuSeconds();
        const r = await produceFor(b, topic, s, run);
        samples[i]!.cpu.push(((b.cpuSeconds() - cpuBefore) * 1000 * 1e6) / r.records);
        samples[i]!.rates.push(r.records / r.seconds);
        samples[i]!.txnRates.push(r.transactions / r.seconds);
        process.stderr.write(
          `[txn bench] run ${run + 1}/${RUNS} ${s.name}: ${Math.round(r.records / r.seconds)} rec/s\n`,
        );
      } finally {
        await b.stop();
      }
    }
  }
  const med = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)]!;
  return SERIES.map((s, i) => ({
    series: s.name,
    recordsPerSecond: Math.round(med(samples[i]!.rates)),
    transactionsPerSecond: s.sendsPerTxn > 0 ? round(med(samples[i]!.txnRates), 1) : null,
    brokerCpuMsPerMillion: Math.round(med(samples[i]!.cpu)),
    runs: samples[i]!.rates.map((x) => Math.round(x)),
  }));
}

function section(rows: Row[], machine: Record<string, string | number>, date: string): string {
  const base = rows[0]!.recordsPerSecond;
  const lines = rows.map(
    (r) =>
      `| ${r.series} | ${r.recordsPerSecond.toLocaleString('en-US')} | ${r.transactionsPerSecond ?? '–'} | ${Math.round((100 * r.recordsPerSecond) / base)} % | ${r.brokerCpuMsPerMillion.toLocaleString('en-US')} | ${r.runs.map((x) => x.toLocaleString('en-US')).join(', ')} |`,
  );
  return `${TXN_SECTION_START}

## Transactional against idempotent produce

Run ${date} by \`libs/streaming/broker/bench/txn-bench.ts\` (part of \`npm run bench:broker\`, or
\`npm run bench:txn\`), on ${machine.cpu} (${machine.cores} cores, 1-minute load average ${machine.loadAverage1mAtStart} at
the start and ${round(os.loadavg()[0], 2)} at the end: the machine is shared, and a transaction's extra
round trips suffer most from waiting for a core). Method: a fresh broker process per run (as \`npm run broker\`), one single-partition
topic; kafkajs 2.2.4 in the bench process sends 1,000 records of ${SIZE} bytes per request with
acks=all and one request in flight, for ${SECONDS} s; idempotent sends, then transactions of 1 and
10 sends, each committed (every transaction is InitProducerId once, then AddPartitionsToTxn on its
first send, its sends, and EndTxn, which writes the commit marker). ${RUNS} runs, each measuring the
three series in turn (interleaved, so load drift weighs on all alike); the medians are shown. Broker
CPU is the broker process's user+system time over the run divided by the records: on a busy machine
it is the steadier figure, records/s depends on how long each round trip waits for a core.

| series | records/s | transactions/s | vs idempotent | broker CPU ms per million records | runs (records/s) |
| --- | --- | --- | --- | --- | --- |
${lines.join('\n')}

What a transaction adds, on the wire and in the broker: AddPartitionsToTxn before its first send
and EndTxn after its last (two round trips), three \`__transaction_state\` records (Ongoing,
PrepareCommit, CompleteCommit) and one commit marker per partition; its sends themselves are
idempotent produces plus a check of the producer's epoch and partitions against the coordinator.
The gap between the two transactional rows shows how much of the cost is per transaction, the gap
to the idempotent row how much is per send. The broker has not been profiled for transactions yet
(\`node --cpu-prof\` on the broker process is the step before any optimisation).

${TXN_SECTION_END}`;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-bench-'));
  try {
    const machine = machineInfo();
    const rows = await measure(tmp);
    const date = new Date().toISOString().slice(0, 10);
    const resultsDir = path.join(REPO_ROOT, 'libs/streaming/broker/bench/results');
    fs.writeFileSync(
      path.join(resultsDir, 'transactions-latest.json'),
      `${JSON.stringify({ date, quick: QUICK, seconds: SECONDS, size: SIZE, machine, rows }, null, 2)}\n`,
    );
    const doc = path.join(REPO_ROOT, 'docs/benchmarks/broker.md');
    const next = withTransactionsSection(
      fs.readFileSync(doc, 'utf8'),
      section(rows, machine, date),
    );
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(doc)) ?? {};
    // A quick run's figures are a smoke test, not documentation.
    if (!QUICK) fs.writeFileSync(doc, await prettier.format(next, { ...options, filepath: doc }));
    console.table(rows.map(({ runs: _runs, ...r }) => r));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
// kafkajs keeps reconnect timers alive after disconnect(): the figures are written, so leave now.
process.exit(0);
