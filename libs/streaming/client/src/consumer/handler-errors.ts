import { ContractError } from '@retail-streams/contracts';

/**
 * A failure that retrying cannot fix (a business rule says no, the data is wrong). The runner sends
 * the record to the dead-letter topic at once instead of retrying.
 */
export class NonRetriableError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetriableError';
    this.code = code;
  }
}

/** Thrown inside a handler's retry wait when the runner is stopping: the record is redelivered later. */
export class ShutdownInterruptedError extends Error {
  constructor() {
    super('the consumer is stopping; the record will be redelivered');
    this.name = 'ShutdownInterruptedError';
  }
}

/**
 * What a failure says about the record, which decides what the runner does with it:
 * - `poison`: the record itself is wrong (breaks its contract, a rule refuses it): dead-lettered at once;
 * - `bug`: the handler's code is wrong for this record (a TypeError, a query that does not parse):
 *   retrying runs the same code on the same data, so it is dead-lettered at once too;
 * - `unavailable`: a dependency is away (the database refuses connections, a connection broke):
 *   it says nothing about the record, so it is retried for as long as it lasts, never dead-lettered;
 * - `transient`: anything else, retried with backoff a bounded number of times.
 */
export type FailureKind = 'poison' | 'bug' | 'unavailable' | 'transient';

export interface FailureDescription {
  kind: FailureKind;
  /** False for `poison` and `bug`: the record goes to the dead-letter topic without a retry. */
  retriable: boolean;
  code: string;
  message: string;
}

export function describeFailure(error: unknown): FailureDescription {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ContractError || error instanceof NonRetriableError) {
    return { kind: 'poison', retriable: false, code: error.code, message };
  }
  const sqlState = sqlStateOf(error);
  if (isProgrammerError(error, sqlState)) {
    return { kind: 'bug', retriable: false, code: bugCode(error, sqlState), message };
  }
  const code = codeOf(error, sqlState);
  if (isUnavailable(error, code, sqlState, message)) {
    return { kind: 'unavailable', retriable: true, code, message };
  }
  return { kind: 'transient', retriable: true, code, message };
}

/** JavaScript's own errors for code that is wrong: no retry turns them into success. */
const programmerErrorNames = new Set([
  'TypeError',
  'ReferenceError',
  'SyntaxError',
  'RangeError',
  // zod, when a handler parses something with a schema that does not fit what it produces
  'ZodError',
  // Prisma refusing a query before it reaches the database (a wrong field, a missing argument)
  'PrismaClientValidationError',
]);

/**
 * SQLSTATE classes of statements that can never succeed as written: 42 (syntax error, undefined
 * table or column), 22 (data exception: a value out of range for its column, a bad cast) and 0A
 * (feature not supported).
 */
const programmerSqlStateClasses = new Set(['42', '22', '0A']);

function isProgrammerError(error: unknown, sqlState: string | undefined): boolean {
  if (sqlState !== undefined) return programmerSqlStateClasses.has(sqlState.slice(0, 2));
  return error instanceof Error && programmerErrorNames.has(error.name);
}

function bugCode(error: unknown, sqlState: string | undefined): string {
  if (sqlState !== undefined) return `SQLSTATE_${sqlState}`;
  return `HANDLER_BUG_${(error as Error).name.toUpperCase()}`;
}

/**
 * SQLSTATE classes and codes that mean the server is away or refusing work: 08 (connection
 * exception), 53 (insufficient resources: too many connections, out of memory or disk), 57P01-03
 * (the server is shutting down or starting), 58 (system error).
 */
const unavailableSqlStateClasses = new Set(['08', '53', '58']);
const unavailableSqlStates = new Set(['57P01', '57P02', '57P03']);
/** Prisma: the server is unreachable or gone (P1001, P1002, P1017), no connection or transaction in time (P2024, P2028). */
const unavailablePrismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** Node's socket errors. */
const unavailableErrnos = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function isUnavailable(
  error: unknown,
  code: string,
  sqlState: string | undefined,
  message: string,
): boolean {
  if (sqlState !== undefined) {
    if (unavailableSqlStateClasses.has(sqlState.slice(0, 2))) return true;
    if (unavailableSqlStates.has(sqlState)) return true;
    // 55000 "object not in prerequisite state": here, a database that does not accept connections.
    return sqlState === '55000' && /accepting connections/.test(driverMessageOf(error) ?? message);
  }
  if (unavailablePrismaCodes.has(code) || unavailableErrnos.has(code)) return true;
  // node-postgres reports a dropped connection without a code.
  return (
    error instanceof Error &&
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}

/**
 * Five characters, the class first: a digit and a character, or one of the lettered classes
 * (P0 PL/pgSQL, XX internal, F0 configuration, HV foreign data). Prisma's own codes (P1001) and
 * Node's errnos (EPIPE) do not match.
 */
const sqlStatePattern = /^([0-9][0-9A-Z]|P0|XX|F0|HV)[0-9A-Z]{3}$/;

type PrismaDriverError = {
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown } } };
} | null;

/** The database's own message under a Prisma error (Prisma's message leaves it out). */
function driverMessageOf(error: unknown): string | undefined {
  const message = (error as PrismaDriverError)?.meta?.driverAdapterError?.cause?.originalMessage;
  return typeof message === 'string' ? message : undefined;
}

/** The SQLSTATE of a node-postgres error, or of the driver error under a Prisma error. */
export function sqlStateOf(error: unknown): string | undefined {
  const candidates = [
    (error as { code?: unknown } | null)?.code,
    (error as PrismaDriverError)?.meta?.driverAdapterError?.cause?.originalCode,
  ];
  return candidates.find(
    (candidate): candidate is string =>
      typeof candidate === 'string' && sqlStatePattern.test(candidate),
  );
}

function codeOf(error: unknown, sqlState: string | undefined): string {
  if (sqlState !== undefined) return `SQLSTATE_${sqlState}`;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'HANDLER_FAILED';
}
