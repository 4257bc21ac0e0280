import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestBroker } from './api/test-support/broker-fixture.ts';
import {
  API,
  batch,
  createTopicsRequest,
  fetchRequest,
  produceRequest,
} from './api/test-support/requests.ts';
import { startBroker } from './broker.ts';
import { decodeRecords } from './storage/record-batch.ts';

describe('startBroker', () => {
  it('binds an ephemeral port and reports host, port and bootstrap', async () => {
    const t = await startTestBroker({ nodeId: 5 });
    try {
      expect(t.broker.port).toBeGreaterThan(0);
      expect(t.broker.bootstrap).toBe(`127.0.0.1:${t.broker.port}`);
      expect(t.broker.nodeId).toBe(5);
    } finally {
      await t.close();
    }
  });

  it('keeps topics, records and the cluster id across a restart', async () => {
    const first = await startTestBroker();
    const c = await first.connect();
    await c.send(
      API.CREATE_TOPICS,
      4,
      createTopicsRequest([
        { name: 'durable', numPartitions: 2, configs: { 'retention.ms': '123456' } },
      ]),
    );
    await c.send(API.PRODUCE, 7, produceRequest('durable', 1, batch(['one', 'two'])));
    const clusterId = first.broker.clusterId;
    await first.stop();

    const second = await startTestBroker({ logDir: first.logDir });
    try {
      expect(second.broker.clusterId).toBe(clusterId);
      const topic = second.broker.logs.getTopic('durable')!;
      expect(topic.partitionCount).toBe(2);
      expect(topic.overrides).toEqual({ 'retention.ms': '123456' });
      const c2 = await second.connect();
      const res = await c2.send(
        API.FETCH,
        11,
        fetchRequest([{ topic: 'durable', partition: 1, offset: 0 }]),
      );
      expect(
        decodeRecords(res.responses[0].partitions[0].records!).map((r) => r.value?.toString()),
      ).toEqual(['one', 'two']);
      const next = await c2.send(API.PRODUCE, 7, produceRequest('durable', 1, batch(['three'])));
      expect(next.responses[0].partitionResponses[0].baseOffset).toBe(2n);
    } finally {
      await second.close();
    }
  });

  it('fails to start on an unusable log dir', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-bad-'));
    const file = path.join(dir, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    await expect(startBroker({ port: 0, logDir: file })).rejects.toThrow();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects invalid options with a coded ConfigError', async () => {
    await expect(startBroker({ port: -1, logDir: '/tmp/x' })).rejects.toMatchObject({
      code: 'INVALID_CONFIG_VALUE',
    });
  });

  it('close() is idempotent', async () => {
    const t = await startTestBroker();
    await Promise.all([t.broker.close(), t.broker.close()]);
    await t.close();
  });
});
