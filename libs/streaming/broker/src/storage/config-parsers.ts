/**
 * The value types of Kafka's topic configs, as parsers from the string a client sends to the value
 * the broker uses. Each throws StorageError INVALID_CONFIG naming the config and saying what a valid
 * value looks like, so the client's error message tells the user what to fix.
 */
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';

export type ConfigValue = number | string | boolean;
export type ConfigParser = (value: string) => ConfigValue;

/** Long.MAX_VALUE as Kafka prints it. JS numbers hold it as 2^63, which only ever means "unlimited". */
export const LONG_MAX = '9223372036854775807';
const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

export function invalidConfig(name: string, value: string, why: string): StorageError {
  return new StorageError(
    ErrorCode.INVALID_CONFIG,
    `Invalid value ${value} for configuration ${name}: ${why}`,
  );
}

/** A long at least `min` (and at most `max`). */
export function longParser(name: string, min: number, max = 2 ** 63): (v: string) => number {
  return (v) => {
    const t = v.trim();
    if (!/^[-+]?\d+$/.test(t)) throw invalidConfig(name, v, 'not a number of type LONG');
    const n = Number(t);
    if (n > 2 ** 63 || n < -(2 ** 63)) throw invalidConfig(name, v, 'out of range for a LONG');
    if (n < min) throw invalidConfig(name, v, `value must be at least ${min}`);
    if (n > max) throw invalidConfig(name, v, `value must be no more than ${max}`);
    return n;
  };
}

/** An int at least `min` (and at most `max`). */
export function intParser(name: string, min: number, max = INT_MAX): (v: string) => number {
  const long = longParser(name, -(2 ** 63));
  return (v) => {
    const n = long(v);
    if (n > INT_MAX || n < INT_MIN) throw invalidConfig(name, v, 'out of range for an INT');
    if (n < min) throw invalidConfig(name, v, `value must be at least ${min}`);
    if (n > max) throw invalidConfig(name, v, `value must be no more than ${max}`);
    return n;
  };
}

/** An int that is -1 (the codec's default) or within [min, max]. */
export function levelParser(name: string, min: number, max: number): (v: string) => number {
  const int = intParser(name, -(2 ** 31));
  return (v) => {
    const n = int(v);
    if (n !== -1 && (n < min || n > max))
      throw invalidConfig(name, v, `must be -1 or between ${min} and ${max}`);
    return n;
  };
}

/** A double within [min, max]. */
export function doubleParser(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const t = v.trim();
    const n = Number(t);
    if (t === '' || !Number.isFinite(n))
      throw invalidConfig(name, v, 'not a number of type DOUBLE');
    if (n < min || n > max) throw invalidConfig(name, v, `must be between ${min} and ${max}`);
    return n;
  };
}

/** true or false, in any case (as Java's ConfigDef reads a BOOLEAN). */
export function booleanParser(name: string): (v: string) => boolean {
  return (v) => {
    const t = v.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
    throw invalidConfig(name, v, 'expected true or false');
  };
}

/** One of a fixed set of strings. */
export function oneOf(name: string, allowed: readonly string[]): (v: string) => string {
  return (v) => {
    const t = v.trim();
    if (!allowed.includes(t)) throw invalidConfig(name, v, `must be one of ${allowed.join(', ')}`);
    return t;
  };
}

/** A comma-separated list whose items are each one of `allowed`: normalised, sorted, no repeats. */
export function listOf(name: string, allowed: readonly string[]): (v: string) => string {
  return (v) => {
    const items = v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (items.length === 0) throw invalidConfig(name, v, `must list ${allowed.join(' and/or ')}`);
    for (const item of items) {
      if (!allowed.includes(item))
        throw invalidConfig(name, v, `"${item}" is not one of ${allowed.join(', ')}`);
    }
    return [...new Set(items)].sort().join(',');
  };
}

/**
 * `*` or a list of partition:broker pairs (leader/follower.replication.throttled.replicas). Only
 * their shape matters on a node that replicates to nobody.
 */
export function throttledReplicasParser(name: string): (v: string) => string {
  return (v) => {
    const t = v.trim();
    if (t === '*' || t === '') return t;
    const items = t.split(',').map((s) => s.trim());
    if (items.some((i) => !/^\d+:\d+$/.test(i)))
      throw invalidConfig(name, v, 'must be * or a list of partitionId:brokerId pairs');
    return items.join(',');
  };
}

/**
 * The releases a message.format.version may name (Kafka 3.x's MetadataVersion), each with its
 * highest "-IV" (inter-version) suffix, or -1 for a release that has none.
 */
const RELEASES: ReadonlyArray<readonly [string, number]> = [
  ['0.8.0', -1],
  ['0.8.1', -1],
  ['0.8.2', -1],
  ['0.9.0', -1],
  ['0.10.0', 1],
  ['0.10.1', 2],
  ['0.10.2', 0],
  ['0.11.0', 2],
  ['1.0', 0],
  ['1.1', 0],
  ['2.0', 1],
  ['2.1', 2],
  ['2.2', 1],
  ['2.3', 1],
  ['2.4', 1],
  ['2.5', 0],
  ['2.6', 0],
  ['2.7', 2],
  ['2.8', 1],
  ['3.0', 1],
  ['3.1', 0],
  ['3.2', 0],
  ['3.3', 3],
  ['3.4', 0],
  ['3.5', 2],
  ['3.6', 2],
  ['3.7', 4],
  ['3.8', 0],
  ['3.9', 0],
];
const MAX_IV: ReadonlyMap<string, number> = new Map(RELEASES);

/**
 * A Kafka release as message.format.version names it: "0.10.0", "0.10.0.1" and "0.10.0-IV1" (an
 * old release: three parts count), "2.1", "2.1.1" and "2.1-IV2" (two parts count). The value is
 * kept as sent: Kafka 3.x ignores it for writing (every batch is v2) and only reports it.
 */
export function messageFormatVersionParser(name: string): (v: string) => string {
  return (v) => {
    const t = v.trim();
    const [release, iv] = splitVersion(t);
    const maxIv = MAX_IV.get(release);
    if (maxIv === undefined || (iv !== null && iv > maxIv))
      throw invalidConfig(name, v, 'not a Kafka version (e.g. 0.10.2, 2.8, 3.0-IV1)');
    return t;
  };
}

function splitVersion(v: string): [string, number | null] {
  const iv = /^(.*)-IV(\d+)$/.exec(v);
  const base = iv ? iv[1]! : v;
  const parts = base.split('.');
  const keep = base.startsWith('0.') ? 3 : 2;
  if (parts.some((p) => !/^\d+$/.test(p)) || parts.length < keep) return ['', null];
  // A fourth (or third) part is a patch release: the format is the same as its release's.
  if (iv && parts.length !== keep) return ['', null];
  return [parts.slice(0, keep).join('.'), iv ? Number(iv[2]) : null];
}
