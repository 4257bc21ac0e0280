import type { z } from 'zod';
import type { anyEnvelopeSchema } from './envelope.ts';

/** A versioned event schema: an envelope whose `type` and `version` are literals. */
export type EventSchema = z.ZodObject<{
  type: z.ZodLiteral<string>;
  version: z.ZodLiteral<number>;
  data: z.ZodObject;
}>;

export type CleanupPolicy = 'delete' | 'compact';

/**
 * Who touches topics: the four services, and `connect`, the file source connector that ships the
 * services' access logs. Each is one principal on a secured broker (`User:<participant>`).
 */
export const PARTICIPANTS = ['sales', 'inventory', 'reordering', 'analytics', 'connect'] as const;
export type Participant = (typeof PARTICIPANTS)[number];

interface TopicSettings {
  /** The Kafka topic name. */
  name: string;
  /** Who writes the topic. On a secured broker nobody else may. */
  producers: readonly Participant[];
  /** Who reads the topic, each under its own consumer group. On a secured broker nobody else may. */
  consumers: readonly Participant[];
  /** What the topic is for: shown by the CLI and the docs. */
  description: string;
  partitions: number;
  cleanupPolicy: CleanupPolicy;
  /** Topic-level config overrides (retention.ms, ...) applied when the topic is provisioned. */
  configs?: Readonly<Record<string, string>>;
}

/** A topic of enveloped events, keyed by one field of the payload (the partitioning key). */
export interface EventTopic<
  Schemas extends readonly EventSchema[] = readonly EventSchema[],
> extends TopicSettings {
  kind: 'events';
  key: string;
  events: Schemas;
}

/** A topic of raw lines, such as log lines shipped by the file source connector. */
export interface RawTopic extends TopicSettings {
  kind: 'raw';
  /** How the producer keys records, for documentation (e.g. "service name"). */
  keyDescription: string;
}

export type TopicDefinition = EventTopic | RawTopic;

/**
 * The union of events a topic carries, typed from its schemas. The envelope fields are restated so
 * that code generic over topics (producers, the outbox) can read them without knowing the topic.
 */
export type EventOf<T extends EventTopic> = z.infer<T['events'][number]> & EnvelopeFields;

type EnvelopeFields = z.infer<typeof anyEnvelopeSchema>;

/** The event type names a topic carries. */
export type EventTypeOf<T extends EventTopic> = EventOf<T>['type'];

/** The event of one type on a topic. */
export type EventOfType<T extends EventTopic, Type extends EventTypeOf<T>> = Extract<
  EventOf<T>,
  { type: Type }
>;

export function defineEventTopic<const Schemas extends readonly EventSchema[]>(
  topic: Omit<EventTopic<Schemas>, 'kind'>,
): EventTopic<Schemas> {
  return { ...topic, kind: 'events' };
}

export function defineRawTopic(topic: Omit<RawTopic, 'kind'>): RawTopic {
  return { ...topic, kind: 'raw' };
}
