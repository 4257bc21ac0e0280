import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppendWaiters } from '../api/append-waiters.ts';
import { metadataApi } from '../api/metadata.ts';
import { API, metadataRequest, produceRequest } from '../api/test-support/requests.ts';
import { WireClient } from '../api/test-support/wire-client.ts';
import type { ApiHandler, BrokerContext } from '../api/types.ts';
import { defineApi } from '../api/types.ts';
import { resolveBrokerConfig } from '../config/index.ts';
import { API_BY_KEY, ApiEntry, Reader } from '../protocol/index.ts';
import type { ApiSpec } from '../protocol/index.ts';
import type { LogManager } from '../storage/index.ts';
import { RequestDispatcher } from './request-dispatcher.ts';
import type { DispatchResult } from './request-dispatcher.ts';

const boom = (): never => {
  throw new Error('boom');
};

/** Handlers that fail, to check what the dispatcher makes of exceptions. */
const failingMetadata: ApiHandler = { ...metadataApi, handle: boom };
const failingAsyncMetadata: ApiHandler = { ...metadataApi, handle: async () => boom() };
const failingProduce = defineApi<{ acks: number; topicData: [] }, unknown>({
  apiKey: 0,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 11,
  handle: boom,
  errorResponse: (_r, _v, errorCode) => ({ responses: [], throttleTimeMs: 0, errorCode }),
  expectsResponse: (r) => r.acks !== 0,
});

function dispatcher(
  apis: ApiHandler[],
  table: ReadonlyMap<number, ApiEntry> = API_BY_KEY,
): RequestDispatcher {
  const broker: BrokerContext = {
    config: resolveBrokerConfig({ logDir: '/unused' }),
    nodeId: 1,
    clusterId: 'test',
    logs: {} as LogManager,
    logger: pino({ level: 'silent' }),
    waiters: new AppendWaiters(() => () => undefined),
    groups: {} as BrokerContext['groups'],
    producers: {} as BrokerContext['producers'],
    apis: new Map(apis.map((a) => [a.apiKey, a])),
    advertised: () => ({ host: 'h', port: 1 }),
    now: () => 0,
  };
  return new RequestDispatcher(broker, table);
}

const conn = { id: 1, remote: 'test', signal: new AbortController().signal };

async function decode(result: DispatchResult, apiKey: number, version: number): Promise<any> {
  expect(result.kind).toBe('respond');
  if (result.kind !== 'respond') return null;
  const chunks = await result.response;
  if (chunks === null) return null;
  const r = new Reader(Buffer.concat(chunks), 4);
  r.int32(); // correlation id
  return API_BY_KEY.get(apiKey)!.codecs!.decodeResponse(r, version);
}

function body(frame: Buffer): Buffer {
  return frame.subarray(4);
}

describe('RequestDispatcher', () => {
  it('turns a handler exception into UNKNOWN_SERVER_ERROR (-1) for every topic', async () => {
    const d = dispatcher([failingMetadata]);
    const frame = WireClient.frame(API.METADATA, 1, 9, metadataRequest(['a', 'b']));
    const res = await decode(d.dispatch(body(frame), conn), API.METADATA, 1);
    expect(res.topics.map((t: any) => [t.name, t.errorCode])).toEqual([
      ['a', -1],
      ['b', -1],
    ]);
  });

  it('does the same for an async handler that rejects', async () => {
    const d = dispatcher([failingAsyncMetadata]);
    const frame = WireClient.frame(API.METADATA, 4, 9, metadataRequest(['a']));
    const res = await decode(d.dispatch(body(frame), conn), API.METADATA, 4);
    expect(res.topics[0].errorCode).toBe(-1);
  });

  it('closes the connection when a request that expects no response (acks=0) fails', () => {
    const d = dispatcher([failingProduce]);
    const frame = WireClient.frame(API.PRODUCE, 7, 9, produceRequest('t', 0, null, 0));
    expect(d.dispatch(body(frame), conn).kind).toBe('close');
  });

  it('closes the connection for an API it does not serve, even one the codecs know', () => {
    const d = dispatcher([failingMetadata]);
    const frame = WireClient.frame(API.PRODUCE, 7, 9, produceRequest('t', 0, null, 1));
    expect(d.dispatch(body(frame), conn)).toMatchObject({ kind: 'close' });
  });

  it('closes the connection on a version beyond the protocol definitions (no way to encode an answer)', () => {
    const d = dispatcher([metadataApi]);
    const frame = Buffer.alloc(10);
    frame.writeInt16BE(API.METADATA, 0);
    frame.writeInt16BE(99, 2);
    frame.writeInt32BE(5, 4);
    frame.writeInt16BE(-1, 8);
    expect(d.dispatch(frame, conn).kind).toBe('close');
  });

  it('defers a request whose codecs are not loaded yet, and answers it once they are', async () => {
    let imports = 0;
    const loaded = API_BY_KEY.get(API.METADATA)!.codecs!;
    const fresh = new ApiEntry(loaded, async (): Promise<ApiSpec> => {
      imports++;
      return loaded;
    });
    const d = dispatcher([failingMetadata], new Map([[API.METADATA, fresh]]));
    const frame = body(WireClient.frame(API.METADATA, 1, 9, metadataRequest(['a'])));

    const first = d.dispatch(frame, conn);
    expect(first.kind).toBe('defer');
    if (first.kind === 'defer') await first.until;
    expect(imports).toBe(1);
    const res = await decode(d.dispatch(frame, conn), API.METADATA, 1);
    expect(res.topics.map((t: any) => [t.name, t.errorCode])).toEqual([['a', -1]]);
  });
});
