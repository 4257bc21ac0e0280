import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Which of Apache Kafka's message definitions the committed codecs are generated from. The
 * definitions themselves live outside the repository (`../shared/kafka-protocol/message`, a copy of
 * Kafka's `clients/src/main/resources/common/message`); the digest lets the generator refuse a
 * different copy, and lets a reader check a copy against the commit named here.
 *
 * To move to newer definitions: copy them from Kafka's repository at the new commit, run the
 * generator once (it prints the new digest when it refuses), update commit, date and sha256 here,
 * regenerate, and review the codec changes.
 */
export const KAFKA_DEFINITIONS = {
  repository: 'https://github.com/apache/kafka',
  path: 'clients/src/main/resources/common/message',
  commit: '1eb7644349cb',
  date: '2024-10-25',
  /** sha256 over the sorted `*.json` files: each file's name, a NUL, its bytes, a NUL. */
  sha256: '1fc73786c5c9765117854656a347bf1f93e0490b0259809262aa5a25beadafe5',
} as const;

export type DefinitionsSource = Pick<typeof KAFKA_DEFINITIONS, 'commit' | 'sha256'>;

/** The digest of a directory of definitions, computed as `KAFKA_DEFINITIONS.sha256` describes. */
export function definitionsDigest(dir: string): string {
  const hash = crypto.createHash('sha256');
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    hash.update(name);
    hash.update('\0');
    hash.update(fs.readFileSync(path.join(dir, name)));
    hash.update('\0');
  }
  return hash.digest('hex');
}
