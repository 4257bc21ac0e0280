/**
 * The aborted-transaction index of one segment, `<base>.txnindex`: one entry per transaction aborted
 * by a marker in this segment, in marker order. Fetch hands the entries that overlap a
 * read_committed fetch to the consumer, which drops those producers' records from `firstOffset`
 * until it meets the abort marker at `lastOffset`.
 *
 * File format: fixed-size entries, appended when an abort marker is written (never on the
 * produce/fetch path), each carrying its own checksum so a torn or damaged tail is recognised:
 *
 *   int16 version (0) | int64 producerId | int64 firstOffset | int64 lastOffset
 *   | int64 lastStableOffset | uint32 crc32c (of the 34 bytes before it)
 *
 * A file that fails any check (length, version, checksum, offsets outside the segment or out of
 * order) is not trusted: the partition log rebuilds it from the segment (txn-index-rebuild.ts).
 * The file descriptor is opened on the first append only: most segments never see an abort.
 */
import fs from 'node:fs';
import { crc32c } from './crc32c.ts';
import { storageIoError } from './errors.ts';
import { writeFileAtomic } from './checkpoint.ts';
import { writeFully, type FileIo } from './file-io.ts';

export const TXN_INDEX_ENTRY_SIZE = 38;
const VERSION = 0;
const CRC_AT = 34;

export interface AbortedTxnEntry {
  producerId: number;
  firstOffset: number;
  /** The offset of the abort marker. */
  lastOffset: number;
  /** The partition's last stable offset right after the abort (diagnostics; Fetch does not need it). */
  lastStableOffset: number;
}

export function encodeTxnEntry(e: AbortedTxnEntry, buf: Buffer, at: number): void {
  buf.writeInt16BE(VERSION, at);
  buf.writeBigInt64BE(BigInt(e.producerId), at + 2);
  buf.writeBigInt64BE(BigInt(e.firstOffset), at + 10);
  buf.writeBigInt64BE(BigInt(e.lastOffset), at + 18);
  buf.writeBigInt64BE(BigInt(e.lastStableOffset), at + 26);
  buf.writeUInt32BE(crc32c(buf.subarray(at, at + CRC_AT)), at + CRC_AT);
}

export function encodeTxnEntries(entries: readonly AbortedTxnEntry[]): Buffer {
  const buf = Buffer.alloc(entries.length * TXN_INDEX_ENTRY_SIZE);
  entries.forEach((e, i) => encodeTxnEntry(e, buf, i * TXN_INDEX_ENTRY_SIZE));
  return buf;
}

/**
 * The entries of a file image, or a reason it cannot be trusted for a segment holding offsets
 * [baseOffset, nextOffset).
 */
export function parseTxnEntries(
  buf: Buffer,
  baseOffset: number,
  nextOffset: number,
): AbortedTxnEntry[] | string {
  const { entries, problem } = parseTxnPrefix(buf, baseOffset, nextOffset);
  return problem ?? entries;
}

/**
 * The entries of a file image up to the first that fails a check (a torn last entry, or entries
 * past a log end that crash recovery cut back), and what stopped the parse (null: none).
 */
export function parseTxnPrefix(
  buf: Buffer,
  baseOffset: number,
  nextOffset: number,
): { entries: AbortedTxnEntry[]; problem: string | null } {
  const out: AbortedTxnEntry[] = [];
  const stop = (problem: string) => ({ entries: out, problem });
  for (let at = 0; at < buf.length; at += TXN_INDEX_ENTRY_SIZE) {
    if (at + TXN_INDEX_ENTRY_SIZE > buf.length) return stop(`a partial entry at byte ${at}`);
    if (buf.readInt16BE(at) !== VERSION) return stop(`unknown entry version at byte ${at}`);
    if (crc32c(buf.subarray(at, at + CRC_AT)) !== buf.readUInt32BE(at + CRC_AT))
      return stop(`checksum mismatch at byte ${at}`);
    const e = {
      producerId: Number(buf.readBigInt64BE(at + 2)),
      firstOffset: Number(buf.readBigInt64BE(at + 10)),
      lastOffset: Number(buf.readBigInt64BE(at + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(at + 26)),
    };
    const prev = out[out.length - 1];
    if (
      e.producerId < 0 ||
      e.firstOffset < 0 ||
      e.firstOffset > e.lastOffset ||
      e.lastOffset < baseOffset ||
      e.lastOffset >= nextOffset ||
      (prev !== undefined && e.lastOffset <= prev.lastOffset)
    )
      return stop(`entry at byte ${at} does not fit the segment [${baseOffset}, ${nextOffset})`);
    out.push(e);
  }
  return { entries: out, problem: null };
}

export class SegmentTxnIndex {
  readonly path: string;
  private readonly io: FileIo;
  private entries: AbortedTxnEntry[] = [];
  /** The smallest first offset of the entries (Infinity: none), so Fetch skips this index cheaply. */
  private minFirst = Infinity;
  private fd: number | null = null;
  private dirty = false;
  private closed = false;

  constructor(filePath: string, io: FileIo) {
    this.path = filePath;
    this.io = io;
  }

  get count(): number {
    return this.entries.length;
  }

  all(): readonly AbortedTxnEntry[] {
    return this.entries;
  }

  /** The file image, or null when there is no file. */
  readFile(): Buffer | null {
    try {
      return fs.readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storageIoError(`cannot read ${this.path}`, err);
    }
  }

  /** Takes entries known to match the file (a trusted load). */
  adopt(entries: AbortedTxnEntry[]): void {
    this.entries = entries;
    this.minFirst = entries.reduce((m, e) => Math.min(m, e.firstOffset), Infinity);
  }

  /** Replaces the file with `entries` atomically (temp file, fsync, rename): a crash leaves old or new. */
  rewrite(entries: AbortedTxnEntry[]): void {
    this.closeFd();
    try {
      writeFileAtomic(this.path, encodeTxnEntries(entries));
    } catch (err) {
      throw storageIoError(`cannot write ${this.path}`, err);
    }
    this.adopt(entries);
  }

  /**
   * Appends one entry. A torn write (crash) leaves a partial entry that the next load rejects and
   * rebuilds; a failed write is cut back so the file stays whole entries.
   */
  append(e: AbortedTxnEntry): void {
    if (this.closed) return;
    const buf = Buffer.alloc(TXN_INDEX_ENTRY_SIZE);
    encodeTxnEntry(e, buf, 0);
    const at = this.entries.length * TXN_INDEX_ENTRY_SIZE;
    try {
      this.fd ??= fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT);
      writeFully(this.io, this.fd, buf, at);
    } catch (err) {
      try {
        if (this.fd !== null) fs.ftruncateSync(this.fd, at);
      } catch {
        // The partial entry makes the length invalid: the next load rebuilds the file.
      }
      throw storageIoError(`cannot append to ${this.path}`, err);
    }
    this.entries.push(e);
    this.minFirst = Math.min(this.minFirst, e.firstOffset);
    this.dirty = true;
  }

  /** Entries of transactions with data in [fromOffset, upToOffset]. */
  collect(fromOffset: number, upToOffset: number, out: AbortedTxnEntry[]): void {
    if (this.minFirst > upToOffset) return;
    for (const e of this.entries)
      if (e.lastOffset >= fromOffset && e.firstOffset <= upToOffset) out.push(e);
  }

  /** Whether any entry could overlap offsets up to `upToOffset`. */
  mayHoldUpTo(upToOffset: number): boolean {
    return this.minFirst <= upToOffset;
  }

  flush(): void {
    if (this.fd === null || !this.dirty) return;
    try {
      fs.fsyncSync(this.fd);
    } catch (err) {
      throw storageIoError(`fsync of ${this.path} failed`, err);
    }
    this.dirty = false;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // Already closed: nothing to release.
    }
    this.fd = null;
  }

  close(): void {
    this.closed = true;
    this.closeFd();
  }

  /** Removes the file (the segment is being deleted). */
  delete(): void {
    this.close();
    fs.rmSync(this.path, { force: true });
  }
}
