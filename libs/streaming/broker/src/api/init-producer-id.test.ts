import { afterEach, describe, expect, it } from 'vitest';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import { API } from './test-support/requests.ts';

const INIT_PRODUCER_ID = 22;
let broker: TestBroker | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
});

function request(transactionalId: string | null, producerId = -1n, producerEpoch = -1) {
  return { transactionalId, transactionTimeoutMs: 60_000, producerId, producerEpoch };
}

describe('InitProducerId', () => {
  it('is advertised from v0 (librdkafka enables idempotence only then) to v5', async () => {
    broker = await startTestBroker();
    const c = await broker.connect();
    const res = await c.send(API.API_VERSIONS, 3, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1',
    });
    expect(res.apiKeys.find((k: { apiKey: number }) => k.apiKey === INIT_PRODUCER_ID)).toEqual({
      apiKey: INIT_PRODUCER_ID,
      minVersion: 0,
      maxVersion: 5,
    });
  });

  it('gives every idempotent producer its own id with epoch 0, in every version', async () => {
    broker = await startTestBroker();
    const c = await broker.connect();
    const ids = new Set<bigint>();
    for (let v = 0; v <= 5; v++) {
      const res = await c.send(INIT_PRODUCER_ID, v, request(null));
      expect(res).toMatchObject({ errorCode: 0, producerEpoch: 0 });
      ids.add(res.producerId);
    }
    expect(ids.size).toBe(6);
  });

  it('gives a transactional id one producer id and bumps its epoch on every initialisation', async () => {
    broker = await startTestBroker();
    const c = await broker.connect();
    const first = await c.send(INIT_PRODUCER_ID, 1, request('tx-1'));
    expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    const second = await c.send(INIT_PRODUCER_ID, 1, request('tx-1'));
    expect(second).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
  });

  it('refuses a transaction timeout over transaction.max.timeout.ms with INVALID_TRANSACTION_TIMEOUT', async () => {
    broker = await startTestBroker({ transactionMaxTimeoutMs: 30_000 });
    const c = await broker.connect();
    const res = await c.send(INIT_PRODUCER_ID, 1, request('tx-1'));
    expect(res).toMatchObject({ errorCode: 50, producerId: -1n, producerEpoch: -1 });
  });

  it('bumps the epoch when a v3+ producer re-initialises with the pair it holds', async () => {
    broker = await startTestBroker();
    const c = await broker.connect();
    const first = await c.send(INIT_PRODUCER_ID, 3, request(null));
    const again = await c.send(INIT_PRODUCER_ID, 3, request(null, first.producerId, 0));
    expect(again).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
    // Before v3 the fields do not exist: always a new id.
    const v2 = await c.send(INIT_PRODUCER_ID, 2, request(null));
    expect(v2.producerId).not.toBe(first.producerId);
  });
});
