import pg from 'pg';

/**
 * Raw SQL with positional parameters ($1, $2, ...): what a statement runs on, the pool (each
 * statement its own transaction) or one open transaction. The method names are Prisma's, so a Prisma
 * client, a Prisma transaction client and this one fit the same code (the outbox, the inbox).
 */
export interface SqlExecutor {
  /** Runs a statement and returns its rows, as node-postgres parses them (int8 and numeric as strings). */
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  /** Runs a statement and returns how many rows it touched. */
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export interface SqlClientOptions {
  /**
   * The longest a transaction's statements may run, and the longest it may sit idle between them,
   * before PostgreSQL aborts it (default 30 s): a hang ends in an error, not a stuck request or
   * partition. Row-lock waits count, so it is generous.
   */
  transactionTimeoutMs?: number;
  /**
   * At most this many distinct statement texts are prepared per connection; the rest run unprepared.
   * A guard against SQL built with values in its text, which would otherwise prepare without end.
   */
  maxPreparedStatements?: number;
}

/**
 * Statements straight on node-postgres, for the hot paths: an order, a consumed batch, a relay run.
 * Prisma's client interprets every raw query (its query plan, argument and result mapping) before
 * and after the driver sees it, and opens an interactive transaction with its own bookkeeping; under
 * load that cost more CPU per order than the SQL itself. Here a statement is one `pg` call, and it is
 * a prepared statement: PostgreSQL parses and plans each text once per connection, not per call.
 *
 * It shares the Prisma client's pool (see `createPrismaClient`), so it opens no connections of its
 * own and ends when the Prisma client disconnects.
 */
export class SqlClient implements SqlExecutor {
  readonly #pool: pg.Pool;
  readonly #statements: PreparedStatements;
  /** BEGIN and the transaction's limits, in one round trip (the simple protocol takes a list). */
  readonly #begin: string;

  constructor(pool: pg.Pool, options: SqlClientOptions = {}) {
    this.#pool = pool;
    this.#statements = new PreparedStatements(options.maxPreparedStatements ?? 200);
    const timeoutMs = Math.trunc(options.transactionTimeoutMs ?? 30_000);
    this.#begin = `BEGIN; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL idle_in_transaction_session_timeout = ${timeoutMs}`;
  }

  async $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> {
    const result = await this.#pool.query(this.#statements.config(query, values));
    return result.rows as T;
  }

  async $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
    const result = await this.#pool.query(this.#statements.config(query, values));
    return result.rowCount ?? 0;
  }

  /**
   * Runs `work` in one transaction on one pooled connection: committed when it resolves, rolled back
   * when it throws (and the error rethrown). A connection that could not even roll back is discarded
   * rather than handed to the next caller in an unknown state.
   */
  async $transaction<R>(work: (tx: SqlExecutor) => Promise<R>): Promise<R> {
    const connection = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await connection.query(this.#begin);
      const result = await work(new TransactionSql(connection, this.#statements));
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      connection.release(broken);
    }
  }
}

/** The statements of one open transaction, all on its connection. */
class TransactionSql implements SqlExecutor {
  readonly #connection: pg.PoolClient;
  readonly #statements: PreparedStatements;

  constructor(connection: pg.PoolClient, statements: PreparedStatements) {
    this.#connection = connection;
    this.#statements = statements;
  }

  async $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> {
    const result = await this.#connection.query(this.#statements.config(query, values));
    return result.rows as T;
  }

  async $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
    const result = await this.#connection.query(this.#statements.config(query, values));
    return result.rowCount ?? 0;
  }
}

/**
 * Names statement texts for node-postgres, which prepares a named statement on a connection the first
 * time it runs there and reuses it afterwards.
 */
class PreparedStatements {
  readonly #names = new Map<string, string>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  config(text: string, values: unknown[]): pg.QueryConfig {
    let name = this.#names.get(text);
    if (name === undefined && this.#names.size < this.#max) {
      name = `rs_${this.#names.size}`;
      this.#names.set(text, name);
    }
    return name === undefined ? { text, values } : { name, text, values };
  }
}
