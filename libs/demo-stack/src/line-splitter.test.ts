import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.ts';

describe('LineSplitter', () => {
  it('joins lines split across chunks and keeps a partial line until flushed', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push('hel');
    splitter.push('lo\nwor');
    splitter.push('ld\r\nlast');
    expect(lines).toEqual(['hello', 'world']);
    splitter.flush();
    expect(lines).toEqual(['hello', 'world', 'last']);
  });

  it('cuts a line longer than the limit instead of buffering it forever', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 4);
    splitter.push('abcdefghij');
    expect(lines).toEqual(['abcd', 'efgh']);
  });
});
