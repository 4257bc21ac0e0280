import fs from 'node:fs';
import path from 'node:path';

/**
 * The model of Kafka's JSON message definitions (see SPEC-README.md next to them), shared by the
 * code generator and by the tests that build sample messages from the same definitions.
 */

export interface FieldSpec {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  ignorable?: boolean;
  mapKey?: boolean;
  flexibleVersions?: string;
  about?: string;
  fields?: FieldSpec[];
}

export interface StructSpec {
  name: string;
  versions: string;
  fields: FieldSpec[];
}

export interface MessageSpec {
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: FieldSpec[];
  commonStructs?: StructSpec[];
  listeners?: string[];
  latestVersionUnstable?: boolean;
  deprecatedVersions?: string;
}

/** An inclusive version interval; `hi` is Infinity for open ranges ("3+"). */
export interface VersionRange {
  lo: number;
  hi: number;
}

export const NO_VERSIONS: VersionRange = { lo: 1, hi: 0 };

export function parseVersions(spec: string | undefined): VersionRange {
  if (spec === undefined || spec === 'none' || spec === '') return NO_VERSIONS;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return { lo: Number(plus[1]), hi: Infinity };
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return { lo: Number(range[1]), hi: Number(range[2]) };
  if (/^\d+$/.test(spec)) return { lo: Number(spec), hi: Number(spec) };
  throw new Error(`bad version spec ${JSON.stringify(spec)}`);
}

export function isEmpty(r: VersionRange): boolean {
  return r.lo > r.hi;
}

export function intersect(a: VersionRange, b: VersionRange): VersionRange {
  return { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) };
}

export function contains(r: VersionRange, version: number): boolean {
  return version >= r.lo && version <= r.hi;
}

/** Removes JSON-with-comments `//` comments, leaving `//` inside strings alone. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (c === '"') {
        inString = false;
      }
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

/** Reads every `*.json` message definition of a directory, sorted by file name. */
export function loadSpecDir(dir: string): MessageSpec[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(
      (f) => JSON.parse(stripComments(fs.readFileSync(path.join(dir, f), 'utf8'))) as MessageSpec,
    );
}

export interface ApiDefinition {
  apiKey: number;
  /** "Produce", "ApiVersions", ... */
  name: string;
  request: MessageSpec;
  response: MessageSpec;
}

/**
 * The APIs a broker serves: request/response pairs whose request lists the `broker` listener (or
 * lists none), sorted by API key. Controller-only and ZooKeeper-era APIs are left out.
 */
export function selectBrokerApis(specs: MessageSpec[]): ApiDefinition[] {
  const requests = new Map<number, MessageSpec>();
  const responses = new Map<number, MessageSpec>();
  for (const s of specs) {
    if (s.apiKey === undefined) continue;
    if (s.type === 'request') requests.set(s.apiKey, s);
    else if (s.type === 'response') responses.set(s.apiKey, s);
  }
  const apis: ApiDefinition[] = [];
  for (const [apiKey, request] of requests) {
    const listeners = request.listeners;
    if (listeners && listeners.length > 0 && !listeners.includes('broker')) continue;
    const response = responses.get(apiKey);
    if (!response) throw new Error(`no response definition for ${request.name}`);
    apis.push({ apiKey, name: request.name.replace(/Request$/, ''), request, response });
  }
  return apis.sort((a, b) => a.apiKey - b.apiKey);
}

export function headerSpecs(specs: MessageSpec[]): MessageSpec[] {
  return specs.filter((s) => s.type === 'header').sort((a, b) => a.name.localeCompare(b.name));
}

const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'uuid',
  'bytes',
  'records',
]);

export function isPrimitive(type: string): boolean {
  return PRIMITIVES.has(type);
}

export function isArray(type: string): boolean {
  return type.startsWith('[]');
}

export function elementType(type: string): string {
  return isArray(type) ? type.slice(2) : type;
}

/** A struct-typed field (array of structs or single struct). */
export function isStructType(type: string): boolean {
  return !isPrimitive(elementType(type));
}

/** Kafka's camelCase: lower-case the first letter only ("ThrottleTimeMs" -> "throttleTimeMs"). */
export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** "ApiVersions" -> "api-versions", "DescribeAcls" -> "describe-acls". */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** Parses integer defaults, which may be decimal, hex ("0x7fffffff") or octal ("017"). */
function parseIntegerDefault(text: string): number {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[0-7]+$/.test(body)) value = parseInt(body.slice(1), 8);
  else if (/^\d+$/.test(body)) value = Number(body);
  else throw new Error(`bad integer default ${JSON.stringify(text)}`);
  return negative ? -value : value;
}

/**
 * The default of a field: what decoders fill in when a version lacks the field, and what encoders
 * compare against (tagged fields are only written when non-default; non-ignorable fields must be
 * default on versions that cannot carry them). Buffers, arrays and structs are described, not built,
 * because every decoded message needs fresh ones.
 */
export type DefaultValue =
  | { kind: 'value'; value: number | bigint | boolean | string | null }
  | { kind: 'emptyBytes' }
  | { kind: 'emptyArray' }
  | { kind: 'struct' };

export function defaultValueOf(field: FieldSpec): DefaultValue {
  const raw = field.default === undefined ? undefined : String(field.default);
  const type = field.type;
  const value = (v: number | bigint | boolean | string | null): DefaultValue => ({
    kind: 'value',
    value: v,
  });
  if (raw === 'null') {
    if (type === 'bool' || type === 'float64' || /^u?int/.test(type)) {
      throw new Error(`${field.name}: null default on ${type}`);
    }
    return value(null);
  }
  if (isArray(type)) return { kind: 'emptyArray' };
  switch (type) {
    case 'bool':
      return value(raw === undefined ? false : raw.toLowerCase() === 'true');
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
      return value(raw === undefined ? 0 : parseIntegerDefault(raw));
    case 'int64':
      return value(raw === undefined ? 0n : BigInt(parseIntegerDefault(raw)));
    case 'float64':
      return value(raw === undefined ? 0 : Number(raw));
    case 'string':
      return value(raw ?? '');
    case 'uuid':
      return value('00000000-0000-0000-0000-000000000000');
    case 'bytes':
      return { kind: 'emptyBytes' };
    case 'records':
      return value(null);
    default:
      return { kind: 'struct' };
  }
}
