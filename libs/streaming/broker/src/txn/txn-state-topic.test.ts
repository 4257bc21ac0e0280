// When `__transaction_state` comes into being. Kafka creates it lazily, on the first
// FindCoordinator for a transactional id (or InitProducerId with one), so a fresh broker that only
// ever saw plain or idempotent producers and consumer groups lists no such topic. These specs pin
// that down on the wire, and that whoever creates it first creates the coordinator's layout.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKey } from '../protocol/index.ts';
import { startTestBroker } from '../api/test-support/broker-fixture.ts';
import type { TestBroker } from '../api/test-support/broker-fixture.ts';
import { createTopicsRequest, metadataRequest } from '../api/test-support/requests.ts';
import type { WireClient } from '../api/test-support/wire-client.ts';
import { E, TOPIC, init } from './test-support/txn-wire.ts';
import { TransactionCoordinator } from './transaction-coordinator.ts';
import { MemoryTxnStore, TXN_STATE_TOPIC } from './txn-state-topic.ts';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;
const COORDINATOR_NOT_AVAILABLE = 15;

let t: TestBroker | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function topicNames(c: WireClient): Promise<string[]> {
  const res = await c.send(ApiKey.Metadata, 9, metadataRequest(null));
  return res.topics.map((topic) => topic.name ?? '').sort();
}

/** The topic as the coordinator needs it: one compacted partition, reported as internal. */
async function expectCoordinatorLayout(c: WireClient, broker: TestBroker): Promise<void> {
  const res = await c.send(ApiKey.Metadata, 9, metadataRequest([TXN_STATE_TOPIC], false));
  expect(res.topics[0]).toMatchObject({ errorCode: 0, name: TXN_STATE_TOPIC, isInternal: true });
  expect(res.topics[0].partitions).toHaveLength(1);
  expect(broker.broker.logs.getTopic(TXN_STATE_TOPIC)?.overrides).toEqual({
    'cleanup.policy': 'compact',
  });
}

describe('__transaction_state is created on first use, as in Kafka', () => {
  it('does not exist on a broker used only by plain and idempotent producers and groups', async () => {
    t = await startTestBroker();
    const c = await t.connect();
    await c.send(ApiKey.CreateTopics, 4, createTopicsRequest([{ name: TOPIC }]));
    const idempotent = await c.send(ApiKey.InitProducerId, 3, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect(idempotent.errorCode).toBe(E.NONE);
    const group = await c.send(ApiKey.FindCoordinator, 2, {
      key: 'g',
      keyType: KEY_TYPE_GROUP,
    });
    expect(group.errorCode).toBe(E.NONE);
    expect(await topicNames(c)).toEqual(['__consumer_offsets', TOPIC]);
    expect(t.broker.logs.getTopic(TXN_STATE_TOPIC)).toBeUndefined();
  });

  it('is created by the first FindCoordinator for a transactional id', async () => {
    t = await startTestBroker();
    const c = await t.connect();
    const res = await c.send(ApiKey.FindCoordinator, 2, {
      key: 'tx-find',
      keyType: KEY_TYPE_TRANSACTION,
    });
    expect(res.errorCode).toBe(E.NONE);
    await expectCoordinatorLayout(c, t);
  });

  it('is created by InitProducerId with a transactional id, and replayed after a restart', async () => {
    t = await startTestBroker();
    const c = await t.connect();
    const first = await init(c, 'tx-init');
    expect(first.producerEpoch).toBe(0);
    await expectCoordinatorLayout(c, t);

    const logDir = t.logDir;
    await t.stop();
    t = await startTestBroker({ logDir });
    const again = await init(await t.connect(), 'tx-init');
    // The restarted coordinator knew the id: same producer id, the epoch bumped.
    expect(again.producerId).toBe(first.producerId);
    expect(again.producerEpoch).toBe(1);
  });

  it("is auto-created by Metadata with the coordinator's layout, not num.partitions", async () => {
    t = await startTestBroker({ numPartitions: 3 });
    const c = await t.connect();
    const res = await c.send(ApiKey.Metadata, 9, metadataRequest([TXN_STATE_TOPIC], true));
    expect(res.topics[0]).toMatchObject({ errorCode: 0, name: TXN_STATE_TOPIC });
    await expectCoordinatorLayout(c, t);
    // The coordinator then writes to that topic.
    await init(c, 'tx-after-metadata');
    expect(t.broker.logs.partition(TXN_STATE_TOPIC, 0)?.logEndOffset).toBe(1);
  });
});

describe('a state log that cannot be created', () => {
  it('answers COORDINATOR_NOT_AVAILABLE (retriable) to the lookup and to InitProducerId', () => {
    const store = new MemoryTxnStore();
    store.failing = true;
    const errors: string[] = [];
    const coordinator = new TransactionCoordinator({
      store,
      hooks: {
        allocateProducerId: () => 1,
        writeMarker: () => undefined,
        applyOffsets: () => E.NONE,
      },
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (_obj, msg) => errors.push(msg ?? ''),
      },
      checkIntervalMs: null,
    });
    expect(coordinator.prepareStateTopic()).toBe(COORDINATOR_NOT_AVAILABLE);
    expect(coordinator.initProducerId('tx', 60_000, null).errorCode).toBe(
      COORDINATOR_NOT_AVAILABLE,
    );
    expect(errors).toEqual([
      'cannot create __transaction_state',
      'cannot write to __transaction_state',
    ]);
    store.failing = false;
    expect(coordinator.prepareStateTopic()).toBe(E.NONE);
    expect(coordinator.initProducerId('tx', 60_000, null).errorCode).toBe(E.NONE);
    coordinator.close();
  });
});
