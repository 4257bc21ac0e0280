/**
 * The file sink connector: appends each record's value, as one line, to a file (Kafka's
 * FileStreamSink). It reads as a consumer group (default `connect-file-sink-<name>`), starting at the
 * earliest record the first time, as sink connectors do. A record's line is written to the file
 * (synchronously, so it is in the OS before the offset is resolved) before its offset is committed:
 * at-least-once, so a crash between the write and the commit can repeat the last lines of a batch.
 */
import fs from 'node:fs';
import type { Client } from '../kafka/client.ts';
import { readTopic } from '../kafka/topic-reader.ts';
import type { ReadResult } from '../kafka/topic-reader.ts';

export interface FileSinkOptions {
  client: Client;
  topic: string;
  file: string;
  groupId: string;
  signal: AbortSignal;
  maxMessages?: number;
  /** Stop at these log ends (exclusive), e.g. to copy what exists and exit. */
  startAt?: ReadonlyMap<number, bigint>;
  endAt?: ReadonlyMap<number, bigint>;
  onWritten?: (total: number) => void;
  /** The line for a record value (a Connect converter); default: the value as UTF-8 text. */
  toLine?: (value: Buffer | null) => string;
}

export async function runFileSink(o: FileSinkOptions): Promise<ReadResult> {
  const fd = fs.openSync(o.file, 'a');
  let written = 0;
  try {
    return await readTopic({
      client: o.client,
      topic: o.topic,
      groupId: o.groupId,
      commit: true,
      fromBeginning: true,
      signal: o.signal,
      maxMessages: o.maxMessages,
      startAt: o.startAt,
      endAt: o.endAt,
      onRecord: (r) => {
        const value = r.value ?? null;
        const text = o.toLine ? o.toLine(value) : value === null ? '' : value.toString('utf8');
        fs.writeSync(fd, `${text}\n`);
        written += 1;
        o.onWritten?.(written);
      },
    });
  } finally {
    fs.closeSync(fd);
  }
}
