// Writes infra/kafka/acls.sh from the topic registry: `node infra/scripts/write-kafka-acls.ts`.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aclScript } from '../src/kafka/kafka-acls.ts';

const file = join(import.meta.dirname, '..', 'kafka', 'acls.sh');
writeFileSync(file, aclScript());
chmodSync(file, 0o755);
process.stdout.write(`wrote ${file}\n`);
