import { z } from 'zod';
import { orderLine, sku } from '../events/sales.ts';

/**
 * The one synchronous call between services: sales' `?mode=sync` path asks inventory to reserve an
 * order's lines over HTTP (`POST /reservations`) and waits for the answer. It exists to be contrasted
 * with the event path, so it is a contract like the events are. The call is idempotent per orderId:
 * asking again for the same order returns the first answer and reserves nothing more.
 */
export const reservationRequest = z.object({
  orderId: z.uuid(),
  lines: z.array(orderLine).min(1).max(100),
});
export type ReservationRequest = z.infer<typeof reservationRequest>;

export const reservationResponse = z.discriminatedUnion('status', [
  z.object({
    orderId: z.uuid(),
    status: z.literal('CONFIRMED'),
    lines: z.array(z.object({ sku, quantity: z.number().int().positive(), unitPrice: z.number() })),
    totalAmount: z.number(),
  }),
  z.object({
    orderId: z.uuid(),
    status: z.literal('REJECTED'),
    reason: z.enum(['INSUFFICIENT_STOCK', 'UNKNOWN_SKU']),
    detail: z.string(),
  }),
]);
export type ReservationResponse = z.infer<typeof reservationResponse>;

/** The order states sales exposes; async orders start PENDING, sync orders are final at once. */
export const orderStatus = z.enum(['PENDING', 'CONFIRMED', 'REJECTED']);
export type OrderStatus = z.infer<typeof orderStatus>;
