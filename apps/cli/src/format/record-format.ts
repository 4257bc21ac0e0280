import type { IHeaders } from 'kafkajs';

/** A consumed record, decoded for display. Keys, values and headers are shown as UTF-8 text. */
export interface DisplayRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders | undefined;
}

export const FORMATS = ['value', 'kv', 'full', 'json'] as const;
export type RecordFormat = (typeof FORMATS)[number];

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

export function headerPairs(headers: IHeaders | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) {
      pairs.push([
        k,
        one === undefined ? '' : Buffer.isBuffer(one) ? one.toString('utf8') : String(one),
      ]);
    }
  }
  return pairs;
}

/**
 * One output line (without the newline):
 * - value: the value alone, as kafka-console-consumer prints by default;
 * - kv:    key, separator, value;
 * - full:  partition, offset, timestamp, key, headers and value, tab-separated and labelled;
 * - json:  one JSON object per line (offsets and timestamps as numbers, null key/value as null).
 */
export function formatRecord(r: DisplayRecord, format: RecordFormat, keySeparator = '\t'): string {
  switch (format) {
    case 'value':
      return text(r.value) ?? 'null';
    case 'kv':
      return `${text(r.key) ?? 'null'}${keySeparator}${text(r.value) ?? 'null'}`;
    case 'full': {
      const headers = headerPairs(r.headers)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return [
        `Partition:${r.partition}`,
        `Offset:${r.offset}`,
        `CreateTime:${r.timestamp}`,
        `Key:${text(r.key) ?? 'null'}`,
        `Headers:${headers || 'none'}`,
        `Value:${text(r.value) ?? 'null'}`,
      ].join('\t');
    }
    case 'json':
      return JSON.stringify({
        topic: r.topic,
        partition: r.partition,
        offset: Number(r.offset),
        timestamp: Number(r.timestamp),
        key: text(r.key),
        headers: Object.fromEntries(headerPairs(r.headers)),
        value: text(r.value),
      });
  }
}
