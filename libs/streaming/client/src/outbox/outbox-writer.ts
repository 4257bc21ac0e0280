import {
  encodeEvent,
  headerNames,
  keyOf,
  type EventOf,
  type EventTopic,
} from '@retail-streams/contracts';
import { injectTraceContext } from '../tracing/record-tracing.ts';
import { outboxTable, type SqlExecutor } from './outbox-schema.ts';

/**
 * Adds events to the outbox inside the caller's transaction, so the state change and the events that
 * announce it commit (or roll back) together. The relay publishes them afterwards. The active trace
 * context is stored with each row, so consumers continue the trace of the request that caused it.
 */
export async function writeToOutbox<T extends EventTopic>(
  tx: SqlExecutor,
  topic: T,
  events: readonly EventOf<T>[],
): Promise<void> {
  for (const event of events) {
    const headers = injectTraceContext({
      [headerNames.eventType]: event.type,
      [headerNames.eventId]: event.id,
    });
    await tx.$executeRawUnsafe(
      `INSERT INTO "${outboxTable}" ("event_id", "topic", "key", "value", "headers")
       VALUES ($1::uuid, $2, $3, $4, $5::jsonb)`,
      event.id,
      topic.name,
      keyOf(topic, event),
      encodeEvent(event).toString('utf8'),
      JSON.stringify(headers),
    );
  }
}
