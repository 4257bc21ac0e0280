// kill -9 of a broker process at random points while a transactional producer commits and aborts
// transactions across two partitions: after each restart, read_committed shows every transaction
// whole or not at all, every acknowledged commit, and no acknowledged abort. Each kill also leaves
// the aborted-transaction indexes as a crash mid-append would (the last entry torn) or without one
// (a crash before it was written): the restarted broker must rebuild them from the log.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKey } from '../protocol/index.ts';
import { createTopicsRequest } from '../api/test-support/requests.ts';
import { WireClient } from '../api/test-support/wire-client.ts';
import {
  E,
  READ_COMMITTED,
  TOPIC,
  addPartitions,
  endTxn,
  fetchAll,
  init,
  produce,
} from './test-support/txn-wire.ts';

const CHILD = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../producer-state/test-support/broker-child.ts',
);
const TXN_TIMEOUT_MS = 1_000;
const ROUNDS = 4;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A broker in its own process (no shutdown hooks run on kill -9), checking timeouts every 50 ms. */
function startChild(logDir: string): Promise<{ port: number; kill: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, logDir, '', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    const kill = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    cleanups.push(kill);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), kill });
    });
    child.on('exit', (code) => {
      if (!/ready/.test(out)) reject(new Error(`broker child exited (${code}): ${err}`));
    });
  });
}

type Outcome = 'committed' | 'aborted';

/**
 * Damages the .txnindex files holding entries: the last entry cut mid-way (a torn append) or, every
 * other round, the whole file gone. Returns how many files were damaged.
 */
function damageTxnIndexes(logDir: string, round: number): number {
  let damaged = 0;
  for (const partition of [0, 1]) {
    const dir = path.join(logDir, `${TOPIC}-${partition}`);
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.txnindex'))) {
      const file = path.join(dir, name);
      const size = fs.statSync(file).size;
      if (size === 0) continue;
      if (round % 2 === 0) fs.truncateSync(file, size - 1 - Math.floor(Math.random() * 37));
      else fs.rmSync(file);
      damaged++;
    }
  }
  return damaged;
}

/**
 * Transactions i, i+1, ... until the connection dies: two records to partition 0 and one to
 * partition 1, every third one aborted. Records each outcome the broker acknowledged.
 */
async function runTransactions(c: WireClient, from: number, acked: Map<number, Outcome>) {
  let i = from;
  try {
    const p = await init(c, 'crash-tx', TXN_TIMEOUT_MS);
    for (; ; i++) {
      expect(await addPartitions(c, p, [0, 1])).toBe(E.NONE);
      expect((await produce(c, p, [`t${i}-a`, `t${i}-b`], 0)).errorCode).toBe(E.NONE);
      expect((await produce(c, p, [`t${i}-c`], 1)).errorCode).toBe(E.NONE);
      const commit = i % 3 !== 0;
      if ((await endTxn(c, p, commit)) === E.NONE) acked.set(i, commit ? 'committed' : 'aborted');
    }
  } catch (err) {
    // The broker was killed under the producer: the connection closed mid-transaction.
    if (!/connection closed/.test(String(err))) throw err;
  }
  return i + 1;
}

/** Waits until no transaction is open in either partition (those the crash left are timed out). */
async function settled(c: WireClient) {
  for (let attempt = 0; attempt < 400; attempt++) {
    const views = [await fetchAll(c, READ_COMMITTED, 0), await fetchAll(c, READ_COMMITTED, 1)];
    if (views.every((v) => v.lastStableOffset === v.highWatermark)) return views;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('transactions left open by the crash were never resolved');
}

describe('transactions across kill -9', () => {
  it('never shows a transaction partly, loses no acknowledged commit, shows no acknowledged abort', async () => {
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-crash-'));
    cleanups.push(() => fs.rmSync(logDir, { recursive: true, force: true }));
    const acked = new Map<number, Outcome>();
    let next = 0;
    let damaged = 0;
    let child = await startChild(logDir);
    let c = await WireClient.connect(child.port);
    await c.send(ApiKey.CreateTopics, 4, createTopicsRequest([{ name: TOPIC, numPartitions: 2 }]));
    for (let round = 0; round < ROUNDS; round++) {
      const running = runTransactions(c, next, acked);
      // A random point in the stream of transactions: mid-produce, between Prepare and Complete...
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
      await child.kill();
      next = await running;
      await c.close();
      damaged += damageTxnIndexes(logDir, round);
      child = await startChild(logDir);
      c = await WireClient.connect(child.port);
      const [p0, p1] = await settled(c);
      const seen = new Map<number, string[]>();
      for (const v of [...p0!.values, ...p1!.values]) {
        const m = /^t(\d+)-([abc])$/.exec(v ?? '');
        if (!m) throw new Error(`unexpected value ${v}`);
        seen.set(Number(m[1]), [...(seen.get(Number(m[1])) ?? []), m[2]!]);
      }
      const layout = { p0: [p0!.layout, p0!.aborted], p1: [p1!.layout, p1!.aborted] };
      for (const [i, parts] of seen)
        expect(
          [i, parts.sort()],
          JSON.stringify(layout, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)),
        ).toEqual([i, ['a', 'b', 'c']]);
      for (const [i, outcome] of acked)
        expect([i, seen.has(i)]).toEqual([i, outcome === 'committed']);
    }
    expect([...acked.values()].filter((o) => o === 'committed').length).toBeGreaterThan(0);
    // The rounds did exercise the rebuild: aborts were indexed, and their files damaged.
    expect(damaged).toBeGreaterThan(0);
    await c.close();
  }, 180_000);
});
