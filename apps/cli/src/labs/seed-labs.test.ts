import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../test-support/cli-harness.ts';
import { renderStep } from './lab-script.ts';
import type { StepReport } from './lab-runner.ts';
import { SEED_LABS } from './seed-labs.ts';

const SEEDS = path.resolve(REPO, '../shared/seeds');
const DOC = path.join(REPO, 'docs/labs.md');
const RUNNER = path.join(REPO, 'apps/cli/src/labs/lab-runner.ts');
const SCRATCH = path.join(REPO, '.data/labs-test');

/**
 * Every `bin/<tool>.sh …` command of the seeds, with the lines a PDF export wrapped joined again
 * ("--broker-list  " / "localhost:9092") and `bin/<tool>.sh` replaced by `npx <tool>`.
 */
function seedCommands(): string[] {
  const commands = new Set<string>();
  for (const file of fs.readdirSync(SEEDS).sort()) {
    const lines = fs.readFileSync(path.join(SEEDS, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const at = lines[i].indexOf('bin/');
      if (at < 0 || !/bin\/[\w-]+\.sh/.test(lines[i])) continue;
      let text = lines[i].slice(at);
      // A wrapped command line ends in blanks and goes on at the next line with more flags, or with
      // the host:port a flag at the end of the line was waiting for.
      while (/\s$/.test(lines[i]) && /^\s*(-|\S+:\d+(\s|$))/.test(lines[i + 1] ?? ''))
        text += ` ${lines[++i]}`;
      commands.add(
        text
          .replace(/bin\/([\w-]+)\.sh/, 'npx $1')
          .replace(/\s+/g, ' ')
          .trim(),
      );
    }
  }
  return [...commands];
}

/** unshare gives each lab its own localhost:9092 and /tmp; without it the labs cannot run as written. */
function namespacesProblem(): string | null {
  const probe = spawnSync('unshare', ['-rnm', 'sh', '-c', 'ip link set lo up'], {
    encoding: 'utf8',
  });
  if (probe.error) return `unshare is not available (${probe.error.message}): install util-linux`;
  if (probe.status !== 0)
    return `cannot create user and network namespaces (${probe.stderr.trim()}); needs iproute2 and unprivileged user namespaces`;
  return null;
}

function runLab(id: string): Promise<StepReport[]> {
  const cwd = path.join(SCRATCH, id);
  fs.rmSync(cwd, { recursive: true, force: true });
  // The labs run from a copy of the repository's config/ (they edit it and write test.txt), in a
  // folder inside the repository, so that npx finds the workspace's tools as from the root.
  fs.mkdirSync(cwd, { recursive: true });
  fs.cpSync(path.join(REPO, 'config'), path.join(cwd, 'config'), { recursive: true });
  return new Promise((resolve, reject) => {
    const runner = spawn(
      'unshare',
      [
        '--map-root-user',
        '--net',
        '--mount',
        '--pid',
        '--fork',
        '--mount-proc',
        process.execPath,
        RUNNER,
        id,
        cwd,
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    runner.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    runner.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    runner.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as StepReport[]);
      } catch {
        reject(new Error(`lab runner exited ${code} without a report:\n${stderr}`));
      }
    });
  });
}

describe("the seeds' labs, as written (docs/labs.md)", () => {
  afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

  const seedsMissing = !fs.existsSync(SEEDS);
  it.skipIf(seedsMissing)(
    'covers every command of the seeds, with only bin/….sh replaced by npx …',
    () => {
      const run = new Set(SEED_LABS.flatMap((lab) => lab.steps.map((step) => step.command)));
      const commands = seedCommands();
      expect(commands.length).toBeGreaterThan(4);
      for (const command of commands) expect(run).toContain(command);
    },
  );

  it('shows each lab in docs/labs.md exactly as the test runs it', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    for (const lab of SEED_LABS) {
      expect(doc).toContain(`## ${lab.title}`);
      for (const step of lab.steps) expect(doc).toContain(`\n${renderStep(step)}\n`);
    }
  });

  const problem = namespacesProblem();
  const onCi = process.env.CI === 'true';
  describe.skipIf(problem !== null && !onCi)(
    problem === null ? 'each lab' : `each lab (skipped: ${problem})`,
    () => {
      it.each(SEED_LABS.map((lab) => [lab.title, lab] as const))(
        '%s runs as written and prints what the page shows',
        async (_title, lab) => {
          expect(problem, 'on CI the labs must run').toBeNull();
          const reports = await runLab(lab.id);
          const failed = reports.find((report) => !report.ok);
          expect(
            failed,
            failed && `$ ${failed.command}\n${failed.problem}\n${failed.output.join('\n')}`,
          ).toBeUndefined();
          expect(reports.map((report) => report.command)).toEqual(
            lab.steps.map((step) => step.command),
          );
        },
        240_000,
      );
    },
  );
});
