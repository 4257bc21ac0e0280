import { describe, expect, it } from 'vitest';
import { loadApiCodecs } from './api-codecs.ts';
import { API_BY_KEY } from './generated/index.ts';
import { parseVersions } from './codegen/spec.ts';
import { ProtocolError } from './protocol-error.ts';
import { Reader } from './reader.ts';
import { Writer } from './writer.ts';
import { loadSchema, sampleMessage, withoutAbsentFields } from './test-support/sample-message.ts';
import type { SampleMode } from './test-support/sample-message.ts';
import type { MessageSpec } from './codegen/spec.ts';
import type { ApiSpec } from './api-spec.ts';

const schema = loadSchema();
await loadApiCodecs();

type Codec = {
  encode: (w: Writer, version: number, msg: unknown) => void;
  decode: (r: Reader, version: number) => unknown;
};

function codecs(api: ApiSpec): { request: Codec; response: Codec } {
  return {
    request: {
      encode: (w, v, m) => api.encodeRequest(w, v, m),
      decode: (r, v) => api.decodeRequest(r, v),
    },
    response: {
      encode: (w, v, m) => api.encodeResponse(w, v, m),
      decode: (r, v) => api.decodeResponse(r, v),
    },
  };
}

function encode(codec: Codec, version: number, msg: unknown): Buffer {
  const w = new Writer(16);
  codec.encode(w, version, msg);
  return Buffer.from(w.toBuffer());
}

function decodeAll(codec: Codec, version: number, bytes: Buffer): unknown {
  const r = new Reader(bytes);
  const msg = codec.decode(r, version);
  expect(r.remaining(), 'decoder must consume exactly the encoded bytes').toBe(0);
  return msg;
}

function versionsOf(spec: MessageSpec): number[] {
  const range = parseVersions(spec.validVersions);
  const out: number[] = [];
  for (let v = range.lo; v <= range.hi; v++) out.push(v);
  return out;
}

describe('the generated API table', () => {
  it('covers every broker API of the spec with its version range', () => {
    expect(schema.apis.length).toBeGreaterThan(60);
    expect([...API_BY_KEY.keys()]).toEqual(schema.apis.map((a) => a.apiKey));
    for (const a of schema.apis) {
      const spec = API_BY_KEY.get(a.apiKey)!;
      const range = parseVersions(a.request.validVersions);
      expect(spec.name).toBe(a.name);
      expect([spec.minVersion, spec.maxVersion]).toEqual([range.lo, range.hi]);
    }
  });

  it('describes every API exactly as its codec module does', () => {
    for (const entry of API_BY_KEY.values()) {
      const { apiKey, name, minVersion, maxVersion, flexibleMin, latestVersionUnstable } =
        entry.codecs!;
      expect({ apiKey, name, minVersion, maxVersion, flexibleMin, latestVersionUnstable }).toEqual({
        apiKey: entry.apiKey,
        name: entry.name,
        minVersion: entry.minVersion,
        maxVersion: entry.maxVersion,
        flexibleMin: entry.flexibleMin,
        latestVersionUnstable: entry.latestVersionUnstable,
      });
    }
  });

  it('knows the versions real clients use', () => {
    expect(API_BY_KEY.get(0)).toMatchObject({ name: 'Produce', minVersion: 0, flexibleMin: 9 });
    expect(API_BY_KEY.get(1)).toMatchObject({ name: 'Fetch', minVersion: 0, flexibleMin: 12 });
    expect(API_BY_KEY.get(18)).toMatchObject({
      name: 'ApiVersions',
      maxVersion: 4,
      flexibleMin: 3,
    });
    expect(API_BY_KEY.get(17)).toMatchObject({ name: 'SaslHandshake', flexibleMin: null });
  });

  it('leaves out controller-only and ZooKeeper-era APIs', () => {
    for (const key of [4, 5, 6, 7, 52, 53, 54, 56, 58, 62, 63, 67])
      expect(API_BY_KEY.has(key)).toBe(false);
  });
});

const MODES: SampleMode[] = ['filled', 'nulls'];

describe.each(schema.apis.map((a) => [a.name, a] as const))('%s codecs', (_name, api) => {
  const spec = API_BY_KEY.get(api.apiKey)!.codecs!;
  const pairs = [
    ['request', api.request, codecs(spec).request],
    ['response', api.response, codecs(spec).response],
  ] as const;

  for (const [kind, msgSpec, codec] of pairs) {
    it(`round-trips a ${kind} in every version (${msgSpec.validVersions})`, () => {
      for (const version of versionsOf(msgSpec)) {
        for (const mode of MODES) {
          const sample = sampleMessage(msgSpec, version, mode);
          const bytes = encode(codec, version, sample);
          expect(decodeAll(codec, version, bytes), `${kind} v${version} ${mode}`).toEqual(sample);
          // Omitting the fields the version cannot carry must produce the very same bytes.
          const omitted = withoutAbsentFields(msgSpec, version, sample);
          expect(encode(codec, version, omitted).equals(bytes), `${kind} v${version} omitted`).toBe(
            true,
          );
        }
      }
    });

    it(`rejects every truncation of a ${kind} at its highest version with a ProtocolError`, () => {
      const version = parseVersions(msgSpec.validVersions).hi;
      const bytes = encode(codec, version, sampleMessage(msgSpec, version, 'filled'));
      for (let n = 0; n < bytes.length; n++) {
        const cut = bytes.subarray(0, n);
        expect(() => codec.decode(new Reader(cut), version), `${kind} cut at ${n}`).toThrow(
          ProtocolError,
        );
      }
    });
  }
});
