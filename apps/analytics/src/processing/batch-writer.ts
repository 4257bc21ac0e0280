import type { SqlExecutor } from '@retail-streams/streaming-client';
import type { AggregateResult, Checkpoint, LateRecord } from '@retail-streams/streaming-processing';
import { AnalyticsError } from '../analytics-error.ts';
import type { RecordEffect } from './record-effects.ts';

/** What one group commit writes: a checkpoint and everything that changed since the previous one. */
export interface Batch {
  checkpoint: Checkpoint;
  changes: AggregateResult[];
  lates: LateRecord[];
  effects: RecordEffect[];
}

/**
 * Writes a batch inside the caller's transaction. Each kind of row goes in one statement (a JSON array
 * unpacked by `jsonb_to_recordset`), so a batch costs a handful of round trips whatever its size.
 * The checkpoint update is conditional on the consumer group: a pipeline left over from before a replay
 * cannot overwrite the replay's state.
 */
export async function writeBatch(tx: SqlExecutor, groupId: string, batch: Batch): Promise<void> {
  const updated = await tx.$executeRawUnsafe(
    `UPDATE processing_state SET checkpoint = $1, updated_at = now() WHERE id = 1 AND group_id = $2`,
    JSON.stringify(batch.checkpoint),
    groupId,
  );
  if (updated !== 1) {
    throw new AnalyticsError(
      'STALE_CONSUMER_GROUP',
      `the aggregates now belong to another consumer group than ${groupId} (a replay started)`,
    );
  }
  await writeResults(tx, batch.changes);
  await writeLateRecords(tx, batch.lates);
  await writeEffects(tx, batch.effects);
}

async function upsertRows(
  tx: SqlExecutor,
  rows: readonly object[],
  sql: (recordset: string) => string,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(sql(`jsonb_to_recordset($1::jsonb)`), JSON.stringify(rows));
}

async function writeResults(tx: SqlExecutor, changes: readonly AggregateResult[]): Promise<void> {
  const windowed = changes
    .filter((change) => change.window !== null)
    .map((change) => ({
      aggregation: change.aggregation,
      key: change.key,
      window_start: change.window!.start,
      window_end: change.window!.end,
      value: change.value,
      final: change.final,
    }));
  await upsertRows(
    tx,
    windowed,
    (rows) => `
    INSERT INTO window_results (aggregation, key, window_start, window_end, value, final, updated_at)
    SELECT aggregation, key, window_start, window_end, value, final, now()
      FROM ${rows} AS r(aggregation text, key text, window_start bigint, window_end bigint, value jsonb, final boolean)
    ON CONFLICT (aggregation, key, window_start) DO UPDATE
      SET value = excluded.value, final = excluded.final, window_end = excluded.window_end, updated_at = now()`,
  );
  const keyed = changes
    .filter((change) => change.window === null)
    .map((change) => ({ aggregation: change.aggregation, key: change.key, value: change.value }));
  await upsertRows(
    tx,
    keyed,
    (rows) => `
    INSERT INTO keyed_results (aggregation, key, value, updated_at)
    SELECT aggregation, key, value, now() FROM ${rows} AS r(aggregation text, key text, value jsonb)
    ON CONFLICT (aggregation, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
  );
}

async function writeLateRecords(tx: SqlExecutor, lates: readonly LateRecord[]): Promise<void> {
  const rows = lates.map((late) => ({
    aggregation: late.aggregation,
    topic: late.record.topic,
    partition: late.record.partition,
    offset: late.record.offset.toString(),
    event_time: new Date(late.record.timestamp).toISOString(),
    stream_time: new Date(late.streamTime).toISOString(),
    windows: late.windows,
  }));
  await upsertRows(
    tx,
    rows,
    (recordset) => `
    INSERT INTO late_events (aggregation, topic, partition, "offset", event_time, stream_time, windows)
    SELECT aggregation, topic, partition, "offset", event_time, stream_time, windows
      FROM ${recordset} AS r(aggregation text, topic text, partition int, "offset" bigint,
                             event_time timestamptz, stream_time timestamptz, windows jsonb)
    ON CONFLICT DO NOTHING`,
  );
}

type Effect<K extends RecordEffect['kind']> = Extract<RecordEffect, { kind: K }>;

function ofKind<K extends RecordEffect['kind']>(
  effects: readonly RecordEffect[],
  kind: K,
): Effect<K>[] {
  return effects.filter((effect): effect is Effect<K> => effect.kind === kind);
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

async function writeEffects(tx: SqlExecutor, effects: readonly RecordEffect[]): Promise<void> {
  // One row per order: a statement may not upsert the same row twice.
  const orders = new Map<
    string,
    {
      order_id: string;
      mode: string | null;
      placed_at: string | null;
      resolved_at: string | null;
      outcome: string | null;
    }
  >();
  for (const effect of effects) {
    if (effect.kind !== 'order-placed' && effect.kind !== 'order-resolved') continue;
    const row = orders.get(effect.orderId) ?? {
      order_id: effect.orderId,
      mode: null,
      placed_at: null,
      resolved_at: null,
      outcome: null,
    };
    row.mode ??= effect.mode;
    if (effect.kind === 'order-placed') {
      row.placed_at = earliest(row.placed_at, effect.placedAt);
    } else if (earliest(row.resolved_at, effect.resolvedAt) === effect.resolvedAt) {
      row.resolved_at = effect.resolvedAt;
      row.outcome = effect.outcome;
    }
    orders.set(effect.orderId, row);
  }
  // The earliest of each side wins, so the row ends the same whichever order the events came in.
  await upsertRows(
    tx,
    [...orders.values()],
    (rows) => `
    INSERT INTO order_timings (order_id, mode, placed_at, resolved_at, outcome)
    SELECT order_id, mode, placed_at, resolved_at, outcome
      FROM ${rows} AS r(order_id uuid, mode text, placed_at timestamptz, resolved_at timestamptz, outcome text)
    ON CONFLICT (order_id) DO UPDATE SET
      mode = COALESCE(order_timings.mode, excluded.mode),
      placed_at = LEAST(order_timings.placed_at, excluded.placed_at),
      outcome = CASE
        WHEN excluded.resolved_at IS NOT NULL
         AND (order_timings.resolved_at IS NULL OR excluded.resolved_at < order_timings.resolved_at)
        THEN excluded.outcome ELSE order_timings.outcome END,
      resolved_at = LEAST(order_timings.resolved_at, excluded.resolved_at)`,
  );

  const purchaseOrders = new Map<
    string,
    {
      purchase_order_id: string;
      sku: string;
      quantity: number;
      created_at: string | null;
      received_at: string | null;
    }
  >();
  for (const effect of effects) {
    if (effect.kind !== 'purchase-order-created' && effect.kind !== 'goods-received') continue;
    const row = purchaseOrders.get(effect.purchaseOrderId) ?? {
      purchase_order_id: effect.purchaseOrderId,
      sku: effect.sku,
      quantity: effect.quantity,
      created_at: null,
      received_at: null,
    };
    if (effect.kind === 'purchase-order-created')
      row.created_at = earliest(row.created_at, effect.createdAt);
    else row.received_at = earliest(row.received_at, effect.receivedAt);
    purchaseOrders.set(effect.purchaseOrderId, row);
  }
  await upsertRows(
    tx,
    [...purchaseOrders.values()],
    (rows) => `
    INSERT INTO purchase_order_timings (purchase_order_id, sku, quantity, created_at, received_at)
    SELECT purchase_order_id, sku, quantity, created_at, received_at
      FROM ${rows} AS r(purchase_order_id uuid, sku text, quantity int, created_at timestamptz, received_at timestamptz)
    ON CONFLICT (purchase_order_id) DO UPDATE SET
      created_at = LEAST(purchase_order_timings.created_at, excluded.created_at),
      received_at = LEAST(purchase_order_timings.received_at, excluded.received_at)`,
  );

  // The latest level per SKU in the batch; records of one SKU arrive in order (one partition).
  const levels = new Map<string, Effect<'stock-level'>>();
  for (const effect of ofKind(effects, 'stock-level')) levels.set(effect.sku, effect);
  await upsertRows(
    tx,
    [...levels.values()].map((level) => ({
      sku: level.sku,
      available: level.available,
      reorder_point: level.reorderPoint,
      updated_at: level.at,
    })),
    (rows) => `
    INSERT INTO stock_levels (sku, available, reorder_point, updated_at)
    SELECT sku, available, reorder_point, updated_at
      FROM ${rows} AS r(sku text, available int, reorder_point int, updated_at timestamptz)
    ON CONFLICT (sku) DO UPDATE SET
      available = excluded.available, reorder_point = excluded.reorder_point, updated_at = excluded.updated_at`,
  );

  await upsertRows(
    tx,
    ofKind(effects, 'stock-out').map((stockOut) => ({
      topic: stockOut.topic,
      partition: stockOut.partition,
      offset: stockOut.offset,
      sku: stockOut.sku,
      occurred_at: stockOut.at,
    })),
    (rows) => `
    INSERT INTO stock_outs (topic, partition, "offset", sku, occurred_at)
    SELECT topic, partition, "offset", sku, occurred_at
      FROM ${rows} AS r(topic text, partition int, "offset" bigint, sku text, occurred_at timestamptz)
    ON CONFLICT DO NOTHING`,
  );
}
