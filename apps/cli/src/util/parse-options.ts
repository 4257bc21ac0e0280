import { usageError } from '../errors.ts';

/** `k=v` (repeatable flags such as `--config` and `--header`). The value may itself contain `=`. */
export function parseKeyValue(flag: string, text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw usageError(`${flag} expects key=value, got "${text}"`);
  return [text.slice(0, at), text.slice(at + 1)];
}

export function parseKeyValues(
  flag: string,
  texts: readonly string[] | undefined,
): [string, string][] {
  return (texts ?? []).map((t) => parseKeyValue(flag, t));
}

/** For commander: collects every occurrence of a repeatable flag. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseInteger(flag: string, text: string, min = Number.MIN_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(text.trim())) throw usageError(`${flag} expects an integer, got "${text}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) {
    throw usageError(`${flag} must be an integer >= ${min}, got "${text}"`);
  }
  return n;
}

/** An offset: a non-negative int64 as bigint. */
export function parseOffset(flag: string, text: string): bigint {
  if (!/^\d+$/.test(text.trim()))
    throw usageError(`${flag} expects an offset (0 or more), got "${text}"`);
  return BigInt(text);
}

/**
 * A point in time for `--to-datetime`: ISO 8601 (`2026-11-21T10:00:00Z`, a date alone means UTC
 * midnight, as Date parses it) or epoch milliseconds.
 */
export function parseDateTime(flag: string, text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw usageError(`${flag} expects an ISO date-time or epoch ms, got "${text}"`);
  return ms;
}
