// Transactions on a compacted topic, read by kafkajs 2.2.4: the cleaner removes aborted data and
// the markers no longer needed, keeps each producer's last batch (emptied when none of its records
// survives) and the markers of the transactions still in the log. Consumers of both isolation
// levels then see the latest committed value of every key and nothing aborted, before and after a
// restart, and the partition's last stable offset still moves (no batch left without its marker).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { startBroker } from '../index.ts';
import type { RunningBroker } from '../index.ts';
import { readBatchInfo, type BatchInfo, type PartitionLog } from '../storage/index.ts';
import { describeWithClient, detectNpmPackage } from './client-availability.ts';

const { Kafka, logLevel } = kafkajs;
const kafkajsAvailable = await detectNpmPackage('kafkajs');
const TOPIC = 'txn-compacted';

/** The header of every batch in the partition. */
function batchHeaders(log: PartitionLog): BatchInfo[] {
  const out: BatchInfo[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const buf = log.read(offset, 1 << 20, true);
    for (let pos = 0; pos < buf.length;) {
      const info = readBatchInfo(buf, pos);
      out.push(info);
      offset = info.baseOffset + info.lastOffsetDelta + 1;
      pos += info.size;
    }
  }
  return out;
}

/** Values of the topic as a fresh group consumer sees them, once `done` says it has read enough. */
async function consume(
  kafka: KafkaClient,
  readUncommitted: boolean,
  done: (values: string[]) => boolean,
): Promise<string[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${readUncommitted}-${Date.now()}-${Math.random()}`,
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  const values: string[] = [];
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only saw ${JSON.stringify(values)}`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(`${message.key?.toString()}=${message.value?.toString()}`);
          if (done(values)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describeWithClient(kafkajsAvailable, 'transactions on a compacted topic (kafkajs 2.2.4)', () => {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-txn-compaction-'));
  let broker: RunningBroker | undefined;
  afterAll(async () => {
    await broker?.close();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  async function start(): Promise<KafkaClient> {
    broker = await startBroker({ port: 0, host: '127.0.0.1', logDir, logCleanerBackoffMs: null });
    return new Kafka({
      clientId: 'txn-compaction',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
  }

  async function transactions(kafka: KafkaClient, rounds: Array<[string[], boolean]>) {
    const producer = kafka.producer({
      transactionalId: 'compacted-tx',
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      for (const [pairs, commit] of rounds) {
        const txn = await producer.transaction();
        await txn.send({
          topic: TOPIC,
          messages: pairs.map((p) => ({ key: p.split('=')[0]!, value: p.split('=')[1]! })),
        });
        if (commit) await txn.commit();
        else await txn.abort();
      }
    } finally {
      await producer.disconnect();
    }
  }

  it('compacts away aborted data and spent markers; consumers see only the latest committed values', async () => {
    let kafka = await start();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: TOPIC,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'delete.retention.ms', value: '0' },
            { name: 'segment.bytes', value: '1024' },
          ],
        },
      ],
    });
    await admin.disconnect();
    const rounds: Array<[string[], boolean]> = [];
    for (let i = 0; i < 12; i++)
      rounds.push([[`k${i % 3}=v${i}`, `k${(i + 1) % 3}=w${i}`], i % 3 !== 1]);
    // The last transaction aborts: its batch stays (emptied) as the producer's last, with its marker.
    rounds.push([['k0=last-aborted'], false]);
    await transactions(kafka, rounds);
    const log = broker!.logs.partition(TOPIC, 0)!;
    log.roll();
    const stats = await broker!.runCompaction({ force: true });
    expect(stats.recordsRemoved).toBeGreaterThan(0);
    expect(stats.markersRemoved).toBeGreaterThan(0);
    // The producer's last batch is still there, without records, and the marker of its abort.
    const tail = batchHeaders(log).slice(-2);
    expect(tail.map((b) => [b.recordCount, (b.attributes & 0x20) !== 0])).toEqual([
      [0, false],
      [1, true],
    ]);
    // The latest committed value of each key (transactions 1, 4, 7 and 10 aborted).
    const expected = ['k0=w11', 'k1=w9', 'k2=v11'];
    const done = (v: string[]) => v.length >= 3;
    expect((await consume(kafka, false, done)).sort()).toEqual(expected);
    expect((await consume(kafka, true, done)).sort()).toEqual(expected);

    await broker!.close();
    kafka = await start();
    await transactions(kafka, [[['k0=after-restart'], true]]);
    // Read to the new commit: the last stable offset moved past everything the cleaner left.
    const after = await consume(kafka, false, (v) => v.includes('k0=after-restart'));
    expect(after.sort()).toEqual([...expected, 'k0=after-restart'].sort());
  }, 120_000);
});
