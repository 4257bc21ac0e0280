import { createEvent, topics } from '@retail-streams/contracts';

/** Inventory's verdicts as inventory would publish them, for tests that play inventory. */
export function stockReserved(
  orderId: string,
  lines: { sku: string; quantity: number; unitPrice: number }[],
  options: { mode?: 'async' | 'sync'; occurredAt?: Date } = {},
) {
  const total = lines.reduce(
    (sum, line) => sum + Math.round(line.unitPrice * 100) * line.quantity,
    0,
  );
  return createEvent(
    topics.reservationResult,
    'StockReserved',
    { orderId, mode: options.mode ?? 'async', lines, totalAmount: total / 100 },
    { source: 'inventory', correlationId: orderId, occurredAt: options.occurredAt },
  );
}

export function reservationRejected(
  orderId: string,
  line: { sku: string; requested: number; available: number },
  options: { mode?: 'async' | 'sync' } = {},
) {
  return createEvent(
    topics.reservationResult,
    'ReservationRejected',
    {
      orderId,
      mode: options.mode ?? 'async',
      reason: 'INSUFFICIENT_STOCK',
      detail: `${line.sku}: ${line.available} available, ${line.requested} requested`,
      lines: [line],
    },
    { source: 'inventory', correlationId: orderId },
  );
}
