import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reader } from '../reader.ts';
import { Writer } from '../writer.ts';
import { sampleMessage } from '../test-support/sample-message.ts';
import { generateProtocolFiles } from './emit.ts';
import type { MessageSpec } from './spec.ts';

/**
 * Spec features that Kafka's current definitions use rarely or not at all (hex defaults, a field
 * dropped in later versions, nullability starting mid-range, tagged nullable structs, tagged
 * fields with non-null defaults, uint/float types) exercised through a synthetic API.
 */
const request: MessageSpec = {
  apiKey: 9000,
  type: 'request',
  listeners: ['broker'],
  name: 'SynthRequest',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'HexDefault', type: 'int32', versions: '1+', default: '0x7fffffff' },
    { name: 'OldOnly', type: 'int16', versions: '0-1', default: '-1' },
    { name: 'NullableLater', type: 'string', versions: '0+', nullableVersions: '1+' },
    {
      name: 'Inner',
      type: 'InnerStruct',
      versions: '1+',
      nullableVersions: '3+',
      fields: [{ name: 'A', type: 'int32', versions: '1+', default: '-1' }],
    },
    {
      name: 'TaggedInner',
      type: 'TaggedStruct',
      versions: '2+',
      nullableVersions: '2+',
      taggedVersions: '2+',
      tag: 0,
      fields: [{ name: 'B', type: 'string', versions: '2+' }],
    },
    {
      name: 'TaggedString',
      type: 'string',
      versions: '2+',
      nullableVersions: '2+',
      taggedVersions: '2+',
      tag: 1,
      ignorable: true,
    },
    { name: 'Ids', type: '[]uuid', versions: '0+' },
    { name: 'Ratio', type: 'float64', versions: '0+' },
    { name: 'Port', type: 'uint16', versions: '0+' },
    { name: 'Big', type: 'uint32', versions: '0+' },
    { name: 'Payload', type: 'bytes', versions: '0+', nullableVersions: '0+', default: 'null' },
  ],
};

const response: MessageSpec = {
  apiKey: 9000,
  type: 'response',
  name: 'SynthResponse',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [{ name: 'ErrorCode', type: 'int16', versions: '0+' }],
};

type Codec = {
  encodeSynthRequest: (w: Writer, v: number, m: unknown) => void;
  decodeSynthRequest: (r: Reader, v: number) => Record<string, unknown>;
};

const protocolDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let tmpDir = '';
let codec: Codec;

beforeAll(async () => {
  // The generated module imports '../reader.ts' etc., so it must live one level below protocol/.
  tmpDir = fs.mkdtempSync(path.join(protocolDir, '.synthetic-'));
  for (const [name, content] of generateProtocolFiles([request, response])) {
    fs.writeFileSync(path.join(tmpDir, name), content);
  }
  codec = (await import(pathToFileURL(path.join(tmpDir, 'synth.ts')).href)) as Codec;
});

afterAll(() => {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

/** The fields every version carries (required in the generated interface). */
const REQUIRED = { nullableLater: 'x', ids: [], ratio: 0, port: 0, big: 0, payload: null };

function encode(version: number, msg: unknown): Buffer {
  const w = new Writer();
  codec.encodeSynthRequest(w, version, msg);
  return Buffer.from(w.toBuffer());
}

describe('generated codecs for spec corner cases', () => {
  it('round-trip every version, filled and with nulls', () => {
    for (let v = 0; v <= 3; v++) {
      for (const mode of ['filled', 'nulls'] as const) {
        const sample = sampleMessage(request, v, mode);
        const r = new Reader(encode(v, sample));
        expect(codec.decodeSynthRequest(r, v), `v${v} ${mode}`).toEqual(sample);
        expect(r.remaining()).toBe(0);
      }
    }
  });

  it('fills defaults, hex included, for fields a version lacks', () => {
    const decoded = codec.decodeSynthRequest(
      new Reader(
        encode(0, { nullableLater: 'x', ids: [], ratio: 0, port: 0, big: 0, payload: null }),
      ),
      0,
    );
    expect(decoded).toMatchObject({
      hexDefault: 0x7fffffff,
      oldOnly: -1,
      inner: { a: -1 },
      // Nullable, but without a "null" default: the default is an empty struct, as in Kafka.
      taggedInner: { b: '' },
      taggedString: '',
      payload: null,
    });
  });

  it('refuses a null before the version that makes the field nullable', () => {
    expect(() => encode(0, { ...REQUIRED, nullableLater: null })).toThrow(
      /not nullable in version 0/,
    );
    expect(() => encode(2, { ...REQUIRED, inner: null })).toThrow(/not nullable/);
  });

  it('refuses to drop a non-ignorable field removed in later versions', () => {
    expect(() => encode(2, { ...REQUIRED, oldOnly: 5 })).toThrow(/cannot carry/);
    expect(() => encode(2, { ...REQUIRED, oldOnly: -1 })).not.toThrow();
  });

  it('writes a null tagged struct as varint 0, and a null tagged string whose default is ""', () => {
    const base = { ...REQUIRED, inner: { a: 1 } };
    const plain = encode(2, { ...base, taggedInner: { b: '' }, taggedString: '' });
    const withTags = encode(2, { ...base, taggedInner: null, taggedString: null });
    // Defaults are not written: an empty tag section. Nulls differ from the defaults: two tags,
    // tag 0 of 1 byte [null struct = varint 0], tag 1 of 1 byte [compact null string = 0].
    expect(plain.subarray(-1).toString('hex')).toBe('00');
    expect(withTags.subarray(plain.length - 1).toString('hex')).toBe('02' + '000100' + '010100');
    expect(codec.decodeSynthRequest(new Reader(withTags), 2)).toMatchObject({
      taggedInner: null,
      taggedString: null,
    });
    expect(codec.decodeSynthRequest(new Reader(plain), 2)).toMatchObject({
      taggedInner: { b: '' },
      taggedString: '',
    });
  });
});
