// What the kernel knows about the stack's processes: CPU time from /proc/<pid>/stat, memory from
// /proc/<pid>/smaps_rollup, and who descends from whom (PostgreSQL forks a backend per connection).
import { readFileSync, readdirSync } from 'node:fs';

/** The fields of /proc/<pid>/stat the bench uses. Times are in clock ticks. */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  utime: number;
  stime: number;
  /** CPU time of children that exited and were waited for (PostgreSQL's ended backends). */
  cutime: number;
  cstime: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name sits in parentheses and may itself contain
 * spaces and parentheses, so the fields are counted from the last `)`.
 */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open)
    throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); utime is field 14, so rest[11].
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
}

/** Resident and proportional set size in kB, from /proc/<pid>/smaps_rollup. */
export interface ProcMemory {
  rssKb: number;
  pssKb: number;
}

export function parseSmapsRollup(text: string): ProcMemory {
  const kb = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!match) throw new Error(`smaps_rollup without a ${name} line`);
    return Number(match[1]);
  };
  return { rssKb: kb('Rss'), pssKb: kb('Pss') };
}

/** Every live process's stat, keyed by pid (zombies and processes that vanish meanwhile are left out). */
export function readAllStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && stat.state !== 'Z') stats.set(stat.pid, stat);
  }
  return stats;
}

export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null; // gone
  }
}

export function readMemory(pid: number): ProcMemory | null {
  try {
    return parseSmapsRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  } catch {
    return null; // gone, or not ours to read
  }
}

/**
 * The processes each root stands for: itself and its descendants, except descendants that are roots
 * of their own (the orchestrator's children are listed under their own names, not under it).
 */
export function processTrees(
  roots: ReadonlyMap<string, number>,
  stats: ReadonlyMap<number, ProcStat>,
): Map<string, number[]> {
  const children = new Map<number, number[]>();
  for (const stat of stats.values()) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const rootPids = new Set(roots.values());
  const trees = new Map<string, number[]>();
  for (const [name, root] of roots) {
    if (!stats.has(root)) {
      trees.set(name, []);
      continue;
    }
    const members: number[] = [];
    const queue = [root];
    while (queue.length > 0) {
      const pid = queue.shift() as number;
      members.push(pid);
      for (const child of children.get(pid) ?? []) {
        if (!rootPids.has(child)) queue.push(child);
      }
    }
    trees.set(name, members);
  }
  return trees;
}

/**
 * CPU ticks a tree has used so far: user + system time of every live member, plus the time of the
 * root's children that already exited (cutime/cstime), so a backend that ends mid-step still counts.
 */
export function treeTicks(
  members: readonly number[],
  stats: ReadonlyMap<number, ProcStat>,
): number {
  let ticks = 0;
  members.forEach((pid, index) => {
    const stat = stats.get(pid);
    if (!stat) return;
    ticks += stat.utime + stat.stime;
    if (index === 0) ticks += stat.cutime + stat.cstime;
  });
  return ticks;
}

/** A moment's CPU counters of every named process tree, and of the whole machine. */
export interface CpuSample {
  atMs: number;
  /** Ticks per process name. */
  ticks: Record<string, number>;
  /** /proc/stat: busy and total ticks summed over every CPU. */
  machine: { busy: number; total: number };
}

export function sampleCpu(roots: ReadonlyMap<string, number>): CpuSample {
  const stats = readAllStats();
  const ticks: Record<string, number> = {};
  for (const [name, members] of processTrees(roots, stats)) ticks[name] = treeTicks(members, stats);
  return { atMs: performance.now(), ticks, machine: readMachineTicks() };
}

/** /proc/stat's first line: every CPU's time; idle and iowait are not busy. */
export function parseMachineTicks(procStat: string): { busy: number; total: number } {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat without a cpu line');
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

function readMachineTicks(): { busy: number; total: number } {
  return parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
}

/** Memory of every named process tree (kB), summed over the members that could be read. */
export function sampleMemory(roots: ReadonlyMap<string, number>): Record<string, ProcMemory> {
  const stats = readAllStats();
  const result: Record<string, ProcMemory> = {};
  for (const [name, members] of processTrees(roots, stats)) {
    const sum: ProcMemory = { rssKb: 0, pssKb: 0 };
    for (const pid of members) {
      const memory = readMemory(pid);
      if (!memory) continue;
      sum.rssKb += memory.rssKb;
      sum.pssKb += memory.pssKb;
    }
    result[name] = sum;
  }
  return result;
}

/** USER_HZ: the unit of /proc/<pid>/stat times. 100 on every Linux the project runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** CPU milliseconds each process used between two samples (ticks -> ms). */
export function cpuMsBetween(before: CpuSample, after: CpuSample): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, ticks] of Object.entries(after.ticks)) {
    const delta = ticks - (before.ticks[name] ?? ticks);
    result[name] = (Math.max(0, delta) * 1000) / CLOCK_TICKS_PER_SECOND;
  }
  return result;
}
