// Shared fixture of the real-client compatibility suites: an isolated broker in
// a fresh directory, the records every client produces, an independent read
// path (kcat, i.e. librdkafka) and the round-trip verification itself, so that
// every client is held to exactly the same expectations.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { startBroker } from '../index.ts';
import type { RunningBroker } from '../index.ts';

export const RECORD_COUNT = 1_000;
export const PARTITIONS = 3;
export const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

export interface CompatRecord {
  key: string;
  value: string;
  headers: Array<[string, string]>;
}

export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string]>;
}

export interface IsolatedBroker {
  broker: RunningBroker;
  bootstrap: string;
  logDir: string;
  close(): Promise<void>;
}

/** Starts a broker on an ephemeral port over a fresh temp dir; close() removes the dir. */
export async function startIsolatedBroker(label: string): Promise<IsolatedBroker> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `compat-${label}-`));
  const broker = await startBroker({ port: 0, host: '127.0.0.1', logDir });
  return {
    broker,
    bootstrap: broker.bootstrap,
    logDir,
    async close() {
      await broker.close();
      fs.rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/**
 * 1,000 keyed records. 37 keys so that every one of the 3 partitions gets some
 * with any sane partitioner; the sequence number travels in the value (and in a
 * header when the client can set headers per record) so that per-key order can
 * be checked after the round trip. Values carry a non-ASCII character to catch
 * length-in-chars-instead-of-bytes bugs.
 */
export function makeRecords(
  client: string,
  options: { count?: number; perRecordHeaders?: boolean } = {},
): CompatRecord[] {
  const count = options.count ?? RECORD_COUNT;
  const perRecord = options.perRecordHeaders ?? true;
  const records: CompatRecord[] = [];
  for (let i = 0; i < count; i++) {
    const headers: Array<[string, string]> = perRecord
      ? [
          ['client', client],
          ['seq', String(i)],
          ['trace-id', `t-${(i * 7919) % 100_003}`],
        ]
      : fixedHeaders(client);
    records.push({
      key: `order-${i % 37}`,
      value: `v${i}|${client}|prix=${(i * 1.5).toFixed(2)}€|${'x'.repeat(40 + (i % 60))}`,
      headers,
    });
  }
  return records;
}

/** Headers for clients that can only set the same headers on every record (kcat -H). */
export function fixedHeaders(client: string): Array<[string, string]> {
  return [
    ['client', client],
    ['suite', 'compat'],
  ];
}

function seqOf(value: string | null): number {
  const m = /^v(\d+)\|/.exec(value ?? '');
  if (!m) throw new Error(`consumed value without sequence number: ${String(value).slice(0, 40)}`);
  return Number(m[1]);
}

/**
 * The round-trip contract every client must satisfy: every produced record
 * consumed exactly once with its key, value and headers; offsets strictly
 * increasing inside each partition; a key never in two partitions; per key,
 * records in produce order; keys spread over more than one partition.
 */
export function expectRoundTrip(produced: CompatRecord[], consumed: ConsumedRecord[]): void {
  expect(consumed.length).toBe(produced.length);

  const byPartition = new Map<number, ConsumedRecord[]>();
  for (const r of consumed) {
    const list = byPartition.get(r.partition) ?? [];
    list.push(r);
    byPartition.set(r.partition, list);
  }
  expect(byPartition.size, 'keys spread over more than one partition').toBeGreaterThan(1);

  const partitionOfKey = new Map<string, number>();
  const seqsByKey = new Map<string, number[]>();
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < list.length; i++) {
      expect(list[i].offset, `partition ${partition} offsets strictly increase`).toBeGreaterThan(
        list[i - 1].offset,
      );
    }
    for (const r of list) {
      const key = r.key ?? '<null>';
      const seen = partitionOfKey.get(key);
      if (seen !== undefined && seen !== partition) {
        throw new Error(`key ${key} found in partitions ${seen} and ${partition}`);
      }
      partitionOfKey.set(key, partition);
      const seqs = seqsByKey.get(key) ?? [];
      seqs.push(seqOf(r.value));
      seqsByKey.set(key, seqs);
    }
  }

  // Per key, offset order must be produce order.
  for (const [key, seqs] of seqsByKey) {
    const expected = produced
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.key === key)
      .map(({ i }) => i);
    expect(seqs, `order of key ${key}`).toEqual(expected);
  }

  // Contents: each consumed record equals the produced one with that sequence number.
  for (const r of consumed) {
    const original = produced[seqOf(r.value)];
    expect({ key: r.key, value: r.value, headers: r.headers }).toEqual(original);
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (async, so the in-process broker keeps serving). */
export function runCommand(
  cmd: string,
  args: string[],
  options: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {
      /* the child may exit before reading all input; its exit code tells */
    });
    child.stdin.end(options.input ?? '');
  });
}

interface KcatJsonMessage {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: string[] | null;
}

/**
 * Independent read path: reads every partition from the beginning to its end
 * with kcat (librdkafka, no consumer group) and returns the records.
 */
export async function readAllWithKcat(
  bootstrap: string,
  topic: string,
  partitions: number = PARTITIONS,
): Promise<ConsumedRecord[]> {
  const all: ConsumedRecord[] = [];
  for (let p = 0; p < partitions; p++) {
    const res = await runCommand(
      'kcat',
      ['-C', '-b', bootstrap, '-t', topic, '-p', String(p), '-o', 'beginning', '-e', '-q', '-J'],
      { timeoutMs: 60_000 },
    );
    if (res.code !== 0) {
      throw new Error(`kcat -C partition ${p} exited ${res.code}: ${res.stderr.slice(0, 2000)}`);
    }
    for (const line of res.stdout.split('\n')) {
      if (!line.trim()) continue;
      const m = JSON.parse(line) as KcatJsonMessage;
      all.push({
        partition: m.partition,
        offset: m.offset,
        key: m.key,
        value: m.payload,
        headers: pairs(m.headers ?? []),
      });
    }
  }
  return all;
}

/** kcat -J prints headers flat: ["k1","v1","k2","v2"]. */
export function pairs(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

export function writeTempJson(dir: string, name: string, data: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(data));
  return file;
}
