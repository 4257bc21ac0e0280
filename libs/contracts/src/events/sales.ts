import { z } from 'zod';
import { envelopeOf } from '../envelope.ts';

export const sku = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'a SKU is 2-32 upper-case letters, digits or dashes');

export const orderLine = z.object({
  sku,
  quantity: z.number().int().positive().max(10_000),
});

/** How the order was placed: through the event path or the synchronous HTTP path. */
export const orderMode = z.enum(['async', 'sync']);

export const orderPlaced = envelopeOf(
  'OrderPlaced',
  1,
  z.object({
    orderId: z.uuid(),
    customerId: z.string().min(1).max(100),
    lines: z.array(orderLine).min(1).max(100),
    mode: orderMode,
  }),
);

export type OrderPlaced = z.infer<typeof orderPlaced>;
