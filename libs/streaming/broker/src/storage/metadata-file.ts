/**
 * Small JSON metadata files of the broker (SCRAM credentials, ACLs) in the log dir: read at start,
 * replaced atomically on every change (a crash leaves the old or the new content, never half).
 */
import fs from 'node:fs';
import { ErrorCode } from '../errors/index.ts';
import { writeFileAtomic } from './checkpoint.ts';
import { StorageError, storageIoError } from './errors.ts';

/** The parsed content, or `empty` when the file does not exist yet. */
export function readMetadataFile<T>(file: string, parse: (data: unknown) => T, empty: T): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    throw storageIoError(`cannot read ${file}`, err);
  }
  try {
    return parse(JSON.parse(text));
  } catch (err) {
    throw new StorageError(
      ErrorCode.KAFKA_STORAGE_ERROR,
      `${file} cannot be read: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

export function writeMetadataFile(file: string, data: unknown, mode?: number): void {
  try {
    writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n', mode);
  } catch (err) {
    throw storageIoError(`cannot write ${file}`, err);
  }
}
