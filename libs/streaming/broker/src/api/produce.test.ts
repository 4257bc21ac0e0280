import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProduceResponse } from '../protocol/index.ts';
import { decodeRecords } from '../storage/record-batch.ts';
import { readLegacyMessages, writeLegacyMessage } from '../storage/legacy-message-set.ts';
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
  await c.send(
    API.CREATE_TOPICS,
    4,
    createTopicsRequest([
      { name: 'orders', numPartitions: 2, configs: { 'max.message.bytes': '2000' } },
    ]),
  );
});

afterEach(async () => {
  await t.close();
});

function firstPartition(res: ProduceResponse | null) {
  if (!res) throw new Error('expected a produce response');
  return res.responses[0].partitionResponses[0];
}

describe('Produce', () => {
  it.each([3, 7, 9, 11])('appends a batch and returns its base offset (v%i)', async (version) => {
    const first = firstPartition(
      await c.send(API.PRODUCE, version, produceRequest('orders', 1, batch(['a', 'b', 'c']))),
    );
    expect(first).toMatchObject({ index: 1, errorCode: 0, baseOffset: 0n });
    const second = firstPartition(
      await c.send(API.PRODUCE, version, produceRequest('orders', 1, batch(['d']))),
    );
    expect(second.baseOffset).toBe(3n);
    if (version >= 2) expect(second.logAppendTimeMs).toBe(-1n);
    if (version >= 5) expect(second.logStartOffset).toBe(0n);
    const fetched = await c.send(
      API.FETCH,
      11,
      fetchRequest([{ topic: 'orders', partition: 1, offset: 0 }]),
    );
    const records = decodeRecords(fetched.responses[0].partitions[0].records!);
    expect(records.map((r) => [r.offset, r.value?.toString()])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
    ]);
  });

  it('accepts acks 1 and -1 alike and rejects other acks values with INVALID_REQUIRED_ACKS (21)', async () => {
    expect(
      firstPartition(await c.send(API.PRODUCE, 7, produceRequest('orders', 0, batch(['a']), 1)))
        .errorCode,
    ).toBe(0);
    expect(
      firstPartition(await c.send(API.PRODUCE, 7, produceRequest('orders', 0, batch(['a']), -1)))
        .errorCode,
    ).toBe(0);
    expect(
      firstPartition(await c.send(API.PRODUCE, 7, produceRequest('orders', 0, batch(['a']), 2)))
        .errorCode,
    ).toBe(21);
  });

  it('reports UNKNOWN_TOPIC_OR_PARTITION (3) for a missing partition', async () => {
    const res = firstPartition(
      await c.send(API.PRODUCE, 7, produceRequest('orders', 5, batch(['a']))),
    );
    expect(res).toMatchObject({ errorCode: 3, baseOffset: -1n });
  });

  it('auto-creates an unknown topic on produce', async () => {
    const res = firstPartition(
      await c.send(API.PRODUCE, 7, produceRequest('fresh', 0, batch(['a']))),
    );
    expect(res.errorCode).toBe(0);
    expect(t.broker.logs.getTopic('fresh')?.partitionCount).toBe(1);
  });

  it('does not auto-create when the broker forbids it', async () => {
    const strict = await startTestBroker({ autoCreateTopics: false });
    try {
      const sc = await strict.connect();
      const res = firstPartition(
        await sc.send(API.PRODUCE, 7, produceRequest('fresh', 0, batch(['a']))),
      );
      expect(res.errorCode).toBe(3);
    } finally {
      await strict.close();
    }
  });

  it('rejects a batch with a bad CRC with CORRUPT_MESSAGE (2) and stores nothing', async () => {
    const bad = batch(['hello']);
    bad[bad.length - 1] ^= 0xff;
    const res = firstPartition(await c.send(API.PRODUCE, 7, produceRequest('orders', 0, bad)));
    expect(res.errorCode).toBe(2);
    expect(t.broker.logs.partition('orders', 0)!.logEndOffset).toBe(0);
  });

  it('rejects a batch above max.message.bytes with MESSAGE_TOO_LARGE (10)', async () => {
    const res = firstPartition(
      await c.send(API.PRODUCE, 7, produceRequest('orders', 0, batch(['x'.repeat(5000)]))),
    );
    expect(res.errorCode).toBe(10);
  });

  it('refuses records outside message.timestamp.difference.max.ms with INVALID_TIMESTAMP (32)', async () => {
    await c.send(
      API.CREATE_TOPICS,
      4,
      createTopicsRequest([
        { name: 'clocked', configs: { 'message.timestamp.difference.max.ms': '60000' } },
      ]),
    );
    const at = (timestamp: number) => batch([{ key: null, value: 'x', timestamp }]);
    const now = Date.now();
    const ok = firstPartition(await c.send(API.PRODUCE, 7, produceRequest('clocked', 0, at(now))));
    expect(ok.errorCode).toBe(0);
    for (const ts of [now - 3_600_000, now + 3_600_000]) {
      // errorMessage exists from v8.
      const res = firstPartition(
        await c.send(API.PRODUCE, 9, produceRequest('clocked', 0, at(ts))),
      );
      expect(res.errorCode).toBe(32);
      expect(res.errorMessage).toContain(String(ts));
    }
    expect(t.broker.logs.partition('clocked', 0)!.logEndOffset).toBe(1);
  });

  it('refuses acks=all with NOT_ENOUGH_REPLICAS (19) when min.insync.replicas is above 1', async () => {
    await c.send(
      API.CREATE_TOPICS,
      4,
      createTopicsRequest([{ name: 'strict', configs: { 'min.insync.replicas': '2' } }]),
    );
    const all = firstPartition(
      await c.send(API.PRODUCE, 7, produceRequest('strict', 0, batch(['a']))),
    );
    expect(all.errorCode).toBe(19);
    const one = firstPartition(
      await c.send(API.PRODUCE, 7, produceRequest('strict', 0, batch(['a']), 1)),
    );
    expect(one.errorCode).toBe(0);
  });

  it('up-converts a v0/v1 message set (Produce v0–v2) and down-converts it for Fetch v0–v3', async () => {
    const legacy = (magic: 0 | 1, value: string) =>
      writeLegacyMessage(magic, 0, {
        timestamp: magic === 1 ? 1_000 : -1,
        logAppendTime: false,
        key: Buffer.from('k'),
        value: Buffer.from(value),
      });
    for (const [version, magic, value] of [
      [1, 0, 'old'],
      [2, 1, 'newer'],
    ] as const) {
      const res = firstPartition(
        await c.send(API.PRODUCE, version, produceRequest('orders', 0, legacy(magic, value))),
      );
      expect(res.errorCode).toBe(0);
    }
    const read = async (version: number) => {
      const res = await c.send(
        API.FETCH,
        version,
        fetchRequest([{ topic: 'orders', partition: 0, offset: 0 }]),
      );
      return res.responses[0].partitions[0];
    };
    // Stored as v2 batches: a current fetch reads them as any other.
    expect(decodeRecords((await read(11)).records!).map((r) => r.value?.toString())).toEqual([
      'old',
      'newer',
    ]);
    for (const [version, magic] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [3, 1],
    ] as const) {
      const messages = readLegacyMessages((await read(version)).records!);
      expect(messages.map((m) => [m.magic, m.offset, m.value?.toString()])).toEqual([
        [magic, 0, 'old'],
        [magic, 1, 'newer'],
      ]);
    }
    // message.downconversion.enable=false: old fetches are answered UNSUPPORTED_VERSION (35).
    await c.send(API.INCREMENTAL_ALTER_CONFIGS, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'orders',
          configs: [{ name: 'message.downconversion.enable', configOperation: 0, value: 'false' }],
        },
      ],
      validateOnly: false,
    });
    expect((await read(3)).errorCode).toBe(35);
    expect((await read(4)).errorCode).toBe(0);
    // Produce v3+ carries only v2 batches.
    const v3 = firstPartition(
      await c.send(API.PRODUCE, 3, produceRequest('orders', 0, legacy(1, 'x'))),
    );
    expect(v3.errorCode).toBe(43);
  });

  it('rejects a null record set', async () => {
    const res = firstPartition(await c.send(API.PRODUCE, 7, produceRequest('orders', 0, null)));
    expect(res.errorCode).not.toBe(0);
  });

  it('refuses appends to internal topics with INVALID_TOPIC_EXCEPTION (17)', async () => {
    const res = firstPartition(
      await c.send(API.PRODUCE, 7, produceRequest('__consumer_offsets', 0, batch(['junk']))),
    );
    expect(res.errorCode).toBe(17);
  });

  it('answers invalid topic names with INVALID_TOPIC_EXCEPTION (17)', async () => {
    const res = firstPartition(
      await c.send(API.PRODUCE, 7, produceRequest('bad/name', 0, batch(['a']))),
    );
    expect(res.errorCode).toBe(17);
  });
});
