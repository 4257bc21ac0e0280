import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { RateLimitedLog } from './rate-limited-log.ts';

/** A logger that keeps what it is asked to warn, and a clock the test moves by hand. */
function setup(options: { limit?: number; intervalMs?: number } = {}) {
  const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }),
  } as unknown as Logger;
  let now = 1_000_000;
  const log = new RateLimitedLog(logger, { ...options, now: () => now });
  return {
    log,
    lines,
    messages: () => lines.map((l) => l.message),
    advance: (ms: number) => (now += ms),
  };
}

const warnTimes = (log: RateLimitedLog, n: number, from = 0) => {
  for (let i = from; i < from + n; i++) log.warn({ attempt: i }, `failed login ${i}`);
};

describe('RateLimitedLog', () => {
  it('writes the first 20 warnings of a 10 s window as given, and nothing more', () => {
    const { log, lines } = setup();
    warnTimes(log, 25);
    expect(lines).toHaveLength(20);
    expect(lines[0]).toEqual({ fields: { attempt: 0 }, message: 'failed login 0' });
    expect(lines[19]).toEqual({ fields: { attempt: 19 }, message: 'failed login 19' });
  });

  it('when the next window opens, says how many were suppressed, then writes again', () => {
    const { log, lines, advance } = setup();
    warnTimes(log, 25);
    advance(10_000);
    warnTimes(log, 1, 25);
    expect(lines.slice(20)).toEqual([
      {
        fields: { suppressed: 5, windowMs: 10_000 },
        message: '5 similar warnings suppressed (rate limit)',
      },
      { fields: { attempt: 25 }, message: 'failed login 25' },
    ]);
  });

  it('keeps suppressing until 10 s after the first line of the window, not after the last warning', () => {
    const { log, messages, advance } = setup();
    warnTimes(log, 20);
    advance(9_999);
    warnTimes(log, 3, 20);
    expect(messages()).toHaveLength(20);
    advance(1);
    warnTimes(log, 1, 23);
    expect(messages().slice(20)).toEqual([
      '3 similar warnings suppressed (rate limit)',
      'failed login 23',
    ]);
  });

  it('gives each window its own 20 lines, and counts the overflow of each separately', () => {
    const { log, messages, advance } = setup();
    warnTimes(log, 22);
    advance(10_000);
    warnTimes(log, 27, 22);
    advance(10_000);
    warnTimes(log, 1, 49);
    expect(messages().filter((m) => m.startsWith('failed login'))).toHaveLength(20 + 20 + 1);
    expect(messages().filter((m) => m.includes('suppressed'))).toEqual([
      '2 similar warnings suppressed (rate limit)',
      '7 similar warnings suppressed (rate limit)',
    ]);
  });

  it('writes no summary when a window had nothing to suppress', () => {
    const { log, messages, advance } = setup();
    warnTimes(log, 20);
    advance(10_000);
    warnTimes(log, 1, 20);
    expect(messages()).toHaveLength(21);
    expect(messages().some((m) => m.includes('suppressed'))).toBe(false);
  });

  it('reports a suppressed count only when a later warning comes (no timer of its own)', () => {
    const { log, messages, advance } = setup();
    warnTimes(log, 21);
    advance(60_000);
    expect(messages()).toHaveLength(20);
    warnTimes(log, 1, 21);
    expect(messages().slice(20)).toEqual([
      '1 similar warnings suppressed (rate limit)',
      'failed login 21',
    ]);
  });

  it('takes another limit and interval', () => {
    const { log, lines, advance } = setup({ limit: 2, intervalMs: 500 });
    warnTimes(log, 4);
    advance(500);
    warnTimes(log, 1, 4);
    expect(lines.map((l) => l.message)).toEqual([
      'failed login 0',
      'failed login 1',
      '2 similar warnings suppressed (rate limit)',
      'failed login 4',
    ]);
    expect(lines[2].fields).toEqual({ suppressed: 2, windowMs: 500 });
  });
});
