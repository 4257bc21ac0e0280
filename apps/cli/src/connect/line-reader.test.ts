import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/cli-harness.ts';
import { readLines } from './line-reader.ts';

describe('readLines', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const open = (content: string | Buffer) => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'f.log');
    fs.writeFileSync(file, content);
    return fs.openSync(file, 'r');
  };

  it('returns complete lines with the byte position after each, leaving an unfinished line', () => {
    const fd = open('héllo\r\nworld\npart');
    const { lines, partial } = readLines(fd, 0, 10);
    expect(lines).toEqual([
      { text: 'héllo', end: 8 },
      { text: 'world', end: 14 },
    ]);
    expect(partial.toString()).toBe('part');
    expect(readLines(fd, 8, 10).lines).toEqual([{ text: 'world', end: 14 }]);
    fs.closeSync(fd);
  });

  it('stops at maxLines and reads across chunk boundaries', () => {
    const long = 'x'.repeat(100_000);
    const fd = open(`${long}\nshort\nlast\n`);
    const first = readLines(fd, 0, 2);
    expect(first.lines.map((l) => l.text.length)).toEqual([100_000, 5]);
    expect(readLines(fd, first.lines[1].end, 2).lines).toEqual([{ text: 'last', end: 100_012 }]);
    fs.closeSync(fd);
  });

  it('keeps empty lines', () => {
    const fd = open('\n\na\n');
    expect(readLines(fd, 0, 10).lines.map((l) => l.text)).toEqual(['', '', 'a']);
    fs.closeSync(fd);
  });
});
