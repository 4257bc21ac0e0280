import { describe, expect, it } from 'vitest';
import { prefixLine, readableLine } from './log-format.ts';

describe('log lines', () => {
  it('shows a pino JSON line as time, level, message and the remaining fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      pid: 1,
      hostname: 'h',
      service: 'sales',
      msg: 'inventory slow',
      latencyMs: 2500,
      route: '/orders x',
    });
    expect(readableLine(line)).toBe(
      '03:04:05.678 WARN  inventory slow latencyMs=2500 route="/orders x"',
    );
  });

  it('passes lines that are not pino JSON through unchanged', () => {
    expect(readableLine('LOG:  database system is ready')).toBe('LOG:  database system is ready');
    expect(readableLine('{not json')).toBe('{not json');
    expect(readableLine('{"a":1}')).toBe('{"a":1}');
  });

  it('prefixes the padded process name, without colour codes when colour is off', () => {
    expect(prefixLine('sales', 'hello', { nameWidth: 8, colour: false })).toBe('sales    | hello');
    const coloured = prefixLine('sales', 'hello', { nameWidth: 8, colour: true });
    const ESC = String.fromCharCode(27);
    expect(coloured.startsWith(`${ESC}[`)).toBe(true);
    expect(coloured.endsWith(`sales    |${ESC}[0m hello`)).toBe(true);
  });
});
