import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseProperties } from './config/index.ts';

const META_FILE = 'meta.properties';

/**
 * The cluster id clients see in Metadata. It must survive restarts (clients and tools notice a changing
 * id), so it lives in `meta.properties` in the log dir, as Kafka keeps it. Format: 22-char base64url
 * of 16 random bytes, like Kafka's.
 */
export function loadOrCreateClusterId(logDir: string, nodeId: number): string {
  const file = path.join(logDir, META_FILE);
  if (fs.existsSync(file)) {
    const existing = parseProperties(fs.readFileSync(file, 'utf8')).get('cluster.id');
    if (existing) return existing;
  }
  const id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
  const tmp = `${file}.tmp`;
  fs.writeFileSync(
    tmp,
    `#Written by retail-streams broker\nversion=1\ncluster.id=${id}\nnode.id=${nodeId}\n`,
  );
  fs.renameSync(tmp, file);
  return id;
}
