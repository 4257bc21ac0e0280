import fs from 'node:fs';
import path from 'node:path';
import { ProcessingError } from '../processing-error.ts';
import type { Checkpoint, StateBackend } from './state-backend.ts';

const FILE_NAME = 'checkpoint.json';

/**
 * Durable state as one JSON file per state directory, replaced atomically: write a temporary file,
 * fsync it, rename it over the old one, fsync the directory. A crash at any point leaves either the old
 * or the new checkpoint, never a mix, and each checkpoint holds the stores together with the input
 * offsets they reflect.
 *
 * Why a snapshot rather than a changelog topic (what Kafka Streams does): the snapshot needs no second
 * log, no compaction and no protocol to keep a changelog and committed offsets in step; one rename does
 * it. Its cost is writing the whole state at each checkpoint, which suits analytics state (a few windows
 * per key, purged once closed) checkpointed every few seconds or thousand records. State that grows to
 * hundreds of megabytes would want a changelog or an embedded database instead.
 */
export function fileCheckpointState(directory: string): StateBackend {
  const file = path.join(directory, FILE_NAME);
  return {
    durable: true,
    load() {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return parseCheckpoint(text, file);
    },
    save(checkpoint) {
      fs.mkdirSync(directory, { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      const handle = fs.openSync(temporary, 'w');
      try {
        fs.writeSync(handle, JSON.stringify(checkpoint));
        fs.fsyncSync(handle);
      } finally {
        fs.closeSync(handle);
      }
      fs.renameSync(temporary, file);
      syncDirectory(directory);
    },
    clear() {
      fs.rmSync(file, { force: true });
      syncDirectory(directory);
    },
  };
}

function parseCheckpoint(text: string, file: string): Checkpoint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ProcessingError('STATE_CORRUPT', `checkpoint ${file} is not valid JSON`, {
      cause: error,
    });
  }
  const candidate = parsed as Partial<Checkpoint> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    candidate.format !== 1 ||
    typeof candidate.topology !== 'string' ||
    typeof candidate.positions !== 'object' ||
    typeof candidate.streamTimes !== 'object' ||
    typeof candidate.closedBefore !== 'object' ||
    typeof candidate.lateCounts !== 'object' ||
    typeof candidate.stores !== 'object'
  ) {
    throw new ProcessingError(
      'STATE_CORRUPT',
      `checkpoint ${file} does not have the expected shape`,
    );
  }
  return candidate as Checkpoint;
}

/** Makes the rename itself durable; some platforms cannot open a directory, and then there is nothing to do. */
function syncDirectory(directory: string): void {
  let handle: number | undefined;
  try {
    handle = fs.openSync(directory, 'r');
    fs.fsyncSync(handle);
  } catch {
    // Not supported here (e.g. Windows): the rename is still atomic, only its durability is weaker.
  } finally {
    if (handle !== undefined) fs.closeSync(handle);
  }
}
