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
import { partitionOffsets, producerTopic } from '../kafka/topic-info.ts';
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
  /**
   * Connected, idempotent, and made with `allowAutoTopicCreation: true` for a missing topic to be
   * created on first use (where the broker allows it).
   */
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
  /** The record value for a line (a Connect converter); default: the line's text. */
  toValue?: (line: string) => string | Buffer;
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

/**
 * Runs the connector until `signal` aborts (or the file cannot be read): the steps below, in order.
 * The target topic is created on first use when the broker allows it, as Kafka Connect's workers do.
 */
export async function runFileSource(o: FileSourceOptions): Promise<{ published: number }> {
  const store = new OffsetStore(o.client, o.producer, o.offsetsTopic);
  await store.ensureTopic(o.admin);
  const topic = await producerTopic(o.admin, o.producer, o.topic, () =>
    o.log(`created topic ${o.topic} (it did not exist; auto.create.topics.enable)`),
  );
  const source = new FileSource(o, store, topic.partitions.length);
  try {
    await source.resumeOrStart();
    await source.follow();
  } finally {
    source.close();
  }
  return { published: source.published };
}

/** One run of the connector: where it reads, what it published, and the steps of its loop. */
class FileSource {
  published = 0;
  private batches = 0;
  private nextPartition = 0;
  /** Log end of each target partition as last seen (partition -> offset), stored with positions. */
  private readonly ends: Record<string, string> = {};
  private current: Reading | null = null;
  private readonly o: FileSourceOptions;
  private readonly store: OffsetStore;
  private readonly partitionCount: number;

  constructor(o: FileSourceOptions, store: OffsetStore, partitionCount: number) {
    this.o = o;
    this.store = store;
    this.partitionCount = partitionCount;
  }

  /** Step 1: carry on from the stored position (see the design notes), or start the file afresh. */
  async resumeOrStart(): Promise<void> {
    const stored = await this.store.load(this.o.admin, this.o.name);
    if (stored) this.current = await this.resume(stored);
    if (!this.current) {
      this.current = await this.startNew();
      if (this.current) this.o.log(`reading ${this.o.file} from its start`);
    }
  }

  /** Step 2: publish new lines as they come, following rotation and truncation, until stopped. */
  async follow(): Promise<void> {
    const { o } = this;
    while (this.current && !o.signal.aborted) {
      const reading = this.current;
      const { lines, partial } = readLines(reading.fd, reading.position, o.batchSize);
      if (lines.length > 0) {
        await this.publish(reading, lines);
        continue;
      }
      const moved = reading.draining
        ? await this.finishIfDrained(reading, partial)
        : await this.noticeRotationOrTruncation(reading);
      if (moved) continue;
      await sleep(o.pollMs, undefined, { signal: o.signal }).catch(() => undefined);
    }
  }

  close(): void {
    if (this.current) fs.closeSync(this.current.fd);
    this.current = null;
  }

  private async resume(stored: SourceOffset): Promise<Reading | null> {
    const { o } = this;
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
    const reading = findStoredFile(o.file, stored, position, line);
    if (!reading) {
      o.log(
        `the file read before (${stored.file}, byte ${position}) is gone: reading ${o.file} from its start`,
      );
      return null;
    }
    Object.assign(this.ends, stored.ends);
    await this.currentEnds();
    await this.save(reading);
    o.log(
      `resuming ${reading.path} at byte ${reading.position} (line ${reading.line})` +
        (reading.draining ? ', rotated away: reading it to its end first' : ''),
    );
    return reading;
  }

  /** A new incarnation of the file at the configured path, recorded before anything is published. */
  private async startNew(): Promise<Reading | null> {
    const { o } = this;
    let fd = tryOpen(o.file);
    let waiting = false;
    while (fd === null) {
      if (!waiting) o.log(`waiting for ${o.file} to appear`);
      waiting = true;
      await sleep(o.pollMs, undefined, { signal: o.signal }).catch(() => undefined);
      if (o.signal.aborted) return null;
      fd = tryOpen(o.file);
    }
    const reading: Reading = {
      path: o.file,
      fd,
      incarnation: randomUUID(),
      position: 0,
      line: 0,
      identity: identityOf(fd, 0),
      draining: false,
      drainSize: -1,
    };
    await this.currentEnds();
    await this.save(reading);
    return reading;
  }

  /** Publishes one batch to one partition, then records the position after it. */
  private async publish(r: Reading, lines: Line[]): Promise<void> {
    const { o } = this;
    const partition = o.partition ?? this.nextPartition++ % this.partitionCount;
    const messages = lines.map((l, i) => ({
      value: o.toValue ? o.toValue(l.text) : l.text,
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
      this.ends[String(partition)] = String(BigInt(mine.baseOffset) + BigInt(messages.length));
    }
    r.position = lines[lines.length - 1].end;
    r.line += lines.length;
    this.published += lines.length;
    this.batches += 1;
    if (o.killAfterBatch !== undefined && this.batches === o.killAfterBatch)
      process.kill(process.pid, 'SIGKILL');
    await this.save(r);
    o.onPublished?.(lines.length, this.published);
  }

  /**
   * A rotated-away file that stopped growing is done: its unterminated last line, if any, will never
   * be finished, so it is published as it is; then the new file at the path is followed.
   */
  private async finishIfDrained(r: Reading, partial: Buffer): Promise<boolean> {
    const size = fs.fstatSync(r.fd).size;
    if (size !== r.drainSize) {
      r.drainSize = size;
      return false;
    }
    if (partial.length > 0) {
      await this.publish(r, [{ text: partial.toString('utf8'), end: r.position + partial.length }]);
    }
    this.o.log(`finished ${r.path} (${r.line} lines); following the new ${this.o.file}`);
    fs.closeSync(r.fd);
    this.current = await this.startNew();
    return true;
  }

  /** True when the reading changed: the path names another file now, or the file was truncated. */
  private async noticeRotationOrTruncation(r: Reading): Promise<boolean> {
    const { o } = this;
    const same = sameFile(r.fd, o.file);
    if (same === false || same === null) {
      r.path = findByInode(o.file, fs.fstatSync(r.fd)) ?? `${o.file} (rotated away)`;
      o.log(`${o.file} was rotated: finishing the old file (${r.path}) first`);
      r.draining = true;
      return true;
    }
    const size = fs.fstatSync(r.fd).size;
    if (size < r.position || !matches(r.fd, r.identity)) {
      o.log(`${o.file} was truncated: reading it again from its start`);
      fs.closeSync(r.fd);
      this.current = await this.startNew();
      return true;
    }
    return false;
  }

  private async currentEnds(): Promise<void> {
    for (const p of await partitionOffsets(this.o.admin, this.o.topic))
      this.ends[String(p.partition)] = String(p.high);
  }

  private async save(r: Reading): Promise<void> {
    r.identity = identityOf(r.fd, r.position);
    await this.store.save({
      v: 1,
      connector: this.o.name,
      file: this.o.file,
      incarnation: r.incarnation,
      identity: r.identity,
      position: r.position,
      line: r.line,
      ends: { ...this.ends },
    });
  }
}

/**
 * The stored file, at the configured path or (rotated away meanwhile) found by inode in the same
 * directory, if it still holds what was read; null when its content is gone.
 */
function findStoredFile(
  file: string,
  stored: SourceOffset,
  position: number,
  line: number,
): Reading | null {
  for (const candidate of [file, findByInode(file, stored.identity)]) {
    if (candidate === null) continue;
    const fd = tryOpen(candidate);
    if (fd === null) continue;
    if (matches(fd, stored.identity) && fs.fstatSync(fd).size >= position) {
      return {
        path: candidate,
        fd,
        incarnation: stored.incarnation,
        position,
        line,
        identity: stored.identity,
        draining: candidate !== file,
        drainSize: -1,
      };
    }
    fs.closeSync(fd);
  }
  return null;
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
