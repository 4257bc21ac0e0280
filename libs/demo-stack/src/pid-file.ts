import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { processAlive, processGroupAlive, signalGroup } from './process-group.ts';

export interface RecordedProcess {
  name: string;
  pid: number;
  /** The command line as the kernel shows it, to recognise the process (pids get reused). */
  cmdline: string;
}

/**
 * The pids of a running stack, on disk. When the orchestrator itself is killed (kill -9, a closed
 * terminal) its children live on in their own process groups; the next start reads this file and
 * stops them, instead of failing on busy ports or leaving them running forever.
 */
export class PidFile {
  readonly #path: string;
  readonly #entries = new Map<string, RecordedProcess>();

  constructor(path: string) {
    this.#path = path;
  }

  /**
   * `argv` is the program the process runs once started: recorded as the kernel will show it, since
   * right after spawn /proc may still show the spawner (or the setpriv that execs the program).
   */
  record(name: string, pid: number, argv?: readonly string[]): void {
    const cmdline = argv ? argv.map((arg) => `${arg}\0`).join('') : (cmdlineOf(pid) ?? '');
    this.#entries.set(name, { name, pid, cmdline });
    this.#write();
  }

  #write(): void {
    mkdirSync(dirname(this.#path), { recursive: true });
    const staging = `${this.#path}.${process.pid}`;
    writeFileSync(staging, JSON.stringify([...this.#entries.values()], null, 2));
    renameSync(staging, this.#path);
  }
}

/**
 * Stops what an earlier orchestrator on the same data folder left running: each recorded process
 * that is still alive with the same command line gets SIGTERM to its group, then SIGKILL.
 * Returns the names of the processes it stopped.
 */
export async function stopLeftovers(path: string, timeoutMs = 10_000): Promise<string[]> {
  let recorded: RecordedProcess[];
  try {
    recorded = JSON.parse(readFileSync(path, 'utf8')) as RecordedProcess[];
  } catch {
    return [];
  }
  const leftovers = recorded.filter(
    (entry) =>
      entry.cmdline !== '' && processAlive(entry.pid) && cmdlineOf(entry.pid) === entry.cmdline,
  );
  for (const entry of leftovers)
    signalGroup(entry.pid, entry.name === 'postgres' ? 'SIGINT' : 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && leftovers.some((entry) => processGroupAlive(entry.pid))) {
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const entry of leftovers)
    if (processGroupAlive(entry.pid)) signalGroup(entry.pid, 'SIGKILL');
  return leftovers.map((entry) => entry.name);
}

function cmdlineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
}
