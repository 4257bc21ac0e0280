/**
 * The broker's log as Kafka prints its own, one readable line per event, for a person watching the
 * terminal (`kafka-server-start`, `--log-format text`):
 *   [2026-12-04 17:41:14,454] INFO broker started (listen=127.0.0.1:9092 nodeId=0 topics=1)
 * pino still builds the JSON record; this destination rewrites each line before it is written.
 */
import fs from 'node:fs';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service']);

function timestamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`
  );
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value instanceof Object && 'message' in value) return JSON.stringify(value.message);
  return JSON.stringify(value);
}

/** One pino JSON line as text (without the newline); a line that is not JSON stays as it is. */
export function textLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = LEVELS[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const time = typeof record.time === 'number' ? timestamp(record.time) : '';
  return `[${time}] ${level} ${String(record.msg ?? '')}${fields.length ? ` (${fields.join(' ')})` : ''}`;
}

/** A pino destination writing text lines to a file descriptor, synchronously. */
export function textDestination(fd: number): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      const lines = chunk.split('\n').filter((line) => line !== '');
      try {
        fs.writeSync(fd, lines.map((line) => `${textLine(line)}\n`).join(''));
      } catch {
        // Nobody reads the terminal any more (a closed pipe or socket): the lines have nowhere to go.
      }
    },
  };
}
