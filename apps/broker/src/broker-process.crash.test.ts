// Crash safety of the real broker process: what the broker acknowledged with
// acks=all must survive a kill -9 in the middle of a produce stream, exactly
// once and in order, and a clean restart must keep everything.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Consumer } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';

const { Kafka, logLevel } = kafkajs;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(REPO, 'apps/broker/src/main.ts');
const NODE = fs.existsSync(path.join(REPO, 'node_modules/.bin/node'))
  ? path.join(REPO, 'node_modules/.bin/node')
  : process.execPath;
const TOPIC = 'crash-orders';
const PARTITIONS = 3;

interface BrokerProcess {
  child: ChildProcess;
  bootstrap: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: BrokerProcess[] = [];
const tempDirs: string[] = [];

afterEach(() => {
  for (const b of started.splice(0))
    if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
  for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-crash-'));
  tempDirs.push(dir);
  return dir;
}

/** Spawns apps/broker/src/main.ts and resolves once it prints `broker ready on HOST:PORT`. */
function startProcess(logDir: string): Promise<BrokerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [MAIN, '--port', '0', '--log-dir', logDir], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.on('exit', (code, signal) => res({ code, signal })),
    );
    const proc: Omit<BrokerProcess, 'bootstrap'> = { child, stderr: () => err, exited };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`broker not ready within 20 s; stdout: ${out}\nstderr: ${err.slice(-3000)}`),
      );
    }, 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /^broker ready on (\S+):(\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        const b = { ...proc, bootstrap: `${m[1]}:${m[2]}` };
        started.push(b);
        resolve(b);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`broker exited early (${code ?? signal}); stderr: ${err.slice(-3000)}`));
    });
  });
}

function kafka(bootstrap: string) {
  return new Kafka({
    clientId: 'crash-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    // Never retry: a resolved send is an acknowledgement, a rejected one is not.
    retry: { retries: 0 },
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
  });
}

async function createTopic(bootstrap: string): Promise<void> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: PARTITIONS }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

interface Stored {
  partition: number;
  offset: number;
  seq: number;
}

/** Reads every partition from 0 to the high watermark with @platformatic/kafka's group-less fetch. */
async function readAll(bootstrap: string): Promise<Stored[]> {
  const consumer = new Consumer({
    clientId: 'crash-reader',
    groupId: 'crash-unused',
    bootstrapBrokers: [bootstrap],
  });
  try {
    // fetch() resolves topic ids against the metadata of tracked topics only (Fetch <= 12
    // addresses topics by name, so the id must map back to it).
    consumer.topics.track(TOPIC);
    const metadata = await consumer.metadata({ topics: [TOPIC] });
    const topic = metadata.topics.get(TOPIC);
    if (!topic) throw new Error(`no topic ${TOPIC} after restart`);
    const nodeId = [...metadata.brokers.keys()][0];
    const out: Stored[] = [];
    for (let partition = 0; partition < topic.partitionsCount; partition++) {
      let next = 0n;
      for (let round = 0; round < 10_000; round++) {
        const res = await consumer.fetch({
          node: nodeId,
          maxWaitTime: 10,
          topics: [
            {
              topicId: topic.id,
              partitions: [
                {
                  partition,
                  fetchOffset: next,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: 1 << 20,
                },
              ],
            },
          ],
        });
        const part = res.responses
          .flatMap((t) => t.partitions)
          .find((p) => p.partitionIndex === partition);
        if (!part || part.errorCode !== 0)
          throw new Error(`fetch partition ${partition}: error ${part?.errorCode}`);
        for (const batch of part.records ?? []) {
          for (const record of batch.records) {
            const offset = batch.firstOffset + BigInt(record.offsetDelta);
            if (offset < next) continue;
            out.push({
              partition,
              offset: Number(offset),
              seq: Number(record.value?.toString('utf8')),
            });
            next = offset + 1n;
          }
        }
        if (next >= part.highWatermark) break;
      }
    }
    return out;
  } finally {
    await consumer.close();
  }
}

/**
 * Produces 50-record batches one request at a time (concurrent kafkajs sends
 * may be reordered by the client itself) until `stopAfter` records are
 * acknowledged. With `killMidRequest`, one more batch is sent and the broker is
 * killed while that request is in flight. Returns the acknowledged seqs.
 */
async function produceStream(
  bootstrap: string,
  stopAfter: number,
  killMidRequest?: () => void,
  firstSeq = 0,
): Promise<{ acked: Set<number>; attempted: number }> {
  const producer = kafka(bootstrap).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const acked = new Set<number>();
  let seq = firstSeq;
  let killed = false;
  while (acked.size < stopAfter || (killMidRequest && !killed)) {
    const batch = Array.from({ length: 50 }, () => seq++);
    const sending = producer.send({
      topic: TOPIC,
      acks: -1,
      messages: batch.map((s) => ({
        partition: s % PARTITIONS,
        key: `k${s % PARTITIONS}`,
        value: String(s),
      })),
    });
    if (killMidRequest && acked.size >= stopAfter) {
      killed = true;
      setImmediate(killMidRequest);
    }
    try {
      await sending;
    } catch {
      break; // broker gone: this batch and everything after it is not acknowledged
    }
    for (const s of batch) acked.add(s);
  }
  await producer.disconnect().catch(() => undefined);
  return { acked, attempted: seq };
}

function expectAckedExactlyOnceInOrder(
  stored: Stored[],
  acked: Set<number>,
  attempted: number,
): void {
  const seen = new Map<number, number>();
  for (const r of stored) seen.set(r.seq, (seen.get(r.seq) ?? 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([s]) => s);
  expect(duplicates, 'records stored more than once').toEqual([]);
  const missing = [...acked].filter((s) => !seen.has(s));
  expect(missing, 'acknowledged records lost').toEqual([]);
  for (const r of stored) expect(r.seq).toBeLessThan(attempted);
  for (let p = 0; p < PARTITIONS; p++) {
    const seqs = stored
      .filter((r) => r.partition === p)
      .sort((a, b) => a.offset - b.offset)
      .map((r) => r.seq);
    expect(seqs, `partition ${p} in produce order`).toEqual([...seqs].sort((a, b) => a - b));
    for (const s of seqs) expect(s % PARTITIONS).toBe(p);
  }
}

describe('broker process crash safety', () => {
  it('keeps every acknowledged record exactly once and in order after kill -9 mid-stream', async () => {
    const logDir = tempDir();
    const first = await startProcess(logDir);
    await createTopic(first.bootstrap);

    const { acked, attempted } = await produceStream(first.bootstrap, 5_000, () =>
      first.child.kill('SIGKILL'),
    );
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(5_000);

    const second = await startProcess(logDir);
    const stored = await readAll(second.bootstrap);
    expectAckedExactlyOnceInOrder(stored, acked, attempted);

    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 120_000);

  it('keeps everything across a clean restart (SIGTERM exits 0)', async () => {
    const logDir = tempDir();
    const first = await startProcess(logDir);
    await createTopic(first.bootstrap);
    const { acked, attempted } = await produceStream(first.bootstrap, 2_000);
    expect(acked.size).toBe(attempted);

    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = await startProcess(logDir);
    const stored = await readAll(second.bootstrap);
    expect(stored).toHaveLength(attempted);
    expectAckedExactlyOnceInOrder(stored, acked, attempted);
    // Appends continue after the recovered end, not over it.
    const again = await produceStream(second.bootstrap, 10);
    expect(again.acked.size).toBeGreaterThan(0);
    const after = await readAll(second.bootstrap);
    expect(after.length).toBe(attempted + again.attempted);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 120_000);
  it('survives three kill -9 cycles on the same directory, appending after each recovery', async () => {
    const logDir = tempDir();
    const acked = new Set<number>();
    let next = 0;
    for (let cycle = 0; cycle < 3; cycle++) {
      const broker = await startProcess(logDir);
      if (cycle === 0) await createTopic(broker.bootstrap);
      const run = await produceStream(
        broker.bootstrap,
        1_500,
        () => broker.child.kill('SIGKILL'),
        next,
      );
      expect((await broker.exited).signal).toBe('SIGKILL');
      expect(run.acked.size).toBeGreaterThanOrEqual(1_500);
      for (const s of run.acked) acked.add(s);
      next = run.attempted;
    }
    const last = await startProcess(logDir);
    expectAckedExactlyOnceInOrder(await readAll(last.bootstrap), acked, next);
    last.child.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);
  }, 120_000);
});
