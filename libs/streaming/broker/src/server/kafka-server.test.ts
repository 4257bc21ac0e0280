import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBroker } from '../api/test-support/broker-fixture.ts';
import type { TestBroker } from '../api/test-support/broker-fixture.ts';
import {
  API,
  batch,
  createTopicsRequest,
  fetchRequest,
  metadataRequest,
  produceRequest,
} from '../api/test-support/requests.ts';
import { WireClient } from '../api/test-support/wire-client.ts';

let t: TestBroker;

beforeEach(async () => {
  t = await startTestBroker({ maxRequestBytes: 64 * 1024 });
});

afterEach(async () => {
  await t.close();
});

/** Opens a raw socket, writes `bytes`, and resolves once the server closes it. */
function rawExchange(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: t.broker.port, host: '127.0.0.1' }, () =>
      socket.write(bytes),
    );
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(got)));
  });
}

async function stillServes(): Promise<void> {
  const c = await t.connect();
  const res = await c.send(API.API_VERSIONS, 3, {
    clientSoftwareName: 'test',
    clientSoftwareVersion: '1',
  });
  expect(res.errorCode).toBe(0);
}

describe('KafkaServer framing', () => {
  it('answers pipelined requests strictly in request order, even behind a parked long-poll fetch', async () => {
    const c = await t.connect();
    await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'orders' }]));
    const order: string[] = [];
    // The fetch parks (no data, minBytes 1) until the produce below wakes it.
    const fetch = c
      .send(
        API.FETCH,
        11,
        fetchRequest([{ topic: 'orders', partition: 0, offset: 0 }], { maxWaitMs: 30_000 }),
      )
      .then((r) => {
        order.push('fetch');
        return r;
      });
    const versions = c.send(API.API_VERSIONS, 2, {}).then(() => order.push('api-versions'));
    const metadata = c
      .send(API.METADATA, 1, metadataRequest(['orders']))
      .then(() => order.push('metadata'));
    const producer = await t.connect();
    await producer.send(API.PRODUCE, 7, produceRequest('orders', 0, batch(['a'])));
    const fetched = await fetch;
    await Promise.all([versions, metadata]);
    expect(order).toEqual(['fetch', 'api-versions', 'metadata']);
    expect(fetched.responses[0].partitions[0].records?.length).toBeGreaterThan(0);
    expect(c.answeredOrder).toEqual([...c.answeredOrder].sort((a, b) => a - b));
  });

  it('answers kafka-python style back-to-back ApiVersions v0 + Metadata v0 written in one packet', async () => {
    const c = await t.connect();
    const a = c.expect(API.API_VERSIONS, 0, 101);
    const m = c.expect(API.METADATA, 0, 102);
    c.writeRaw(
      Buffer.concat([
        WireClient.frame(API.API_VERSIONS, 0, 101, {}),
        WireClient.frame(API.METADATA, 0, 102, metadataRequest([])),
      ]),
    );
    const [versions, metadata] = await Promise.all([a, m]);
    expect(versions.errorCode).toBe(0);
    expect(metadata.brokers).toHaveLength(1);
  });

  it('does not answer acks=0 produce and does not hold back the next response', async () => {
    const c = await t.connect();
    await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'fire' }]));
    c.sendOneWay(API.PRODUCE, 7, produceRequest('fire', 0, batch(['x', 'y']), 0));
    const res = await c.send(
      API.FETCH,
      11,
      fetchRequest([{ topic: 'fire', partition: 0, offset: 0 }]),
    );
    expect(res.responses[0].partitions[0].highWatermark).toBe(2n);
  });

  it('closes a connection whose frame exceeds socket.request.max.bytes, from the size prefix alone, and keeps serving others', async () => {
    const other = await t.connect();
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(64 * 1024 + 1);
    const reply = await rawExchange(prefix);
    expect(reply.length).toBe(0);
    const res = await other.send(API.API_VERSIONS, 0, {});
    expect(res.errorCode).toBe(0);
  });

  it('closes a connection that sends random bytes, without crashing', async () => {
    const garbage = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3));
    await rawExchange(garbage);
    await stillServes();
  });

  it('closes a connection whose frame is too short for a request header', async () => {
    await rawExchange(Buffer.from([0, 0, 0, 3, 0, 18, 0]));
    await stillServes();
  });

  it('closes a connection with a truncated request body', async () => {
    // A Metadata v1 frame cut short: the size prefix matches, the body lies about its array length.
    const full = WireClient.frame(API.METADATA, 1, 7, metadataRequest(['a-topic']));
    const body = full.subarray(4, full.length - 3);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    await rawExchange(Buffer.concat([size, body]));
    await stillServes();
  });

  it('closes the connection on an unknown API key', async () => {
    const frame = Buffer.alloc(4 + 10);
    frame.writeInt32BE(10, 0);
    frame.writeInt16BE(9999, 4);
    frame.writeInt16BE(0, 6);
    frame.writeInt32BE(1, 8);
    frame.writeInt16BE(-1, 12);
    const reply = await rawExchange(frame);
    expect(reply.length).toBe(0);
    await stillServes();
  });

  it('answers UNSUPPORTED_VERSION (35) for a known API at a version it does not implement', async () => {
    const c = await t.connect();
    // Fetch v13 exists in the protocol but addresses topics by id, which this broker does not advertise.
    const res = await c.send(
      API.FETCH,
      13,
      fetchRequest([{ topic: 'x', partition: 0, offset: 0 }]),
    );
    expect(res.errorCode).toBe(35);
  });

  it('answers a too-new ApiVersions with a v0 response, error 35 and the supported ranges (KIP-511)', async () => {
    const c = await t.connect();
    const answer = c.expect(API.API_VERSIONS, 0, 55);
    c.writeRaw(
      WireClient.frame(API.API_VERSIONS, 4, 55, {
        clientSoftwareName: 'future',
        clientSoftwareVersion: '9',
      }),
    );
    const res = await answer;
    expect(res.errorCode).toBe(35);
    const apiVersions = res.apiKeys.find((k: { apiKey: number }) => k.apiKey === 18);
    expect(apiVersions).toMatchObject({ minVersion: 0, maxVersion: 3 });
    expect(res.apiKeys.find((k: { apiKey: number }) => k.apiKey === 0)).toMatchObject({
      minVersion: 0,
    });
  });

  it('ends every connection and releases parked fetches when the broker closes', async () => {
    const c = await t.connect();
    await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'idle' }]));
    const parked = c.send(
      API.FETCH,
      11,
      fetchRequest([{ topic: 'idle', partition: 0, offset: 0 }], { maxWaitMs: 60_000 }),
    );
    // A round trip on a second connection: by then the fetch has been read and parked.
    const other = await t.connect();
    await other.send(API.API_VERSIONS, 0, {});
    await t.broker.close();
    // The parked fetch is answered (empty) before its connection closes.
    const res = await parked;
    expect(res.responses[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 0n });
    await c.closed;
  });
});
