import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { DemoError } from './demo-error.ts';
import { LineSplitter } from './line-splitter.ts';
import { dieWithParent } from './parent-death.ts';
import { processGroupAlive, signalGroup } from './process-group.ts';

/** How the supervisor knows a process is ready to be used. */
export type Readiness =
  | { kind: 'http'; url: string; timeoutMs: number }
  | { kind: 'output'; pattern: RegExp; timeoutMs: number }
  | { kind: 'none' };

export interface ProcessSpec {
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as another user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  readiness: Readiness;
  /** PostgreSQL's fast shutdown is SIGINT (SIGTERM waits for every client to leave). */
  stopSignal?: NodeJS.Signals;
  /** After this, the whole group gets SIGKILL. */
  stopTimeoutMs?: number;
}

export type ProcessState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'exited';

export interface ProcessExit {
  name: string;
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  lastLines: string[];
}

export interface ManagedProcessHooks {
  /** Every line the process writes, stdout and stderr alike. */
  onLine?: (name: string, line: string) => void;
  /** The process ended without being asked to: a crash, an OOM kill, a failed start after ready. */
  onUnexpectedExit?: (exit: ProcessExit) => void;
}

const KEEP_LINES = 200;
const POLL_MS = 100;

/**
 * One child process under supervision. Each child is the leader of its own process group
 * (`detached`), for two reasons: Ctrl-C in the terminal reaches only the orchestrator, which then
 * stops the children in a deliberate order; and stopping signals the whole group, so grandchildren
 * (PostgreSQL's backends, a `--watch` restarter's child) never outlive it.
 */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  readonly #hooks: ManagedProcessHooks;
  #child: ChildProcess | null = null;
  #state: ProcessState = 'idle';
  #lines: string[] = [];
  #exited: Promise<ProcessExit> | null = null;
  #startedAt = 0;
  #restarts = 0;

  constructor(spec: ProcessSpec, hooks: ManagedProcessHooks = {}) {
    this.spec = spec;
    this.#hooks = hooks;
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): ProcessState {
    return this.#state;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How many times the process was started after its first start. */
  get restarts(): number {
    return this.#restarts;
  }

  get startedAt(): number {
    return this.#startedAt;
  }

  lastLines(count = 20): string[] {
    return this.#lines.slice(-count);
  }

  /** Spawns the process and resolves once it is ready; rejects (after killing it) when it is not. */
  async start(onSpawned?: (pid: number) => void): Promise<void> {
    if (this.#state === 'starting' || this.#state === 'running' || this.#state === 'stopping') {
      throw new DemoError('ALREADY_RUNNING', `${this.name} is already ${this.#state}`);
    }
    if (this.#startedAt > 0) this.#restarts++;
    this.#state = 'starting';
    this.#startedAt = Date.now();
    // The child ends when this process does, even if this one is killed without a chance to stop it.
    const { command, args } = dieWithParent(
      this.spec.command,
      this.spec.args,
      this.spec.stopSignal ?? 'SIGTERM',
    );
    const child = spawn(command, args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      uid: this.spec.uid,
      gid: this.spec.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    if (child.pid !== undefined) onSpawned?.(child.pid);
    const readyLine = this.spec.readiness.kind === 'output' ? this.spec.readiness.pattern : null;
    let sawReadyLine = false;
    const onLine = (line: string) => {
      this.#lines.push(line);
      if (this.#lines.length > KEEP_LINES) this.#lines.splice(0, this.#lines.length - KEEP_LINES);
      if (readyLine && readyLine.test(line)) sawReadyLine = true;
      this.#hooks.onLine?.(this.name, line);
    };
    const out = new LineSplitter(onLine);
    const err = new LineSplitter(onLine);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));

    let spawnError: Error | null = null;
    this.#exited = new Promise<ProcessExit>((resolve) => {
      child.on('error', (error) => {
        spawnError = error;
        // A failed spawn emits no 'exit'.
        if (child.pid === undefined) resolve(this.#exitOf(child, null, null));
      });
      child.on('exit', (code, signal) => resolve(this.#exitOf(child, code, signal)));
    }).then((exit) => {
      out.flush();
      err.flush();
      const wasRunning = this.#state === 'running';
      if (this.#state !== 'stopping') this.#state = 'exited';
      if (wasRunning) this.#hooks.onUnexpectedExit?.(exit);
      return exit;
    });

    let exit: ProcessExit | null = null;
    void this.#exited.then((e) => (exit = e));
    const deadline =
      this.spec.readiness.kind === 'none' ? 0 : Date.now() + this.spec.readiness.timeoutMs;
    for (;;) {
      if (exit !== null || spawnError !== null) {
        const e = exit as ProcessExit | null;
        this.#state = 'exited';
        if (spawnError !== null && child.pid === undefined) {
          throw new DemoError(
            'SPAWN_FAILED',
            `${this.name} could not be started: ${(spawnError as Error).message}`,
            { cause: spawnError },
          );
        }
        throw new DemoError(
          'PROCESS_EXITED',
          `${this.name} exited during start-up (${describeExit(e?.code ?? null, e?.signal ?? null)})${tail(this.lastLines())}`,
        );
      }
      if (this.spec.readiness.kind === 'none') break;
      if (this.spec.readiness.kind === 'output' && sawReadyLine) break;
      if (this.spec.readiness.kind === 'http' && (await httpReady(this.spec.readiness.url))) break;
      if (Date.now() > deadline) {
        await this.stop();
        this.#state = 'exited';
        throw new DemoError(
          'READINESS_TIMEOUT',
          `${this.name} was not ready within ${this.spec.readiness.timeoutMs} ms${tail(this.lastLines())}`,
        );
      }
      await sleep(POLL_MS);
    }
    // It may have died while the last readiness probe was in flight.
    const lateExit = exit as ProcessExit | null;
    if (lateExit !== null) {
      this.#state = 'exited';
      throw new DemoError(
        'PROCESS_EXITED',
        `${this.name} exited during start-up (${describeExit(lateExit.code, lateExit.signal)})${tail(this.lastLines())}`,
      );
    }
    this.#state = 'running';
  }

  /**
   * Stops the whole process group: the stop signal first, SIGKILL when the timeout passes. Resolves
   * once the process has exited and no process of its group is left.
   */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.pid === undefined || this.#exited === null) return;
    const pid = child.pid;
    const exited = this.#exited;
    if (this.#state === 'exited' || this.#state === 'stopped') {
      // The leader is gone, but a grandchild may still hold the group.
      if (processGroupAlive(pid)) signalGroup(pid, 'SIGKILL');
      this.#state = this.#state === 'exited' ? 'exited' : 'stopped';
      return;
    }
    this.#state = 'stopping';
    signalGroup(pid, this.spec.stopSignal ?? 'SIGTERM');
    const timeoutMs = this.spec.stopTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    let leaderGone = false;
    void exited.then(() => (leaderGone = true));
    while (Date.now() < deadline && (!leaderGone || processGroupAlive(pid))) {
      await sleep(25);
    }
    if (!leaderGone || processGroupAlive(pid)) {
      const note = `(did not stop within ${timeoutMs} ms: killing it)`;
      this.#lines.push(note);
      this.#hooks.onLine?.(this.name, note);
      signalGroup(pid, 'SIGKILL');
      await exited;
      while (processGroupAlive(pid)) await sleep(25);
    }
    this.#state = 'stopped';
  }

  /** Resolves when the current run of the process ends (at once if it is not running). */
  async waitForExit(): Promise<ProcessExit | null> {
    return this.#exited ?? null;
  }

  #exitOf(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): ProcessExit {
    return { name: this.name, pid: child.pid ?? -1, code, signal, lastLines: this.lastLines() };
  }
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  if (code === null) return 'did not start';
  return `exit code ${code}`;
}

function tail(lines: string[]): string {
  if (lines.length === 0) return '; it printed nothing';
  return `; its last lines:\n${lines.map((line) => `    ${line}`).join('\n')}`;
}

async function httpReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
