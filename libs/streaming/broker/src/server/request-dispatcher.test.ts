import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppendWaiters } from '../api/append-waiters.ts';
import { metadataApi } from '../api/metadata.ts';
import { API, metadataRequest, produceRequest } from '../api/test-support/requests.ts';
import { WireClient } from '../api/test-support/wire-client.ts';
import { ApiRegistry } from '../api/registry.ts';
import type { AnyApiHandler, BrokerContext } from '../api/types.ts';
import { defineApi } from '../api/types.ts';
import { resolveBrokerConfig } from '../config/index.ts';
import { API_ENTRIES, ApiEntry, ApiKey, Reader } from '../protocol/index.ts';
import type { ApiResponse } from '../protocol/index.ts';
import type { LogManager } from '../storage/index.ts';
import { RequestDispatcher } from './request-dispatcher.ts';
import type { CodecTable, DispatchResult } from './request-dispatcher.ts';
import { testConnection } from '../api/test-support/test-connection.ts';
import { RateLimitedLog } from './rate-limited-log.ts';

const boom = (): never => {
  throw new Error('boom');
};

/** Handlers that fail, to check what the dispatcher makes of exceptions. */
const failingMetadata: AnyApiHandler = { ...metadataApi, handle: boom };
const failingAsyncMetadata: AnyApiHandler = { ...metadataApi, handle: async () => boom() };
const failingProduce = defineApi({
  apiKey: ApiKey.Produce,
  minVersion: 0,
  maxVersion: 11,
  handle: boom,
  errorResponse: () => ({ responses: [], throttleTimeMs: 0 }),
  expectsResponse: (r) => r.acks !== 0,
});

function dispatcher(apis: AnyApiHandler[], table: CodecTable = API_ENTRIES): RequestDispatcher {
  const broker: BrokerContext = {
    config: resolveBrokerConfig({ logDir: '/unused' }),
    nodeId: 1,
    clusterId: 'test',
    logs: {} as LogManager,
    logger: pino({ level: 'silent' }),
    waiters: new AppendWaiters(() => () => undefined),
    groups: {} as BrokerContext['groups'],
    producers: {} as BrokerContext['producers'],
    transactions: {} as BrokerContext['transactions'],
    scram: {} as BrokerContext['scram'],
    failedLogins: new RateLimitedLog(pino({ level: 'silent' })),
    acls: {} as BrokerContext['acls'],
    authorizer: null,
    deniedRequests: new RateLimitedLog(pino({ level: 'silent' })),
    apis: new ApiRegistry(apis),
    advertised: () => ({ host: 'h', port: 1 }),
    now: () => 0,
  };
  return new RequestDispatcher(broker, table);
}

const conn = testConnection();

async function decode<K extends ApiKey>(
  result: DispatchResult,
  apiKey: K,
  version: number,
): Promise<ApiResponse<K>> {
  if (result.kind !== 'respond') throw new Error(`expected a response, got ${result.kind}`);
  const chunks = await result.response;
  if (chunks === null) throw new Error('expected a response, got none');
  const r = new Reader(Buffer.concat(chunks), 4);
  r.int32(); // correlation id
  return API_ENTRIES[apiKey].codecs!.decodeResponse(r, version);
}

function body(frame: Buffer): Buffer {
  return frame.subarray(4);
}

describe('RequestDispatcher', () => {
  it('turns a handler exception into UNKNOWN_SERVER_ERROR (-1) for every topic', async () => {
    const d = dispatcher([failingMetadata]);
    const frame = WireClient.frame(API.METADATA, 1, 9, metadataRequest(['a', 'b']));
    const res = await decode(d.dispatch(body(frame), conn), API.METADATA, 1);
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
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
    const loaded = API_ENTRIES[ApiKey.Metadata].codecs!;
    const fresh = new ApiEntry(loaded, async () => {
      imports++;
      return loaded;
    });
    const d = dispatcher([failingMetadata], { [ApiKey.Metadata]: fresh });
    const frame = body(WireClient.frame(API.METADATA, 1, 9, metadataRequest(['a'])));

    const first = d.dispatch(frame, conn);
    expect(first.kind).toBe('defer');
    if (first.kind === 'defer') await first.until;
    expect(imports).toBe(1);
    const res = await decode(d.dispatch(frame, conn), API.METADATA, 1);
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([['a', -1]]);
  });
});
