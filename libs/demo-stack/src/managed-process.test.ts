import { describe, expect, it } from 'vitest';
import { DemoError } from './demo-error.ts';
import { ManagedProcess } from './managed-process.ts';
import type { ProcessExit, ProcessSpec } from './managed-process.ts';
import { freePort } from './ports.ts';
import { processAlive, processGroupAlive } from './process-group.ts';

const fakeService = new URL('./test-fixtures/fake-service.ts', import.meta.url).pathname;

async function fakeSpec(
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<ProcessSpec> {
  const port = await freePort();
  return {
    name: 'fake',
    command: process.execPath,
    args: [fakeService],
    env: { ...process.env, PORT: String(port), ...env },
    readiness: { kind: 'http', url: `http://127.0.0.1:${port}/health/ready`, timeoutMs },
    stopTimeoutMs: 2000,
  };
}

function portOf(spec: ProcessSpec): string {
  return spec.env?.PORT as string;
}

describe('ManagedProcess', () => {
  it('resolves start only once the process answers its readiness URL', async () => {
    const spec = await fakeSpec({ FAKE_READY_DELAY_MS: '700' });
    const managed = new ManagedProcess(spec);
    await managed.start();
    expect(managed.state).toBe('running');
    const ready = await fetch(`http://127.0.0.1:${portOf(spec)}/health/ready`);
    expect(ready.status).toBe(200);
    await managed.stop();
  });

  it('hands every output line to its hook, stdout and stderr alike', async () => {
    const lines: string[] = [];
    const managed = new ManagedProcess(
      {
        name: 'echo',
        command: process.execPath,
        args: [
          '-e',
          'console.log("one\\ntwo"); console.error("three"); setTimeout(() => {}, 60000)',
        ],
        readiness: { kind: 'output', pattern: /^three$/, timeoutMs: 10_000 },
      },
      { onLine: (name, line) => lines.push(`${name}:${line}`) },
    );
    await managed.start();
    expect(lines).toEqual(expect.arrayContaining(['echo:one', 'echo:two', 'echo:three']));
    await managed.stop();
  });

  it('stops the whole process group: no grandchild survives', async () => {
    const lines: string[] = [];
    const managed = new ManagedProcess(await fakeSpec({ FAKE_GRANDCHILD: '1' }), {
      onLine: (_name, line) => lines.push(line),
    });
    await managed.start();
    const pid = managed.pid as number;
    const grandchild = Number(/grandchild pid (\d+)/.exec(lines.join('\n'))?.[1]);
    expect(processAlive(grandchild)).toBe(true);

    await managed.stop();

    expect(managed.state).toBe('stopped');
    expect(processAlive(pid)).toBe(false);
    expect(processAlive(grandchild)).toBe(false);
    expect(processGroupAlive(pid)).toBe(false);
  });

  it('kills a process that ignores the stop signal once the stop timeout passes', async () => {
    const managed = new ManagedProcess(await fakeSpec({ FAKE_IGNORE_SIGTERM: '1' }));
    await managed.start();
    const pid = managed.pid as number;
    await managed.stop();
    expect(processAlive(pid)).toBe(false);
    expect(managed.lastLines().join('\n')).toContain('killing it');
  });

  it('reports a process that dies after it was ready, with its last lines', async () => {
    const exits: ProcessExit[] = [];
    const spec = await fakeSpec();
    const managed = new ManagedProcess(spec, { onUnexpectedExit: (exit) => exits.push(exit) });
    await managed.start();
    await fetch(`http://127.0.0.1:${portOf(spec)}/die`, { method: 'POST' });
    await managed.waitForExit();

    expect(managed.state).toBe('exited');
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatchObject({ name: 'fake', code: 3, signal: null });
    expect(exits[0]?.lastLines).toContain('fake service: dying on request');
  });

  it('does not report a stop it was asked for as a death', async () => {
    const exits: ProcessExit[] = [];
    const managed = new ManagedProcess(await fakeSpec(), {
      onUnexpectedExit: (e) => exits.push(e),
    });
    await managed.start();
    await managed.stop();
    expect(exits).toEqual([]);
  });

  it('fails the start, naming the process and quoting its output, when it exits while starting', async () => {
    const managed = new ManagedProcess(await fakeSpec({ FAKE_EXIT_AT_START: '7' }));
    const failure = await managed.start().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DemoError);
    expect((failure as DemoError).code).toBe('PROCESS_EXITED');
    expect((failure as DemoError).message).toContain('fake exited during start-up (exit code 7)');
    expect((failure as DemoError).message).toContain('configured to fail at start');
  });

  it('fails the start with READINESS_TIMEOUT and leaves no process behind when it never gets ready', async () => {
    const managed = new ManagedProcess(await fakeSpec({ FAKE_READY_DELAY_MS: '600000' }, 1500));
    const failure = await managed.start().then(
      () => null,
      (error: unknown) => error as DemoError,
    );
    expect(failure?.code).toBe('READINESS_TIMEOUT');
    expect(failure?.message).toMatch(/^fake was not ready within 1500 ms; its last lines:/);
    expect(processGroupAlive(managed.pid as number)).toBe(false);
  });

  it('can be started again after it stopped, counting the restart', async () => {
    const managed = new ManagedProcess(await fakeSpec());
    await managed.start();
    const first = managed.pid;
    await managed.stop();
    await managed.start();
    expect(managed.pid).not.toBe(first);
    expect(managed.restarts).toBe(1);
    await managed.stop();
  });

  it('refuses to start twice', async () => {
    const managed = new ManagedProcess(await fakeSpec());
    await managed.start();
    await expect(managed.start()).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });
    await managed.stop();
  });
});
