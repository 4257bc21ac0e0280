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
  if (
    type === 'SASL_AUTHENTICATION_FAILED' ||
    (err as KafkaJsLike)?.name === 'KafkaJSSASLAuthenticationError'
  ) {
    return new CliError(
      'AUTHENTICATION_FAILED',
      `authentication failed at ${bootstrap}: ${(err as Error).message} (check sasl.mechanism and sasl.jaas.config in --command-config)`,
    );
  }
  if (type?.endsWith('_AUTHORIZATION_FAILED')) {
    return new CliError(
      'NOT_AUTHORIZED',
      `not authorized: ${type}${topic ? ` (topic ${topic})` : ''}; an ACL must allow this principal (streaming acls --list)`,
    );
  }
  if (isConnectionError(err)) {
    // The TCP probe got through before the client started: the Kafka conversation itself failed.
    return new CliError(
      'BROKER_UNREACHABLE',
      `cannot reach the broker at ${bootstrap} (it accepts connections: if it needs TLS or SASL, give --command-config)`,
    );
  }
  if (/Failed to find group coordinator/.test((err as Error)?.message ?? '')) {
    return new CliError(
      'KAFKA_ERROR',
      'cannot find the group coordinator: on a broker with ACLs the principal needs READ on the group ' +
        '(a consume without --group uses a temporary group named streaming-cli-tmp-…)',
    );
  }
  // kafkajs groups per-topic failures ("Topic creation errors"): the inner messages say what failed.
  const inner = (err as KafkaJsLike)?.errors
    ?.map((e) => (e as KafkaJsLike)?.message)
    .filter((m): m is string => typeof m === 'string');
  const message =
    inner && inner.length > 0 ? inner.join('; ') : ((err as Error)?.message ?? String(err));
  return new CliError('KAFKA_ERROR', type ? `${message} [${type}]` : message);
}
