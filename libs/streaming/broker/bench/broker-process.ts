// The broker under benchmark runs as a child process (apps/broker/src/main.ts)
// so that its memory can be read from /proc/<pid>/status and its CPU is not
// shared with the load generators' event loop.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MAIN = path.join(REPO_ROOT, 'apps/broker/src/main.ts');
const NODE = fs.existsSync(path.join(REPO_ROOT, 'node_modules/.bin/node'))
  ? path.join(REPO_ROOT, 'node_modules/.bin/node')
  : process.execPath;

export interface BenchBroker {
  pid: number;
  bootstrap: string;
  /** spawn() -> `broker ready on` line on stdout. */
  readyMs: number;
  /** spawn() -> first successful TCP connect to the port. */
  connectMs: number;
  /** Highest resident set size so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** User + system CPU time the broker process has used so far, in seconds. */
  cpuSeconds(): number;
  stop(): Promise<number | null>;
}

/** Picks a free TCP port, so the connect probe can start before the ready line. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function readProcStatusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** utime + stime from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux). */
export function readCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

export async function spawnBroker(
  logDir: string,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<BenchBroker> {
  const port = await freePort();
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    NODE,
    [MAIN, '--port', String(port), '--log-dir', logDir, '--log-level', 'warn', ...extraArgs],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  let connectMs = NaN;
  let probing = true;
  const probe = (async () => {
    while (probing) {
      if (await tryConnect(port)) {
        connectMs = performance.now() - t0;
        return;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  })();

  const ready = await new Promise<{ ms: number; hostPort: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`broker not ready in 20 s: ${stderr}`)),
      20_000,
    );
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /^broker ready on (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ ms: performance.now() - t0, hostPort: m[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code} before ready: ${stderr}`));
    });
  });
  await Promise.race([probe, new Promise((r) => setTimeout(r, 5_000))]);
  probing = false;

  const pid = child.pid!;
  return {
    pid,
    bootstrap: ready.hostPort,
    readyMs: ready.ms,
    connectMs,
    peakRssMiB: () => readProcStatusKiB(pid, 'VmHWM') / 1024,
    cpuSeconds: () => readCpuSeconds(pid),
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
