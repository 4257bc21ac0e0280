import { describe, expect, it } from 'vitest';
import { MemberProtocolError, parseMemberEvent } from './group-events.ts';

describe('parseMemberEvent', () => {
  it('reads an assignment with its partitions and time', () => {
    expect(parseMemberEvent('{"ev":"assigned","t":1700000000000.5,"partitions":[1,4]}')).toEqual({
      ev: 'assigned',
      t: 1700000000000.5,
      partitions: [1, 4],
    });
  });

  it('reads a cumulative record count', () => {
    expect(parseMemberEvent('{"ev":"consumed","n":20000,"t":5}')).toEqual({
      ev: 'consumed',
      t: 5,
      n: 20000,
    });
  });

  it('keeps only the known fields of the plain events', () => {
    expect(parseMemberEvent('{"ev":"revoked","t":7,"extra":true}')).toEqual({
      ev: 'revoked',
      t: 7,
    });
  });

  it('refuses lines that are not events, with a code', () => {
    for (const line of [
      'Traceback (most recent call last):',
      '{"ev":"assigned","t":1}',
      '{"ev":"assigned","t":1,"partitions":["a"]}',
      '{"ev":"consumed","t":1}',
      '{"ev":"start"}',
      '{"ev":"exploded","t":1}',
    ]) {
      let error: unknown;
      try {
        parseMemberEvent(line);
      } catch (err) {
        error = err;
      }
      expect(error, line).toBeInstanceOf(MemberProtocolError);
      expect((error as MemberProtocolError).code).toBe('GROUP_BENCH_MEMBER_PROTOCOL');
    }
  });
});
