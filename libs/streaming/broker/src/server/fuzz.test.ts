import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../api/test-support/broker-fixture.ts';
import type { TestBroker } from '../api/test-support/broker-fixture.ts';
import {
  API,
  batch,
  createTopicsRequest,
  fetchRequest,
  listOffsetsRequest,
  metadataRequest,
  produceRequest,
} from '../api/test-support/requests.ts';
import { WireClient } from '../api/test-support/wire-client.ts';
import { isApiKey } from '../protocol/index.ts';

/** Deterministic PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  [API.PRODUCE, 7, produceRequest('fuzz', 0, batch(['a', 'b']))],
  [API.PRODUCE, 9, produceRequest('fuzz', 0, batch(['c']))],
  [API.FETCH, 11, fetchRequest([{ topic: 'fuzz', partition: 0, offset: 0 }])],
  [API.FETCH, 12, fetchRequest([{ topic: 'fuzz', partition: 0, offset: 0 }])],
  [API.METADATA, 9, metadataRequest(['fuzz', 'other'])],
  [API.METADATA, 1, metadataRequest(['fuzz'])],
  [API.LIST_OFFSETS, 5, listOffsetsRequest('fuzz', 0, -1)],
  [
    API.CREATE_TOPICS,
    5,
    createTopicsRequest([{ name: 'fz', configs: { 'retention.ms': '1000' } }], true),
  ],
  [API.API_VERSIONS, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }],
] as const;

let t: TestBroker;
const errorLogs: string[] = [];

beforeAll(async () => {
  // Capture error-level logs: a mutated request may be rejected, but must never reach a handler bug.
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      errorLogs.push(chunk.toString());
      done();
    },
  });
  t = await startTestBroker({ logger: pino({ level: 'error' }, sink), maxRequestBytes: 1 << 20 });
  const c = await t.connect();
  await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'fuzz' }]));
});

afterAll(async () => {
  await t.close();
});

/** Sends one frame on a fresh connection; resolves when answered (any correlation id) or closed. */
async function exchange(frame: Buffer): Promise<void> {
  const c = await t.connect();
  const correlationId = frame.readInt32BE(8);
  const apiKey = frame.readInt16BE(4);
  if (!isApiKey(apiKey)) throw new Error(`not an API key: ${apiKey}`);
  const version = frame.readInt16BE(6);
  // The answer (if any) is decoded with the version we sent: the api key/version bytes are never mutated.
  const answered = c.expect(apiKey, apiKey === API.API_VERSIONS ? 0 : version, correlationId);
  c.writeRaw(frame);
  await Promise.race([answered.catch(() => undefined), c.closed]);
  await c.close();
}

describe('robustness against mutated requests', () => {
  it(
    'survives 600 byte-flipped and truncated requests and keeps serving',
    { timeout: 120_000 },
    async () => {
      const random = prng(42);
      for (let i = 0; i < 600; i++) {
        const [apiKey, version, body] = SEEDS[i % SEEDS.length];
        const frame = Buffer.from(WireClient.frame(apiKey, version, i, body));
        const mutation = random();
        if (mutation < 0.7) {
          // Flip 1-4 bytes after the api key, version and correlation id (so the request reaches a decoder).
          const flips = 1 + Math.floor(random() * 4);
          for (let f = 0; f < flips; f++) {
            const pos = 12 + Math.floor(random() * (frame.length - 12));
            frame[pos] = Math.floor(random() * 256);
          }
          await exchange(frame);
        } else {
          // Truncate the body but keep the size prefix honest.
          const cut = 12 + Math.floor(random() * (frame.length - 12));
          const truncated = Buffer.from(frame.subarray(0, cut));
          truncated.writeInt32BE(cut - 4, 0);
          await exchange(truncated);
        }
      }
      const c = await t.connect();
      const res = await c.send(API.METADATA, 9, metadataRequest(['fuzz']));
      expect(res.topics[0].errorCode).toBe(0);
      expect(errorLogs).toEqual([]);
    },
  );
});
