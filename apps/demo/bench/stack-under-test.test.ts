import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@retail-streams/demo-stack';
import { npmStartArgs, processesNaming, readStartScript } from './stack-under-test.ts';

describe("the bench's npm start", () => {
  it('runs the start script with its node flags, from the repository root', () => {
    expect(npmStartArgs('node --max-semi-space-size=16 apps/demo/src/start.ts')).toEqual([
      '--max-semi-space-size=16',
      join(repoRoot, 'apps/demo/src/start.ts'),
    ]);
    expect(npmStartArgs('node apps/demo/src/start.ts')).toEqual([
      join(repoRoot, 'apps/demo/src/start.ts'),
    ]);
  });

  it("can run this repository's own start script", () => {
    expect(npmStartArgs(readStartScript()).at(-1)).toBe(join(repoRoot, 'apps/demo/src/start.ts'));
  });

  it('refuses a start script it could not reproduce', () => {
    for (const script of ['nx run demo:start', 'node', 'node a.ts && node b.ts', '']) {
      expect(() => npmStartArgs(script), script).toThrow(/not a plain `node \[flags\] <entry>`/);
    }
  });
});

describe('processes left behind by a stack', () => {
  it('are found by the data dir in their command line or environment, and nothing else is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-leftovers-'));
    const idle = ['-e', "process.stdout.write('up'); setInterval(() => {}, 1000)"];
    const byEnv = spawn(process.execPath, idle, {
      env: { ...process.env, ACCESS_LOG_FILE: join(dir, 'x.log') },
    });
    const byArg = spawn(process.execPath, [...idle, '--', '--log-dir', join(dir, 'broker')]);
    const other = spawn(process.execPath, idle);
    try {
      await Promise.all([byEnv, byArg, other].map((child) => once(child.stdout!, 'data')));
      const found = processesNaming(dir);
      expect(found).toEqual(expect.arrayContaining([byEnv.pid, byArg.pid]));
      expect(found).not.toContain(other.pid);
      expect(found).not.toContain(process.pid);
    } finally {
      for (const child of [byEnv, byArg, other]) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
