// One `npm start` on a given data folder, as the user runs it: the root package.json's start command,
// its stdout read line by line (each line stamped with when it arrived), stopped with Ctrl-C (SIGINT)
// as a user stops it. Whatever a failed run leaves behind is killed with its process group.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { processAlive, repoRoot, signalGroup } from '@retail-streams/demo-stack';
import { sampleCpu } from '../proc-stats.ts';
import { npmStartArgs, processesNaming, readStartScript } from '../stack-under-test.ts';
import type { OrchestratorLine } from './start-timeline.ts';

export interface DemoRun {
  /** Every orchestrator line so far, with its arrival time (ms after the spawn). */
  readonly lines: OrchestratorLine[];
  /** Byte size of each `<data>/logs/<name>.log` before this run: its records start there. */
  readonly logOffsets: Record<string, number>;
  /** Resolves at "demo ready" with the arrival time; rejects if the demo exits or times out first. */
  ready(timeoutMs: number): Promise<number>;
  /** CPU ms each process of the stack has used so far (they were all started by this run). */
  cpuMs(): Record<string, number>;
  /** Ctrl-C, then waits for the orchestrator to exit; returns how long the stop took (ms). */
  stop(): Promise<number>;
  /** Kills whatever of this stack is left (after a failure). */
  kill(): void;
}

export const LOGGED_PROCESSES = [
  'postgres',
  'broker',
  'inventory',
  'sales',
  'reordering',
  'analytics',
] as const;

export function startDemo(dataDir: string, basePort: number): DemoRun {
  const logOffsets: Record<string, number> = {};
  for (const name of LOGGED_PROCESSES) {
    const file = join(dataDir, 'logs', `${name}.log`);
    logOffsets[name] = existsSync(file) ? statSync(file).size : 0;
  }
  const began = performance.now();
  const child = spawn(
    process.execPath,
    [...npmStartArgs(readStartScript()), '--data-dir', dataDir, '--base-port', String(basePort)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() },
  );
  const lines: OrchestratorLine[] = [];
  const listeners = new Set<() => void>();
  const record = (text: string) => {
    lines.push({ atMs: performance.now() - began, text });
    for (const listener of listeners) listener();
  };
  createInterface({ input: child.stdout }).on('line', record);
  createInterface({ input: child.stderr }).on('line', record);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const pids = (): Map<string, number> => {
    const file = join(dataDir, 'run', 'pids.json');
    const entries = JSON.parse(readFileSync(file, 'utf8')) as { name: string; pid: number }[];
    return new Map(entries.map((entry) => [entry.name, entry.pid]));
  };

  return {
    lines,
    logOffsets,
    ready: (timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        const check = () => {
          const line = lines.find((l) => /demo ready in /.test(l.text));
          if (line) return finish(() => resolve(line.atMs));
          if (child.exitCode !== null || child.signalCode !== null) {
            finish(() => reject(new Error(`npm start exited before ready:\n${lastLines(lines)}`)));
          }
        };
        const timer = setTimeout(
          () =>
            finish(() => reject(new Error(`npm start not ready in time:\n${lastLines(lines)}`))),
          timeoutMs,
        );
        const onExit = () => check();
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
          settle();
        };
        listeners.add(check);
        child.on('exit', onExit);
        check();
      }),
    cpuMs: () => {
      const sample = sampleCpu(pids());
      return Object.fromEntries(
        Object.entries(sample.ticks).map(([name, ticks]) => [name, ticks * 10]),
      );
    },
    stop: async () => {
      const stopBegan = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      return performance.now() - stopBegan;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const pid of processesNaming(dataDir))
        if (processAlive(pid)) signalGroup(pid, 'SIGKILL');
    },
  };
}

/** The log text a process wrote during this run (after its offset). */
export function logSince(dataDir: string, name: string, offset: number): string {
  const file = join(dataDir, 'logs', `${name}.log`);
  if (!existsSync(file)) return '';
  return readFileSync(file).subarray(offset).toString('utf8');
}

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
  }
  env.NO_COLOR = '1';
  return env;
}

function lastLines(lines: readonly OrchestratorLine[]): string {
  return lines
    .slice(-25)
    .map((line) => line.text)
    .join('\n');
}
