// The price of TLS and SASL: `npm run bench:broker` ends with it (alone: `node
// libs/streaming/broker/bench/security-bench.ts`; BENCH_QUICK=1 for a smoke run). One broker child
// process serves a PLAINTEXT and a SASL_SSL listener (TLS from node:tls, SCRAM-SHA-512 login);
// kcat produces then consumes the same records over each, in alternating rounds so both see the
// same machine load. Writes bench/results/broker-security-latest.json and the "Over SASL_SSL"
// section of docs/benchmarks/broker.md (between its markers, after broker-bench has written the
// rest of the page). The brief's budget: TLS may cost at most 35 % of plaintext throughput.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestCertificates } from '../src/testing/test-certificates.ts';
import { REPO_ROOT, freePort, spawnBroker } from './broker-process.ts';
import { createTopic } from './kafkajs-load.ts';
import { kcatConsumeAll, kcatProduceFile, writeRecordFile } from './kcat-load.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 5;
// 200 MB per run: about a second of produce, so the logins (TLS handshake, SCRAM) weigh little.
const RECORDS = QUICK ? 20_000 : 200_000;
const SIZE = 1024;
const PARTITIONS = 3;
const BUDGET = 0.35;
const USER = { name: 'bench', password: 'bench-secret' };

interface Run {
  protocol: 'PLAINTEXT' | 'SASL_SSL';
  round: number;
  produceMiBs: number;
  consumeMiBs: number;
}

const progress = (msg: string) => process.stderr.write(`[security bench] ${msg}\n`);
const mib = (records: number) => (records * SIZE) / 1024 / 1024;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;

async function main(): Promise<void> {
  const certs = makeTestCertificates();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'security-bench-'));
  const saslPort = await freePort();
  const config = path.join(work, 'server.properties');
  fs.writeFileSync(
    config,
    [
      `listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://localhost:${saslPort}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${certs.server.keystoreFile}`,
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      '',
    ].join('\n'),
  );
  const broker = await spawnBroker(path.join(work, 'log'), [
    '--config',
    config,
    '--add-scram',
    `SCRAM-SHA-512=[name=${USER.name},password=${USER.password}]`,
  ]);
  const file = path.join(work, 'records.txt');
  writeRecordFile(file, RECORDS, SIZE);
  const over = {
    PLAINTEXT: { bootstrap: broker.bootstrap, security: [] as string[] },
    SASL_SSL: {
      bootstrap: `localhost:${saslPort}`,
      security: [
        ...['security.protocol=SASL_SSL', 'sasl.mechanisms=SCRAM-SHA-512'],
        ...[`sasl.username=${USER.name}`, `sasl.password=${USER.password}`],
        `ssl.ca.location=${certs.caFile}`,
      ].flatMap((setting) => ['-X', setting]),
    },
  };
  const runs: Run[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++)
      for (const protocol of ['PLAINTEXT', 'SASL_SSL'] as const) {
        const topic = `bench-${protocol.toLowerCase()}-${round}`;
        await createTopic(broker.bootstrap, topic, PARTITIONS);
        const { bootstrap, security } = over[protocol];
        const produceSeconds = await kcatProduceFile(bootstrap, topic, file, security);
        const consumed = await kcatConsumeAll(bootstrap, topic, 300_000, security);
        if (consumed.records !== RECORDS)
          throw new Error(`${protocol}: consumed ${consumed.records} of ${RECORDS} records`);
        const run = {
          protocol,
          round,
          produceMiBs: mib(RECORDS) / produceSeconds,
          consumeMiBs: mib(RECORDS) / consumed.seconds,
        };
        runs.push(run);
        progress(
          `round ${round} ${protocol}: produce ${run.produceMiBs.toFixed(1)} MiB/s, consume ${run.consumeMiBs.toFixed(1)} MiB/s`,
        );
      }
  } finally {
    await broker.stop();
    certs.remove();
    fs.rmSync(work, { recursive: true, force: true });
  }
  report(runs);
}

function report(runs: Run[]): void {
  const of = (protocol: Run['protocol'], key: 'produceMiBs' | 'consumeMiBs') =>
    median(runs.filter((r) => r.protocol === protocol).map((r) => r[key]));
  const rows = (['produceMiBs', 'consumeMiBs'] as const).map((key) => {
    const plain = of('PLAINTEXT', key);
    const secured = of('SASL_SSL', key);
    // Each round measures both listeners back to back: its own cost shows how much the figure moves.
    const roundCosts = Array.from({ length: ROUNDS }, (_, i) => {
      const inRound = (protocol: Run['protocol']) =>
        runs.find((r) => r.round === i + 1 && r.protocol === protocol)![key];
      return 1 - inRound('SASL_SSL') / inRound('PLAINTEXT');
    });
    return {
      what: key === 'produceMiBs' ? 'produce' : 'consume',
      plain,
      secured,
      cost: 1 - secured / plain,
      roundCostMin: Math.min(...roundCosts),
      roundCostMax: Math.max(...roundCosts),
    };
  });
  const load = os.loadavg()[0]!.toFixed(2);
  const results = {
    generatedAt: new Date().toISOString(),
    quick: QUICK,
    records: RECORDS,
    size: SIZE,
    rounds: ROUNDS,
    loadAverageAtEnd: load,
    budget: BUDGET,
    rows,
    runs,
  };
  const resultsFile = path.join(
    REPO_ROOT,
    'libs/streaming/broker/bench/results/broker-security-latest.json',
  );
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  const percent = (x: number) => `${(x * 100).toFixed(0)} %`;
  const table = rows.map(
    (r) =>
      `| ${r.what} | ${r.plain.toFixed(1)} | ${r.secured.toFixed(1)} | ${percent(r.cost)} | ${percent(r.roundCostMin)} – ${percent(r.roundCostMax)} | ${r.cost <= BUDGET ? 'within' : '**over**'} |`,
  );
  const section = [
    START,
    '## Over SASL_SSL',
    '',
    `Generated by \`libs/streaming/broker/bench/security-bench.ts\` (the last step of \`npm run bench:broker\`) on ${results.generatedAt}; raw figures: \`libs/streaming/broker/bench/results/broker-security-latest.json\`.`,
    '',
    `Method: one broker child process with two listeners, PLAINTEXT and SASL_SSL (TLS through node:tls with a PEM test certificate, SCRAM-SHA-512 login; no authorizer). kcat (librdkafka) produces ${RECORDS.toLocaleString('en')} records of ${SIZE} bytes (acks=all, no compression, the throughput tuning above) to a ${PARTITIONS}-partition topic, then consumes them all without a group, over one listener then the other, in ${ROUNDS} alternating round(s) so both see the same machine load; the table shows the median MiB/s of the rounds, and the lowest and highest cost of a single round. Load average (1 min) at the end: ${load} on ${os.cpus().length} cores${QUICK ? ' (BENCH_QUICK smoke run)' : ''}.`,
    '',
    `| | PLAINTEXT MiB/s | SASL_SSL MiB/s | cost of TLS + SASL | cost, round by round | budget (≤ ${BUDGET * 100} %) |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...table,
    END,
  ].join('\n');
  const page = path.join(REPO_ROOT, 'docs/benchmarks/broker.md');
  const text = fs.readFileSync(page, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const updated =
    start >= 0 && end > start
      ? text.slice(0, start) + section + text.slice(end + END.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(page, updated);
  // The page is checked by prettier (npm run lint): format it as the rest of the repository is.
  spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/prettier'), ['--write', page], {
    stdio: 'ignore',
  });
  process.stdout.write(`${table.join('\n')}\n`);
  progress(
    `wrote ${path.relative(REPO_ROOT, resultsFile)} and the SASL_SSL section of docs/benchmarks/broker.md`,
  );
}

const START = '<!-- security-bench:start -->';
const END = '<!-- security-bench:end -->';

await main();
