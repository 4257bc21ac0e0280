import { describe, expect, it } from 'vitest';
import { StorageError } from '../storage/index.ts';
import {
  ErrorCode,
  KAFKA_ERRORS,
  KafkaError,
  defaultMessage,
  errorInfo,
  errorName,
  isRetriable,
  toKafkaError,
} from './index.ts';

describe('the Kafka error table', () => {
  const rows = Object.entries(KAFKA_ERRORS);

  it('gives every code one name, and codes run from -1 to the last one without gaps', () => {
    const codes = rows.map(([, r]) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort((a, b) => a - b)).toEqual(
      Array.from({ length: codes.length }, (_, i) => i - 1),
    );
  });

  it('derives ErrorCode from the rows', () => {
    for (const [name, row] of rows)
      expect(ErrorCode[name as keyof typeof ErrorCode]).toBe(row.code);
    expect(ErrorCode.INVALID_REPLICA_ASSIGNMENT).toBe(39);
  });

  it('has a default message for every error, none for NONE', () => {
    for (const [name, row] of rows) {
      if (name === 'NONE') expect(row.message).toBe('');
      else expect(row.message, name).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('answers look-ups by code, including codes it does not know', () => {
    expect(errorInfo(3)).toMatchObject({ name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    expect(errorName(9999)).toBe('UNKNOWN_ERROR_CODE_9999');
    expect(isRetriable(9999)).toBe(false);
    expect(defaultMessage(9999)).toBe('error code 9999');
  });

  it('marks as retriable exactly the codes Kafka clients retry', () => {
    const retriable = rows.filter(([, r]) => r.retriable).map(([name]) => name);
    expect(retriable).toEqual([
      'CORRUPT_MESSAGE',
      'UNKNOWN_TOPIC_OR_PARTITION',
      'LEADER_NOT_AVAILABLE',
      'NOT_LEADER_OR_FOLLOWER',
      'REQUEST_TIMED_OUT',
      'REPLICA_NOT_AVAILABLE',
      'NETWORK_EXCEPTION',
      'COORDINATOR_LOAD_IN_PROGRESS',
      'COORDINATOR_NOT_AVAILABLE',
      'NOT_COORDINATOR',
      'NOT_ENOUGH_REPLICAS',
      'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
      'NOT_CONTROLLER',
      'CONCURRENT_TRANSACTIONS',
      'KAFKA_STORAGE_ERROR',
      'FETCH_SESSION_ID_NOT_FOUND',
      'INVALID_FETCH_SESSION_EPOCH',
      'LISTENER_NOT_FOUND',
      'FENCED_LEADER_EPOCH',
      'UNKNOWN_LEADER_EPOCH',
      'OFFSET_NOT_AVAILABLE',
      'PREFERRED_LEADER_NOT_AVAILABLE',
      'ELIGIBLE_LEADERS_NOT_AVAILABLE',
      'UNSTABLE_OFFSET_COMMIT',
      'THROTTLING_QUOTA_EXCEEDED',
      'UNKNOWN_TOPIC_ID',
      'INCONSISTENT_TOPIC_ID',
      'FETCH_SESSION_TOPIC_ID_ERROR',
    ]);
  });
});

describe('KafkaError', () => {
  it('carries its code, whether to retry, and the default message when given none', () => {
    const err = new KafkaError(ErrorCode.NOT_COORDINATOR);
    expect(err.message).toBe(KAFKA_ERRORS.NOT_COORDINATOR.message);
    expect(err.retriable).toBe(true);
    expect(new KafkaError(ErrorCode.INVALID_CONFIG, 'bad').retriable).toBe(false);
  });

  it('is what every layer throws, so one conversion serves all of them', () => {
    expect(toKafkaError(new StorageError(ErrorCode.CORRUPT_MESSAGE, 'crc'))).toEqual({
      code: 2,
      message: 'crc',
    });
    expect(toKafkaError(new KafkaError(ErrorCode.INVALID_REQUEST, 'x'))).toEqual({
      code: 42,
      message: 'x',
    });
    expect(toKafkaError(new Error('bug'))).toEqual({ code: -1, message: 'bug' });
    expect(toKafkaError('text')).toEqual({ code: -1, message: 'text' });
  });
});
