import { describe, expect, it } from 'vitest';
import {
  decodeApiVersionsRequest,
  decodeApiVersionsResponse,
  encodeApiVersionsRequest,
  encodeApiVersionsResponse,
} from './generated/api-versions.ts';
import { encodeCreateTopicsRequest } from './generated/create-topics.ts';
import { encodeFetchResponsePartitionData } from './generated/fetch.ts';
import { decodeMetadataRequest, encodeMetadataRequest } from './generated/metadata.ts';
import { decodeProduceRequest, encodeProduceRequest } from './generated/produce.ts';
import {
  ApiKey,
  ErrorCode,
  ProtocolError,
  Reader,
  Writer,
  ZERO_UUID,
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestFrame,
  encodeResponseFrame,
  encodeResponseFrameChunks,
  errorName,
  isRetriable,
  requestHeaderVersion,
  responseHeaderVersion,
} from './index.ts';

function fromHex(...parts: string[]): Buffer {
  return Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
}

function ascii(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}

/** Strips and checks the 4-byte size prefix of a frame. */
function unframe(frame: Buffer): Reader {
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  return new Reader(frame, 4);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
  return undefined;
}

describe('request headers', () => {
  // What kafka-python 2.0.2 puts on the wire first: ApiVersions v0, header v1, empty body.
  const kafkaPythonApiVersions = fromHex(
    '0000001c', // size
    '0012 0000', // api key 18, version 0
    '00000001', // correlation id
    '0012',
    ascii('kafka-python-2.0.2'), // client id, INT16 length
  );

  it('decodes a kafka-python ApiVersions v0 request (header v1)', () => {
    const r = unframe(kafkaPythonApiVersions);
    expect(decodeRequestHeader(r)).toEqual({
      apiKey: 18,
      apiVersion: 0,
      correlationId: 1,
      clientId: 'kafka-python-2.0.2',
      headerVersion: 1,
    });
    expect(decodeApiVersionsRequest(r, 0)).toEqual({
      clientSoftwareName: '',
      clientSoftwareVersion: '',
    });
    expect(r.remaining()).toBe(0);
  });

  it('encodes the same bytes on the client side', () => {
    const frame = encodeRequestFrame(
      { apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'kafka-python-2.0.2' },
      (w) => encodeApiVersionsRequest(w, 0, {}),
    );
    expect(frame.equals(kafkaPythonApiVersions)).toBe(true);
  });

  it('decodes a flexible header v2: classic client id, then a tagged-field section it skips', () => {
    const frame = fromHex(
      '00000032',
      '0003 000c 0000002a', // Metadata v12, correlation 42
      '0007',
      ascii('rdkafka'), // client id keeps its INT16 length in header v2
      '01 05 02 abcd', // one unknown tag (5) of 2 bytes
      '02', // topics: compact array of 1
      '00'.repeat(16), // topic id (zero uuid)
      '07',
      ascii('orders'), // compact nullable string
      '00', // topic tagged fields
      '01', // allowAutoTopicCreation
      '00', // includeTopicAuthorizedOperations
      '00', // tagged fields
    );
    const r = unframe(frame);
    expect(decodeRequestHeader(r)).toEqual({
      apiKey: 3,
      apiVersion: 12,
      correlationId: 42,
      clientId: 'rdkafka',
      headerVersion: 2,
    });
    expect(decodeMetadataRequest(r, 12)).toEqual({
      topics: [{ topicId: ZERO_UUID, name: 'orders' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(r.remaining()).toBe(0);
  });

  it('picks the header version from the API version: v2 when flexible, v1 before, v0 for ControlledShutdown v0', () => {
    expect(requestHeaderVersion(ApiKey.Produce, 8)).toBe(1);
    expect(requestHeaderVersion(ApiKey.Produce, 9)).toBe(2);
    expect(requestHeaderVersion(ApiKey.ApiVersions, 3)).toBe(2);
    expect(requestHeaderVersion(ApiKey.ApiVersions, 99)).toBe(2);
    expect(requestHeaderVersion(ApiKey.SaslHandshake, 1)).toBe(1);
    expect(requestHeaderVersion(7, 0)).toBe(0);
    expect(requestHeaderVersion(12345, 0)).toBe(1);
  });

  it('still returns key, version and correlation id for an unknown API, even when the rest is garbage', () => {
    const r = new Reader(fromHex('03e7 0001 00000005 7f'));
    expect(decodeRequestHeader(r)).toEqual({
      apiKey: 999,
      apiVersion: 1,
      correlationId: 5,
      clientId: null,
      headerVersion: 1,
    });
  });

  it('parses an ApiVersions request from a newer client (unsupported version) so it can be answered', () => {
    const r = new Reader(
      fromHex('0012 0009 00000009 0003', ascii('abc'), '00', '04', ascii('xyz')),
    );
    expect(decodeRequestHeader(r)).toMatchObject({
      apiKey: 18,
      apiVersion: 9,
      correlationId: 9,
      clientId: 'abc',
    });
  });

  it('throws a ProtocolError for a truncated header of a supported API', () => {
    expect(codeOf(() => decodeRequestHeader(new Reader(fromHex('0003 0009 00000001 00'))))).toBe(
      'TRUNCATED',
    );
    expect(codeOf(() => decodeRequestHeader(new Reader(fromHex('0003 00'))))).toBe('TRUNCATED');
  });
});

describe('response frames', () => {
  it('writes ApiVersions v3 with response header v0 (no tagged fields after the correlation id)', () => {
    const frame = encodeResponseFrame(ApiKey.ApiVersions, 3, 42, (w) =>
      encodeApiVersionsResponse(w, 3, {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 0, maxVersion: 11 },
          { apiKey: 18, minVersion: 0, maxVersion: 4 },
        ],
        throttleTimeMs: 0,
        finalizedFeaturesEpoch: 5n,
      }),
    );
    expect(frame.toString('hex')).toBe(
      [
        '00000024', // size 36
        '0000002a', // correlation id, header v0
        '0000', // error code
        '03', // compact array of 2
        '0000 0000 000b 00',
        '0012 0000 0004 00',
        '00000000', // throttle
        '01 01 08 0000000000000005', // one tagged field: FinalizedFeaturesEpoch (tag 1, 8 bytes)
      ]
        .join('')
        .replace(/\s+/g, ''),
    );
    const r = unframe(frame);
    expect(decodeResponseHeader(r, ApiKey.ApiVersions, 3)).toEqual({ correlationId: 42 });
    expect(decodeApiVersionsResponse(r, 3)).toMatchObject({
      finalizedFeaturesEpoch: 5n,
      supportedFeatures: [],
    });
  });

  it('skips unknown tags in a body and keeps the known ones', () => {
    const body = fromHex('0000', '01', '00000000', '02', '09 01 ff', '03 01 01');
    const decoded = decodeApiVersionsResponse(new Reader(body), 3);
    expect(decoded.zkMigrationReady).toBe(true);
    expect(decoded.apiKeys).toEqual([]);
  });

  it('uses response header v1 (empty tag section) for other flexible versions', () => {
    expect(encodeResponseFrame(ApiKey.Metadata, 9, 7, () => undefined).toString('hex')).toBe(
      '000000050000000700',
    );
    expect(encodeResponseFrame(ApiKey.Metadata, 8, 7, () => undefined).toString('hex')).toBe(
      '0000000400000007',
    );
    expect(responseHeaderVersion(ApiKey.ApiVersions, 4)).toBe(0);
    expect(responseHeaderVersion(ApiKey.Fetch, 12)).toBe(1);
  });

  it('can hand out a large fetch response as chunks without copying the records', () => {
    const records = Buffer.alloc(256 * 1024, 1);
    const chunks = encodeResponseFrameChunks(ApiKey.Produce, 9, 1, (w) => w.compactBytes(records));
    expect(chunks.some((c) => c === records)).toBe(true);
    const frame = Buffer.concat(chunks);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  });
});

describe('encoding rules', () => {
  it('refuses to drop a non-ignorable field the version cannot carry', () => {
    const msg = { topics: [], timeoutMs: 1000, validateOnly: true };
    expect(codeOf(() => encodeCreateTopicsRequest(new Writer(), 0, msg))).toBe(
      'FIELD_NOT_SUPPORTED',
    );
    expect(codeOf(() => encodeCreateTopicsRequest(new Writer(), 1, msg))).toBeUndefined();
  });

  it('silently drops ignorable fields on older versions', () => {
    const w = new Writer();
    encodeApiVersionsRequest(w, 2, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    expect(w.length).toBe(0);
  });

  it('writes null only where the version allows it', () => {
    expect(codeOf(() => encodeMetadataRequest(new Writer(), 0, { topics: null }))).toBe(
      'NULL_NOT_ALLOWED',
    );
    const w = new Writer();
    encodeMetadataRequest(w, 1, { topics: null });
    expect(w.toBuffer().toString('hex')).toBe('ffffffff');
  });

  it('does not write a tagged struct that holds its defaults', () => {
    const base = { partitionIndex: 0, errorCode: 0, highWatermark: 10n, records: null };
    const encode = (extra: object) => {
      const w = new Writer();
      encodeFetchResponsePartitionData(w, 12, { ...base, ...extra });
      return w.toBuffer().toString('hex');
    };
    expect(encode({ currentLeader: { leaderId: -1, leaderEpoch: -1 } })).toBe(encode({}));
    expect(encode({ currentLeader: { leaderId: 1, leaderEpoch: 3 } })).not.toBe(encode({}));
  });

  it('keeps produce records as a zero-copy view of the request', () => {
    const records = Buffer.from('a record batch would be here');
    const w = new Writer();
    encodeProduceRequest(w, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
    });
    const bytes = w.toBuffer();
    const decoded = decodeProduceRequest(new Reader(bytes), 9);
    const got = decoded.topicData[0]!.partitionData[0]!.records!;
    expect(got.equals(records)).toBe(true);
    expect(got.buffer).toBe(bytes.buffer);
  });
});

describe('error codes', () => {
  it('names codes the way Kafka does and knows which are retriable', () => {
    expect(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
    expect(ErrorCode.TRANSACTION_ABORTABLE).toBe(120);
    expect(errorName(6)).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(errorName(-1)).toBe('UNKNOWN_SERVER_ERROR');
    expect(errorName(9999)).toBe('UNKNOWN_ERROR_CODE_9999');
    expect(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe(true);
    expect(isRetriable(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)).toBe(true);
    expect(isRetriable(ErrorCode.TOPIC_ALREADY_EXISTS)).toBe(false);
    const values = Object.values(ErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (let code = -1; code <= 120; code++)
      expect(errorName(code)).not.toMatch(/^UNKNOWN_ERROR_CODE/);
  });
});
