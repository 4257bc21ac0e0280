import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCheckpointState } from './file-checkpoint-state.ts';
import type { Checkpoint } from './state-backend.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'processing-state-'));
}

const checkpoint: Checkpoint = {
  format: 1,
  topology: 'aggregate orders',
  positions: { 'sales.order-placed:0': '41' },
  streamTimes: { 'sales.order-placed:0': 120_000 },
  closedBefore: { orders: 60_000 },
  lateCounts: { orders: 2 },
  stores: { orders: [['confirmed', 3]] },
};

describe('fileCheckpointState', () => {
  it('has nothing to load before the first checkpoint', () => {
    expect(fileCheckpointState(path.join(tempDir(), 'missing')).load()).toBeUndefined();
  });

  it('loads in a new instance exactly what an earlier one saved', () => {
    const directory = tempDir();
    fileCheckpointState(directory).save(checkpoint);
    expect(fileCheckpointState(directory).load()).toEqual(checkpoint);
  });

  it('replaces the checkpoint whole and leaves no temporary file behind', () => {
    const directory = tempDir();
    const state = fileCheckpointState(directory);
    state.save(checkpoint);
    state.save({ ...checkpoint, positions: { 'sales.order-placed:0': '99' } });
    expect(state.load()?.positions).toEqual({ 'sales.order-placed:0': '99' });
    expect(fs.readdirSync(directory)).toEqual(['checkpoint.json']);
  });

  it('forgets everything on clear, so the next run replays from the beginning', () => {
    const directory = tempDir();
    const state = fileCheckpointState(directory);
    state.save(checkpoint);
    state.clear();
    expect(state.load()).toBeUndefined();
  });

  it('refuses a damaged checkpoint with STATE_CORRUPT rather than starting from nothing', () => {
    const directory = tempDir();
    fs.writeFileSync(path.join(directory, 'checkpoint.json'), '{"format":1,"topo');
    expect(() => fileCheckpointState(directory).load()).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
    fs.writeFileSync(path.join(directory, 'checkpoint.json'), '{"format":2}');
    expect(() => fileCheckpointState(directory).load()).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
  });
});
