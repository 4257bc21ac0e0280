import fs from 'node:fs';
import {
  camelCase,
  contains,
  defaultValueOf,
  elementType,
  isArray,
  isPrimitive,
  parseVersions,
} from '../codegen/spec.ts';
import type { FieldSpec, MessageSpec } from '../codegen/spec.ts';
import type { ProtocolSchema } from '../codegen/emit.ts';

/**
 * Builds messages straight from the JSON definitions, independently of the generated code, so the
 * round-trip tests check the codecs against the spec rather than against themselves.
 */

export function loadSchema(): ProtocolSchema {
  const url = new URL('../generated/schema.json', import.meta.url);
  return JSON.parse(fs.readFileSync(url, 'utf8')) as ProtocolSchema;
}

/**
 * filled: every field the version carries gets a distinct non-default value.
 * nulls:  like filled, but every field nullable in this version is null and arrays are empty.
 */
export type SampleMode = 'filled' | 'nulls';

type Json = unknown;

class SampleBuilder {
  private counter = 0;
  private readonly common: Map<string, FieldSpec[]>;
  private readonly version: number;
  private readonly mode: SampleMode;

  constructor(msg: MessageSpec, version: number, mode: SampleMode) {
    this.common = new Map((msg.commonStructs ?? []).map((s) => [s.name, s.fields]));
    this.version = version;
    this.mode = mode;
  }

  private structFields(f: FieldSpec): FieldSpec[] {
    const fields = f.fields ?? this.common.get(elementType(f.type));
    if (!fields) throw new Error(`no struct for ${f.name}`);
    return fields;
  }

  /** What a decoder yields for a field the version does not carry. */
  defaultOf(f: FieldSpec): Json {
    const d = defaultValueOf(f);
    switch (d.kind) {
      case 'value':
        return d.value;
      case 'emptyBytes':
        return Buffer.alloc(0);
      case 'emptyArray':
        return [];
      case 'struct':
        return Object.fromEntries(
          this.structFields(f).map((sf) => [camelCase(sf.name), this.defaultOf(sf)]),
        );
    }
  }

  private primitive(type: string, f: FieldSpec): Json {
    const k = ++this.counter;
    const def = defaultValueOf(f);
    const notDefault = <T>(a: T, b: T): T => (def.kind === 'value' && def.value === a ? b : a);
    switch (type) {
      case 'bool':
        return notDefault(true, false);
      case 'int8':
        return notDefault(-(k % 100) - 2, 5);
      case 'int16':
        return notDefault(1000 + k, -7);
      case 'uint16':
        return notDefault(60000 + k, 1);
      case 'int32':
        return notDefault(100000 + k * 7, -3);
      case 'uint32':
        return notDefault(4000000000 + k, 1);
      case 'int64':
        return notDefault(5000000000n + BigInt(k), -9n);
      case 'float64':
        return notDefault(k + 0.25, -1.5);
      case 'string':
        return `${f.name}-${k}-é`;
      case 'uuid':
        return `${k.toString(16).padStart(8, '0')}-1234-4abc-8def-0123456789ab`;
      case 'bytes':
        return Buffer.from([k & 0xff, 1, 2, 3]);
      case 'records':
        return Buffer.from(`records-${k}`);
      default:
        throw new Error(`not primitive: ${type}`);
    }
  }

  private value(f: FieldSpec): Json {
    const nullable = contains(parseVersions(f.nullableVersions), this.version);
    if (this.mode === 'nulls' && nullable) return null;
    const elem = elementType(f.type);
    if (isArray(f.type)) {
      if (this.mode === 'nulls') return [];
      if (isPrimitive(elem)) return [this.primitive(elem, f), this.primitive(elem, f)];
      return [this.struct(this.structFields(f)), this.struct(this.structFields(f))];
    }
    if (!isPrimitive(elem)) return this.struct(this.structFields(f));
    return this.primitive(elem, f);
  }

  struct(fields: FieldSpec[]): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const f of fields) {
      const present = contains(parseVersions(f.versions), this.version);
      out[camelCase(f.name)] = present ? this.value(f) : this.defaultOf(f);
    }
    return out;
  }
}

/** A sample message for one version: fields the version lacks hold their defaults. */
export function sampleMessage(
  msg: MessageSpec,
  version: number,
  mode: SampleMode,
): Record<string, Json> {
  return new SampleBuilder(msg, version, mode).struct(msg.fields);
}

/** The same sample with the top-level fields the version does not carry left out entirely. */
export function withoutAbsentFields(
  msg: MessageSpec,
  version: number,
  sample: Record<string, Json>,
): Record<string, Json> {
  const out = { ...sample };
  for (const f of msg.fields) {
    if (!contains(parseVersions(f.versions), version)) delete out[camelCase(f.name)];
  }
  return out;
}
