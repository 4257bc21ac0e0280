// The stack the bench measures: `npm start` itself (apps/demo/src/start.ts, the orchestrator and every
// process it starts), on a temporary data folder and its own ports, so the figures are those of the
// demo a user runs, orchestrator and connectors included.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { portsFromBase, processAlive, repoRoot, signalGroup } from '@retail-streams/demo-stack';
import type { PortMap } from '@retail-streams/demo-stack';

export interface StackProcess {
  name: string;
  state: string;
  pid: number | null;
}

export interface StackUnderTest {
  ports: PortMap;
  dataDir: string;
  salesUrl: string;
  inventoryUrl: string;
  bootstrap: string;
  startMs: number;
  /** pid per process name: the orchestrator as `demo`, then every process it started. */
  processes(): Promise<Map<string, number>>;
  /** The orchestrator's log (every process's lines, prefixed): the first place to look on failure. */
  logFile: string;
  /** Stops the stack; the data dir is removed unless `keep` (default: the --keep-data choice). */
  stop(keep?: boolean): Promise<void>;
}

/** Stacks started and not yet stopped: stopped on Ctrl-C (see stopEveryStack). */
const running = new Set<StackUnderTest>();

/** Stops every stack this process started (the bench's signal handler). */
export async function stopEveryStack(): Promise<void> {
  await Promise.all([...running].map((stack) => stack.stop()));
}

export interface StartOptions {
  /** A block of 8 ports from here; a free block is found when absent. */
  basePort?: number;
  logLevel: string;
  keepData: boolean;
  readyTimeoutMs?: number;
}

/**
 * The command line of `npm start` (the root package.json's `start` script, `node [flags] <entry>`),
 * as arguments for this Node binary: the bench runs the orchestrator with the same flags.
 */
export function npmStartArgs(startScript: string): string[] {
  const [command, ...args] = startScript.trim().split(/\s+/);
  if (command !== 'node' || args.length === 0 || /[|&;<>$`'"]/.test(startScript)) {
    throw new Error(
      `the start script "${startScript}" is not a plain \`node [flags] <entry>\`: the bench cannot run it as npm start does`,
    );
  }
  return args.map((arg) => (arg.startsWith('-') ? arg : join(repoRoot, arg)));
}

export function readStartScript(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  return manifest.scripts?.start ?? '';
}

/** Starts `npm start`'s command with `--data-dir <tmp> --base-port <n>` and waits until it is ready. */
export async function startStackUnderTest(options: StartOptions): Promise<StackUnderTest> {
  const basePort = options.basePort ?? (await freePortBlock(8));
  const ports = portsFromBase(basePort);
  const dataDir = mkdtempSync(join(tmpdir(), 'retail-streams-pipeline-bench-'));
  const logFile = join(dataDir, 'orchestrator.log');
  const out = openSync(logFile, 'a');
  const began = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...npmStartArgs(readStartScript()),
      '--data-dir',
      dataDir,
      '--base-port',
      String(basePort),
      '--log-level',
      options.logLevel,
    ],
    { cwd: repoRoot, stdio: ['ignore', out, out], env: benchChildEnv() },
  );
  closeSync(out);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let lastKnown = new Map<string, number>();
  const controlFile = join(dataDir, 'control.json');
  const status = () => readStatus(controlFile);
  const processes = async () => {
    const map = new Map<string, number>([['demo', child.pid as number]]);
    for (const entry of await status()) {
      if (entry.pid !== null && entry.state === 'running') map.set(entry.name, entry.pid);
    }
    lastKnown = map;
    return map;
  };
  let stopping: Promise<void> | null = null;
  const stop = (keep = options.keepData) => (stopping ??= stopNow(keep));
  const stopNow = async (keep: boolean) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(60_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') child.kill('SIGKILL');
    // Whatever outlived the orchestrator (it died, or a child hung) is killed with its group: the
    // processes it reported, and any other process of this stack (they all name its data dir).
    const leftovers = new Set([...lastKnown.values(), ...processesNaming(dataDir)]);
    leftovers.delete(child.pid as number);
    for (const pid of leftovers) if (processAlive(pid)) signalGroup(pid, 'SIGKILL');
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
    running.delete(handle);
  };

  const handle: StackUnderTest = {
    ports,
    dataDir,
    salesUrl: `http://127.0.0.1:${ports.sales}`,
    inventoryUrl: `http://127.0.0.1:${ports.inventory}`,
    bootstrap: `127.0.0.1:${ports.broker}`,
    startMs: 0,
    processes,
    logFile,
    stop,
  };
  running.add(handle);
  try {
    await waitUntilReady(child, controlFile, logFile, options.readyTimeoutMs ?? 180_000);
    await processes();
  } catch (error) {
    // Keep the data dir: the process logs under it say why the start failed.
    await stop(true);
    throw new Error(`${(error as Error).message}\n(logs kept in ${dataDir})`, { cause: error });
  }
  handle.startMs = performance.now() - began;
  return handle;
}

/** The processes the demo's control endpoint reports (its URL and token are in control.json). */
async function readStatus(controlFile: string): Promise<StackProcess[]> {
  const { url, token } = JSON.parse(readFileSync(controlFile, 'utf8')) as {
    url: string;
    token: string;
  };
  const response = await fetch(`${url}/status`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`control endpoint answered ${response.status}`);
  const body = (await response.json()) as { processes: StackProcess[] };
  return body.processes;
}

/** Waits until the demo reports every process running; throws if it exits or the time is up. */
async function waitUntilReady(
  child: ChildProcess,
  controlFile: string,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the demo exited while starting (${child.exitCode ?? child.signalCode}); its last lines:\n${tail(logFile)}`,
      );
    }
    if (existsSync(controlFile)) {
      const all = await readStatus(controlFile).catch(() => null);
      if (all && all.every((entry) => entry.state === 'running')) return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the demo was not ready within the time limit; its last lines:\n${tail(logFile)}`,
      );
    }
    await sleep(250);
  }
}

/**
 * Every process whose command line or environment names `dataDir`: PostgreSQL (-D), the broker
 * (--log-dir), the connector (--file), the services (ACCESS_LOG_FILE). The temp dir is unique, so
 * nothing outside this stack matches.
 */
export function processesNaming(dataDir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8');
      if (cmdline.includes(dataDir) || environ.includes(dataDir)) found.push(Number(name));
    } catch {
      // gone, or not readable: not ours to stop
    }
  }
  return found;
}

/** The bench's environment minus what would change how the children run. */
function benchChildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
  }
  if (env.NODE_ENV === 'test') delete env.NODE_ENV;
  return env;
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A base port whose `count` consecutive ports are all free right now (small race, fine locally). */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await portFree(port);
    if (free) return base;
  }
  throw new Error(`no block of ${count} free ports found`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
