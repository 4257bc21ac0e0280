/**
 * Regenerates `src/protocol/generated/` from Apache Kafka's JSON message definitions.
 *
 *   node libs/streaming/broker/scripts/generate-protocol.ts [SPEC_DIR] [OUT_DIR]
 *
 * SPEC_DIR defaults to $KAFKA_PROTOCOL_DIR, then to `<repo>/../shared/kafka-protocol/message`.
 * OUT_DIR defaults to the library's `src/protocol/generated`. Files in OUT_DIR that the generator
 * no longer produces are removed, so the folder always mirrors the spec exactly.
 *
 * The definitions must be the ones `src/protocol/codegen/kafka-definitions.ts` pins (Kafka commit and
 * digest): the generated files name that commit, so a different copy is refused rather than
 * silently recorded under the wrong name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProtocolFiles } from '../src/protocol/codegen/emit.ts';
import { KAFKA_DEFINITIONS, definitionsDigest } from '../src/protocol/codegen/kafka-definitions.ts';
import { loadSpecDir } from '../src/protocol/codegen/spec.ts';

const libDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(libDir, '../../..');

export const DEFAULT_SPEC_DIR = path.resolve(repoDir, '../shared/kafka-protocol/message');
export const DEFAULT_OUT_DIR = path.join(libDir, 'src/protocol/generated');

export function resolveSpecDir(arg?: string): string {
  return path.resolve(arg || process.env['KAFKA_PROTOCOL_DIR'] || DEFAULT_SPEC_DIR);
}

/** Writes the generated files into `outDir`; returns the names written. */
export function generateInto(specDir: string, outDir: string): string[] {
  const digest = definitionsDigest(specDir);
  if (digest !== KAFKA_DEFINITIONS.sha256) {
    throw new Error(
      `${specDir} is not Kafka commit ${KAFKA_DEFINITIONS.commit}'s definitions ` +
        `(sha256 ${digest}, pinned ${KAFKA_DEFINITIONS.sha256}). If you updated them on purpose, ` +
        'set commit, date and sha256 in src/protocol/codegen/kafka-definitions.ts and regenerate.',
    );
  }
  const files = generateProtocolFiles(loadSpecDir(specDir), KAFKA_DEFINITIONS);
  fs.mkdirSync(outDir, { recursive: true });
  for (const existing of fs.readdirSync(outDir)) {
    if (!files.has(existing) && /\.(ts|json)$/.test(existing))
      fs.rmSync(path.join(outDir, existing));
  }
  for (const [name, content] of files) {
    const target = path.join(outDir, name);
    // Leave unchanged files untouched so watchers and mtimes stay quiet.
    if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === content) continue;
    fs.writeFileSync(target, content);
  }
  return [...files.keys()];
}

function main(): void {
  const specDir = resolveSpecDir(process.argv[2]);
  const outDir = path.resolve(process.argv[3] || DEFAULT_OUT_DIR);
  if (!fs.existsSync(specDir)) {
    process.stderr.write(
      `spec dir not found: ${specDir} (pass it as argv[2] or KAFKA_PROTOCOL_DIR)\n`,
    );
    process.exit(2);
  }
  let names: string[];
  try {
    names = generateInto(specDir, outDir);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  process.stdout.write(
    `generated ${names.length} files into ${path.relative(process.cwd(), outDir) || '.'} ` +
      `from Kafka commit ${KAFKA_DEFINITIONS.commit}\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
