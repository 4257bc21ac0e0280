import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortBlock, processGroupAlive, signalGroup } from '@retail-streams/demo-stack';
import type { RecordedProcess } from '@retail-streams/demo-stack';

const INFRA = new URL('../infra.ts', import.meta.url).pathname;

interface Orchestrator {
  child: ChildProcess;
  dataDir: string;
  output: () => string;
  /** The processes it started (postgres, broker), from its pid file. */
  children: () => RecordedProcess[];
}

const started: Orchestrator[] = [];
afterEach(() => {
  for (const o of started.splice(0)) {
    for (const c of readPids(o.dataDir)) signalGroup(c.pid, 'SIGKILL');
    if (o.child.exitCode === null && o.child.signalCode === null) o.child.kill('SIGKILL');
    rmSync(o.dataDir, { recursive: true, force: true });
  }
});

function readPids(dataDir: string): RecordedProcess[] {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'run', 'pids.json'), 'utf8')) as RecordedProcess[];
  } catch {
    return [];
  }
}

/**
 * `npm run infra` (the same orchestrator as `npm start`, with PostgreSQL and the broker only), in a
 * process group of its own as a terminal's foreground job is, with its stdout on a pipe this test
 * reads, as `| tee` would.
 */
async function startOrchestrator(): Promise<Orchestrator> {
  const dataDir = mkdtempSync(join(tmpdir(), 'demo-lifetime-'));
  const base = await freePortBlock();
  const child = spawn(
    process.execPath,
    [INFRA, '--base-port', String(base), '--data-dir', dataDir],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const orchestrator = { child, dataDir, output: () => output, children: () => readPids(dataDir) };
  started.push(orchestrator);
  // Well inside the test's own timeout, so that a slow start fails with what the orchestrator said.
  await until(
    'the infrastructure to be ready',
    () => output.includes('infrastructure ready'),
    30_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${output.slice(-2000)}`);
  });
  expect(orchestrator.children().map((c) => c.name)).toEqual(['broker', 'postgres']);
  return orchestrator;
}

async function until(what: string, probe: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The orchestrator's exit code and signal, or a failure with what it last printed when it has not
 * exited within 20 s (well inside the test's timeout, which would say nothing).
 */
async function exitOf(o: Orchestrator): Promise<{ code: number | null; signal: string | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`the orchestrator did not exit within 20 s\n${o.output().slice(-2000)}`)),
      20_000,
    );
  });
  try {
    const [code, signal] = (await Promise.race([once(o.child, 'exit'), timeout])) as [
      number | null,
      string | null,
    ];
    return { code, signal };
  } finally {
    clearTimeout(timer);
  }
}

/** Every child, and every process of its group (PostgreSQL's backends), is gone. */
async function childrenGone(o: Orchestrator, children: RecordedProcess[]): Promise<void> {
  await until(
    `${children.map((c) => c.name).join(' and ')} to exit`,
    () => children.every((c) => !processGroupAlive(c.pid)),
    20_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${o.output().slice(-2000)}`);
  });
}

describe('the stack never outlives its terminal', () => {
  it('stops everything when the terminal closes (SIGHUP)', async () => {
    const o = await startOrchestrator();
    const children = o.children();
    process.kill(o.child.pid!, 'SIGHUP');
    const { code } = await exitOf(o);
    expect(code).toBe(0);
    await childrenGone(o, children);
    expect(o.output()).toContain('all processes stopped');
  });

  it('stops everything on Ctrl-C when its output was piped to a reader that is gone (| tee)', async () => {
    const o = await startOrchestrator();
    const children = o.children();
    // Ctrl-C reaches `tee` too, which exits first: the orchestrator's next write fails with EPIPE.
    o.child.stdout!.destroy();
    o.child.stderr!.destroy();
    process.kill(o.child.pid!, 'SIGINT');
    expect(await exitOf(o)).toEqual({ code: 0, signal: null });
    await childrenGone(o, children);
  });

  it('stops everything when its output breaks, even without a signal (EPIPE)', async () => {
    const o = await startOrchestrator();
    const children = o.children();
    o.child.stdout!.destroy();
    o.child.stderr!.destroy();
    // Anything the children print now goes to the orchestrator's stdout: a checkpoint request makes
    // PostgreSQL log a line, whose write fails with EPIPE.
    const postgres = children.find((c) => c.name === 'postgres')!;
    process.kill(postgres.pid, 'SIGHUP');
    const { code } = await exitOf(o);
    expect(code).toBe(0);
    await childrenGone(o, children);
  });

  it('has its children exit on their own when it is killed with -9', async () => {
    const o = await startOrchestrator();
    const children = o.children();
    process.kill(o.child.pid!, 'SIGKILL');
    await exitOf(o);
    await childrenGone(o, children);
  });
});
