import type { Context } from '@opentelemetry/api';
import {
  encodeEvent,
  headerNames,
  keyOf,
  type EventOf,
  type EventTopic,
} from '@retail-streams/contracts';
import { injectTraceContext, type RecordHeaders } from '../tracing/record-tracing.ts';
import { outboxTable, type SqlExecutor } from './outbox-schema.ts';

/** One outbox row, ready to insert: the event encoded, keyed, and its trace captured in headers. */
export interface OutboxRow {
  eventId: string;
  topic: string;
  key: string | null;
  value: string;
  headers: RecordHeaders;
}

/**
 * The rows for `events`, with the trace context of `trace` (default: the active one) captured now.
 * A batch handler builds each record's rows under that record's trace and inserts them all at once.
 */
export function outboxRows<T extends EventTopic>(
  topic: T,
  events: readonly EventOf<T>[],
  trace?: Context,
): OutboxRow[] {
  return events.map((event) => ({
    eventId: event.id,
    topic: topic.name,
    key: keyOf(topic, event),
    value: encodeEvent(event).toString('utf8'),
    headers: injectTraceContext(
      { [headerNames.eventType]: event.type, [headerNames.eventId]: event.id },
      trace,
    ),
  }));
}

/** A statement's SQL with its parameters, `$n` numbered from a given first. */
export interface SqlPart {
  sql: string;
  values: unknown[];
}

/**
 * The INSERT of `rows` into the outbox, in the given order, for the caller to run as a statement or
 * to put in a statement of its own as a data-modifying CTE (`WITH "events" AS (<sql>) ...`), so the
 * state change and its events are ONE statement: one round trip, atomic by itself. Its five
 * parameters are numbered from `$first`.
 */
export function outboxInsertSql(rows: readonly OutboxRow[], first = 1): SqlPart {
  const [a, b, c, d, e] = [0, 1, 2, 3, 4].map((i) => `$${first + i}`);
  return {
    sql: `INSERT INTO "${outboxTable}" ("event_id", "topic", "key", "value", "headers")
     SELECT r.event_id, r.topic, r.key, r.value, r.headers::jsonb
       FROM unnest(${a}::uuid[], ${b}::text[], ${c}::text[], ${d}::text[], ${e}::text[])
            WITH ORDINALITY AS r(event_id, topic, key, value, headers, n)
      ORDER BY r.n`,
    values: [
      rows.map((row) => row.eventId),
      rows.map((row) => row.topic),
      rows.map((row) => row.key),
      rows.map((row) => row.value),
      rows.map((row) => JSON.stringify(row.headers)),
    ],
  };
}

/**
 * Inserts outbox rows inside the caller's transaction, in the given order (the relay publishes them
 * in insertion order), as ONE statement however many rows there are.
 */
export async function insertOutboxRows(tx: SqlExecutor, rows: readonly OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  const insert = outboxInsertSql(rows);
  await tx.$executeRawUnsafe(insert.sql, ...insert.values);
}

/**
 * Adds events to the outbox inside the caller's transaction, so the state change and the events that
 * announce it commit (or roll back) together. The relay publishes them afterwards. The trace context
 * (`trace`, or the active one) is stored with each row, so consumers continue the trace of the
 * request or record that caused it.
 */
export function writeToOutbox<T extends EventTopic>(
  tx: SqlExecutor,
  topic: T,
  events: readonly EventOf<T>[],
  options: { trace?: Context } = {},
): Promise<void> {
  return insertOutboxRows(tx, outboxRows(topic, events, options.trace));
}
