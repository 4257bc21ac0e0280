import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import type { WireClient } from './test-support/wire-client.ts';

const FIND_COORDINATOR = 10;
const API_VERSIONS = 18;

let t: TestBroker;
let c: WireClient;

beforeEach(async () => {
  t = await startTestBroker({ nodeId: 7 });
  c = await t.connect();
});

afterEach(async () => {
  await t.close();
});

describe('FindCoordinator', () => {
  it.each([0, 1, 2, 3])(
    'names this node as the coordinator of any group (v%i)',
    async (version) => {
      const res = await c.send(FIND_COORDINATOR, version, { key: 'my-group', keyType: 0 });
      expect(res).toMatchObject({
        errorCode: 0,
        nodeId: 7,
        host: '127.0.0.1',
        port: t.broker.port,
      });
    },
  );

  it.each([4, 5, 6])('answers a batch of group keys (v%i)', async (version) => {
    const res = await c.send(FIND_COORDINATOR, version, {
      keyType: 0,
      coordinatorKeys: ['a', 'b'],
    });
    expect(res.coordinators).toEqual([
      {
        key: 'a',
        nodeId: 7,
        host: '127.0.0.1',
        port: t.broker.port,
        errorCode: 0,
        errorMessage: null,
      },
      {
        key: 'b',
        nodeId: 7,
        host: '127.0.0.1',
        port: t.broker.port,
        errorCode: 0,
        errorMessage: null,
      },
    ]);
  });

  it('coordinates transactional ids itself and rejects unknown key types', async () => {
    const txn = await c.send(FIND_COORDINATOR, 2, { key: 'tx-1', keyType: 1 });
    expect(txn).toMatchObject({ errorCode: 0, nodeId: 7, port: t.broker.port });
    const share = await c.send(FIND_COORDINATOR, 6, { keyType: 2, coordinatorKeys: ['s'] });
    expect(share.coordinators?.[0]).toMatchObject({ key: 's', errorCode: 42 });
  });

  it('is advertised from v0 together with the other group APIs (librdkafka needs the overlap)', async () => {
    const res = await c.send(API_VERSIONS, 0, {});
    const ranges = new Map<number, [number, number]>(
      res.apiKeys.map((k: { apiKey: number; minVersion: number; maxVersion: number }) => [
        k.apiKey,
        [k.minVersion, k.maxVersion],
      ]),
    );
    for (const key of [8, 9, 10, 11, 12, 13, 14]) expect(ranges.get(key)?.[0]).toBe(0);
    expect(ranges.get(11)).toEqual([0, 9]);
    for (const key of [15, 16, 42, 47]) expect(ranges.has(key)).toBe(true);
  });
});
