import { z } from 'zod';
import { envelopeOf } from '../envelope.ts';
import { sku } from './sales.ts';

/**
 * Units of one SKU sold in one closed tumbling window of event time. "Sold" means inventory reserved
 * the order's stock (StockReserved): an order that was placed but rejected sold nothing. Analytics
 * publishes exactly one of these per window and SKU, in a Kafka transaction with its input offsets.
 */
export const salesPerMinuteCounted = envelopeOf(
  'SalesPerMinuteCounted',
  1,
  z.object({
    sku,
    /** The window's start (inclusive) and end (exclusive), on StockReserved's `occurredAt`. */
    windowStart: z.iso.datetime({ offset: true }),
    windowEnd: z.iso.datetime({ offset: true }),
    /** Units reserved for the SKU in the window. */
    quantity: z.number().int().positive(),
    /** Reservations (orders) with the SKU in the window. */
    orders: z.number().int().positive(),
  }),
);

export type SalesPerMinuteCounted = z.infer<typeof salesPerMinuteCounted>;
