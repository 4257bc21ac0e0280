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

  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['57P01', 'terminating connection due to administrator command'],
    ['55000', 'database "sales" is not currently accepting connections'],
    ['53300', 'sorry, too many clients already'],
    ['08006', 'connection failure'],
  ])('answers node-postgres %s (%s) with 503, not 500', (code, message) => {
    const problem = toProblem(Object.assign(new Error(message), { code }));
    expect(problem.status).toBe(503);
    expect(problem.code).toBe('DATABASE_UNAVAILABLE');
  });

  it.each(['timeout exceeded when trying to connect', 'Connection terminated unexpectedly'])(
    'answers the pg pool saying "%s" with 503',
    (message) => {
      expect(toProblem(new Error(message)).status).toBe(503);
    },
  );

  it('keeps a statement the database refuses a 500 that leaks nothing', () => {
    const problem = toProblem(
      Object.assign(new Error('relation "orders" does not exist'), { code: '42P01' }),
    );
    expect(problem.status).toBe(500);
    expect(problem.toDocument().detail).not.toContain('relation');
  });

  it('keeps other database errors a 500 that leaks nothing', () => {
    const problem = toProblem(
      Object.assign(new Error('relation "x" does not exist'), { code: 'P2010' }),
    );
    expect(problem.status).toBe(500);
    expect(problem.toDocument().detail).not.toContain('relation');
  });
});
