// @platformatic/kafka transactions against the broker: beginTransaction() with commit and abort,
// read back by consumers of both isolation levels, and fencing of an older producer instance.
import {
  Admin,
  Consumer,
  FetchIsolationLevels,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClient, detectNpmPackage } from './client-availability.ts';
import { startIsolatedBroker } from './compat-fixture.ts';
import type { IsolatedBroker } from './compat-fixture.ts';

const platformatic = await detectNpmPackage('@platformatic/kafka');

describeWithClient(platformatic, 'transactions with @platformatic/kafka', () => {
  let env: IsolatedBroker;
  beforeAll(async () => {
    env = await startIsolatedBroker('platformatic-txn');
  });
  afterAll(async () => {
    await env?.close();
  });

  async function createTopic(topic: string) {
    const admin = new Admin({ clientId: 'txn-admin', bootstrapBrokers: [env.bootstrap] });
    try {
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    } finally {
      await admin.close();
    }
  }

  /**
   * Without producerId/producerEpoch, @platformatic/kafka 2.12 sends InitProducerId v3+ with 0/0,
   * which Kafka (and this broker) read as "I hold producer id 0 at epoch 0": a second instance of a
   * transactional id whose producer id is not 0 would be refused as fenced. -1/-1 says "none held".
   */
  function producer(transactionalId: string) {
    return new Producer({
      clientId: `txn-${transactionalId}`,
      bootstrapBrokers: [env.bootstrap],
      idempotent: true,
      transactionalId,
      producerId: -1n,
      producerEpoch: -1,
      serializers: stringSerializers,
    });
  }

  /** The values a group consumer of this isolation level sees, once `done` says it has seen enough. */
  async function consumeUntil(
    topic: string,
    isolationLevel: number,
    done: (values: string[]) => boolean,
  ): Promise<string[]> {
    const consumer = new Consumer({
      groupId: `reader-${topic}-${isolationLevel}`,
      clientId: 'txn-reader',
      bootstrapBrokers: [env.bootstrap],
      deserializers: stringDeserializers,
      isolationLevel,
    });
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.EARLIEST,
      maxWaitTime: 100,
    });
    const values: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only saw ${JSON.stringify(values)}`)),
          60_000,
        );
        stream.on('data', (m: { value: string }) => {
          values.push(m.value);
          if (done(values)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      await stream.close();
      await consumer.close();
    }
    return values;
  }

  it('commits and aborts with beginTransaction(); read_committed skips the aborted records', async () => {
    const topic = 'plt-commit-abort';
    await createTopic(topic);
    const p = producer('plt-tx-1');
    try {
      for (const [outcome, values] of [
        ['commit', ['c1', 'c2']],
        ['abort', ['a1']],
        ['commit', ['c3']],
      ] as const) {
        const txn = await p.beginTransaction();
        await txn.send({ messages: values.map((value) => ({ topic, value, partition: 0 })) });
        if (outcome === 'commit') await txn.commit();
        else await txn.abort();
      }
    } finally {
      await p.close();
    }
    const committed = await consumeUntil(topic, FetchIsolationLevels.READ_COMMITTED, (v) =>
      v.includes('c3'),
    );
    expect(committed).toEqual(['c1', 'c2', 'c3']);
    const uncommitted = await consumeUntil(
      topic,
      FetchIsolationLevels.READ_UNCOMMITTED,
      (v) => v.length >= 4,
    );
    expect(uncommitted).toEqual(['c1', 'c2', 'a1', 'c3']);
  }, 120_000);

  it('fences the older producer when a new one begins a transaction with the same id', async () => {
    const topic = 'plt-fence';
    await createTopic(topic);
    const zombie = producer('plt-tx-fence');
    const fresh = producer('plt-tx-fence');
    try {
      const open = await zombie.beginTransaction();
      await open.send({ messages: [{ topic, value: 'zombie', partition: 0 }] });
      const txn = await fresh.beginTransaction();
      await expect(open.commit()).rejects.toThrow();
      await txn.send({ messages: [{ topic, value: 'fresh', partition: 0 }] });
      await txn.commit();
    } finally {
      await zombie.close().catch(() => undefined);
      await fresh.close();
    }
    const committed = await consumeUntil(topic, FetchIsolationLevels.READ_COMMITTED, (v) =>
      v.includes('fresh'),
    );
    expect(committed).toEqual(['fresh']);
  }, 120_000);
});
