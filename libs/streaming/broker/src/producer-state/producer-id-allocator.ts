/**
 * Hands out producer ids that are never reused, across restarts and crashes.
 *
 * Ids are reserved in blocks: the file `producer-id-block` in the log dir holds
 * the first id NOT yet reserved, written durably (temp file, fsync, rename)
 * before any id of a new block is handed out. A restart starts at that mark,
 * so at most the unused rest of a block is skipped, never an id repeated. One
 * fsync per BLOCK_SIZE producers instead of one per InitProducerId.
 */
import fs from 'node:fs';
import path from 'node:path';

export const PRODUCER_ID_FILE = 'producer-id-block';
export const BLOCK_SIZE = 1000;
/** Epochs are int16; Kafka allocates a new id rather than wrap past this. */
export const MAX_EPOCH = 32766;

export interface ProducerIdAndEpoch {
  producerId: number;
  epoch: number;
}

export class ProducerIdAllocator {
  private readonly file: string;
  private next: number;
  private reservedEnd: number;
  /** Epochs handed out by this process, so a re-initialising producer can be bumped instead of renumbered. */
  private readonly epochs = new Map<number, number>();

  private constructor(file: string, start: number) {
    this.file = file;
    this.next = start;
    this.reservedEnd = start;
  }

  static open(logDir: string): ProducerIdAllocator {
    const file = path.join(logDir, PRODUCER_ID_FILE);
    let start = 0;
    try {
      const n = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isSafeInteger(n) && n >= 0) start = n;
    } catch {
      // No file yet: a fresh log dir.
    }
    return new ProducerIdAllocator(file, start);
  }

  /** A new producer id with epoch 0. */
  allocate(): ProducerIdAndEpoch {
    if (this.next >= this.reservedEnd) this.reserve(this.next + BLOCK_SIZE);
    const producerId = this.next++;
    this.epochs.set(producerId, 0);
    return { producerId, epoch: 0 };
  }

  /**
   * InitProducerId v3+ from a producer that already holds `producerId` at
   * `epoch`: the same id with the next epoch (fencing its older in-flight
   * batches) when this broker issued exactly that pair; otherwise, or when the
   * epoch is exhausted, a new id.
   */
  reinitialise(producerId: number, epoch: number): ProducerIdAndEpoch {
    const current = this.epochs.get(producerId);
    if (current === undefined || current !== epoch || epoch >= MAX_EPOCH) return this.allocate();
    this.epochs.set(producerId, epoch + 1);
    return { producerId, epoch: epoch + 1 };
  }

  /** The next id this allocator would hand out (tests, diagnostics). */
  get nextProducerId(): number {
    return this.next;
  }

  private reserve(end: number): void {
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, `${end}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    this.reservedEnd = end;
  }
}
