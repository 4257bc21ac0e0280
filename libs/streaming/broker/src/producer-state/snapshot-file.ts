/**
 * The producer-state snapshot of a partition: the state as of `offset` (every
 * batch below it is accounted for), so a restart only replays the log from
 * there. Binary, with a CRC-32C over everything after the CRC field; a file
 * that fails any check is ignored and the state is rebuilt from the log.
 *
 *   int16 version | uint32 crc | int64 offset | int32 producerCount
 *   per producer: int64 producerId | int16 epoch | int8 batchCount
 *     per batch: int32 firstSeq | int32 lastSeq | int64 firstOffset | int64 lastOffset | int64 timestamp
 *   int32 openTxnCount, per open transaction: int64 producerId | int64 firstOffset
 *   int32 abortedTxnCount, per aborted transaction: int64 producerId | int64 firstOffset | int64 lastOffset
 *
 * Version 1 (before transactions) had no transaction sections: such a file is ignored, and the
 * state rebuilt from the log, once. The aborted-transaction section is now written empty and
 * ignored when read: each segment indexes its aborted transactions (storage/txn-index.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32c } from '../storage/index.ts';
import type { ProducerEntry } from './partition-producer-state.ts';
import type { AbortedTxn, OpenTxn } from './partition-txn-index.ts';

export const SNAPSHOT_FILE = 'producer-state.snapshot';
const VERSION = 2;
const HEADER_SIZE = 2 + 4 + 8 + 4;
const CRC_END = 6;
const PRODUCER_SIZE = 8 + 2 + 1;
const BATCH_SIZE = 4 + 4 + 8 + 8 + 8;

const OPEN_TXN_SIZE = 16;
const ABORTED_TXN_SIZE = 24;

export interface ProducerSnapshot {
  offset: number;
  entries: ProducerEntry[];
  openTxns?: OpenTxn[];
  abortedTxns?: readonly AbortedTxn[];
}

function writeI64(buf: Buffer, pos: number, v: number): void {
  buf.writeBigInt64BE(BigInt(v), pos);
}

function readI64(buf: Buffer, pos: number): number {
  return Number(buf.readBigInt64BE(pos));
}

export function encodeSnapshot(snapshot: ProducerSnapshot): Buffer {
  let size = HEADER_SIZE;
  for (const e of snapshot.entries) size += PRODUCER_SIZE + e.batches.length * BATCH_SIZE;
  const open = snapshot.openTxns ?? [];
  const aborted = snapshot.abortedTxns ?? [];
  size += 8 + open.length * OPEN_TXN_SIZE + aborted.length * ABORTED_TXN_SIZE;
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(VERSION, 0);
  writeI64(buf, 6, snapshot.offset);
  buf.writeInt32BE(snapshot.entries.length, 14);
  let p = HEADER_SIZE;
  for (const e of snapshot.entries) {
    writeI64(buf, p, e.producerId);
    buf.writeInt16BE(e.epoch, p + 8);
    buf.writeInt8(e.batches.length, p + 10);
    p += PRODUCER_SIZE;
    for (const b of e.batches) {
      buf.writeInt32BE(b.firstSequence, p);
      buf.writeInt32BE(b.lastSequence, p + 4);
      writeI64(buf, p + 8, b.firstOffset);
      writeI64(buf, p + 16, b.lastOffset);
      writeI64(buf, p + 24, b.timestamp);
      p += BATCH_SIZE;
    }
  }
  buf.writeInt32BE(open.length, p);
  p += 4;
  for (const o of open) {
    writeI64(buf, p, o.producerId);
    writeI64(buf, p + 8, o.firstOffset);
    p += OPEN_TXN_SIZE;
  }
  buf.writeInt32BE(aborted.length, p);
  p += 4;
  for (const a of aborted) {
    writeI64(buf, p, a.producerId);
    writeI64(buf, p + 8, a.firstOffset);
    writeI64(buf, p + 16, a.lastOffset);
    p += ABORTED_TXN_SIZE;
  }
  buf.writeUInt32BE(crc32c(buf, CRC_END, buf.length), 2);
  return buf;
}

/** Decodes a snapshot, or null when the bytes are not an intact snapshot of this version. */
export function decodeSnapshot(buf: Buffer): ProducerSnapshot | null {
  if (buf.length < HEADER_SIZE || buf.readInt16BE(0) !== VERSION) return null;
  if (buf.readUInt32BE(2) !== crc32c(buf, CRC_END, buf.length)) return null;
  const offset = readI64(buf, 6);
  const count = buf.readInt32BE(14);
  const entries: ProducerEntry[] = [];
  let p = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (p + PRODUCER_SIZE > buf.length) return null;
    const entry: ProducerEntry = {
      producerId: readI64(buf, p),
      epoch: buf.readInt16BE(p + 8),
      batches: [],
    };
    const batchCount = buf.readInt8(p + 10);
    p += PRODUCER_SIZE;
    if (batchCount < 0 || p + batchCount * BATCH_SIZE > buf.length) return null;
    for (let j = 0; j < batchCount; j++) {
      entry.batches.push({
        firstSequence: buf.readInt32BE(p),
        lastSequence: buf.readInt32BE(p + 4),
        firstOffset: readI64(buf, p + 8),
        lastOffset: readI64(buf, p + 16),
        timestamp: readI64(buf, p + 24),
      });
      p += BATCH_SIZE;
    }
    entries.push(entry);
  }
  const txns = decodeTxnSections(buf, p);
  return txns ? { offset, entries, ...txns } : null;
}

function decodeTxnSections(
  buf: Buffer,
  start: number,
): { openTxns: OpenTxn[]; abortedTxns: AbortedTxn[] } | null {
  let p = start;
  if (p + 4 > buf.length) return null;
  const openCount = buf.readInt32BE(p);
  p += 4;
  if (openCount < 0 || p + openCount * OPEN_TXN_SIZE + 4 > buf.length) return null;
  const openTxns: OpenTxn[] = [];
  for (let i = 0; i < openCount; i++, p += OPEN_TXN_SIZE)
    openTxns.push({ producerId: readI64(buf, p), firstOffset: readI64(buf, p + 8) });
  const abortedCount = buf.readInt32BE(p);
  p += 4;
  if (abortedCount < 0 || p + abortedCount * ABORTED_TXN_SIZE !== buf.length) return null;
  const abortedTxns: AbortedTxn[] = [];
  for (let i = 0; i < abortedCount; i++, p += ABORTED_TXN_SIZE)
    abortedTxns.push({
      producerId: readI64(buf, p),
      firstOffset: readI64(buf, p + 8),
      lastOffset: readI64(buf, p + 16),
    });
  return { openTxns, abortedTxns };
}

export function readSnapshotFile(dir: string): ProducerSnapshot | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(path.join(dir, SNAPSHOT_FILE));
  } catch {
    return null;
  }
  return decodeSnapshot(buf);
}

/**
 * Writes the snapshot through a temp file and a rename, so a crash leaves the
 * old snapshot or the new one. No fsync: a snapshot lost with the page cache
 * only means a longer replay, and one that claims more than the log kept after
 * a crash is discarded at start-up (see ProducerStateManager).
 */
export function writeSnapshotFile(dir: string, snapshot: ProducerSnapshot): void {
  const file = path.join(dir, SNAPSHOT_FILE);
  // ".tmp" leftovers in a partition directory are removed by storage recovery.
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, encodeSnapshot(snapshot));
  fs.renameSync(tmp, file);
}

export function deleteSnapshotFile(dir: string): void {
  fs.rmSync(path.join(dir, SNAPSHOT_FILE), { force: true });
}
