import { isDeepStrictEqual } from 'node:util';
import type { StreamRecord } from '../record.ts';
import type { KeyValueStore } from '../state/key-value-store.ts';

/** One value of a table key, valid from `timestamp` (event time) until the next version. `null` = deleted. */
export interface TableVersion {
  readonly timestamp: number;
  readonly value: unknown;
}

/**
 * Applies one record of a table's topic: the record's value becomes the key's value from the record's
 * timestamp on; a null value (a tombstone, as on a compacted topic) deletes the key.
 *
 * Versions newer than `latest - historyMs` are kept, plus the newest one before that bound, so a lookup
 * for any time inside the history finds the value that was current then. With `historyMs = 0` only the
 * latest value is kept: a plain "latest value per key" table.
 *
 * A version whose value equals the one before it is not stored (nor is a later one that the new version
 * makes a repeat): a lookup at any time answers the same without it. A table that keeps a coarse
 * value (a stock status rather than every stock event) thus holds one version per change of that value.
 */
export function applyTableRecord(
  store: KeyValueStore<TableVersion[]>,
  record: StreamRecord,
  historyMs: number,
): void {
  if (record.key === null) return; // a table row needs a key; Kafka drops these too
  const versions = [...(store.get(record.key) ?? [])];
  const version: TableVersion = { timestamp: record.timestamp, value: record.value ?? null };
  // Insert after every version with the same or an earlier timestamp: among equal times, the later
  // record in the log wins, as compaction would decide.
  let at = versions.length;
  while (at > 0 && versions[at - 1]!.timestamp > version.timestamp) at--;
  if (at > 0 && isDeepStrictEqual(versions[at - 1]!.value, version.value)) return;
  const next = versions[at];
  if (next !== undefined && isDeepStrictEqual(next.value, version.value)) versions.splice(at, 1);
  versions.splice(at, 0, version);

  const bound = versions[versions.length - 1]!.timestamp - historyMs;
  let firstKept = 0;
  for (let i = 0; i < versions.length; i++) if (versions[i]!.timestamp <= bound) firstKept = i;
  const kept = versions.slice(firstKept);
  if (kept.length === 1 && kept[0]!.value === null) store.delete(record.key);
  else store.put(record.key, kept);
}

/**
 * The key's value as of `timestamp`: the newest version at or before it. When the history does not reach
 * back that far (it was trimmed, or a compacted topic was replayed and only its latest values survive),
 * the oldest version kept is the best answer there is, and it is used.
 */
export function lookupTable(
  store: KeyValueStore<TableVersion[]>,
  key: string,
  timestamp: number,
): unknown {
  const versions = store.get(key);
  if (versions === undefined) return undefined;
  let found = versions[0]!;
  for (const version of versions) {
    if (version.timestamp > timestamp) break;
    found = version;
  }
  return found.value === null ? undefined : found.value;
}

export function latestTableValue(store: KeyValueStore<TableVersion[]>, key: string): unknown {
  const versions = store.get(key);
  const latest = versions?.[versions.length - 1];
  return latest === undefined || latest.value === null ? undefined : latest.value;
}
