/**
 * Persistence of topic metadata (name, topic id, partition count, config
 * overrides) in `<logDir>/__topics.json`, replaced atomically on every change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './checkpoint.ts';
import { ErrorCode } from '../errors/index.ts';
import { StorageError, storageIoError } from './errors.ts';

export const TOPICS_FILE = '__topics.json';

export interface PersistedTopic {
  name: string;
  topicId: string;
  partitionCount: number;
  overrides: Record<string, string>;
}

interface TopicsFile {
  version: 1;
  topics: PersistedTopic[];
}

export function readTopicsFile(logDir: string): PersistedTopic[] {
  const file = path.join(logDir, TOPICS_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw storageIoError(`cannot read ${file}`, err);
  }
  let parsed: TopicsFile;
  try {
    parsed = JSON.parse(text) as TopicsFile;
  } catch (err) {
    throw new StorageError(
      ErrorCode.KAFKA_STORAGE_ERROR,
      `${file} is not valid JSON: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.topics)) {
    throw new StorageError(ErrorCode.KAFKA_STORAGE_ERROR, `${file} has an unknown format`);
  }
  return parsed.topics;
}

export function writeTopicsFile(logDir: string, topics: readonly PersistedTopic[]): void {
  const body: TopicsFile = { version: 1, topics: [...topics] };
  try {
    writeFileAtomic(path.join(logDir, TOPICS_FILE), JSON.stringify(body, null, 2) + '\n');
  } catch (err) {
    throw storageIoError(`cannot write ${path.join(logDir, TOPICS_FILE)}`, err);
  }
}
