import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDir } from './dir-lock.ts';
import { StorageError } from './errors.ts';
import { classifyProcess, processState, type ProcessState } from './process-state.ts';

let dir: string;
const parents: ChildProcess[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dir-lock-'));
});
afterEach(async () => {
  for (const parent of parents.splice(0)) {
    if (parent.exitCode !== null || parent.signalCode !== null) continue;
    const exited = once(parent, 'exit');
    parent.kill('SIGKILL');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A real zombie: `sh` starts `sleep`, prints its pid and execs into a process that never reaps it,
 * so once the sleep is killed it stays a zombie, as a `kill -9`ed broker does until PID 1 reaps it.
 */
async function zombie(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 600 & echo $!; exec sleep 600'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  parents.push(parent);
  const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
  const pid = Number(line.toString().trim());
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 200 && processState(pid) !== 'zombie'; i++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  return pid;
}

function writeLock(pid: number): void {
  fs.writeFileSync(path.join(dir, LOCK_FILE), `${pid}\n`);
}

describe('lockDir', () => {
  it('takes over a lock whose owner is a zombie (killed, not yet reaped)', async () => {
    const pid = await zombie();
    expect(processState(pid)).toBe('zombie');
    // kill(pid, 0) still says the zombie exists: that alone used to refuse the directory.
    expect(() => process.kill(pid, 0)).not.toThrow();
    writeLock(pid);
    const lock = await lockDir(dir);
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('refuses at once, naming the owner, when the owner is really alive', async () => {
    const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
    parents.push(owner);
    writeLock(owner.pid!);
    const started = Date.now();
    const err = await lockDir(dir, { exitWaitMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toBe(
      `log directory ${dir} is locked by process ${owner.pid}; is another broker running on it? ` +
        `(lock file ${path.join(dir, LOCK_FILE)})`,
    );
    // An alive owner is not waited for: the exit wait is only for owners already being torn down.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  // A process caught between SIGKILL and zombie cannot be staged on demand (the kernel tears it down
  // in microseconds to milliseconds), so these two replace only the /proc reading.
  it('waits for an owner that is exiting and takes the lock once it is dead', async () => {
    const states: ProcessState[] = ['exiting', 'exiting', 'exiting', 'zombie'];
    writeLock(424242);
    const lock = await lockDir(dir, { processState: () => states.shift() ?? 'gone' });
    expect(states).toEqual([]);
    lock.release();
  });

  it('gives up on an exiting owner after the bound, saying so', async () => {
    writeLock(424242);
    const err = await lockDir(dir, { exitWaitMs: 100, processState: () => 'exiting' }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(
      /locked by process 424242, which is exiting but still not gone after 100 ms/,
    );
  });
});

describe('classifyProcess', () => {
  const stat = (state: string, flags: number) =>
    `1234 (node (broker) x) ${state} 1 1234 1234 0 -1 ${flags} 0 0 0 0 1 2 0 0 20 0 11`;
  const status = (shdPnd: string) => `Name:\tnode\nSigPnd:\t0000000000000000\nShdPnd:\t${shdPnd}\n`;

  const none = '0000000000000000';
  it.each([
    { name: 'a sleeping process', stat: stat('S', 0x400000), status: status(none), is: 'alive' },
    { name: 'a running process', stat: stat('R', 0x400040), status: status(none), is: 'alive' },
    { name: 'a zombie', stat: stat('Z', 0x400004), status: '', is: 'zombie' },
    { name: 'a dead task', stat: stat('X', 0), status: '', is: 'zombie' },
    { name: 'a task in do_exit', stat: stat('D', 0x400104), status: status(none), is: 'exiting' },
    {
      name: 'a process with SIGKILL pending',
      stat: stat('S', 0x400000),
      status: status('0000000000000100'),
      is: 'exiting',
    },
    {
      name: 'a process with SIGTERM pending',
      stat: stat('S', 0x400000),
      status: status('0000000000004000'),
      is: 'alive',
    },
  ])('$name is $is', (example) => {
    expect(classifyProcess(example.stat, example.status)).toBe(example.is);
  });

  it('reads this process as alive and an unused pid as gone', () => {
    expect(processState(process.pid)).toBe('alive');
    expect(processState(2 ** 22 + 17)).toBe('gone');
  });
});
