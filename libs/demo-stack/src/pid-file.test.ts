import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dieWithParent } from './parent-death.ts';
import { PidFile, stopLeftovers } from './pid-file.ts';
import { processAlive, signalGroup } from './process-group.ts';

let dir: string;
const spawned: number[] = [];
afterEach(() => {
  for (const pid of spawned.splice(0)) signalGroup(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function detachedSleep(): number {
  const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
  child.unref();
  spawned.push(child.pid as number);
  return child.pid as number;
}

describe('leftover processes', () => {
  it('stops the recorded processes an earlier orchestrator left running', async () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-pids-'));
    const path = join(dir, 'pids.json');
    const pid = detachedSleep();
    new PidFile(path).record('broker', pid);

    expect(await stopLeftovers(path)).toEqual(['broker']);
    await new Promise((r) => setTimeout(r, 50)); // let the exit be reaped
    expect(processAlive(pid)).toBe(false);
  });

  it('recognises a process by the program it runs, even when spawned through setpriv', async () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-pids-'));
    const path = join(dir, 'pids.json');
    const { command, args } = dieWithParent('sleep', ['600'], 'SIGTERM');
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.unref();
    spawned.push(child.pid as number);
    // Recorded at once, before the exec: /proc would still show the spawner.
    new PidFile(path).record('broker', child.pid as number, ['sleep', '600']);
    await new Promise((r) => setTimeout(r, 200));
    expect(await stopLeftovers(path)).toEqual(['broker']);
  });

  it('leaves alone a recorded pid that now belongs to another program', async () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-pids-'));
    const path = join(dir, 'pids.json');
    const pid = detachedSleep();
    writeFileSync(
      path,
      JSON.stringify([{ name: 'broker', pid, cmdline: 'node\0broker-main.ts\0' }]),
    );

    expect(await stopLeftovers(path)).toEqual([]);
    expect(processAlive(pid)).toBe(true);
  });

  it('does nothing when there is no file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-pids-'));
    expect(await stopLeftovers(join(dir, 'missing.json'))).toEqual([]);
  });
});
