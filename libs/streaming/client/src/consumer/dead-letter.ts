import { deadLetterTopicName, headerNames } from '@retail-streams/contracts';
import type { OutgoingRecord } from '../producer/event-producer.ts';
import type { RecordHeaders } from '../tracing/record-tracing.ts';

export interface DeadLetterInput {
  groupId: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: RecordHeaders;
  attempts: number;
  errorCode: string;
  errorMessage: string;
}

/**
 * The record as it was (same key, value and headers, so it can be replayed unchanged) plus headers
 * saying what went wrong, how often it was tried, and where it came from.
 */
export function deadLetterRecord(input: DeadLetterInput): {
  topic: string;
  record: OutgoingRecord;
} {
  const names = headerNames.deadLetter;
  return {
    topic: deadLetterTopicName(input.topic, input.groupId),
    record: {
      key: input.key,
      value: input.value,
      headers: {
        ...input.headers,
        [names.errorCode]: input.errorCode,
        [names.errorMessage]: input.errorMessage.slice(0, 2_000),
        [names.attempts]: String(input.attempts),
        [names.sourceTopic]: input.topic,
        [names.sourcePartition]: String(input.partition),
        [names.sourceOffset]: input.offset,
        [names.groupId]: input.groupId,
        [names.failedAt]: new Date().toISOString(),
      },
    },
  };
}
