import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FetchResponse } from '../protocol/index.ts';
import { decodeRecordBatches } from '../storage/record-batch.ts';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import {
  API,
  batch,
  createTopicsRequest,
  fetchRequest,
  produceRequest,
} from './test-support/requests.ts';
import type { WireClient } from './test-support/wire-client.ts';

let t: TestBroker;
let c: WireClient;

beforeEach(async () => {
  t = await startTestBroker();
  c = await t.connect();
  await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'events', numPartitions: 2 }]));
});

afterEach(async () => {
  await t.close();
});

async function produce(partition: number, values: string[]): Promise<void> {
  const res = await c.send(API.PRODUCE, 7, produceRequest('events', partition, batch(values)));
  expect(res.responses[0].partitionResponses[0].errorCode).toBe(0);
}

/** One partition of a fetch response; its records are never null in these tests. */
function part(res: FetchResponse, topicIndex = 0, partitionIndex = 0) {
  const p = res.responses[topicIndex].partitions[partitionIndex];
  if (p.records === null) throw new Error('fetch answered null records');
  return { ...p, records: p.records };
}

describe('Fetch', () => {
  it.each([4, 7, 11, 12])(
    'returns whole batches with high watermark and log start offset (v%i)',
    async (version) => {
      await produce(0, ['a', 'b']);
      await produce(0, ['c']);
      const res = await c.send(
        API.FETCH,
        version,
        fetchRequest([{ topic: 'events', partition: 0, offset: 0 }]),
      );
      const p = part(res);
      expect(p.errorCode).toBe(0);
      expect(p.highWatermark).toBe(3n);
      expect(p.lastStableOffset).toBe(3n);
      if (version >= 5) expect(p.logStartOffset).toBe(0n);
      expect(decodeRecordBatches(p.records).map((b) => b.baseOffset)).toEqual([0, 2]);
      if (version >= 7) expect(res.sessionId).toBe(0);
    },
  );

  it('returns the whole batch containing an offset in its middle', async () => {
    await produce(0, ['a', 'b', 'c']);
    const p = part(
      await c.send(API.FETCH, 11, fetchRequest([{ topic: 'events', partition: 0, offset: 1 }])),
    );
    expect(decodeRecordBatches(p.records)[0].baseOffset).toBe(0);
  });

  it('parks a fetch with minBytes until an append wakes it', async () => {
    const parked = c.send(
      API.FETCH,
      11,
      fetchRequest([{ topic: 'events', partition: 1, offset: 0 }], {
        maxWaitMs: 30_000,
        minBytes: 1,
      }),
    );
    let done = false;
    void parked.then(() => (done = true));
    const producer = await t.connect();
    // A round trip on another connection proves the fetch really parked.
    await producer.send(API.API_VERSIONS, 0, {});
    expect(done).toBe(false);
    await producer.send(API.PRODUCE, 7, produceRequest('events', 1, batch(['wake'])));
    const p = part(await parked);
    expect(p.highWatermark).toBe(1n);
    expect(decodeRecordBatches(p.records)[0].records[0].value?.toString()).toBe('wake');
  });

  it('ignores appends to other partitions while parked, and answers empty at maxWaitMs', async () => {
    const parked = c.send(
      API.FETCH,
      11,
      fetchRequest([{ topic: 'events', partition: 1, offset: 0 }], { maxWaitMs: 300, minBytes: 1 }),
    );
    const producer = await t.connect();
    await producer.send(API.PRODUCE, 7, produceRequest('events', 0, batch(['elsewhere'])));
    const p = part(await parked);
    expect(p.errorCode).toBe(0);
    expect(p.records.length).toBe(0);
    expect(p.highWatermark).toBe(0n);
  });

  it('keeps waiting while less than minBytes has arrived', async () => {
    const parked = c.send(
      API.FETCH,
      11,
      fetchRequest([{ topic: 'events', partition: 0, offset: 0 }], {
        maxWaitMs: 30_000,
        minBytes: 150,
      }),
    );
    let done = false;
    void parked.then(() => (done = true));
    const producer = await t.connect();
    await producer.send(API.PRODUCE, 7, produceRequest('events', 0, batch(['x']))); // ~70 bytes
    await producer.send(API.API_VERSIONS, 0, {});
    expect(done).toBe(false);
    await producer.send(API.PRODUCE, 7, produceRequest('events', 0, batch(['y'.repeat(100)])));
    const p = part(await parked);
    expect(p.records.length).toBeGreaterThanOrEqual(150);
  });

  it('answers at once when minBytes is 0', async () => {
    const p = part(
      await c.send(
        API.FETCH,
        11,
        fetchRequest([{ topic: 'events', partition: 0, offset: 0 }], {
          maxWaitMs: 60_000,
          minBytes: 0,
        }),
      ),
    );
    expect(p.records.length).toBe(0);
  });

  it('honours partition maxBytes but always returns at least one whole batch (KIP-74)', async () => {
    await produce(0, ['a'.repeat(500)]);
    await produce(0, ['b'.repeat(500)]);
    const p = part(
      await c.send(
        API.FETCH,
        11,
        fetchRequest([{ topic: 'events', partition: 0, offset: 0, maxBytes: 10 }]),
      ),
    );
    const batches = decodeRecordBatches(p.records);
    expect(batches).toHaveLength(1);
    expect(p.records.length).toBeGreaterThan(500);
  });

  it('honours the response maxBytes across partitions: only the first partition with data may exceed it', async () => {
    await produce(0, ['a'.repeat(500)]);
    await produce(1, ['b'.repeat(500)]);
    const res = await c.send(
      API.FETCH,
      11,
      fetchRequest(
        [
          { topic: 'events', partition: 0, offset: 0 },
          { topic: 'events', partition: 1, offset: 0 },
        ],
        { maxBytes: 100 },
      ),
    );
    expect(part(res, 0, 0).records.length).toBeGreaterThan(500);
    expect(part(res, 0, 1).records.length).toBe(0);
    expect(part(res, 0, 1).highWatermark).toBe(1n);
  });

  it('answers OFFSET_OUT_OF_RANGE (1) beyond the log end', async () => {
    await produce(0, ['a']);
    const p = part(
      await c.send(
        API.FETCH,
        11,
        fetchRequest([{ topic: 'events', partition: 0, offset: 5 }], { maxWaitMs: 30_000 }),
      ),
    );
    expect(p.errorCode).toBe(1);
    expect(p.highWatermark).toBe(1n);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION (3) for unknown topics and partitions', async () => {
    const res = await c.send(
      API.FETCH,
      11,
      fetchRequest(
        [
          { topic: 'nope', partition: 0, offset: 0 },
          { topic: 'events', partition: 9, offset: 0 },
        ],
        { maxWaitMs: 30_000 },
      ),
    );
    expect(part(res, 0, 0).errorCode).toBe(3);
    expect(part(res, 1, 0).errorCode).toBe(3);
  });

  it('sends null aborted transactions for read_uncommitted and an empty list for read_committed', async () => {
    const uncommitted = part(
      await c.send(
        API.FETCH,
        11,
        fetchRequest([{ topic: 'events', partition: 0, offset: 0 }], {
          minBytes: 0,
          isolationLevel: 0,
        }),
      ),
    );
    const committed = part(
      await c.send(
        API.FETCH,
        11,
        fetchRequest([{ topic: 'events', partition: 0, offset: 0 }], {
          minBytes: 0,
          isolationLevel: 1,
        }),
      ),
    );
    expect(uncommitted.abortedTransactions).toBeNull();
    expect(committed.abortedTransactions).toEqual([]);
  });
});
