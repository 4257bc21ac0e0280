import { context, isSpanContextValid, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
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
 *
 * Bypassing Prisma also bypasses @prisma/instrumentation, so each statement (BEGIN and COMMIT
 * included) records its own CLIENT span here, with the attributes Prisma's `db_query` span carries
 * (see `StatementTracing`): without them an order's journey would show no database work at all.
 */
export class SqlClient implements SqlExecutor {
  readonly #pool: pg.Pool;
  readonly #statements: PreparedStatements;
  readonly #tracing: StatementTracing;
  /** BEGIN and the transaction's limits, in one round trip (the simple protocol takes a list). */
  readonly #begin: string;

  constructor(pool: pg.Pool, options: SqlClientOptions = {}) {
    this.#pool = pool;
    this.#statements = new PreparedStatements(options.maxPreparedStatements ?? 200);
    this.#tracing = new StatementTracing(pool.options);
    const timeoutMs = Math.trunc(options.transactionTimeoutMs ?? 30_000);
    this.#begin = `BEGIN; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL idle_in_transaction_session_timeout = ${timeoutMs}`;
  }

  async $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> {
    const result = await this.#tracing.run(query, () =>
      this.#pool.query(this.#statements.config(query, values)),
    );
    return result.rows as T;
  }

  async $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
    const result = await this.#tracing.run(query, () =>
      this.#pool.query(this.#statements.config(query, values)),
    );
    return result.rowCount ?? 0;
  }

  /**
   * Runs `work` in one transaction on one pooled connection: committed when it resolves, rolled back
   * when it throws (and the error rethrown). A connection that broke, or could not even roll back, is
   * discarded rather than handed to the next caller in an unknown state.
   */
  async $transaction<R>(work: (tx: SqlExecutor) => Promise<R>): Promise<R> {
    const tx = new TransactionSql(await this.#pool.connect(), this.#statements, this.#tracing);
    let broken: Error | undefined;
    try {
      await tx.control(this.#begin);
      const result = await work(tx);
      await tx.control('COMMIT');
      return result;
    } catch (error) {
      // A lost connection has no transaction left to roll back: the server ended it.
      if (tx.lost === undefined) {
        await tx.control('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
      }
      throw error;
    } finally {
      tx.release(broken ?? tx.lost);
    }
  }
}

/**
 * The statements of one open transaction, all on its connection, which it holds checked out.
 *
 * Checked out, a pooled connection has no 'error' listener: the pool listens only while it is idle.
 * node-postgres emits 'error' on a client whose server ends the session (a restart, a failover,
 * `pg_terminate_backend`): once for the server's message when no statement is running, and always
 * for the socket closing ("Connection terminated unexpectedly"), even after the statement that was
 * running got the error. An 'error' event nobody listens to is an uncaught exception that ends the
 * process, so this listens for as long as it holds the connection. What it hears is the reason the
 * transaction's next statement fails with (not node-postgres' bare "not queryable"), so the caller
 * sees the server's SQLSTATE (57P01) or the dropped connection, classified as "database unavailable"
 * and retried, like any statement that fails for that reason.
 */
class TransactionSql implements SqlExecutor {
  readonly #connection: pg.PoolClient;
  readonly #statements: PreparedStatements;
  readonly #tracing: StatementTracing;
  #lost: Error | undefined;
  readonly #onError = (error: Error) => {
    this.#lost ??= error;
  };

  constructor(
    connection: pg.PoolClient,
    statements: PreparedStatements,
    tracing: StatementTracing,
  ) {
    this.#connection = connection;
    this.#statements = statements;
    this.#tracing = tracing;
    connection.on('error', this.#onError);
  }

  /** Why the connection broke while this transaction held it, if it did. */
  get lost(): Error | undefined {
    return this.#lost;
  }

  async $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> {
    const result = await this.#run(query, this.#statements.config(query, values));
    return result.rows as T;
  }

  async $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
    const result = await this.#run(query, this.#statements.config(query, values));
    return result.rowCount ?? 0;
  }

  /** BEGIN, COMMIT, ROLLBACK: the simple protocol, never prepared. */
  async control(text: string): Promise<void> {
    await this.#run(text, text);
  }

  /**
   * Gives the connection back to the pool, which discards it when `error` is set. The pool puts its
   * own idle listener back as part of the release, so this one comes off only after it: at no moment
   * is the connection without one.
   */
  release(error: Error | undefined): void {
    this.#connection.release(error);
    this.#connection.off('error', this.#onError);
  }

  /** `text` is what its span shows: the statement's SQL, whether or not it is prepared. */
  async #run(text: string, query: string | pg.QueryConfig): Promise<pg.QueryResult> {
    // Not sent at all, so no span: the connection is gone and the statement never reached it.
    if (this.#lost !== undefined) throw this.#lost;
    return this.#tracing.run(text, () => this.#connection.query(query));
  }
}

/**
 * One CLIENT span per statement, named after its first keyword (`SELECT`, `WITH`, `COMMIT`), with
 * the OTel database attributes: `db.system.name=postgresql`, `db.query.text` (the text as sent,
 * with `$n` placeholders, never the values), `db.namespace`, `server.address`, `server.port`, and on
 * failure `db.response.status_code` and `error.type` (the SQLSTATE).
 *
 * Only statements run on behalf of a traced operation (a request, a consumed batch, a group commit,
 * a relay's send) are recorded: with no span in the context there is nothing for the statement to
 * belong to, and the relay's and the consumers' polling would otherwise start a trace of its own for
 * every poll, crowding out the orders' journeys in the trace store. Without telemetry started the
 * context never holds a span, so this costs one context lookup per statement.
 */
class StatementTracing {
  readonly #attributes: Attributes;

  constructor(options: pg.PoolConfig) {
    this.#attributes = { 'db.system.name': 'postgresql', ...whereItConnects(options) };
  }

  async run<R>(text: string, statement: () => Promise<R>): Promise<R> {
    const parent = context.active();
    const parentSpan = trace.getSpanContext(parent);
    if (parentSpan === undefined || !isSpanContextValid(parentSpan)) return statement();
    const span = trace.getTracer('@retail-streams/service-kit').startSpan(
      statementName(text),
      {
        kind: SpanKind.CLIENT,
        attributes: { ...this.#attributes, 'db.query.text': text },
      },
      parent,
    );
    try {
      return await statement();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const type = typeof code === 'string' ? code : (error as Error).name;
      span.setAttributes({
        'error.type': type,
        ...(typeof code === 'string' ? { 'db.response.status_code': code } : {}),
      });
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }
}

/** The first keyword of a statement (`WITH`, `INSERT`, `BEGIN`), upper-cased: its span's name. */
function statementName(text: string): string {
  const keyword = /^\s*([A-Za-z]+)/.exec(text)?.[1];
  return keyword === undefined ? 'postgresql' : keyword.toUpperCase();
}

/** The database, host and port a pool connects to, as span attributes (what is known of them). */
function whereItConnects(options: pg.PoolConfig): Attributes {
  let database = options.database;
  let host = options.host;
  let port = options.port;
  if (options.connectionString !== undefined) {
    try {
      const url = new URL(options.connectionString);
      database ??= decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
      host ??= url.hostname || undefined;
      port ??= url.port === '' ? 5432 : Number(url.port);
    } catch {
      // Not a URL (a libpq key=value string): the statement spans go without these attributes.
    }
  }
  return {
    ...(database ? { 'db.namespace': database } : {}),
    ...(host ? { 'server.address': host } : {}),
    ...(port === undefined ? {} : { 'server.port': Number(port) }),
  };
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
