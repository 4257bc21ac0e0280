import { ContractError } from '@retail-streams/contracts';
import { describe, expect, it } from 'vitest';
import { describeFailure, NonRetriableError } from './handler-errors.ts';

/** A node-postgres error as the driver throws it. */
function pgError(code: string, message: string) {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

/** The same error as Prisma's driver adapter wraps it (P2010: raw query failed). */
function prismaError(originalCode: string, message: string) {
  return Object.assign(new Error(`Raw query failed. Code: \`${originalCode}\``), {
    name: 'PrismaClientKnownRequestError',
    code: 'P2010',
    meta: { driverAdapterError: { cause: { originalCode, originalMessage: message } } },
  });
}

describe('classifying a handler failure', () => {
  it('sends records that break their contract straight to the dead-letter topic', () => {
    const failure = describeFailure(new ContractError('EVENT_NOT_JSON', 'not JSON'));
    expect(failure).toEqual({
      kind: 'poison',
      retriable: false,
      code: 'EVENT_NOT_JSON',
      message: 'not JSON',
    });
  });

  it('does not retry what the handler itself declares permanent', () => {
    const failure = describeFailure(new NonRetriableError('SKU_RETIRED', 'SKU-1 is retired'));
    expect(failure).toMatchObject({ kind: 'poison', retriable: false, code: 'SKU_RETIRED' });
  });

  it('does not retry programmer errors: the same code on the same record fails the same way', () => {
    const typeError = describeFailure(
      new TypeError("Cannot read properties of undefined (reading 'sku')"),
    );
    expect(typeError).toMatchObject({
      kind: 'bug',
      retriable: false,
      code: 'HANDLER_BUG_TYPEERROR',
    });
    expect(describeFailure(new ReferenceError('x is not defined')).kind).toBe('bug');
    const zod = Object.assign(new Error('invalid'), { name: 'ZodError' });
    expect(describeFailure(zod).kind).toBe('bug');
  });

  it('does not retry SQL that can never run: undefined columns, syntax errors, values out of range', () => {
    expect(describeFailure(pgError('42703', 'column "nope" does not exist'))).toMatchObject({
      kind: 'bug',
      code: 'SQLSTATE_42703',
    });
    expect(describeFailure(prismaError('42601', 'syntax error at or near "SELEC"')).kind).toBe(
      'bug',
    );
    expect(describeFailure(pgError('22003', 'integer out of range')).kind).toBe('bug');
  });

  it('retries for as long as it lasts when the database is away, whichever client reports it', () => {
    for (const error of [
      prismaError('55000', 'database "inventory" is not currently accepting connections'),
      prismaError('57P01', 'terminating connection due to administrator command'),
      pgError('08006', 'connection failure'),
      pgError('53300', 'too many clients already'),
      Object.assign(
        new Error('Transaction API error: Unable to start a transaction in the given time.'),
        {
          code: 'P2028',
        },
      ),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
    ]) {
      expect(describeFailure(error), error.message).toMatchObject({
        kind: 'unavailable',
        retriable: true,
      });
    }
  });

  it('retries anything else a bounded number of times, keeping a code when the error has one', () => {
    const deadlock = describeFailure(pgError('40P01', 'deadlock detected'));
    expect(deadlock).toEqual({
      kind: 'transient',
      retriable: true,
      code: 'SQLSTATE_40P01',
      message: 'deadlock detected',
    });
    const busy = Object.assign(new Error('upstream busy'), { code: 'BUSY' });
    expect(describeFailure(busy)).toMatchObject({ kind: 'transient', code: 'BUSY' });
    expect(describeFailure('a string')).toMatchObject({
      kind: 'transient',
      code: 'HANDLER_FAILED',
    });
    // Node's errno codes are not SQLSTATEs, even when they are five capitals long.
    expect(describeFailure(Object.assign(new Error('broken pipe'), { code: 'EPIPE' })).kind).toBe(
      'unavailable',
    );
  });
});
