import { describe, expect, it } from 'vitest';
import { toProblem } from './problem-handlers.ts';

describe('turning errors into problems', () => {
  it.each(['P2028', 'P2024', 'P1001', 'P1017'])(
    'answers Prisma %s (no connection or transaction in time, database gone) with 503, not 500',
    (code) => {
      const problem = toProblem(
        Object.assign(new Error('Unable to start a transaction'), { code }),
      );
      expect(problem.status).toBe(503);
      expect(problem.code).toBe('DATABASE_UNAVAILABLE');
    },
  );

  it('keeps other database errors a 500 that leaks nothing', () => {
    const problem = toProblem(
      Object.assign(new Error('relation "x" does not exist'), { code: 'P2010' }),
    );
    expect(problem.status).toBe(500);
    expect(problem.toDocument().detail).not.toContain('relation');
  });
});
