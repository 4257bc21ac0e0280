import { randomUUID } from 'node:crypto';
import { createEvent, encodeEvent, topics } from '@retail-streams/contracts';
import type { StageRecord } from '@retail-streams/streaming-client';

/** Scripted event times: seconds after 10:00 on a fixed day. */
const T0 = Date.parse('2026-11-20T10:00:00.000Z');
export const second = (s: number) => new Date(T0 + s * 1_000);
export const minuteStart = (m: number) => new Date(T0 + m * 60_000).toISOString();

type Line = { sku: string; quantity: number };

/** A StockReserved event for an order of `lines`, reserved at `when`. */
export function reservedAt(when: Date, lines: Line[], orderId: string = randomUUID()) {
  return createEvent(
    topics.reservationResult,
    'StockReserved',
    {
      orderId,
      mode: 'async',
      lines: lines.map((line) => ({ ...line, unitPrice: 1 })),
      totalAmount: lines.reduce((sum, line) => sum + line.quantity, 0),
    },
    { source: 'inventory', correlationId: orderId, occurredAt: when },
  );
}

export function rejectedAt(when: Date, lines: Line[], orderId: string = randomUUID()) {
  return createEvent(
    topics.reservationResult,
    'ReservationRejected',
    {
      orderId,
      mode: 'async',
      reason: 'INSUFFICIENT_STOCK',
      detail: 'not enough stock',
      lines: lines.map((line) => ({ sku: line.sku, requested: line.quantity, available: 0 })),
    },
    { source: 'inventory', correlationId: orderId, occurredAt: when },
  );
}

/** The record a stage would read for `event` at `partition`/`offset`. */
export function stageRecord(
  event: { type: string },
  partition: number,
  offset: number,
): StageRecord {
  return {
    topic: topics.reservationResult.name,
    partition,
    offset: String(offset),
    key: null,
    value: encodeEvent(event),
  };
}
