import { CliError } from '../errors.ts';

interface KafkaJsLike {
  name?: string;
  type?: string;
  message?: string;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
  retriable?: boolean;
}

/** The Kafka error type (UNKNOWN_TOPIC_OR_PARTITION...) anywhere in a kafkajs error chain. */
export function kafkaErrorType(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift() as KafkaJsLike | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (typeof e.type === 'string') return e.type;
    queue.push(e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : []));
  }
  return undefined;
}

function isConnectionError(err: unknown): boolean {
  const seen = new Set<unknown>();
  let e = err as KafkaJsLike | undefined;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError')
      return true;
    e = (e.cause ?? e.originalError) as KafkaJsLike | undefined;
  }
  return false;
}

/**
 * Turns what kafkajs throws into a CliError with a message a person can act on. `topic` names the
 * topic the command was about, for "unknown topic" messages.
 */
export function translateKafkaError(err: unknown, bootstrap: string, topic?: string): CliError {
  if (err instanceof CliError) return err;
  const type = kafkaErrorType(err);
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'UNKNOWN_TOPIC_ID') {
    return new CliError('UNKNOWN_TOPIC', topic ? `unknown topic ${topic}` : 'unknown topic');
  }
  if (type === 'TOPIC_ALREADY_EXISTS') {
    return new CliError('TOPIC_EXISTS', `topic ${topic ?? ''} already exists`.replace('  ', ' '));
  }
  if (isConnectionError(err)) {
    return new CliError('BROKER_UNREACHABLE', `cannot reach the broker at ${bootstrap}`);
  }
  const message = (err as Error)?.message ?? String(err);
  return new CliError('KAFKA_ERROR', type ? `${message} [${type}]` : message);
}
