import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { ContractError } from './contract-error.ts';
import { anyEnvelopeSchema, type EventMetadata } from './envelope.ts';
import type { EventOf, EventOfType, EventTopic, EventTypeOf } from './topic.ts';

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/**
 * Builds a validated event for a topic. Validation on the way out means a producer bug surfaces in the
 * producer's own request, not as poison in every consumer.
 */
export function createEvent<T extends EventTopic, Type extends EventTypeOf<T>>(
  topic: T,
  type: Type,
  data: EventOfType<T, Type>['data'],
  metadata: EventMetadata,
): EventOfType<T, Type> {
  const schema = topic.events.find((candidate) => candidate.shape.type.value === type);
  if (!schema) {
    throw new ContractError('EVENT_TYPE_UNKNOWN', `topic ${topic.name} carries no ${type} events`);
  }
  const candidate = {
    id: metadata.id ?? randomUUID(),
    type,
    version: schema.shape.version.value,
    occurredAt: (metadata.occurredAt ?? new Date()).toISOString(),
    source: metadata.source,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId ?? null,
    data,
  };
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    throw new ContractError(
      'EVENT_PAYLOAD_INVALID',
      `invalid ${type} event for ${topic.name}`,
      describeIssues(parsed.error),
    );
  }
  return parsed.data as EventOfType<T, Type>;
}

/**
 * Reads an event from a record value. Unknown payload fields are dropped rather than rejected, so a
 * producer can add fields without breaking older consumers; a missing or wrong field is an error.
 */
export function decodeEvent<T extends EventTopic>(
  topic: T,
  value: Buffer | string | null,
): EventOf<T> {
  if (value === null) {
    throw new ContractError('EVENT_NOT_JSON', `a record on ${topic.name} has no value`);
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    throw new ContractError(
      'EVENT_NOT_JSON',
      `a record on ${topic.name} is not JSON (${(error as Error).message})`,
    );
  }
  const envelope = anyEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw new ContractError(
      'EVENT_ENVELOPE_INVALID',
      `a record on ${topic.name} has no valid event envelope`,
      describeIssues(envelope.error),
    );
  }
  const { type, version } = envelope.data;
  const schema = topic.events.find(
    (candidate) => candidate.shape.type.value === type && candidate.shape.version.value === version,
  );
  if (!schema) {
    throw new ContractError(
      'EVENT_TYPE_UNKNOWN',
      `${topic.name} carries no ${type} v${version} events (known: ${topic.events
        .map((candidate) => `${candidate.shape.type.value} v${candidate.shape.version.value}`)
        .join(', ')})`,
    );
  }
  const event = schema.safeParse(json);
  if (!event.success) {
    throw new ContractError(
      'EVENT_PAYLOAD_INVALID',
      `invalid ${type} v${version} event on ${topic.name}`,
      describeIssues(event.error),
    );
  }
  return event.data as EventOf<T>;
}

export function encodeEvent(event: { type: string }): Buffer {
  return Buffer.from(JSON.stringify(event), 'utf8');
}

/** The record key of an event: the registry's key field, read from the payload. */
export function keyOf<T extends EventTopic>(topic: T, event: EventOf<T>): string {
  const data = event.data as Record<string, unknown>;
  const key = data[topic.key];
  if (typeof key !== 'string' || key.length === 0) {
    throw new ContractError(
      'EVENT_PAYLOAD_INVALID',
      `${event.type} on ${topic.name} has no ${topic.key} to key the record by`,
    );
  }
  return key;
}
