import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SNAPSHOT_FILE,
  decodeSnapshot,
  encodeSnapshot,
  readSnapshotFile,
  writeSnapshotFile,
} from './snapshot-file.ts';
import type { ProducerSnapshot } from './snapshot-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const sample: ProducerSnapshot = {
  offset: 12_345,
  entries: [
    {
      producerId: 2 ** 40 + 3,
      epoch: 2,
      batches: [
        {
          firstSequence: 0,
          lastSequence: 9,
          firstOffset: 100,
          lastOffset: 109,
          timestamp: 1_700_000_000_000,
        },
        { firstSequence: 10, lastSequence: 10, firstOffset: 200, lastOffset: 200, timestamp: -1 },
      ],
    },
    { producerId: 0, epoch: 0, batches: [] },
  ],
  openTxns: [{ producerId: 2 ** 40 + 3, firstOffset: 200 }],
  abortedTxns: [
    { producerId: 0, firstOffset: 10, lastOffset: 20 },
    { producerId: 5, firstOffset: 15, lastOffset: 30 },
  ],
};

describe('producer-state snapshot file', () => {
  it('round-trips offsets, epochs, batch ranges, open and aborted transactions', () => {
    expect(decodeSnapshot(encodeSnapshot(sample))).toEqual(sample);
  });

  it('refuses a snapshot with a flipped bit or cut short', () => {
    const bytes = encodeSnapshot(sample);
    const flipped = Buffer.from(bytes);
    flipped[30] = flipped[30]! ^ 1;
    expect(decodeSnapshot(flipped)).toBeNull();
    expect(decodeSnapshot(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(decodeSnapshot(Buffer.alloc(0))).toBeNull();
  });

  it('is written through a rename and read back from the partition directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'producer-snapshot-'));
    dirs.push(dir);
    expect(readSnapshotFile(dir)).toBeNull();
    writeSnapshotFile(dir, sample);
    expect(fs.readdirSync(dir)).toEqual([SNAPSHOT_FILE]);
    expect(readSnapshotFile(dir)).toEqual(sample);
  });
});
