/**
 * The file source connector: tails a file like Kafka's FileStreamSource and publishes each appended
 * line as one record, with exactly-once lines across restarts, rotation and truncation.
 *
 * Design (docs/labs.md has the long form):
 * - Every record carries headers naming the connector, the file incarnation it came from and the
 *   byte position after the line. An incarnation is one file's content from its first byte: a new
 *   file at the path (rotation) or a truncation starts a new one.
 * - Publishing is idempotent with acks=all; only after a batch is acknowledged is the position
 *   written to the offsets topic (compacted, keyed by connector name), together with the log end of
 *   every target partition at that moment.
 * - A crash between the two (kill -9) leaves at most one batch published but not recorded. On start
 *   the connector reads the target partitions from the recorded log ends to their current ends and
 *   takes the highest position found in its own records of the recorded incarnation: it resumes
 *   after what was really published, so nothing is skipped and nothing is sent twice.
 * - Rotation (the path now names another inode): the old file is read to its end first (a writer
 *   may still be finishing it), then the new file is read from its start. If the connector was down
 *   during a rotation, the old file is found again by inode in the same directory.
 * - Truncation (the file shrank, or its first bytes changed): read again from the start, as a new
 *   incarnation.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, IHeaders, Producer } from 'kafkajs';
import type { Client } from '../kafka/client.ts';
import { partitionOffsets } from '../kafka/topic-info.ts';
import { readTopic } from '../kafka/topic-reader.ts';
import { findByInode, identityOf, matches } from './file-identity.ts';
import type { FileIdentity } from './file-identity.ts';
import { readLines } from './line-reader.ts';
import type { Line } from './line-reader.ts';
import { OffsetStore } from './offset-store.ts';
import type { SourceOffset } from './offset-store.ts';

export const HEADER_SOURCE = 'connect.source';
export const HEADER_INCARNATION = 'connect.incarnation';
export const HEADER_POSITION = 'connect.position';
export const HEADER_LINE = 'connect.line';

export interface FileSourceOptions {
  client: Client;
  admin: Admin;
  producer: Producer;
  name: string;
  file: string;
  topic: string;
  offsetsTopic?: string;
  /** Lines per produce request at most. */
  batchSize: number;
  /** How often to look for new lines, rotation and truncation (ms). */
  pollMs: number;
  /** Publish to this partition only (default: each batch to the next partition). */
  partition?: number;
  signal: AbortSignal;
  log: (message: string) => void;
  /** Called after every acknowledged batch (progress display, tests). */
  onPublished?: (lines: number, total: number) => void;
  /**
   * Fault injection for the restart tests: SIGKILL this process right after the Nth batch is
   * acknowledged and before its position is recorded (the window the design must survive).
   */
  killAfterBatch?: number;
}

interface Reading {
  path: string;
  fd: number;
  incarnation: string;
  position: number;
  line: number;
  identity: FileIdentity;
  /** The path names another file now: finish this one, then move on. */
  draining: boolean;
  /** Size at the previous poll while draining: unchanged twice means the writer is done with it. */
  drainSize: number;
}

function headerText(headers: IHeaders | undefined, name: string): string | null {
  const v = headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? null : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}

function tryOpen(file: string): number | null {
  try {
    return fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function sameFile(fd: number, file: string): boolean | null {
  try {
    const a = fs.statSync(file);
    const b = fs.fstatSync(fd);
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return null; // the path is gone
  }
}

export async function runFileSource(o: FileSourceOptions): Promise<{ published: number }> {
  const store = new OffsetStore(o.client, o.producer, o.offsetsTopic);
  await store.ensureTopic(o.admin);
  const partitionCount = (await partitionOffsets(o.admin, o.topic)).length;
  const ends: Record<string, string> = {};
  let published = 0;
  let batches = 0;
  let nextPartition = 0;

  const currentEnds = async () => {
    for (const p of await partitionOffsets(o.admin, o.topic))
      ends[String(p.partition)] = String(p.high);
  };

  const save = async (r: Reading) => {
    r.identity = identityOf(r.fd, r.position);
    const offset: SourceOffset = {
      v: 1,
      connector: o.name,
      file: o.file,
      incarnation: r.incarnation,
      identity: r.identity,
      position: r.position,
      line: r.line,
      ends: { ...ends },
    };
    await store.save(offset);
  };

  /** A new incarnation of the file at the configured path, recorded before anything is published. */
  const startNew = async (): Promise<Reading | null> => {
    let fd = tryOpen(o.file);
    let waiting = false;
    while (fd === null) {
      if (!waiting) o.log(`waiting for ${o.file} to appear`);
      waiting = true;
      await sleep(o.pollMs, undefined, { signal: o.signal }).catch(() => undefined);
      if (o.signal.aborted) return null;
      fd = tryOpen(o.file);
    }
    const r: Reading = {
      path: o.file,
      fd,
      incarnation: randomUUID(),
      position: 0,
      line: 0,
      identity: identityOf(fd, 0),
      draining: false,
      drainSize: -1,
    };
    await currentEnds();
    await save(r);
    return r;
  };

  const stored = await store.load(o.admin, o.name);
  let current: Reading | null = null;
  if (stored) {
    const seen = await scanUnrecorded(o, stored);
    let position = stored.position;
    let line = stored.line;
    if (seen && seen.position > position) {
      o.log(
        `${seen.line - line} line(s) were published but not recorded before the last stop: not sending them again`,
      );
      position = seen.position;
      line = seen.line;
    }
    for (const candidate of [o.file, findByInode(o.file, stored.identity)]) {
      if (current || candidate === null) continue;
      const fd = tryOpen(candidate);
      if (fd === null) continue;
      if (matches(fd, stored.identity) && fs.fstatSync(fd).size >= position) {
        current = {
          path: candidate,
          fd,
          incarnation: stored.incarnation,
          position,
          line,
          identity: stored.identity,
          draining: candidate !== o.file,
          drainSize: -1,
        };
      } else {
        fs.closeSync(fd);
      }
    }
    if (current) {
      Object.assign(ends, stored.ends);
      await currentEnds();
      await save(current);
      o.log(
        `resuming ${current.path} at byte ${current.position} (line ${current.line})` +
          (current.draining ? ', rotated away: reading it to its end first' : ''),
      );
    } else {
      o.log(
        `the file read before (${stored.file}, byte ${position}) is gone: reading ${o.file} from its start`,
      );
    }
  }
  if (!current) {
    current = await startNew();
    if (current) o.log(`reading ${o.file} from its start`);
  }

  const publish = async (r: Reading, lines: Line[]) => {
    const partition = o.partition ?? nextPartition++ % partitionCount;
    const messages = lines.map((l, i) => ({
      value: l.text,
      partition,
      headers: {
        [HEADER_SOURCE]: o.name,
        [HEADER_INCARNATION]: r.incarnation,
        [HEADER_POSITION]: String(l.end),
        [HEADER_LINE]: String(r.line + i + 1),
      },
    }));
    const acked = await o.producer.send({ topic: o.topic, acks: -1, messages });
    const mine = acked.find((a) => a.partition === partition);
    if (mine?.baseOffset !== undefined) {
      ends[String(partition)] = String(BigInt(mine.baseOffset) + BigInt(messages.length));
    }
    r.position = lines[lines.length - 1].end;
    r.line += lines.length;
    published += lines.length;
    batches += 1;
    if (o.killAfterBatch !== undefined && batches === o.killAfterBatch)
      process.kill(process.pid, 'SIGKILL');
    await save(r);
    o.onPublished?.(lines.length, published);
  };

  try {
    while (current && !o.signal.aborted) {
      const { lines, partial } = readLines(current.fd, current.position, o.batchSize);
      if (lines.length > 0) {
        await publish(current, lines);
        continue;
      }
      if (current.draining) {
        const size = fs.fstatSync(current.fd).size;
        if (size !== current.drainSize) {
          current.drainSize = size;
        } else {
          // The rotated file stopped growing: its unterminated last line, if any, will never be
          // finished, so it is published as it is.
          if (partial.length > 0) {
            await publish(current, [
              { text: partial.toString('utf8'), end: current.position + partial.length },
            ]);
          }
          o.log(`finished ${current.path} (${current.line} lines); following the new ${o.file}`);
          fs.closeSync(current.fd);
          current = await startNew();
          continue;
        }
      } else {
        const same = sameFile(current.fd, o.file);
        if (same === false || same === null) {
          current.path =
            findByInode(o.file, fs.fstatSync(current.fd)) ?? `${o.file} (rotated away)`;
          o.log(`${o.file} was rotated: finishing the old file (${current.path}) first`);
          current.draining = true;
          continue;
        }
        const size = fs.fstatSync(current.fd).size;
        if (size < current.position || !matches(current.fd, current.identity)) {
          o.log(`${o.file} was truncated: reading it again from its start`);
          fs.closeSync(current.fd);
          current = await startNew();
          continue;
        }
      }
      await sleep(o.pollMs, undefined, { signal: o.signal }).catch(() => undefined);
    }
  } finally {
    if (current) fs.closeSync(current.fd);
  }
  return { published };
}

/**
 * The highest position this connector published for the stored incarnation after the stored
 * offsets were written, or null. Reads only what was appended to the target partitions since then.
 */
async function scanUnrecorded(
  o: FileSourceOptions,
  stored: SourceOffset,
): Promise<{ position: number; line: number } | null> {
  const offsets = await partitionOffsets(o.admin, o.topic);
  const startAt = new Map<number, bigint>();
  const endAt = new Map<number, bigint>();
  for (const p of offsets) {
    const from = BigInt(stored.ends[String(p.partition)] ?? String(p.low));
    const start = from < p.low ? p.low : from;
    if (start < p.high) {
      startAt.set(p.partition, start);
      endAt.set(p.partition, p.high);
    }
  }
  if (startAt.size === 0) return null;
  let best: { position: number; line: number } | null = null;
  await readTopic({
    client: o.client,
    topic: o.topic,
    fromBeginning: true,
    partitions: [...startAt.keys()],
    seekTo: startAt,
    startAt,
    endAt,
    onRecord: (r) => {
      if (headerText(r.headers, HEADER_SOURCE) !== o.name) return;
      if (headerText(r.headers, HEADER_INCARNATION) !== stored.incarnation) return;
      const position = Number(headerText(r.headers, HEADER_POSITION));
      const line = Number(headerText(r.headers, HEADER_LINE));
      if (Number.isFinite(position) && (!best || position > best.position))
        best = { position, line };
    },
  });
  return best;
}
