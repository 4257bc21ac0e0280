import { DemoError } from './demo-error.ts';
import { ManagedProcess } from './managed-process.ts';
import type { ProcessSpec, ProcessState } from './managed-process.ts';
import type { PidFile } from './pid-file.ts';
import { ACCESS_LOG_CONNECTOR } from './process-specs.ts';
import { SERVICE_NAMES, isServiceName } from './services.ts';
import type { StackEvent } from './stack.ts';

export interface ProcessStatus {
  name: string;
  state: ProcessState;
  pid: number | null;
  url: string | null;
  restarts: number;
  startedAt: string | null;
}

export interface StackProcessHooks {
  onLine?: (name: string, line: string) => void;
  emit: (event: StackEvent) => void;
}

/**
 * The processes of one stack, by name: each started with its pid recorded (so that the next start
 * can stop what a killed orchestrator left behind), reported as it starts, becomes ready and stops,
 * and all of them stopped in dependency order.
 */
export class StackProcesses {
  /** Where each process can be reached, shown when it is ready and in the status list. */
  readonly urls: Record<string, string> = {};
  readonly #processes = new Map<string, ManagedProcess>();
  readonly #pidFile: PidFile;
  readonly #hooks: StackProcessHooks;

  constructor(pidFile: PidFile, hooks: StackProcessHooks) {
    this.#pidFile = pidFile;
    this.#hooks = hooks;
  }

  /** Puts a process under supervision (not started yet). */
  add(spec: ProcessSpec): ManagedProcess {
    const managed = new ManagedProcess(spec, {
      onLine: this.#hooks.onLine,
      onUnexpectedExit: (exit) => this.#hooks.emit({ type: 'died', exit }),
    });
    this.#processes.set(spec.name, managed);
    return managed;
  }

  /** The process of that name, or a DemoError naming the known ones. */
  find(name: string): ManagedProcess {
    const managed = this.#processes.get(name);
    if (!managed) {
      throw new DemoError(
        'UNKNOWN_PROCESS',
        `no process "${name}" (known: ${[...this.#processes.keys()].join(', ')})`,
      );
    }
    return managed;
  }

  async start(managed: ManagedProcess): Promise<void> {
    const { emit } = this.#hooks;
    emit({ type: 'starting', name: managed.name });
    const began = Date.now();
    await managed.start((pid) =>
      this.#pidFile.record(managed.name, pid, [managed.spec.command, ...managed.spec.args]),
    );
    emit({
      type: 'ready',
      name: managed.name,
      ms: Date.now() - began,
      url: this.urls[managed.name],
    });
  }

  /** Stops one process on request; stopping one that is not running is an error. */
  async stop(name: string): Promise<void> {
    const managed = this.find(name);
    if (managed.state !== 'running' && managed.state !== 'starting') {
      throw new DemoError('NOT_RUNNING', `${name} is not running (${managed.state})`);
    }
    await managed.stop();
    this.#hooks.emit({ type: 'stopped', name });
  }

  async restart(name: string): Promise<void> {
    const managed = this.find(name);
    await managed.stop();
    this.#hooks.emit({ type: 'stopped', name });
    await this.start(managed);
  }

  /**
   * Connectors and services first (they flush to the broker and the database), then the broker,
   * then PostgreSQL.
   */
  async stopAll(): Promise<void> {
    const all = [...this.#processes.keys()];
    await this.#stopGroup([ACCESS_LOG_CONNECTOR]);
    await this.#stopGroup(all.filter((name) => isServiceName(name)));
    await this.#stopGroup(['broker']);
    await this.#stopGroup(['postgres']);
  }

  async #stopGroup(names: string[]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const managed = this.#processes.get(name);
        if (!managed) return;
        const wasUp = managed.state === 'running' || managed.state === 'starting';
        await managed.stop();
        if (wasUp) this.#hooks.emit({ type: 'stopped', name });
      }),
    );
  }

  status(): ProcessStatus[] {
    return [...this.#processes.values()]
      .sort((a, b) => rank(a.name) - rank(b.name))
      .map((managed) => ({
        name: managed.name,
        state: managed.state,
        pid: managed.pid ?? null,
        url: this.urls[managed.name] ?? null,
        restarts: managed.restarts,
        startedAt: managed.startedAt > 0 ? new Date(managed.startedAt).toISOString() : null,
      }));
  }

  pids(): number[] {
    return [...this.#processes.values()]
      .map((managed) => managed.pid)
      .filter((pid): pid is number => pid !== undefined);
  }
}

/** Status lists read infrastructure first, then the services, then the connectors. */
function rank(name: string): number {
  if (name === 'postgres') return 0;
  if (name === 'broker') return 1;
  const service = (SERVICE_NAMES as readonly string[]).indexOf(name);
  if (service >= 0) return 2 + service;
  return 100;
}
