import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseEnvironment } from './select-environment.ts';
import { probeDocker } from './docker-engine.ts';

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** An environment in which no `docker` client and no Docker socket can be found. */
function withoutDocker(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const emptyBin = tempDir('e2e-no-docker-');
  return { PATH: emptyBin, ...extra };
}

describe('chooseEnvironment', () => {
  it('runs the embedded stack when E2E_BACKEND is not set', async () => {
    const choice = await chooseEnvironment({});
    expect(choice.backend).toBe('embedded');
    expect(choice.environment?.backend).toBe('embedded');
    expect(choice.skipReason).toBeNull();
  });

  it('refuses an unknown backend with a code', async () => {
    await expect(chooseEnvironment({ E2E_BACKEND: 'kubernetes' })).rejects.toMatchObject({
      code: 'BAD_BACKEND',
    });
  });

  it('skips the containers backend under CI=true, saying CI has no Docker engine', async () => {
    const choice = await chooseEnvironment({ E2E_BACKEND: 'containers', CI: 'true' });
    expect(choice.environment).toBeNull();
    expect(choice.skipReason).toMatch(/CI machines have no Docker engine/);
  });

  it('skips the containers backend when no Docker engine can be reached', async () => {
    const choice = await chooseEnvironment(withoutDocker({ E2E_BACKEND: 'containers' }));
    if (choice.environment !== null) return; // this machine has /var/run/docker.sock after all
    expect(choice.skipReason).toMatch(/E2E_BACKEND=containers skipped: .*Docker/);
  });
});

describe('probeDocker', () => {
  it('reports a client without an engine as unavailable, with the client’s complaint', async () => {
    // A `docker` that fails like a client whose daemon is not running.
    const bin = tempDir('e2e-fake-docker-');
    writeFileSync(
      join(bin, 'docker'),
      '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" >&2\nexit 1\n',
    );
    chmodSync(join(bin, 'docker'), 0o755);
    const probe = await probeDocker({ PATH: bin });
    expect(probe.available).toBe(false);
    expect(probe.reason).toMatch(/Cannot connect to the Docker daemon/);
  });
});
