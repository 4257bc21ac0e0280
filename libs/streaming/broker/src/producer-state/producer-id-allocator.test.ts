import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BLOCK_SIZE, PRODUCER_ID_FILE, ProducerIdAllocator } from './producer-id-allocator.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'producer-ids-'));
  dirs.push(dir);
  return dir;
}

describe('ProducerIdAllocator', () => {
  it('hands out increasing ids with epoch 0', () => {
    const ids = ProducerIdAllocator.open(tempDir());
    expect([ids.allocate(), ids.allocate()]).toEqual([
      { producerId: 0, epoch: 0 },
      { producerId: 1, epoch: 0 },
    ]);
  });

  it('never reuses an id after a restart, even one that was reserved but not handed out', () => {
    const dir = tempDir();
    const first = ProducerIdAllocator.open(dir);
    const handedOut = new Set<number>();
    for (let i = 0; i < BLOCK_SIZE + 5; i++) handedOut.add(first.allocate().producerId);
    // A crash here loses nothing durable: the reservation mark is already on disk.
    const second = ProducerIdAllocator.open(dir);
    const next = second.allocate().producerId;
    expect(handedOut.has(next)).toBe(false);
    expect(next).toBe(2 * BLOCK_SIZE);
    expect(fs.readFileSync(path.join(dir, PRODUCER_ID_FILE), 'utf8').trim()).toBe(
      String(3 * BLOCK_SIZE),
    );
  });

  it('bumps the epoch of a pair it issued and renumbers anything else', () => {
    const ids = ProducerIdAllocator.open(tempDir());
    const a = ids.allocate();
    expect(ids.reinitialise(a.producerId, 0)).toEqual({ producerId: a.producerId, epoch: 1 });
    // A stale epoch (a zombie producer) or an id from before a restart gets a new id.
    expect(ids.reinitialise(a.producerId, 0).producerId).not.toBe(a.producerId);
    expect(ids.reinitialise(999_999, 4)).toMatchObject({ epoch: 0 });
  });
});
