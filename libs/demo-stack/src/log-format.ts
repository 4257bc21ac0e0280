/**
 * Turns one line of a child's output into what the terminal shows: `sales      | 12:00:01.234 INFO  msg k=v`.
 * The services log pino JSON (one object per line), which is unreadable when five processes share a
 * terminal; anything that is not pino JSON (PostgreSQL, a stack trace) passes through unchanged.
 */

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

// pino's own fields, and ones every line repeats: the prefix already says which service it is.
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'name', 'v']);

const COLOURS = [36, 33, 35, 32, 34, 91, 96, 93, 95];

export interface LineFormatOptions {
  /** Width the name is padded to, so that the bars line up. */
  nameWidth: number;
  colour: boolean;
}

export function colourFor(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return COLOURS[hash % COLOURS.length] as number;
}

export function prefixLine(name: string, line: string, options: LineFormatOptions): string {
  const label = name.padEnd(options.nameWidth);
  const prefix = options.colour ? `\x1b[${colourFor(name)}m${label} |\x1b[0m` : `${label} |`;
  return `${prefix} ${readableLine(line)}`;
}

/** A pino JSON line made readable; other lines as they are. */
export function readableLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    record = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof record.level !== 'number' && typeof record.level !== 'string') return line;
  const level =
    typeof record.level === 'number'
      ? (LEVELS[record.level] ?? String(record.level))
      : record.level.toUpperCase();
  const time =
    typeof record.time === 'number' || typeof record.time === 'string'
      ? new Date(record.time).toISOString().slice(11, 23)
      : '';
  const fields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    fields.push(`${key}=${fieldValue(value)}`);
  }
  const message = typeof record.msg === 'string' ? record.msg : '';
  return [time, level.padEnd(5), message, ...fields].filter((part) => part !== '').join(' ');
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'object' && value !== null && 'stack' in value) {
    const stack = (value as { stack?: unknown }).stack;
    if (typeof stack === 'string') return `\n${stack}`;
  }
  return JSON.stringify(value);
}
