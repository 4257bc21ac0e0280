import { ContractError } from '@retail-streams/contracts';
import { describe, expect, it } from 'vitest';
import { describeFailure, NonRetriableError } from './handler-errors.ts';

describe('classifying a handler failure', () => {
  it('sends records that break their contract straight to the dead-letter topic', () => {
    const failure = describeFailure(new ContractError('EVENT_NOT_JSON', 'not JSON'));
    expect(failure).toEqual({ retriable: false, code: 'EVENT_NOT_JSON', message: 'not JSON' });
  });

  it('does not retry what the handler itself declares permanent', () => {
    const failure = describeFailure(new NonRetriableError('SKU_RETIRED', 'SKU-1 is retired'));
    expect(failure.retriable).toBe(false);
    expect(failure.code).toBe('SKU_RETIRED');
  });

  it('retries anything else, keeping a code when the error has one', () => {
    const timeout = Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' });
    expect(describeFailure(timeout)).toEqual({
      retriable: true,
      code: 'ETIMEDOUT',
      message: 'connect timed out',
    });
    expect(describeFailure('a string').code).toBe('HANDLER_FAILED');
  });
});
