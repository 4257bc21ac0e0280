import fs from 'node:fs';

export interface Line {
  text: string;
  /** Byte position just after this line's newline (where the next line starts). */
  end: number;
}

const CHUNK = 64 * 1024;

/**
 * Complete lines of an open file from a byte position. A line is complete once its `\n` is written:
 * a writer may be half-way through the last one, which is left for the next read. `\r\n` endings
 * lose the `\r`. Positions are bytes, so multi-byte UTF-8 text is never split.
 */
export function readLines(
  fd: number,
  from: number,
  maxLines: number,
  maxBytes = 1024 * 1024,
): { lines: Line[]; partial: Buffer } {
  const lines: Line[] = [];
  let position = from;
  let carry = Buffer.alloc(0);
  let bytes = 0;
  while (lines.length < maxLines && bytes < maxBytes) {
    const chunk = Buffer.alloc(CHUNK);
    const n = fs.readSync(fd, chunk, 0, CHUNK, position + carry.length);
    if (n === 0) break;
    let data = Buffer.concat([carry, chunk.subarray(0, n)]);
    let start = 0;
    let nl: number;
    while (lines.length < maxLines && (nl = data.indexOf(0x0a, start)) >= 0) {
      let textEnd = nl;
      if (textEnd > start && data[textEnd - 1] === 0x0d) textEnd -= 1;
      lines.push({ text: data.toString('utf8', start, textEnd), end: position + nl + 1 });
      bytes += nl + 1 - start;
      start = nl + 1;
    }
    position += start;
    data = data.subarray(start);
    carry = Buffer.from(data);
    if (lines.length >= maxLines) break;
  }
  // What follows the last complete line, up to the end of the file as read.
  return { lines, partial: lines.length >= maxLines ? Buffer.alloc(0) : carry };
}
