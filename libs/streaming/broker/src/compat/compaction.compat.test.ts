// Log compaction seen by real clients: topics with cleanup.policy=compact are
// written by kcat (lz4, snappy, idempotent), kafkajs (gzip) and
// @platformatic/kafka (zstd), compacted, then read from the beginning by kcat,
// kafkajs and @platformatic/kafka. Every reader must get exactly what the log
// holds (gaps in the offsets included) and so the latest value of every key.
import { Consumer } from '@platformatic/kafka';
import { Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRawBatch } from '../storage/compaction/index.ts';
import { BatchField, LOG_OVERHEAD } from '../storage/index.ts';
import type { PartitionLog } from '../storage/index.ts';
import { describeWithClient, detectKcat, detectNpmPackage } from './client-availability.ts';
import { readAllWithKcat, runCommand, startIsolatedBroker } from './compat-fixture.ts';
import type { IsolatedBroker } from './compat-fixture.ts';

const { Kafka, CompressionTypes, logLevel } = kafkajs;

const kafkajsAvailable = await detectNpmPackage('kafkajs');
const platformatic = await detectNpmPackage('@platformatic/kafka');
const kcat = detectKcat();
const all = [kafkajsAvailable, platformatic, kcat];

const KEYS = 20;
const UPDATES = 1_500;
const COMPACTED = {
  'cleanup.policy': 'compact',
  'segment.bytes': '8192',
  'min.cleanable.dirty.ratio': '0.01',
};

interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
}

/** What the partition holds, read from storage (all codecs). */
function stored(log: PartitionLog): Rec[] {
  const out: Rec[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const buf = log.read(offset, 1 << 20, true);
    let pos = 0;
    while (pos + LOG_OVERHEAD <= buf.length) {
      const size = buf.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
      if (pos + size > buf.length) break;
      const raw = readRawBatch(buf.subarray(pos, pos + size));
      for (const r of raw.records) {
        if (r.offset < offset) continue;
        out.push({
          offset: r.offset,
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
        });
      }
      offset = raw.baseOffset + raw.lastOffsetDelta + 1;
      pos += size;
    }
    if (pos === 0) break;
  }
  return out;
}

function updates(label: string): Array<{ key: string; value: string }> {
  return Array.from({ length: UPDATES }, (_, i) => ({
    key: `key-${i % KEYS}`,
    value: `${label}-${i}-${'p'.repeat(30 + (i % 40))}`,
  }));
}

function latestPerKey(records: Array<{ key: string | null; value: string | null }>) {
  const m = new Map<string | null, string | null>();
  for (const r of records) m.set(r.key, r.value);
  return m;
}

async function readWithPlatformatic(
  bootstrap: string,
  topic: string,
  nodeId: number,
  from: number,
) {
  const consumer = new Consumer({
    clientId: 'compat-compaction-fetch',
    groupId: 'compat-compaction-unused',
    bootstrapBrokers: [bootstrap],
    retries: 2,
  });
  try {
    consumer.topics.track(topic);
    const metadata = await consumer.metadata({ topics: [topic] });
    const topicMeta = metadata.topics.get(topic)!;
    const out: Rec[] = [];
    let next = BigInt(from);
    for (let round = 0; round < 1_000; round++) {
      const res = await consumer.fetch({
        node: nodeId,
        maxWaitTime: 50,
        topics: [
          {
            topicId: topicMeta.id,
            partitions: [
              {
                partition: 0,
                fetchOffset: next,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
                partitionMaxBytes: 16 * 1024,
              },
            ],
          },
        ],
      });
      const part = res.responses.flatMap((t) => t.partitions)[0]!;
      if (part.errorCode !== 0) throw new Error(`fetch error ${part.errorCode}`);
      for (const batch of part.records ?? []) {
        for (const record of batch.records) {
          const offset = batch.firstOffset + BigInt(record.offsetDelta);
          if (offset < next) continue;
          out.push({
            offset: Number(offset),
            key: record.key?.toString('utf8') ?? null,
            value: record.value?.toString('utf8') ?? null,
          });
        }
        // Across a compacted batch the next offset follows the batch's last offset, not its last record.
        next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
      }
      if (next >= part.highWatermark) break;
    }
    return out;
  } finally {
    await consumer.close();
  }
}

describeWithClient(
  {
    client: 'kcat + kafkajs + @platformatic/kafka',
    available: all.every((a) => a.available),
    reason: all
      .map((a) => a.reason)
      .filter(Boolean)
      .join('; '),
  },
  'log compaction with real clients',
  () => {
    let env: IsolatedBroker;
    beforeAll(async () => {
      env = await startIsolatedBroker('compaction');
    });
    afterAll(async () => {
      await env?.close();
    });

    const kafka = () =>
      new Kafka({
        clientId: 'compat-compaction',
        brokers: [env.bootstrap],
        logLevel: logLevel.NOTHING,
      });

    async function createCompacted(topic: string): Promise<void> {
      const admin = kafka().admin();
      await admin.connect();
      try {
        await admin.createTopics({
          topics: [
            {
              topic,
              numPartitions: 1,
              replicationFactor: 1,
              configEntries: Object.entries(COMPACTED).map(([name, value]) => ({ name, value })),
            },
          ],
          waitForLeaders: true,
        });
      } finally {
        await admin.disconnect();
      }
    }

    async function produceWithKcat(topic: string, codec: string): Promise<void> {
      const input = updates(`kcat-${codec}`)
        .map((u) => `${u.key}:${u.value}`)
        .join('\n');
      const res = await runCommand(
        'kcat',
        [
          '-P',
          '-b',
          env.bootstrap,
          '-t',
          topic,
          '-p',
          '0',
          '-K',
          ':',
          '-z',
          codec,
          '-X',
          'enable.idempotence=true',
          '-X',
          'linger.ms=5',
          '-X',
          'batch.num.messages=40',
        ],
        { input: input + '\n', timeoutMs: 60_000 },
      );
      expect(res.code, res.stderr).toBe(0);
    }

    async function produceWithKafkajs(topic: string): Promise<void> {
      const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        const all = updates('kafkajs');
        for (let i = 0; i < all.length; i += 50) {
          await producer.send({
            topic,
            compression: CompressionTypes.GZIP,
            messages: all.slice(i, i + 50).map((u) => ({ ...u, partition: 0 })),
          });
        }
      } finally {
        await producer.disconnect();
      }
    }

    async function produceWithPlatformatic(topic: string): Promise<void> {
      const producer = new Producer({
        clientId: 'compat-compaction-producer',
        bootstrapBrokers: [env.bootstrap],
        serializers: stringSerializers,
        acks: ProduceAcks.ALL,
        compression: 'zstd',
      });
      try {
        const all = updates('platformatic');
        for (let i = 0; i < all.length; i += 50) {
          await producer.send({
            messages: all.slice(i, i + 50).map((u) => ({ topic, partition: 0, ...u })),
          });
        }
      } finally {
        await producer.close();
      }
    }

    async function readWithKafkajs(topic: string, lastOffset: number): Promise<Rec[]> {
      const consumer = kafka().consumer({ groupId: `compaction-${topic}`, maxWaitTimeInMs: 50 });
      const out: Rec[] = [];
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer
            .run({
              eachMessage: async ({ message }) => {
                out.push({
                  offset: Number(message.offset),
                  key: message.key?.toString() ?? null,
                  value: message.value?.toString() ?? null,
                });
                if (Number(message.offset) >= lastOffset) resolve();
              },
            })
            .catch(reject);
        });
      } finally {
        await consumer.disconnect();
      }
      return out;
    }

    // kafkajs 2.2.4 decodes only gzip (other codecs are plug-ins), so it reads the gzip topic only.
    const cases: Array<[string, (topic: string) => Promise<void>, boolean]> = [
      ['kcat lz4', (t) => produceWithKcat(t, 'lz4'), false],
      ['kcat snappy', (t) => produceWithKcat(t, 'snappy'), false],
      ['kafkajs gzip', produceWithKafkajs, true],
      ['@platformatic/kafka zstd', produceWithPlatformatic, false],
    ];

    for (const [label, produce, kafkajsReads] of cases) {
      const readers = kafkajsReads
        ? 'kcat, kafkajs and @platformatic/kafka'
        : 'kcat and @platformatic/kafka';
      it(`compacts what ${label} wrote; ${readers} read the latest value per key across the gaps`, async () => {
        const topic = `compacted-${label.replace(/[^a-z0-9]+/gi, '-')}`;
        await createCompacted(topic);
        await produce(topic);
        const log = env.broker.logs.partition(topic, 0)!;
        const before = stored(log);
        expect(before).toHaveLength(UPDATES);
        const activeBase = log.segmentBaseOffsets().at(-1)!;

        const stats = await env.broker.runCompaction();
        expect(stats.recordsRemoved).toBeGreaterThan(UPDATES / 2);

        const after = stored(log);
        const compactedPart = after.filter((r) => r.offset < activeBase);
        expect(new Set(compactedPart.map((r) => r.key)).size).toBe(compactedPart.length);
        expect(latestPerKey(after)).toEqual(latestPerKey(before));

        const lastOffset = after.at(-1)!.offset;
        const byKcat = (await readAllWithKcat(env.bootstrap, topic, 1)).map((r) => ({
          offset: r.offset,
          key: r.key,
          value: r.value,
        }));
        expect(byKcat).toEqual(after);
        if (kafkajsReads) expect(await readWithKafkajs(topic, lastOffset)).toEqual(after);
        // A fully compacted first segment moves the log start: read from there, as a reset to earliest does.
        expect(
          await readWithPlatformatic(env.bootstrap, topic, env.broker.nodeId, log.logStartOffset),
        ).toEqual(after);
      }, 120_000);
    }

    describe('keyless records', () => {
      it('are refused on a compacted topic with INVALID_RECORD', async () => {
        await createCompacted('compacted-keyless');
        const producer = kafka().producer({ retry: { retries: 0 } });
        await producer.connect();
        try {
          await expect(
            producer.send({ topic: 'compacted-keyless', messages: [{ value: 'no key' }] }),
          ).rejects.toMatchObject({ type: 'INVALID_RECORD' });
          await producer.send({
            topic: 'compacted-keyless',
            messages: [{ key: 'k', value: 'ok' }],
          });
        } finally {
          await producer.disconnect();
        }
        expect(stored(env.broker.logs.partition('compacted-keyless', 0)!)).toEqual([
          { offset: 0, key: 'k', value: 'ok' },
        ]);
      }, 30_000);
    });
  },
);
