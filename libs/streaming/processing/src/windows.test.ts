import { describe, expect, it } from 'vitest';
import { ProcessingError } from './processing-error.ts';
import { hopping, tumbling, windowsFor } from './windows.ts';

describe('windows', () => {
  it('puts a record in exactly one tumbling window, aligned to the epoch', () => {
    expect(windowsFor(tumbling(60_000), 125_000)).toEqual([{ start: 120_000, end: 180_000 }]);
    expect(windowsFor(tumbling(60_000), 120_000)).toEqual([{ start: 120_000, end: 180_000 }]);
    expect(windowsFor(tumbling(60_000), 119_999)).toEqual([{ start: 60_000, end: 120_000 }]);
  });

  it('puts a record in every hopping window that overlaps its time, oldest first', () => {
    expect(windowsFor(hopping(300_000, 60_000), 250_000)).toEqual([
      { start: 0, end: 300_000 },
      { start: 60_000, end: 360_000 },
      { start: 120_000, end: 420_000 },
      { start: 180_000, end: 480_000 },
      { start: 240_000, end: 540_000 },
    ]);
  });

  it('starts no window before the epoch', () => {
    expect(windowsFor(hopping(300_000, 60_000), 30_000)).toEqual([{ start: 0, end: 300_000 }]);
  });

  it('treats a hopping window whose advance equals its size as tumbling', () => {
    expect(hopping(60_000, 60_000)).toEqual(tumbling(60_000));
  });

  it('rejects sizes and advances that cannot make windows', () => {
    for (const make of [
      () => tumbling(0),
      () => tumbling(1.5),
      () => hopping(60_000, 0),
      () => hopping(60_000, 90_000),
    ]) {
      expect(make).toThrow(expect.objectContaining({ code: 'INVALID_WINDOW' }) as ProcessingError);
    }
  });
});
