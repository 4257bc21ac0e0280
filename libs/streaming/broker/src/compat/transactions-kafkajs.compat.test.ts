// kafkajs 2.2.4 transactions against the broker: producer.transaction() with commit and abort,
// sendOffsets in a consume-transform-produce step, fencing, and consumers of both isolation levels.
import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClient, detectNpmPackage } from './client-availability.ts';
import { startIsolatedBroker } from './compat-fixture.ts';
import type { IsolatedBroker } from './compat-fixture.ts';

const { Kafka, logLevel } = kafkajs;
const kafkajsAvailable = await detectNpmPackage('kafkajs');

/** Values of `topic` as a group consumer of this isolation level sees them, once `done` says so. */
async function consumeUntil(
  kafka: KafkaClient,
  topic: string,
  readUncommitted: boolean,
  done: (values: string[]) => boolean,
): Promise<string[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${topic}-${readUncommitted}-${Date.now()}`,
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  const values: string[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only saw ${JSON.stringify(values)}`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
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

describeWithClient(kafkajsAvailable, 'transactions with kafkajs 2.2.4', () => {
  let env: IsolatedBroker;
  let kafka: KafkaClient;
  beforeAll(async () => {
    env = await startIsolatedBroker('kafkajs-txn');
    kafka = new Kafka({
      clientId: 'compat-kafkajs-txn',
      brokers: [env.bootstrap],
      logLevel: logLevel.NOTHING,
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  function transactionalProducer(transactionalId: string) {
    return kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  }

  it('commits and aborts with producer.transaction(); read_committed skips the aborted records', async () => {
    const topic = 'kjs-commit-abort';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = transactionalProducer('kjs-tx-1');
    await producer.connect();
    try {
      for (const [outcome, values] of [
        ['commit', ['c1', 'c2']],
        ['abort', ['a1']],
        ['commit', ['c3']],
      ] as const) {
        const txn = await producer.transaction();
        await txn.send({ topic, messages: values.map((value) => ({ value })) });
        if (outcome === 'commit') await txn.commit();
        else await txn.abort();
      }
    } finally {
      await producer.disconnect();
    }
    const committed = await consumeUntil(kafka, topic, false, (v) => v.includes('c3'));
    expect(committed).toEqual(['c1', 'c2', 'c3']);
    const uncommitted = await consumeUntil(kafka, topic, true, (v) => v.length >= 4);
    expect(uncommitted).toEqual(['c1', 'c2', 'a1', 'c3']);
  }, 120_000);

  it('sends consumed offsets with the transaction (sendOffsets); an abort commits neither', async () => {
    const input = 'kjs-ctp-in';
    const output = 'kjs-ctp-out';
    const groupId = 'kjs-ctp';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: input }, { topic: output }] });
    const seeder = kafka.producer();
    await seeder.connect();
    await seeder.send({
      topic: input,
      messages: ['i0', 'i1', 'i2', 'i3'].map((value) => ({ value })),
    });
    await seeder.disconnect();

    const producer = transactionalProducer('kjs-tx-ctp');
    await producer.connect();
    const step = async (values: string[], nextOffset: number, commit: boolean) => {
      const txn = await producer.transaction();
      await txn.send({ topic: output, messages: values.map((v) => ({ value: v.toUpperCase() })) });
      await txn.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: String(nextOffset) }] }],
      });
      if (commit) await txn.commit();
      else await txn.abort();
    };
    try {
      await step(['i0', 'i1'], 2, true);
      await step(['i2', 'i3'], 4, false);
    } finally {
      await producer.disconnect();
    }
    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    await admin.disconnect();
    expect(offsets[0]!.partitions[0]!.offset).toBe('2');
    // The aborted step's output stays invisible; a final committed record ends the read.
    const closer = transactionalProducer('kjs-tx-closer');
    await closer.connect();
    const txn = await closer.transaction();
    await txn.send({ topic: output, messages: [{ value: 'END' }] });
    await txn.commit();
    await closer.disconnect();
    expect(await consumeUntil(kafka, output, false, (v) => v.includes('END'))).toEqual([
      'I0',
      'I1',
      'END',
    ]);
  }, 120_000);

  it('fences the older producer when a new one initialises the same transactional id', async () => {
    const topic = 'kjs-fence';
    const zombie = transactionalProducer('kjs-tx-fence');
    await zombie.connect();
    const open = await zombie.transaction();
    await open.send({ topic, messages: [{ value: 'zombie' }] });
    const fresh = transactionalProducer('kjs-tx-fence');
    await fresh.connect();
    try {
      // kafkajs initialises the transactional id when the first transaction starts.
      const txn = await fresh.transaction();
      await expect(open.commit()).rejects.toThrow(/fenced|epoch/i);
      await txn.send({ topic, messages: [{ value: 'fresh' }] });
      await txn.commit();
    } finally {
      await zombie.disconnect();
      await fresh.disconnect();
    }
    expect(await consumeUntil(kafka, topic, false, (v) => v.includes('fresh'))).toEqual(['fresh']);
  }, 120_000);
});
