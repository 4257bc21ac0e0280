/** Kafka's topic-name rules, so names are safe as directory names and legal for every client. */
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';

export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Throws StorageError INVALID_TOPIC_EXCEPTION (17) when `name` is not a legal topic name. */
export function validateTopicName(name: string): void {
  const fail = (why: string): never => {
    throw new StorageError(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Invalid topic name "${name}": ${why}`,
    );
  };
  if (typeof name !== 'string' || name.length === 0) fail('the name is empty');
  if (name === '.' || name === '..') fail('"." and ".." are not allowed');
  if (name.length > MAX_TOPIC_NAME_LENGTH) fail(`longer than ${MAX_TOPIC_NAME_LENGTH} characters`);
  if (!LEGAL.test(name)) fail('only ASCII letters, digits, ".", "_" and "-" are allowed');
}

/**
 * Kafka forbids topics that differ only by "." vs "_" because they collide in
 * metric names; existing clients and tooling assume that rule.
 */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}
