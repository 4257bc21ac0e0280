import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KAFKA_DEFINITIONS } from './codegen/kafka-definitions.ts';
import { kebabCase, parseVersions, stripComments } from './codegen/spec.ts';
import { PROTOCOL_SOURCE } from './generated/index.ts';

const libDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(libDir, 'scripts/generate-protocol.ts');
const committedDir = path.join(libDir, 'src/protocol/generated');
const specDir = path.resolve(
  process.env['KAFKA_PROTOCOL_DIR'] ||
    path.join(libDir, '../../../../shared/kafka-protocol/message'),
);
const haveSpec = fs.existsSync(specDir);

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('the committed generated codecs', () => {
  it(`record the Kafka commit they were generated from (${KAFKA_DEFINITIONS.commit})`, () => {
    expect(PROTOCOL_SOURCE).toEqual({
      commit: KAFKA_DEFINITIONS.commit,
      sha256: KAFKA_DEFINITIONS.sha256,
    });
    for (const name of listFiles(committedDir).filter((f) => f.endsWith('.ts'))) {
      const firstLine = fs.readFileSync(path.join(committedDir, name), 'utf8').split('\n', 1)[0];
      expect(firstLine, name).toContain(`at commit ${KAFKA_DEFINITIONS.commit} (sha256 `);
    }
  });

  if (!haveSpec) {
    // Not an error on a clone without ../shared, but never silent: the drift check did not run.
    const reason =
      `Kafka's message definitions are not at ${specDir}, so the check that the committed codecs ` +
      `match them DID NOT RUN. Put a copy of Kafka ${KAFKA_DEFINITIONS.commit}'s ` +
      `${KAFKA_DEFINITIONS.path} there (or set KAFKA_PROTOCOL_DIR) to run it.`;
    console.warn(`\n${'!'.repeat(100)}\n${reason}\n${'!'.repeat(100)}\n`);
    it.skip(`match the generator output [SKIPPED: ${reason}]`, () => undefined);
    return;
  }

  it('are exactly what the generator produces from the spec (run scripts/generate-protocol.ts)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'protocol-gen-'));
    try {
      execFileSync(process.execPath, [script, specDir, out], { stdio: 'pipe' });
      expect(listFiles(out)).toEqual(listFiles(committedDir));
      for (const name of listFiles(out)) {
        const fresh = fs.readFileSync(path.join(out, name), 'utf8');
        const committed = fs.readFileSync(path.join(committedDir, name), 'utf8');
        expect(fresh === committed, `${name} differs: regenerate and commit`).toBe(true);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses definitions other than the pinned commit, naming both digests', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'protocol-spec-'));
    try {
      fs.cpSync(specDir, copy, { recursive: true });
      const file = path.join(copy, 'HeartbeatRequest.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"0-4"', '"0-5"'));
      const run = spawnSync(process.execPath, [script, copy, path.join(copy, 'out')], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`is not Kafka commit ${KAFKA_DEFINITIONS.commit}'s definitions`);
      expect(run.stderr).toContain(KAFKA_DEFINITIONS.sha256);
      expect(fs.existsSync(path.join(copy, 'out'))).toBe(false);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('removes files the spec no longer produces and is stable across runs', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'protocol-gen-'));
    try {
      fs.writeFileSync(path.join(out, 'stale-api.ts'), 'export {};\n');
      execFileSync(process.execPath, [script, specDir, out], { stdio: 'pipe' });
      expect(fs.existsSync(path.join(out, 'stale-api.ts'))).toBe(false);
      const first = listFiles(out).map((f) => fs.readFileSync(path.join(out, f), 'utf8'));
      execFileSync(process.execPath, [script, specDir, out], { stdio: 'pipe' });
      expect(listFiles(out).map((f) => fs.readFileSync(path.join(out, f), 'utf8'))).toEqual(first);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('spec helpers', () => {
  it('strips // comments but not // inside strings', () => {
    const text =
      '{\n  // a comment\n  "about": "see http://kafka.apache.org", // trailing\n  "x": "a\\"//b"\n}';
    expect(JSON.parse(stripComments(text))).toEqual({
      about: 'see http://kafka.apache.org',
      x: 'a"//b',
    });
  });

  it('parses version specs', () => {
    expect(parseVersions('3+')).toEqual({ lo: 3, hi: Infinity });
    expect(parseVersions('0-7')).toEqual({ lo: 0, hi: 7 });
    expect(parseVersions('5')).toEqual({ lo: 5, hi: 5 });
    expect(parseVersions('none').lo).toBeGreaterThan(parseVersions('none').hi);
  });

  it('names files in kebab case', () => {
    expect(kebabCase('ApiVersions')).toBe('api-versions');
    expect(kebabCase('OffsetForLeaderEpoch')).toBe('offset-for-leader-epoch');
    expect(kebabCase('DescribeAcls')).toBe('describe-acls');
  });
});
