import { afterEach, describe, expect, it } from 'vitest';
import { ApiKey } from '../protocol/index.ts';
import { startTestBroker } from '../api/test-support/broker-fixture.ts';
import type { TestBroker } from '../api/test-support/broker-fixture.ts';
import { createTopicsRequest, listOffsetsRequest } from '../api/test-support/requests.ts';
import type { WireClient } from '../api/test-support/wire-client.ts';
import {
  E,
  READ_COMMITTED,
  TOPIC,
  addPartitions,
  endTxn,
  fetchAll,
  init,
  produce,
} from './test-support/txn-wire.ts';
import type { Producer } from './test-support/txn-wire.ts';

let t: TestBroker | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function setup(options: Parameters<typeof startTestBroker>[0] = {}): Promise<WireClient> {
  t = await startTestBroker(options);
  const c = await t.connect();
  await c.send(ApiKey.CreateTopics, 4, createTopicsRequest([{ name: TOPIC, numPartitions: 2 }]));
  return c;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('transactions on the wire', () => {
  it('hides an open transaction from read_committed until it commits, then shows all of it', async () => {
    const c = await setup();
    const p = await init(c, 'tx-commit');
    expect(await addPartitions(c, p, [0])).toBe(E.NONE);
    expect((await produce(c, p, ['a', 'b'])).errorCode).toBe(E.NONE);
    expect((await produce(c, p, ['c'])).errorCode).toBe(E.NONE);

    const open = await fetchAll(c, READ_COMMITTED);
    expect(open.values).toEqual([]);
    expect(open.lastStableOffset).toBe(0n);
    expect((await fetchAll(c, 0)).values).toEqual(['a', 'b', 'c']);

    expect(await endTxn(c, p, true)).toBe(E.NONE);
    const committed = await fetchAll(c, READ_COMMITTED);
    expect(committed.values).toEqual(['a', 'b', 'c']);
    expect(committed.markers).toBe(1);
    expect(committed.aborted).toEqual([]);
    expect(committed.lastStableOffset).toBe(committed.highWatermark);
    // A retried commit of the transaction just completed is answered as done.
    expect(await endTxn(c, p, true)).toBe(E.NONE);
  });

  it('reports an aborted transaction to read_committed fetches, and ListOffsets answers the LSO', async () => {
    const c = await setup();
    const p = await init(c, 'tx-abort');
    await addPartitions(c, p, [0]);
    await produce(c, p, ['x']);
    const latest = async (isolationLevel: number) => {
      const res = await c.send(ApiKey.ListOffsets, 2, {
        ...listOffsetsRequest(TOPIC, 0, -1),
        isolationLevel,
      });
      return res.topics[0].partitions[0].offset as bigint;
    };
    expect(await latest(READ_COMMITTED)).toBe(0n);
    expect(await latest(0)).toBe(1n);
    expect(await endTxn(c, p, false)).toBe(E.NONE);
    expect(await latest(READ_COMMITTED)).toBe(2n);
    await addPartitions(c, p, [0]);
    await produce(c, p, ['y']);
    expect(await endTxn(c, p, true)).toBe(E.NONE);
    const aborted = await fetchAll(c, READ_COMMITTED);
    expect(aborted.aborted).toEqual([{ producerId: p.producerId, firstOffset: 0n }]);
    expect(aborted.values).toEqual(['y']);
    expect((await fetchAll(c, 0)).aborted).toBeNull();
  });

  it('answers misuse with Kafka’s errors and keeps its state', async () => {
    const c = await setup({ transactionMaxTimeoutMs: 120_000 });
    const tooLong = await c.send(ApiKey.InitProducerId, 3, {
      transactionalId: 'tx-misuse',
      transactionTimeoutMs: 120_001,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect(tooLong.errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT);
    const p = await init(c, 'tx-misuse');
    // EndTxn with no transaction open.
    expect(await endTxn(c, p, true)).toBe(E.INVALID_TXN_STATE);
    // Produce to a partition not added to the transaction.
    await addPartitions(c, p, [0]);
    expect((await produce(c, p, ['stray'], 1)).errorCode).toBe(E.INVALID_TXN_STATE);
    // A stale epoch: PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before.
    const stale = { ...p, producerEpoch: p.producerEpoch - 1 };
    expect(await addPartitions(c, stale, [1], 2)).toBe(E.PRODUCER_FENCED);
    expect(await addPartitions(c, stale, [1], 1)).toBe(E.INVALID_PRODUCER_EPOCH);
    // The transaction itself is unharmed.
    expect((await produce(c, p, ['ok'])).errorCode).toBe(E.NONE);
    expect(await endTxn(c, p, true)).toBe(E.NONE);
    expect((await fetchAll(c, READ_COMMITTED)).values).toEqual(['ok']);
    expect((await fetchAll(c, READ_COMMITTED, 1)).values).toEqual([]);
  });

  it('fences the older instance of a transactional id and aborts its open transaction', async () => {
    const c = await setup();
    const old = await init(c, 'tx-fence');
    await addPartitions(c, old, [0]);
    await produce(c, old, ['zombie']);
    const fresh = await init(c, 'tx-fence');
    expect(fresh.producerId).toBe(old.producerId);
    expect(fresh.producerEpoch).toBeGreaterThan(old.producerEpoch);
    expect((await produce(c, old, ['late'])).errorCode).toBe(E.INVALID_PRODUCER_EPOCH);
    expect(await endTxn(c, old, true)).toBe(E.PRODUCER_FENCED);
    const view = await fetchAll(c, READ_COMMITTED);
    expect(view.values).toEqual([]);
    expect(view.aborted).toEqual([{ producerId: old.producerId, firstOffset: 0n }]);
  });

  it('keeps an open transaction across a restart and aborts it when it times out', async () => {
    const options = { transactionCheckIntervalMs: 50 };
    let c = await setup(options);
    const p = await init(c, 'tx-restart', 1_500);
    await addPartitions(c, p, [0]);
    await produce(c, p, ['before-restart']);
    const logDir = t!.logDir;
    await t!.stop();
    t = await startTestBroker({ ...options, logDir });
    c = await t.connect();
    // Still open (read_committed sees nothing) until the timeout aborts it.
    expect((await fetchAll(c, READ_COMMITTED)).lastStableOffset).toBe(0n);
    await until(
      async () => (await fetchAll(c, READ_COMMITTED)).lastStableOffset > 0n,
      'the timed-out transaction to be aborted',
    );
    const view = await fetchAll(c, READ_COMMITTED);
    expect(view.aborted).toEqual([{ producerId: p.producerId, firstOffset: 0n }]);
    // Its producer was fenced by the abort.
    expect(await endTxn(c, p, true)).toBe(E.PRODUCER_FENCED);
  });

  it('commits offsets with the transaction only, and reports them unstable meanwhile', async () => {
    const c = await setup();
    const group = 'txn-group';
    const fetchOffset = async (requireStable: boolean) => {
      const res = await c.send(ApiKey.OffsetFetch, 7, {
        groupId: group,
        topics: [{ name: TOPIC, partitionIndexes: [0] }],
        requireStable,
      });
      const p = res.topics![0]!.partitions[0]!;
      return { offset: p.committedOffset, errorCode: p.errorCode };
    };
    const sendOffsets = async (p: Producer, offset: bigint) => {
      const added = await c.send(ApiKey.AddOffsetsToTxn, 3, {
        transactionalId: p.transactionalId,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        groupId: group,
      });
      expect(added.errorCode).toBe(E.NONE);
      const res = await c.send(ApiKey.TxnOffsetCommit, 3, {
        transactionalId: p.transactionalId,
        groupId: group,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: TOPIC,
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: offset,
                committedLeaderEpoch: -1,
                committedMetadata: null,
              },
            ],
          },
        ],
      });
      expect(res.topics[0].partitions[0].errorCode).toBe(E.NONE);
    };
    const p = await init(c, 'tx-offsets');
    await sendOffsets(p, 5n);
    expect(await fetchOffset(true)).toEqual({ offset: -1n, errorCode: E.UNSTABLE_OFFSET_COMMIT });
    expect(await fetchOffset(false)).toEqual({ offset: -1n, errorCode: E.NONE });
    expect(await endTxn(c, p, false)).toBe(E.NONE);
    expect(await fetchOffset(true)).toEqual({ offset: -1n, errorCode: E.NONE });
    await sendOffsets(p, 7n);
    expect(await endTxn(c, p, true)).toBe(E.NONE);
    expect(await fetchOffset(true)).toEqual({ offset: 7n, errorCode: E.NONE });
  });

  it('compacts an aborted transaction away and keeps the markers', async () => {
    t = await startTestBroker({ logCleanerBackoffMs: null });
    const c = await t.connect();
    await c.send(
      ApiKey.CreateTopics,
      4,
      createTopicsRequest([{ name: TOPIC, configs: { 'cleanup.policy': 'compact' } }]),
    );
    const p = await init(c, 'tx-compact');
    for (const [value, commit] of [
      ['v1', true],
      ['v2-aborted', false],
    ] as const) {
      await addPartitions(c, p, [0]);
      await produce(c, p, [value], 0, 'k');
      expect(await endTxn(c, p, commit)).toBe(E.NONE);
    }
    t.broker.logs.partition(TOPIC, 0)!.roll();
    const stats = await t.broker.runCompaction({ force: true });
    expect(stats.recordsRemoved).toBe(1);
    const view = await fetchAll(c, 0);
    expect(view.values).toEqual(['v1']);
    expect(view.markers).toBe(2);
  });
});
