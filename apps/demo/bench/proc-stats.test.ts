import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  cpuMsBetween,
  parseMachineTicks,
  parseSmapsRollup,
  parseStat,
  processTrees,
  readStat,
  sampleCpu,
  sampleMemory,
  treeTicks,
} from './proc-stats.ts';
import type { ProcStat } from './proc-stats.ts';

const stat = (pid: number, ppid: number, utime: number, stime = 0, cutime = 0): ProcStat => ({
  pid,
  comm: `p${pid}`,
  state: 'S',
  ppid,
  utime,
  stime,
  cutime,
  cstime: 0,
});

describe('/proc parsing', () => {
  it('reads a stat line whose command name holds spaces and parentheses', () => {
    const line =
      '4242 (postgres: a (b) c) S 4000 4242 4242 0 -1 4194560 300 0 0 0 1234 567 89 10 20 0 1 0 100 0 0';
    expect(parseStat(line)).toEqual({
      pid: 4242,
      comm: 'postgres: a (b) c',
      state: 'S',
      ppid: 4000,
      utime: 1234,
      stime: 567,
      cutime: 89,
      cstime: 10,
    });
  });

  it('refuses text that is not a stat line', () => {
    expect(() => parseStat('nonsense')).toThrow(/not a \/proc/);
  });

  it('reads RSS and PSS from smaps_rollup, in kB', () => {
    const text = [
      '55ddf5cdf000-7fff744d0000 ---p 00000000 00:00 0                          [rollup]',
      'Rss:                1624 kB',
      'Pss:                 180 kB',
      'Pss_Dirty:           112 kB',
    ].join('\n');
    expect(parseSmapsRollup(text)).toEqual({ rssKb: 1624, pssKb: 180 });
    expect(() => parseSmapsRollup('Rss: 1 kB')).toThrow(/Pss/);
  });

  it('counts busy time over every CPU, leaving idle and iowait out', () => {
    const procStat = 'cpu  100 5 50 1000 20 3 2 0 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n';
    expect(parseMachineTicks(procStat)).toEqual({ busy: 160, total: 1180 });
  });

  it('reads this very process', () => {
    const mine = readStat(process.pid);
    expect(mine?.pid).toBe(process.pid);
    expect(mine?.ppid).toBe(process.ppid);
  });
});

describe('process trees', () => {
  // 1 (orchestrator) -> 2 (postgres) -> 3, 4 (backends); 1 -> 5 (sales); 9 unrelated.
  const stats = new Map(
    [
      stat(1, 0, 10),
      stat(2, 1, 20, 0, 7),
      stat(3, 2, 30),
      stat(4, 2, 40),
      stat(5, 1, 50),
      stat(9, 0, 99),
    ].map((s) => [s.pid, s]),
  );
  const roots = new Map([
    ['demo', 1],
    ['postgres', 2],
    ['sales', 5],
    ['gone', 77],
  ]);

  it('gives each root its descendants, except those that are roots of their own', () => {
    const trees = processTrees(roots, stats);
    expect(trees.get('demo')).toEqual([1]);
    expect(trees.get('postgres')?.sort()).toEqual([2, 3, 4]);
    expect(trees.get('sales')).toEqual([5]);
    expect(trees.get('gone')).toEqual([]);
  });

  it("sums a tree's ticks, with the root's exited children", () => {
    const trees = processTrees(roots, stats);
    expect(treeTicks(trees.get('postgres') ?? [], stats)).toBe(20 + 7 + 30 + 40);
    expect(treeTicks([], stats)).toBe(0);
  });

  it('turns tick deltas into milliseconds, never negative', () => {
    const before = { atMs: 0, ticks: { a: 100, b: 50 }, machine: { busy: 0, total: 0 } };
    const after = { atMs: 1000, ticks: { a: 130, b: 40, c: 5 }, machine: { busy: 0, total: 0 } };
    expect(cpuMsBetween(before, after)).toEqual({ a: 300, b: 0, c: 0 });
  });
});

describe('sampling real processes', () => {
  // Burns CPU time (not wall time): the figures do not depend on how busy the machine is.
  const burner = (cpuMs: number, thenWait: boolean) =>
    spawn(
      process.execPath,
      [
        '-e',
        `const s = process.cpuUsage(); while ((process.cpuUsage(s).user + process.cpuUsage(s).system) / 1000 < ${cpuMs}) {}
         console.log('burnt'); ${thenWait ? 'setInterval(() => {}, 1000);' : ''}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );

  /** This process's own CPU ms since `start` (what the tree adds beyond it is the child's). */
  const ownMs = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };

  it("counts a live child's CPU in its parent's tree", async () => {
    const roots = new Map([['me', process.pid]]);
    const own = process.cpuUsage();
    const before = sampleCpu(roots);
    const child = burner(300, true);
    try {
      await once(child.stdout!, 'data');
      const after = sampleCpu(roots);
      // Ticks are 10 ms: allow a few of them for rounding.
      expect(cpuMsBetween(before, after).me! - ownMs(own)).toBeGreaterThanOrEqual(260);
      const memory = sampleMemory(new Map([['child', child.pid!]]));
      expect(memory.child!.pssKb).toBeGreaterThan(0);
      expect(memory.child!.rssKb).toBeGreaterThanOrEqual(memory.child!.pssKb);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("still counts a child's CPU after it exited (the parent's cutime)", async () => {
    const roots = new Map([['me', process.pid]]);
    const own = process.cpuUsage();
    const before = sampleCpu(roots);
    const child = burner(300, false);
    await once(child, 'exit');
    const after = sampleCpu(roots);
    expect(cpuMsBetween(before, after).me! - ownMs(own)).toBeGreaterThanOrEqual(260);
  });
});
