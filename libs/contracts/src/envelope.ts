import { z } from 'zod';

/**
 * Every event travels in one envelope. The payload schema varies by event type and version; the
 * envelope does not, so consumers can route, deduplicate (by `id`) and correlate (by `correlationId`,
 * the order or purchase order the event belongs to) before they understand the payload.
 * Trace context is not here: it rides in Kafka headers (W3C `traceparent`), like any other transport.
 */
export const envelopeFields = {
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
};

export function envelopeOf<Type extends string, Data extends z.ZodType>(
  type: Type,
  version: number,
  data: Data,
) {
  return z.object({
    ...envelopeFields,
    type: z.literal(type),
    version: z.literal(version),
    data,
  });
}

/** The envelope without its payload: what every consumer can read from any event. */
export const anyEnvelopeSchema = z.object({ ...envelopeFields, data: z.unknown() });
export type AnyEnvelope = z.infer<typeof anyEnvelopeSchema>;

/** Who produced an event and why: the metadata a producer supplies when it creates one. */
export interface EventMetadata {
  source: string;
  correlationId: string;
  causationId?: string | null;
  /** Defaults to a fresh UUID; pass one to make a retried creation idempotent. */
  id?: string;
  /** Defaults to now. */
  occurredAt?: Date;
}
